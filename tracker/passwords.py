"""Passwords: kept as argon2 hashes only (argon2-cffi's defaults), never stored or logged in
clear. The CLI reads them from a prompt or stdin, never from an argument (which `ps` shows)."""

from __future__ import annotations

from tracker.refusals import Refusal

MIN_LENGTH = 8


def check_strength(password: str, *, login: str) -> None:
    """Refuse an empty or weak password: too short, the account's own name, one character repeated."""
    if not password:
        raise Refusal("password_empty")
    if len(password) < MIN_LENGTH or password == login or len(set(password)) == 1:
        raise Refusal("password_weak", length=MIN_LENGTH)


def hash_new(password: str, *, login: str) -> str:
    """The argon2 hash of an acceptable new password."""
    from argon2 import PasswordHasher

    check_strength(password, login=login)
    return PasswordHasher().hash(password)


def verify(password_hash: str, password: str) -> bool:
    """Whether ``password`` is the one hashed (for the coming web portal's login)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import Argon2Error

    if not password_hash:
        return False
    try:
        return PasswordHasher().verify(password_hash, password)
    except Argon2Error:
        return False
