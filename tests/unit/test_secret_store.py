"""Robot tokens, signing secrets and webhook headers come from the environment, else the system
keyring, like the SMTP password; never a prompt, and the refusal says both ways."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend

from tracker.channels.base import secret_from_env
from tracker.errors import InputError


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.stored: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.stored.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.stored[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.stored.pop((service, username), None)


@pytest.fixture
def ring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(before)


def test_a_robot_secret_comes_from_the_environment_first(ring: MemoryKeyring) -> None:
    ring.set_password("tracker", "TRACKER_DINGTALK_SECRET", "SECfromkeyring")
    env = {"TRACKER_DINGTALK_SECRET": "SECfromenv"}
    assert secret_from_env("TRACKER_DINGTALK_SECRET", "[channels.dingtalk]", env) == "SECfromenv"


def test_a_robot_secret_comes_from_the_keyring_when_the_environment_has_none(ring: MemoryKeyring) -> None:
    ring.set_password("tracker", "TRACKER_DINGTALK_SECRET", "SECfromkeyring")
    assert secret_from_env("TRACKER_DINGTALK_SECRET", "[channels.dingtalk]", {}) == "SECfromkeyring"


def test_no_secret_anywhere_is_refused_naming_both_ways(ring: MemoryKeyring) -> None:
    with pytest.raises(InputError) as refused:
        secret_from_env("TRACKER_WECOM_KEY", "[channels.wecom] robot 督查工作群", {})
    assert "TRACKER_WECOM_KEY" in str(refused.value) and "keyring set tracker TRACKER_WECOM_KEY" in str(refused.value)
