"""Outbox rows that go by a channel other than email (group robots, webhooks): the same claim →
send → mark steps as email (``claims.py``), each committed, so a crash loses nothing and sends
nothing twice, except the one case no protocol avoids (killed between the other side's answer and
our mark, or a timeout after the other side took the message).

Nothing here names a channel: the row names its channel, whose settings (``[channels.NAME]``)
give the sender and the recipient's secret (``connect``) and what must never be shown
(``secrets``); a new channel needs no change here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from tracker.channel_settings import ChannelSettings
from tracker.channels.base import Channel, ChannelMessage, Delivery, Recipient, SendOutcome, redact
from tracker.claims import BATCH, Claim, Mark, claim_batch, mark, retry_at, sender_name
from tracker.config import Settings
from tracker.models import OutboxMessage, OutboxStatus

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class Prepared:
    """One row, composed: what claims and sends it needs once the session is gone."""

    revision: int
    channel: str
    key: str
    sender: Channel
    message: ChannelMessage
    recipient: Recipient
    hidden: tuple[str, ...]  # secrets to redact from whatever it reports


def prepare(rows: list[OutboxMessage], active: Mapping[str, ChannelSettings]) -> dict[int, Prepared]:
    """Each row's sender, message and recipient; an ``InputError`` (a secret missing from the
    environment, a robot no longer configured) before anything is claimed."""
    senders: dict[tuple[str, str], tuple[Channel, str]] = {}
    prepared: dict[int, Prepared] = {}
    for row in rows:
        settings = active[row.channel]
        where = (row.channel, row.to_addr)
        if where not in senders:
            senders[where] = settings.connect(row.to_addr)
        sender, webhook = senders[where]
        mentions = json.loads(row.mentions or "{}")
        recipient = Recipient(
            name=row.person,
            email=str(mentions.get("email", "")),
            mobiles=tuple(mentions.get("mobiles", ())),
            user_ids=tuple(mentions.get("user_ids", ())),
            webhook=webhook,
        )
        message = ChannelMessage(title=row.subject, markdown=row.text, key=row.message_id)
        hidden = (webhook, *settings.secrets(row.to_addr))
        assert row.id is not None
        prepared[row.id] = Prepared(row.revision, row.channel, row.to_addr, sender, message, recipient, hidden)
    return prepared


def send_prepared(
    engine: Engine, prepared: dict[int, Prepared], settings: Settings, clock: Clock
) -> tuple[int, list[str]]:
    """Claim a batch, send each, mark each as soon as the other side answered; how many were
    delivered, and a line for each that was not."""
    ids, sent, problems = list(prepared), 0, []
    with sender_name(engine) as me, engine.connect() as connection:
        for start in range(0, len(ids), BATCH):
            batch = {i: prepared[i].revision for i in ids[start : start + BATCH]}
            for claim in claim_batch(connection, me, batch, clock()).values():  # 1. claim
                one = prepared[claim.outbox_id]
                outcome = _send(one, clock())  # 2. send
                mark(connection, claim, _mark(claim, one, outcome, settings, clock()), clock())  # 3. mark
                if outcome.delivery is Delivery.DELIVERED:
                    sent += 1
                else:
                    # Said by the caller (the CLI prints it, the scheduler logs it): redacted already.
                    problems.append(f"{one.channel} {one.key}: {outcome.reason}")
    return sent, problems


def _send(one: Prepared, now: dt.datetime) -> SendOutcome:
    try:
        outcome = one.sender.send(one.message, one.recipient, now=now)
    except Exception as exc:  # a sender's bug must not leave the claim standing: a refusal, said
        outcome = SendOutcome.refused(f"{type(exc).__name__}: {exc}")
    # Redacted here too, whatever the sender did: a reason is stored and shown.
    return SendOutcome(outcome.delivery, redact(outcome.reason, one.hidden), outcome.retry_after)


def _mark(claim: Claim, one: Prepared, outcome: SendOutcome, settings: Settings, now: dt.datetime) -> Mark:
    if outcome.delivery is Delivery.DELIVERED:
        delivered = claim.delivered | {one.key}
        return Mark(OutboxStatus.SENT.value, delivered, True, detail=f"{one.channel}: {one.key}")
    # No answer may still mean the other side took it (a timeout after the request went out):
    # the content is then fixed, so a resend is recognisably the same message.
    handed = bool(claim.delivered) or outcome.delivery is Delivery.UNREACHABLE
    again = retry_at(settings, claim.attempts, now)
    if outcome.retry_after is not None:  # the other side said how long to wait (429, throttled)
        again = max(again, now + dt.timedelta(seconds=outcome.retry_after))
    detail = f"{outcome.delivery.value}: {outcome.reason}"
    return Mark(OutboxStatus.FAILED.value, claim.delivered, handed, outcome.reason, again, "failed", detail)
