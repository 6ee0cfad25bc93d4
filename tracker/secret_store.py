"""Secrets (the SMTP password, robot tokens and signing secrets, webhook headers) come from the
environment or the system keyring, never from the config file: one lookup for all of them."""

from __future__ import annotations

import os
from collections.abc import Mapping

KEYRING_SERVICE = "tracker"


def from_env_or_keyring(variable: str, keyring_user: str, environ: Mapping[str, str] | None = None) -> str:
    """The value of the environment variable ``variable``, else the keyring's password for
    (service "tracker", ``keyring_user``), else ""; never a prompt."""
    environ = os.environ if environ is None else environ
    value = environ.get(variable, "")
    if value:
        return value
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, keyring_user) or ""
    except Exception:  # no keyring backend on a server is normal, and not an answer
        return ""
