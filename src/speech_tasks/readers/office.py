"""Old Word (.doc), WPS (.wps), .rtf and .odt files, converted to .docx by LibreOffice and then
read by the .docx reader (so Word's numbering labels are drawn here too).

LibreOffice is an optional system package, never installed with speech-tasks: ``soffice
--headless --convert-to docx`` runs into a temporary folder with its own user profile (parallel
conversions do not share one, which LibreOffice does not allow), under the time limit of
``rules/readers.yaml``. Without LibreOffice the file gets one line saying how to install it.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from ..ingest import IngestError
from . import Reading

_CANDIDATES = (  # where the installers put soffice when it is not on PATH
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    "/opt/libreoffice/program/soffice",
)
INSTALL_HINT = (
    "install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-writer; Windows/macOS: the "
    "installer from libreoffice.org) or save the file as .docx"
)


def read(path: Path, raw: bytes) -> Reading:
    from . import docx

    fmt = path.suffix.lower().lstrip(".")
    if raw.startswith(b"PK\x03\x04") and fmt != "odt":  # a .docx under an old name
        reading = docx.read(path, raw)
        reading.format = fmt
        return reading
    soffice = find_soffice()
    if soffice is None:
        raise IngestError(f"reading .{fmt} files needs LibreOffice, which is not installed: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="speech-tasks-lo-") as tmp:
        converted = _convert(soffice, path, Path(tmp))
        reading = docx.read(converted, converted.read_bytes())
    reading.format = fmt
    reading.converted_by = version(soffice)
    return reading


def find_soffice() -> str | None:
    """The LibreOffice program: on PATH (soffice, libreoffice) or where its installers put it."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((c for c in _CANDIDATES if os.path.isfile(c)), None)


@cache
def version(soffice: str) -> str:
    """"LibreOffice 7.4.7.2" (just "LibreOffice" when it does not say)."""
    try:
        out = subprocess.run([soffice, "--version"], capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return "LibreOffice"
    return f"LibreOffice {out[1]}" if len(out) > 1 and out[0] == "LibreOffice" else "LibreOffice"


def _convert(soffice: str, path: Path, tmp: Path) -> Path:
    """*path* converted to .docx in *tmp*; IngestError when LibreOffice fails or takes too long."""
    from .config import load

    timeout = load().libreoffice.timeout_seconds
    # a plain ASCII name: LibreOffice names its output after the input, whatever the locale
    source = tmp / f"speech{path.suffix.lower()}"
    shutil.copyfile(path, source)
    out = tmp / "out"
    command = [
        soffice,
        f"-env:UserInstallation={(tmp / 'profile').resolve().as_uri()}",
        "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
        "--convert-to", "docx:MS Word 2007 XML",
        "--outdir", str(out),
        str(source),
    ]
    new_session = {"start_new_session": True} if sys.platform != "win32" else {}
    try:
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **new_session
        )
    except OSError as e:
        raise IngestError(f"cannot start LibreOffice ({e.strerror or e}): {INSTALL_HINT}") from None
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(proc)
        raise IngestError(
            f"LibreOffice did not finish converting it within {timeout:g} s "
            "(libreoffice.timeout_seconds in rules/readers.yaml)"
        ) from None
    converted = out / "speech.docx"
    if proc.returncode != 0 or not converted.is_file():
        detail = next((line for line in err.decode("utf-8", "replace").splitlines() if "Error" in line), "")
        detail = f": {detail.strip()}" if detail else ""
        raise IngestError(f"LibreOffice could not convert it (damaged or password-protected?){detail}")
    return converted


def _stop(proc: subprocess.Popen) -> None:
    """Stop LibreOffice and whatever it started (its own process group)."""
    try:
        if sys.platform != "win32":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except OSError:
        pass
    proc.wait()
