"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the reminder tests, and readers of what
it received: messages, their text and HTML parts, and the Notification rows."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from improveplan.store.engine import to_url

TODAY = "2024-03-01"


class Collector:
    """An aiosmtpd handler keeping every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self) -> list[tuple[list[str], Message]]:
        return [(list(e.rcpt_tos), email.message_from_bytes(e.content)) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(handler: Collector) -> Iterator[int]:
    """Run `handler` on a free port for the block; yields the port."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def env_for(port: int, today: str = TODAY) -> dict[str, str]:
    return {
        "IMPROVEPLAN_TODAY": today,
        "IMPROVEPLAN_SMTP_HOST": "127.0.0.1",
        "IMPROVEPLAN_SMTP_PORT": str(port),
        "IMPROVEPLAN_SMTP_FROM": "improvement@council.example",
    }


def parts(message: Message) -> dict[str, str]:
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return found


def notifications(url: str) -> list[tuple[Any, ...]]:
    engine = create_engine(to_url(url))
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT recipient, kind, sent_on, action_refs FROM notification ORDER BY id")
        ).all()
    engine.dispose()
    return [tuple(str(v) for v in r) for r in rows]
