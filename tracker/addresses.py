"""Email addresses: what we accept as one (shared by ledgers, persons and the config)."""

from __future__ import annotations

import re

# Deliberately plain: an address a government office writes in a ledger, with no display name,
# quoting or comments, and nothing that could break a mail header.
_EMAIL = re.compile(r"^[^@\s<>,;\"'\\]+@[^@\s<>,;\"'\\]+\.[^@\s<>,;\"'\\]+$")


def looks_like_email(text: str) -> bool:
    return bool(_EMAIL.match(text))
