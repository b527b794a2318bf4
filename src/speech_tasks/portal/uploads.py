"""Uploaded files: checked for size and type, stored under generated names beside the database.

A file is kept as ``<db stem>-files/<random id><suffix>``; the name the user gave is only data
(shown, and offered as the download name), never part of a path, so no upload can reach outside
that folder. The type is judged by the suffix and confirmed by the first bytes.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .store import audit, transaction, utc_now

MB = 1024 * 1024
_ZIP = (b"PK\x03\x04",)
# suffix → (content type, accepted first bytes; () accepts any text that decodes)
_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".txt": ("text/plain; charset=utf-8", ()),
    ".md": ("text/plain; charset=utf-8", ()),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
KINDS: dict[str, tuple[tuple[str, ...], int]] = {  # kind → (allowed suffixes, size limit)
    "speech": ((".txt", ".md", ".docx"), 5 * MB),
    "evidence": ((".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".txt"), 10 * MB),
}
_NAME_MAX = 120
_BAD_NAME_CHARS = set('<>:"/\\|?*')


class UploadError(ValueError):
    """An upload refused; the message (Chinese, for the page) says why."""


@dataclass(frozen=True)
class StoredFile:
    id: str
    kind: str
    suffix: str
    original_name: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: str

    @property
    def content_type(self) -> str:
        return content_type(self.suffix)

    def path(self, folder: Path) -> Path:
        return folder / f"{self.id}{self.suffix}"


def content_type(suffix: str) -> str:
    """The Content-Type a file of *suffix* (``.xlsx``) is served with; unknown ones as bytes."""
    return _TYPES.get(suffix.lower(), ("application/octet-stream",))[0]


def display_name(raw: str | None) -> str:
    """The user's file name reduced to a harmless label: last path part, no control or reserved characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if c.isprintable() and c not in _BAD_NAME_CHARS)
    name = name.strip(" .")
    if len(name) > _NAME_MAX:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: _NAME_MAX - len(suffix) - 1] + dot + suffix) if dot and len(suffix) <= 8 else name[:_NAME_MAX]
    return name


def _suffix(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def _check_content(suffix: str, head: bytes) -> None:
    magic = _TYPES[suffix][1]
    if magic:
        if not head.startswith(magic):
            raise UploadError(f"文件内容与扩展名 {suffix} 不符")
        return
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs
        raise UploadError("文本文件中含有二进制内容")


def save(conn: sqlite3.Connection, folder: Path, kind: str, stream: BinaryIO, filename: str | None, by: str) -> StoredFile:
    """Check and store one uploaded file; UploadError (nothing stored) if it is refused."""
    suffixes, limit = KINDS[kind]
    name = display_name(filename)
    suffix = _suffix(name)
    if not name:
        raise UploadError("请选择要上传的文件")
    if suffix not in suffixes:
        raise UploadError(f"不支持的文件类型 {suffix or '（无扩展名）'}，可上传：{'、'.join(suffixes)}")
    folder.mkdir(parents=True, exist_ok=True)
    file_id = secrets.token_hex(16)
    final = folder / f"{file_id}{suffix}"
    partial = folder / f".{file_id}.part"
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with open(partial, "xb") as out:
            while chunk := stream.read(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise UploadError(f"文件超过 {limit // MB} MB 上限")
                if len(head) < 16:
                    head += chunk[:16]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UploadError("文件是空的")
        _check_content(suffix, head)
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    record = StoredFile(file_id, kind, suffix, name, size, digest.hexdigest(), by, utc_now())
    try:
        with transaction(conn):
            conn.execute(
                "INSERT INTO portal_files (id, kind, suffix, original_name, size, sha256, uploaded_by, uploaded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (record.id, kind, suffix, name, size, record.sha256, by, record.uploaded_at),
            )
            audit(conn, by, f"upload.{kind}", file_id, name)
    except BaseException:
        final.unlink(missing_ok=True)
        raise
    return record


def get(conn: sqlite3.Connection, file_id: str) -> StoredFile | None:
    row = conn.execute("SELECT * FROM portal_files WHERE id = ?", (file_id,)).fetchone()
    return StoredFile(**dict(row)) if row else None
