"""Passwords: kept as argon2 hashes only (argon2-cffi's defaults), never stored or logged in
clear. The CLI reads them from a prompt or stdin, never from an argument (which `ps` shows)."""

from __future__ import annotations

from tracker.refusals import Refusal

MIN_LENGTH = 8

# The passwords of at least 8 characters that leaked lists (Chinese sites' among them) show most
# often: refused whatever their case. Short on purpose: the length rule does the rest.
COMMON = frozenset(
    """
    12345678 123456789 1234567890 0123456789 87654321 987654321 11223344 12341234 12344321
    123123123 12345678910 123456789a a12345678 a123456789 1234567a 12345678a 1qaz2wsx 1q2w3e4r
    1q2w3e4r5t qwertyui qwerty123 qwertyuiop asdfghjk asdfghjkl zxcvbnm zxcvbnm123 qazwsxedc
    password password1 password123 passw0rd p@ssw0rd p@ssword admin123 admin1234 administrator
    abc12345 abc123456 abcd1234 aa123456 aa12345678 iloveyou iloveyou1 woaini1314 woaini520
    5201314520 13145201314 wangyang zhang123 dearbook welcome1 sunshine princess football
    baseball superman 147258369 159357456 741852963 01234567 20082008 19491001 admin888 root1234
    """.split()  # noqa: SIM905 (a word list reads better than a list literal)
)


def check_strength(password: str, *, login: str) -> None:
    """Refuse an empty or weak password: too short, the account's own name (whatever its case),
    one character repeated, or one of the most common passwords (``COMMON``)."""
    if not password:
        raise Refusal("password_empty")
    if len(password) < MIN_LENGTH or password.casefold() == login.casefold() or len(set(password)) == 1:
        raise Refusal("password_weak", length=MIN_LENGTH)
    if password.casefold() in COMMON:
        raise Refusal("password_common")


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
