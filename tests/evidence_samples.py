"""Small files of each kind of evidence, and hostile ones, built in the test (no binaries in git)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Override PartName="/{part}" ContentType="application/vnd.{type}+xml"/></Types>'
)
DOCX_TYPE = "openxmlformats-officedocument.wordprocessingml.document.main"
XLSX_TYPE = "openxmlformats-officedocument.spreadsheetml.sheet.main"


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def office(part: str, kind: str, extra: dict[str, bytes] | None = None) -> bytes:
    types = CONTENT_TYPES.format(part=part, type=kind).encode()
    return zipped({"[Content_Types].xml": types, part: b"<x/>", **(extra or {})})


SAMPLES: dict[str, bytes] = {
    "评审意见.pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "现场照片.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64) + b"\xff\xd9",
    "截图.png": b"\x89PNG\r\n\x1a\n" + bytes(64),
    "整改报告.docx": office("word/document.xml", DOCX_TYPE),
    "台账.xlsx": office("xl/workbook.xml", XLSX_TYPE),
    "公文.ofd": zipped({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<x/>"}),
}


def write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def stored_files(data_home: Path) -> list[Path]:
    """The files in the default evidence store under XDG_DATA_HOME ``data_home``."""
    store = data_home / "tracker" / "evidence"
    return sorted(p for p in store.rglob("*") if p.is_file()) if store.exists() else []
