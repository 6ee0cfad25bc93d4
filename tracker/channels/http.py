"""One JSON POST with the standard library (the project has no HTTP client dependency), and the
mapping of HTTP-level answers every robot and webhook shares."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tracker.channels.base import SendOutcome

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


class Unreachable(Exception):
    """No HTTP answer at all: refused connection, timeout, DNS. The message never holds the URL."""


def post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Answer:
    request = urllib.request.Request(url, data=body, method="POST")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, response.read(), dict(response.headers.items()))
    except urllib.error.HTTPError as exc:  # a 4xx/5xx is an answer, not a failure to reach
        with exc:
            return Answer(exc.code, exc.read(), dict(exc.headers.items()) if exc.headers else {})
    except TimeoutError:
        raise Unreachable(f"no answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise Unreachable(f"no answer within {timeout:g} s") from None
        detail = getattr(reason, "strerror", None) or str(reason)
        raise Unreachable(f"cannot connect: {detail}") from None
    except (OSError, ValueError) as exc:  # a connection reset mid-answer, a malformed URL
        raise Unreachable(f"cannot connect: {type(exc).__name__}") from None


def post_json(url: str, payload: Any, headers: Mapping[str, str], timeout: float) -> Answer:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return post(url, body, {"Content-Type": "application/json; charset=utf-8", **headers}, timeout)


def retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def http_outcome(answer: Answer, now: dt.datetime) -> SendOutcome | None:
    """The outcome an HTTP status alone decides (429, 4xx, 5xx); None for a 2xx, whose body decides."""
    if 200 <= answer.status < 300:
        return None
    headers = {k.lower(): v for k, v in answer.headers.items()}
    if answer.status == 429:
        return SendOutcome.retry_later("HTTP 429 (too many requests)", retry_after(headers.get("retry-after"), now))
    if answer.status >= 500:
        return SendOutcome.unreachable(f"HTTP {answer.status}")
    return SendOutcome.refused(f"HTTP {answer.status}: {answer.body[:200].decode('utf-8', 'replace')}")


def robot_outcome(
    url: str, payload: Any, now: dt.datetime, *, service: str, throttled: int, wait: float, timeout: float
) -> SendOutcome:
    """Post to a group robot that answers ``{"errcode", "errmsg"}`` (DingTalk, WeCom): 0 is
    delivered, ``throttled`` (its "too many messages a minute") is retry after ``wait`` seconds,
    any other code a refusal; HTTP trouble as ``http_outcome`` says."""
    try:
        answer = post_json(url, payload, {}, timeout)
    except Unreachable as exc:
        return SendOutcome.unreachable(f"{service}: {exc}")
    decided = http_outcome(answer, now)
    if decided is not None:
        return decided
    body = answer.json()
    if not isinstance(body, dict) or "errcode" not in body:
        return SendOutcome.unreachable(f"{service}: an answer that is not its JSON")
    code, why = body.get("errcode"), str(body.get("errmsg", ""))
    if code == 0:
        return SendOutcome.delivered()
    if code == throttled:
        return SendOutcome.retry_later(f"{service} {code}: {why}", wait)
    return SendOutcome.refused(f"{service} {code}: {why}")
