"""Email addresses: what we accept as one (shared by ledgers, persons and the config)."""

from __future__ import annotations

import re

# Deliberately plain: an address a government office writes in a ledger, with no display name,
# quoting or comments, and nothing that could break a mail header.
# fullmatch, never match with ``$``: ``$`` also matches before a final newline, and an address
# ending in one splits the To: header on the wire.
_EMAIL = re.compile(r"[^@\s<>,;\"'\\]+@[^@\s<>,;\"'\\]+\.[^@\s<>,;\"'\\]+")


def looks_like_email(text: str) -> bool:
    return _EMAIL.fullmatch(text) is not None
