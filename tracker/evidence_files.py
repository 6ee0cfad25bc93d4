"""Evidence files (佐证材料): checked as they come in, kept in a content-addressed store.

A file from outside is read once, through a descriptor opened without following a symbolic link,
and judged on what was read (no second look at the path can see other content): a regular file,
not empty, within the size limit, its type found from its content (magic bytes, and for the zip
formats the part that names them) and agreeing with its name's suffix. Its name is a label only:
the last part of the path, refused when it holds control or invisible characters (a newline, an
RTL override that shows ``gpj.exe`` as ``exe.jpg``, a zero-width space), never used to build a path.

The store keeps each content once, at ``ab/cdef…`` (its SHA-256), with no suffix, read-only
(0o440) in a folder only its owner may enter (0o700, unless the configured folder is a shared
one): nothing in it is executable, nothing is named after what a user typed, and a file is found
only through its row in the database.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from tracker.refusals import Refusal, word

# kind → (media type, the suffixes a name may end in)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("application/pdf", (".pdf",)),
    "jpg": ("image/jpeg", (".jpg", ".jpeg")),
    "png": ("image/png", (".png",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "ofd": ("application/ofd", (".ofd",)),
}
ALLOWED = "PDF、JPG、PNG、DOCX、XLSX、OFD"
NAME_LIMIT = 200  # characters of a label: far beyond a real name, short enough for any table
ZIP_MAX_BYTES = 200 * 1024 * 1024  # all members of a docx/xlsx/ofd together, uncompressed
ZIP_MAX_RATIO = 200  # uncompressed : compressed; real office files stay far below
ZIP_MAX_MEMBERS = 10_000
CONTENT_TYPES_LIMIT = 1024 * 1024  # the most read of [Content_Types].xml
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})  # controls, format (bidi, zero-width), unassigned


def shown(value: object) -> str:
    """``value`` as a message may print it: control and invisible characters escaped (\\n,
    \\u202e), so a hostile name cannot break a line or reverse the text around it."""
    out = []
    for char in str(value):
        if unicodedata.category(char) in _UNSAFE:
            out.append(repr(char)[1:-1] if char.isascii() else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class Checked:
    """A file read and accepted: what the store keeps and the row records."""

    source: str  # as typed
    name: str  # the label
    data: bytes
    kind: str
    sha256: str

    @property
    def media_type(self) -> str:
        return KINDS[self.kind][0]


def label(source: str) -> str:
    """The name kept for ``source``: its last part (after / or \\), NFC, trimmed; refused when it
    holds control or invisible characters, is too long, or is empty."""
    name = re.split(r"[/\\]", source)[-1]
    odd = sorted({c for c in name if unicodedata.category(c) in _UNSAFE})
    if odd:
        chars = "、".join(f"U+{ord(c):04X}" for c in odd)
        raise Refusal("evidence_name_chars", file=shown(source), chars=chars)
    name = unicodedata.normalize("NFC", name).strip()
    if len(name) > NAME_LIMIT:
        raise Refusal("evidence_name_long", file=shown(source)[:80] + "…", length=len(name), limit=NAME_LIMIT)
    if not name or name in (".", ".."):
        raise Refusal("evidence_name_empty", file=shown(source))
    return name


def read_source(source: str, limit: int) -> bytes:
    """The content of the regular file ``source``, at most ``limit`` bytes; a symbolic link, a
    folder, a device, an unreadable or oversize file is refused."""
    file = shown(source)
    try:
        found = os.lstat(source)
        if stat.S_ISLNK(found.st_mode):
            raise Refusal("evidence_symlink", file=file)
        if not stat.S_ISREG(found.st_mode):
            raise Refusal("evidence_not_regular", file=file)
        _within(found.st_size, limit, file)
        # O_NOFOLLOW: a link swapped in after the lstat is refused (ELOOP), not followed;
        # O_NONBLOCK: nor does a FIFO swapped in block the read.
        descriptor = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise Refusal("evidence_missing", file=file) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Refusal("evidence_symlink", file=file) from None
        raise Refusal("evidence_unreadable", file=file, reason=exc.strerror or exc) from None
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise Refusal("evidence_not_regular", file=file)
        try:
            data = stream.read(limit + 1)
        except OSError as exc:
            raise Refusal("evidence_unreadable", file=file, reason=exc.strerror or exc) from None
    _within(len(data), limit, file)  # it may have grown since the lstat
    if not data:
        raise Refusal("evidence_empty", file=file)
    return data


def _within(size: int, limit: int, file: str) -> None:
    if size > limit:
        raise Refusal("evidence_too_big", file=file, size=size, limit=limit, mib=limit // (1024 * 1024))


def kind_of(data: bytes, file: str) -> str | None:
    """The allowed kind ``data`` is, from its content; None when it is none of them. A zip that
    is a zip bomb or holds macros is refused here, naming ``file``."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, file)
    return None


