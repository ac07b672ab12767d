"""Fixtures the command tests share beyond tests/conftest.py: a local SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mailserver import Collector, serving


@pytest.fixture
def smtp() -> Iterator[tuple[Collector, int]]:
    """A real SMTP server on 127.0.0.1 collecting what it receives: (handler, port)."""
    handler = Collector()
    with serving(handler) as port:
        yield handler, port
