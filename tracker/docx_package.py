"""The .docx package of a notice: what every notice shares, built once per process, and the zip.

Opening python-docx's template, laying out the page, the styles, the font table and the page
numbers cost more than the notice itself (about 25 ms of 70): ``tracker notify`` attaching a
notice to each of a thousand digests paid it a thousand times. Those parts are the same in every
notice, so they are built once (``frame``) and kept as compressed zip entries; a notice writes only
its own body (word/document.xml) and properties (docProps/core.xml, docProps/app.xml).
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from collections.abc import Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

DOCUMENT, CORE, APP = "word/document.xml", "docProps/core.xml", "docProps/app.xml"
LEVEL = 6  # zlib's default, what python-docx (through zipfile) wrote


@dataclass(frozen=True)
class Entry:
    """A zip member, compressed (raw deflate)."""

    name: str
    data: bytes
    crc: int
    size: int


def entry(name: str, content: bytes) -> Entry:
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    data = packer.compress(content) + packer.flush()
    return Entry(name, data, zlib.crc32(content), len(content))


@dataclass(frozen=True)
class Frame:
    """A laid-out blank notice: the parts every notice shares, compressed once, in the order
    python-docx writes them; the body and the properties, to be copied for each notice."""

    entries: tuple[Entry, ...]
    document: Any  # the python-docx Document: its part answers style look-ups (Table Grid)
    core: Any  # the template's docProps/core.xml element
    app: bytes  # docProps/app.xml, "<Company/>" still to be filled in

    def new_document(self) -> Any:
        """A python-docx Document over a copy of the blank body: what is added to it is this
        notice's alone; the shared parts are only read."""
        from docx.document import Document

        return Document(deepcopy(self.document.element), self.document.part)

    def new_core(self) -> Any:
        """python-docx's core properties over a copy of the template's."""
        from docx.opc.coreprops import CoreProperties

        return CoreProperties(deepcopy(self.core))


def build_frame(lay_out: Callable[[Any], None]) -> Frame:
    """python-docx's blank document with ``lay_out`` applied, saved once: every part but the
    body and the properties kept as compressed zip entries."""
    import io
    import zipfile

    from docx import Document

    document = Document()
    lay_out(document)
    buffer = io.BytesIO()
    document.save(buffer)
    entries = []
    app = b""
    with zipfile.ZipFile(buffer) as saved:
        for info in saved.infolist():
            content = saved.read(info)
            if info.filename == APP:
                app = content
            entries.append(entry(info.filename, content))
    return Frame(tuple(entries), document, document.core_properties._element, app)


def xml_bytes(element: Any) -> bytes:
    """An XML part as python-docx writes it (no whitespace added, a standalone declaration)."""
    from lxml import etree  # type: ignore[import-untyped]

    return bytes(etree.tostring(element, encoding="UTF-8", standalone=True))


def package(frame: Frame, own: dict[str, bytes], when: dt.datetime) -> bytes:
    """The .docx: the frame's members in their order, those in ``own`` replaced by this notice's
    content, every member dated ``when``."""
    return zipped((entry(e.name, own[e.name]) if e.name in own else e for e in frame.entries), when)


def zipped(entries: Iterable[Entry], when: dt.datetime) -> bytes:
    """A zip archive of already compressed members (deflate, no zip64: a notice is megabytes)."""
    time = when.hour << 11 | when.minute << 5 | when.second // 2
    date = max(when.year - 1980, 0) << 9 | when.month << 5 | when.day
    out = bytearray()
    directory = bytearray()
    count = 0
    for member in entries:
        name = member.name.encode()
        fields = (20, 0, 0, 8, time, date, member.crc, len(member.data), member.size, len(name))
        offset = len(out)
        out += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", *fields, 0) + name + member.data
        directory += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, *fields, 0, 0, 0, 0, 0, offset) + name
        count += 1
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(out), 0)
    return bytes(out + directory + end)