def _zip_kind(data: bytes, file: str) -> str | None:
    """docx, xlsx (their [Content_Types].xml names the main part) or ofd (OFD.xml at the root).
    Only the member lists and [Content_Types].xml are read: nothing is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if len(members) > ZIP_MAX_MEMBERS or total > ZIP_MAX_BYTES or total > ZIP_MAX_RATIO * len(data):
                raise Refusal("evidence_zip_bomb", file=file, size=total, ratio=total // max(len(data), 1))
            names = {m.filename for m in members}
            macro = next((n for n in names if n.lower().endswith(("vbaproject.bin", ".exe", ".dll", ".js"))), None)
            if macro:
                raise Refusal("evidence_macro", file=file, part=shown(macro))
            if "OFD.xml" in names:
                return "ofd"
            if "[Content_Types].xml" not in names:
                return None
            with archive.open("[Content_Types].xml") as stream:
                types = stream.read(CONTENT_TYPES_LIMIT)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        return None  # damaged, encrypted: not a document we accept
    if b"macroEnabled" in types:
        raise Refusal("evidence_macro", file=file, part="macroEnabled")
    if b"wordprocessingml.document.main+xml" in types:
        return "docx"
    if b"spreadsheetml.sheet.main+xml" in types:
        return "xlsx"
    return None


def check_file(source: str, limit: int) -> Checked:
    """Read ``source`` and judge it (see the module's notes); a ``Refusal`` names it and why."""
    name = label(source)
    return _judged(source, name, read_source(source, limit))


def check_upload(filename: str, data: bytes, limit: int) -> Checked:
    """Judge a file uploaded through the portal as ``filename`` (what the browser sent): a
    browser sends the bare name, so one with a folder part (``/``, ``\\``, ``..``) is a crafted
    request and refused, never trimmed; then the same checks as a file from disk."""
    file = shown(filename)
    if re.search(r"[/\\]", filename) or filename.strip() in (".", ".."):
        raise Refusal("evidence_upload_path", file=file)
    name = label(filename)
    _within(len(data), limit, file)
    if not data:
        raise Refusal("evidence_empty", file=file)
    return _judged(filename, name, data)


def _judged(source: str, name: str, data: bytes) -> Checked:
    """``data`` (read from ``source``, labelled ``name``) accepted, or refused naming ``source``."""
    file = shown(source)
    kind = kind_of(data, file)
    if kind is None:
        found = ""
        if data.startswith((b"MZ", b"\x7fELF")):
            found = word("evidence_looks_exe")
        elif data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
            found = word("evidence_looks_html")
        raise Refusal("evidence_type", file=file, allowed=ALLOWED, found=found)
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in KINDS[kind][1]:
        raise Refusal("evidence_mismatch", file=file, suffix=shown(suffix) or "（无）", kind=kind.upper())
    return Checked(source, name, data, kind, hashlib.sha256(data).hexdigest())


def default_folder() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("tracker", appauthor=False)) / "evidence"


class Store:
    """The content-addressed store in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_of(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):  # from the database; a row altered by hand names no other file
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.folder / sha256[:2] / sha256[2:]

    def holds(self, sha256: str) -> bool:
        """Whether the store holds this content intact."""
        return self.read(sha256) is not None

    def read(self, sha256: str) -> bytes | None:
        """The stored content, or None when it is missing or no longer has this SHA-256."""
        try:
            data = self.path_of(sha256).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == sha256 else None

    def put(self, checked: Checked) -> None:
        """Keep ``checked``'s content (once: content already held intact is left as it is), whole
        or not at all: written beside its place, then renamed onto it."""
        if self.holds(checked.sha256):
            return
        target = self.path_of(checked.sha256)
        try:
            # Another writer (the portal's threads, another desk) may make a folder between the
            # look and the making: one that exists by then is as good.
            if not self.folder.is_dir():
                os.makedirs(self.folder, mode=0o700, exist_ok=True)
            # A folder the config names may be shared by the desks (a group's, 2770): the
            # subfolders take its permissions; the default one is its owner's only.
            mode = stat.S_IMODE(os.stat(self.folder).st_mode) & 0o2770
            if not target.parent.is_dir():
                try:
                    os.mkdir(target.parent, mode)
                    os.chmod(target.parent, mode)  # as asked, whatever the umask
                except FileExistsError:
                    pass
            handle, name = tempfile.mkstemp(prefix=".incoming.", dir=target.parent)  # 0o600
        except OSError as exc:
            raise Refusal("evidence_store", folder=self.folder, reason=exc.strerror or exc) from None
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(checked.data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(name, 0o440)
            os.replace(name, target)
        except OSError as exc:
            Path(name).unlink(missing_ok=True)
            raise Refusal("evidence_store", folder=self.folder, reason=exc.strerror or exc) from None
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
