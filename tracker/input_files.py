"""Files from unknown sources, checked before a parser sees them: a regular file of bounded size,
and for a workbook (xlsx) bounded uncompressed members, no XML entities, bounded sheet sizes,
merged ranges and cell text.

openpyxl builds one object per cell of a merged range and expands what it is given, so a 5 KB
workbook can hold a merge over a whole sheet or a zip bomb: the workbook's XML is streamed here
first (never more than one element kept), and anything beyond the limits is refused, naming the
limit and the sheet!cell or member.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any
from xml.parsers import expat

from tracker.errors import InputError

MAX_FILE_BYTES = 20 * 1024 * 1024  # a ledger file (TOML or xlsx) as stored
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # all members of an xlsx together, uncompressed
MAX_ROWS = 200_000  # rows of one sheet: twice the largest ledger we measure (benchmarks), far below Excel's 1,048,576
MAX_COLUMNS = 200  # columns of one sheet
MAX_MERGED_CELLS = 200_000  # cells covered by the merged ranges of one sheet, together
MAX_CELL_CHARS = 32_767  # characters in one cell (Excel's own limit)


def column_letter(index: int) -> str:
    """1 → A, 27 → AA (openpyxl's get_column_letter; importing openpyxl for it cost 8 MiB and
    a tenth of a second in every import of a sheet)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """A → 1, AA → 27."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - ord("A") + 1
    return index


_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")
_CHUNK = 1 << 16


def regular_file(path: Path) -> os.stat_result:
    """The file's status, when it is a readable regular file within the size limit; never opens
    it (a FIFO given as a file would block the reader forever)."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", key="no_file", where=path) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror}", key="unreadable", where=path) from None
    if stat.S_ISDIR(found.st_mode):
        raise InputError(f"{path}: is a folder, not a ledger file", key="folder", where=path)
    if not stat.S_ISREG(found.st_mode):
        raise InputError(f"{path}: not a regular file (a pipe or a device)", key="not_regular", where=path)
    if found.st_size > MAX_FILE_BYTES:
        raise InputError(
            f"{path}: {found.st_size:,} bytes, more than the limit of {MAX_FILE_BYTES:,}",
            key="too_big",
            where=path,
            limit=MAX_FILE_BYTES,
        )
    return found


def _cell(ref: str, where: str) -> tuple[int, int]:
    found = _REF.match(ref)
    if not found:
        raise InputError(f"{where}: {ref!r} is not a cell reference", key="bad_ref", where=where)
    return int(found[2]), column_index(found[1])


class _Scan:
    """One member's XML, streamed through expat with no tree kept: the handlers see each element
    and the length of its text. A DTD is refused (entities: billion laughs, XXE)."""

    def __init__(self, archive: zipfile.ZipFile, member: str, path: Path, place: str) -> None:
        self.archive, self.member, self.path, self.place = archive, member, path, place

    def run(self, start: Callable[[str, dict[str, str]], None], end: Callable[[str, int], None]) -> None:
        """``start(tag, attributes)``, ``end(tag, length of its text)``, tags without namespace."""
        parser = expat.ParserCreate(namespace_separator="}")
        text = [0]

        def on_start(tag: str, attributes: dict[str, str]) -> None:
            text[0] = 0
            start(tag.rsplit("}", 1)[-1], attributes)

        def on_end(tag: str) -> None:
            end(tag.rsplit("}", 1)[-1], text[0])
            text[0] = 0

        def on_text(data: str) -> None:
            text[0] += len(data)

        def on_doctype(*_: object) -> None:
            raise self.refuse("declares XML entities (a DOCTYPE), which a workbook never needs")

        parser.StartElementHandler, parser.EndElementHandler = on_start, on_end
        parser.CharacterDataHandler = on_text
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = on_doctype
        with self.archive.open(self.member) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)

    def refuse(self, why: str) -> InputError:
        return InputError(f"{self.path}: {self.place}: {why}", key="xlsx_refused", where=self.path, why=why)


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Member (xl/worksheets/sheet1.xml) → the sheet's name as the workbook shows it."""
    names: dict[str, str] = {}
    try:
        targets: dict[str, str] = {}
        for rel in re.finditer(rb"<Relationship\b[^>]*>", archive.read("xl/_rels/workbook.xml.rels")):
            rid, target = re.search(rb'Id="([^"]*)"', rel[0]), re.search(rb'Target="([^"]*)"', rel[0])
            if rid and target:
                path = target[1].decode()
                targets[rid[1].decode()] = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
        for sheet in re.finditer(rb"<(?:\w+:)?sheet\b[^>]*>", archive.read("xl/workbook.xml")):
            name = re.search(rb'\bname="([^"]*)"', sheet[0])
            rid = re.search(rb'\br:id="([^"]*)"', sheet[0]) or re.search(rb':id="([^"]*)"', sheet[0])
            if name and rid and rid[1].decode() in targets:
                member = str(PurePosixPath(targets[rid[1].decode()]))
                names[member] = name[1].decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, EOFError):
        pass  # the members' own names then; openpyxl says what is missing
    return names


