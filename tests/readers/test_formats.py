"""The same speech as .txt, .docx with typed markers, .docx with Word's auto-numbering, PDF and
old Word .doc gives the same task sheet: same outline, tasks (markers, titles), units, deadlines."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from speech_tasks.ingest import read_file
from speech_tasks.pipeline import extract_doc

from .conftest import (
    CIRCLED, PAREN_TOP, SAMPLE, THREE_LEVELS, add_running_lines, essentials, gongwen, marker_lines,
    numbered_docx, plain_docx, soffice_convert,
)

SPEECHES = [SAMPLE, THREE_LEVELS, CIRCLED, PAREN_TOP]


def sheet_of(path: Path):
    return extract_doc(read_file(path))


def pdf_of(docx: Path, tmp: Path) -> Path:
    return soffice_convert(add_running_lines(docx), "pdf", tmp)


def gongwen_pdf_of(docx: Path, tmp: Path) -> Path:
    return pdf_of(gongwen(docx), tmp)


def doc_of(docx: Path, tmp: Path) -> Path:
    return soffice_convert(docx, "doc", tmp)


def wps_of(docx: Path, tmp: Path) -> Path:
    doc = soffice_convert(docx, "doc", tmp)  # Kingsoft WPS writes .wps in Word's binary format
    return Path(shutil.move(doc, doc.with_suffix(".wps")))


def rtf_of(docx: Path, tmp: Path) -> Path:
    return soffice_convert(docx, "rtf", tmp)


def odt_of(docx: Path, tmp: Path) -> Path:
    return soffice_convert(docx, "odt", tmp)


# form → (how the .docx is made, what is made from it, the format the sheet records, speeches)
# (LibreOffice takes seconds per file: the converted forms are checked on fewer speeches)
FORMS = {
    "docx-typed": (plain_docx, None, "docx", SPEECHES),
    "docx-numbered": (numbered_docx, None, "docx", SPEECHES),
    "pdf-from-numbered": (numbered_docx, pdf_of, "pdf", [SAMPLE, THREE_LEVELS]),
    "pdf-from-typed": (plain_docx, pdf_of, "pdf", [PAREN_TOP]),
    "pdf-gongwen-typed": (plain_docx, gongwen_pdf_of, "pdf", [CIRCLED]),
    "pdf-gongwen-numbered": (numbered_docx, gongwen_pdf_of, "pdf", [CIRCLED]),
    "doc": (plain_docx, doc_of, "doc", [SAMPLE]),
    "doc-numbered": (numbered_docx, doc_of, "doc", [THREE_LEVELS]),
    "wps": (plain_docx, wps_of, "wps", [SAMPLE]),
    "rtf": (plain_docx, rtf_of, "rtf", [SAMPLE]),
    "odt": (numbered_docx, odt_of, "odt", [SAMPLE]),
}
CASES = [pytest.param(form, speech, id=f"{form}-{speech.stem[:12]}") for form, v in FORMS.items() for speech in v[3]]


@pytest.mark.parametrize(("form", "speech"), CASES)
def test_every_form_gives_the_sheet_of_the_text(tmp_path, form, speech):
    make_docx, convert, fmt, _ = FORMS[form]
    text = speech.read_text(encoding="utf-8")
    expected = sheet_of(speech)
    assert expected.tasks
    path = make_docx(tmp_path / f"{speech.stem}.docx", text)
    if convert is not None:
        (tmp_path / "converted").mkdir()
        path = convert(path, tmp_path / "converted")
    got = sheet_of(path)
    assert got.source.format == fmt
    assert essentials(got) == essentials(expected)
    if make_docx is numbered_docx and fmt != "pdf":
        assert got.source.numbering_rendered == marker_lines(text) > 0
    if fmt == "pdf":
        assert got.source.pages >= 2 and got.source.dropped_lines == 2 * got.source.pages  # header, page number
    if fmt in ("doc", "wps", "rtf", "odt"):
        assert got.source.converted_by.startswith("LibreOffice")


def test_numbered_docx_reads_as_the_typed_text(tmp_path):
    """The labels Word draws are exactly the markers of the typed speech, for every level kind."""
    for speech in SPEECHES:
        text = speech.read_text(encoding="utf-8")
        doc = read_file(numbered_docx(tmp_path / f"{speech.stem}.docx", text))
        assert doc.source.rstrip("\n") == text.rstrip("\n")


def test_extracting_text_does_not_load_the_readers(tmp_path):
    """Cold start of `extract` on a .txt pays nothing for the readers of other formats."""
    import subprocess
    import sys

    code = (
        "import sys; from speech_tasks.cli import main; "
        f"rc = main(['extract', {str(SAMPLE)!r}, '-o', {str(tmp_path)!r}, '--format', 'json']); "
        "loaded = [m for m in ('docx', 'pypdfium2', 'speech_tasks.readers.docx', 'speech_tasks.readers.pdf',"
        " 'speech_tasks.readers.office') if m in sys.modules]; "
        "print(rc, loaded)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "0 []"
