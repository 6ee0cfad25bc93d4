"""Adding a channel touches the channel module, the config and the templates only: nothing that
queues, sends or shows the outbox names a particular channel (email, the base case, aside); each
asks the channel's settings (``tracker.channel_settings``) instead."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import pytest

from tracker.channel_settings import ChannelSettings, ChannelsSettings

ROOT = Path(__file__).resolve().parent.parent
CHANNEL_BLIND = [
    "tracker/digests.py",
    "tracker/outbox.py",
    "tracker/channel_sending.py",
    "tracker/claims.py",
    "tracker/usecases/sending.py",
    "tracker/cli/mail.py",
    "tracker/runner.py",
    "tui/screens/outbox.py",
]
NAMES = ("dingtalk", "wecom", "webhook")


def code_words(path: Path) -> list[str]:
    """The module's names and string literals that are not docstrings (comments left out)."""
    words, previous = [], tokenize.INDENT
    for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        docstring = token.type == tokenize.STRING and previous in (tokenize.INDENT, tokenize.NEWLINE, tokenize.NL)
        if token.type == tokenize.NAME or (token.type == tokenize.STRING and not docstring):
            words.append(token.string)
        if token.type not in (tokenize.COMMENT, tokenize.NL):
            previous = token.type
    return words


@pytest.mark.parametrize("module", CHANNEL_BLIND)
def test_the_outbox_and_its_front_ends_name_no_channel(module: str) -> None:
    named = [w for w in code_words(ROOT / module) if any(n in w.lower() for n in NAMES) and w != "webhook"]
    # ``webhook`` alone is the recipient's secret field every channel fills (tracker.channels.base).
    assert named == [], f"{module} names a channel: {named}"


def test_every_channel_table_says_how_it_sends() -> None:
    """The registry is the config's fields: each names its module (email aside), which exists and
    has ``connect``, and its template exists."""
    import importlib

    for name, field in ChannelsSettings.model_fields.items():
        kind = field.annotation
        settings = next(a for a in getattr(kind, "__args__", (kind,)) if a is not type(None))
        assert issubclass(settings, ChannelSettings), name
        if name == "email":
            continue
        assert callable(importlib.import_module(settings.module).connect), name
        assert (ROOT / "tracker" / "templates" / settings.template).is_file(), name