def check_xlsx(path: Path) -> None:
    """Refuse a workbook beyond the limits before openpyxl opens it (see the module's notes)."""
    regular_file(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if total > MAX_UNCOMPRESSED_BYTES:
                biggest = max(members, key=lambda m: m.file_size)
                raise InputError(
                    f"{path}: {total:,} bytes uncompressed ({biggest.filename}: {biggest.file_size:,}), "
                    f"more than the limit of {MAX_UNCOMPRESSED_BYTES:,}",
                    key="xlsx_too_big",
                    where=path,
                    limit=MAX_UNCOMPRESSED_BYTES,
                )
            names = _sheet_names(archive)
            for member in members:
                if not member.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                sheet = names.get(member.filename)
                place = sheet if sheet is not None else member.filename
                scan = _Scan(archive, member.filename, path, place)
                is_sheet = sheet is not None or member.filename.startswith("xl/worksheets/")
                if _plainly_within(scan, is_sheet):
                    continue
                if is_sheet:
                    _check_sheet(scan)
                else:
                    _check_texts(scan)
    except InputError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise InputError(
            f"{path}: not a readable .xlsx workbook (damaged: {exc.__class__.__name__})", key="not_xlsx", where=path
        ) from None
    except expat.ExpatError as exc:
        raise InputError(
            f"{path}: not a readable .xlsx workbook (bad XML: {expat.ErrorString(exc.code)})",
            key="not_xlsx",
            where=path,
        ) from None


# What ``_plainly_within`` looks for in the raw XML. A row or cell whose reference is not its first
# attribute, written plainly and within the limits (a row past 200,000, a column past GR) is left to
# the exact check, as is an element with a namespace prefix: each pattern then starts with a literal
# that the search skips to at the speed of C.
_ROW_ASKED = re.compile(rb'<row\s(?!r="(?:[1-9]\d{0,4}|1\d{5}|200000)")')
_CELL_ASKED = re.compile(rb'<c\s(?!r="(?:[A-Z]|[A-F][A-Z]|G[A-R])(?:\d{1,5}|1\d{5}|200000)")')
_PREFIXED = re.compile(rb":(?:row|c|mergeCell)[\s/>]")
_MERGE_TAG = re.compile(rb"<mergeCell[\s/>]")  # not <mergeCells>
_MERGE_PLAIN = re.compile(rb'<mergeCell\s+ref="\$?([A-Z]{1,3})\$?(\d{1,7}):\$?([A-Z]{1,3})\$?(\d{1,7})"\s*/>')
# A text starts after a tag's ">"; one of more characters than the limit has more bytes than it.
_LONG_TEXT = re.compile(rb">[^<]{%d,}" % (MAX_CELL_CHARS + 1))


def _plainly_within(scan: _Scan, is_sheet: bool) -> bool:
    """Whether a member is certainly within the limits, found at the speed of C: expat with no
    handler but the DOCTYPE's (well-formed, no entities) and regular expressions over the raw XML
    (rows, cells and merged ranges within bounds, no text that could be too long).

    Calling ``_check_sheet`` for every element of a 100,000-row sheet took seconds; this takes a
    fraction of that. Anything it is not sure of (a reference written another
    way, a long run of text, CDATA, bad XML) is left to the exact check, which then names it."""
    parser = expat.ParserCreate()

    def on_doctype(*_: object) -> None:
        raise scan.refuse("declares XML entities (a DOCTYPE), which a workbook never needs")

    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = on_doctype
    tail = b""
    merged = [0]  # cells covered by the merged ranges so far
    try:
        with scan.archive.open(scan.member) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                parser.Parse(chunk, not chunk)
                data = tail + chunk
                cut = data.rfind(b"<") if chunk else len(data)
                if cut < 0:
                    tail = data
                    continue
                region, tail = data[:cut], data[cut:]
                if not _region_within(region, is_sheet, merged):
                    return False
                if not chunk:
                    return True
    except expat.ExpatError:
        return False  # the exact check says where


def _region_within(region: bytes, is_sheet: bool, merged: list[int]) -> bool:
    """Whether this stretch of XML (whole tags and texts) is certainly within the limits;
    ``merged`` counts the cells of the merged ranges seen so far."""
    assert (MAX_ROWS, MAX_COLUMNS) == (200_000, 200), "the patterns above spell out these limits"
    if b"<![CDATA[" in region or _LONG_TEXT.search(region):
        return False
    if not is_sheet:
        return True
    if _PREFIXED.search(region):
        return False
    if b"<mergeCell" in region:
        ranges = _MERGE_PLAIN.findall(region)
        if len(ranges) != len(_MERGE_TAG.findall(region)):
            return False
        for left, top, right, bottom in ranges:
            rows = sorted((int(top), int(bottom)))
            columns = sorted(column_index(c.decode()) for c in (left, right))
            if rows[1] > MAX_ROWS or columns[1] > MAX_COLUMNS:
                return False
            merged[0] += (rows[1] - rows[0] + 1) * (columns[1] - columns[0] + 1)
        if merged[0] > MAX_MERGED_CELLS:
            return False
    return not (_ROW_ASKED.search(region) or _CELL_ASKED.search(region))


def _check_texts(scan: _Scan) -> None:
    """A member other than a sheet (shared strings, …): no entities, no cell text beyond the limit."""

    def end(tag: str, length: int) -> None:
        if tag == "t" and length > MAX_CELL_CHARS:
            raise scan.refuse(f"a text of {length:,} characters, more than the limit of {MAX_CELL_CHARS:,}")

    scan.run(lambda tag, attributes: None, end)


def _check_sheet(scan: _Scan) -> None:
    merged = [0]

    def start(tag: str, attributes: dict[str, str]) -> None:
        ref = attributes.get("r")
        if tag == "row" and ref is not None:
            if not ref.isdigit() or not 1 <= int(ref) <= MAX_ROWS:
                raise scan.refuse(f"row {ref} is beyond the limit of {MAX_ROWS:,} rows")
        elif tag == "c" and ref is not None:
            _within(scan, ref, *_cell(ref, f"{scan.path}: {scan.place}"))
        elif tag == "mergeCell":
            ref = attributes.get("ref", "")
            first, _, last = ref.partition(":")
            where = f"{scan.path}: {scan.place}!{ref}"
            top, left = _cell(first, where)
            bottom, right = _cell(last or first, where)
            _within(scan, ref, max(top, bottom), max(left, right))
            merged[0] += (abs(bottom - top) + 1) * (abs(right - left) + 1)
            if merged[0] > MAX_MERGED_CELLS:
                raise InputError(
                    f"{where}: merged cells cover more than the limit of {MAX_MERGED_CELLS:,} cells in one sheet",
                    key="xlsx_merged",
                    where=where,
                    limit=MAX_MERGED_CELLS,
                )

    def end(tag: str, length: int) -> None:
        if tag in ("v", "t", "f") and length > MAX_CELL_CHARS:
            raise scan.refuse(f"a cell of {length:,} characters, more than the limit of {MAX_CELL_CHARS:,}")

    scan.run(start, end)


def _within(scan: _Scan, ref: str, row: int, column: int) -> None:
    if row > MAX_ROWS or column > MAX_COLUMNS:
        raise InputError(
            f"{scan.path}: {scan.place}!{ref}: beyond the limit of {MAX_ROWS:,} rows and "
            f"{MAX_COLUMNS} columns (up to {column_letter(MAX_COLUMNS)}{MAX_ROWS})",
            key="xlsx_dimensions",
            where=f"{scan.path}: {scan.place}!{ref}",
        )


def open_workbook(path: Path, *, data_only: bool) -> Any:
    """openpyxl's workbook, once the file is checked against the limits (``check_xlsx``). A file
    openpyxl still cannot read is bad input naming the file, whatever its parsers raise."""
    from openpyxl import load_workbook

    check_xlsx(path)
    try:
        return load_workbook(path, data_only=data_only)
    except Exception as exc:
        raise InputError(
            f"{path}: not a readable .xlsx workbook ({exc.__class__.__name__})", key="not_xlsx", where=path
        ) from None
