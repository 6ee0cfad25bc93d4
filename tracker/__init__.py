"""督查台账 — the supervision ledger tracker (core: no UI imports here)."""

__version__ = "0.1.0"
