"""Files we write are whole or absent: written beside the target, then renamed over it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.errors import InputError


@contextmanager
def written_atomically(path: Path) -> Iterator[Path]:
    """Yields a temporary path (same folder, same suffix) to write; on success it replaces
    ``path`` in one rename, on failure it is removed and ``path`` is untouched."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        raise InputError(f"-o {path}: cannot write there: {exc.strerror}", key="cannot_write", where=path) from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
