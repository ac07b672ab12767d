"""`improveplan tui --serve`: the same screen in a browser, served on 127.0.0.1.

The server runs as a real process; a browser's side is played twice: by a websocket
client speaking textual-serve's protocol (the screen's text arrives, a key press acts),
and by headless Chromium loading the page.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_invoker
from tests.tui.screen import AS_OF, build_plan

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """The screen served from a plan file; yields the page's address."""
    path = tmp_path / "plan.db"
    shutil.copyfile(sqlite_template, path)
    build_plan(make_invoker(str(path)))
    port = _free_port()
    env = {**os.environ, "IMPROVEPLAN_TODAY": AS_OF.isoformat()}
    server = subprocess.Popen(
        [sys.executable, "-m", "improveplan", "--db", str(path), "--user", "Priya Natarajan",
         "tui", "--serve", "--port", str(port), "--as-of", AS_OF.isoformat()],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


async def _browse(url: str, steps: list[tuple[str, str]]) -> list[str]:
    """Connect as a browser does; for each step send its keys, then read what the screen
    sends until its text appears (or 20 s pass). What each step saw."""
    import aiohttp

    address = f"{url.replace('http', 'ws')}/ws?width=100&height=30"
    seen_by_step: list[str] = []
    async with aiohttp.ClientSession() as session, session.ws_connect(address) as ws:
        await ws.send_json(["resize", {"width": 100, "height": 30}])
        for keys, awaited in steps:
            if keys:
                await asyncio.sleep(0.5)  # the screen has drawn; let it settle first
                await ws.send_json(["stdin", keys])
            seen_by_step.append(await _read_until(ws, awaited))
    return seen_by_step


async def _read_until(ws: Any, awaited: str) -> str:
    seen = ""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and awaited not in seen:
        try:
            message = await ws.receive(timeout=1)
        except TimeoutError:
            continue
        data = message.data
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data or "")
        seen += ANSI.sub("", text)  # the terminal's colours and cursor moves
    return seen


def test_the_served_screen_shows_my_actions_and_takes_keys(served: str) -> None:
    page = urllib.request.urlopen(served, timeout=5).read().decode()
    assert "/ws" in page
    opened, tabbed = asyncio.run(
        _browse(served, [("", "Audit every care"), ("\t", "Personal advisers")])
    )
    assert "My actions" in opened
    assert "Audit every care" in opened
    assert "Personal advisers" not in opened  # Tom's action: not in Priya's list
    # tab went on to All actions, everyone's (the terminal gets only what changed, so
    # the heading may come in pieces; a row that was not there before comes whole)
    assert "Personal advisers" in tabbed


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
def test_headless_chromium_loads_the_served_page(served: str, tmp_path: Path) -> None:
    shown = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=8000",
         "--dump-dom", served],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    # The page's script ran: it built the terminal the screen is drawn in and offers to
    # start this plan's screen (textual-serve starts it on the first click).
    assert 'class="xterm-screen"' in shown.stdout
    assert "--user 'Priya Natarajan' --plan" not in shown.stdout
    assert "--user 'Priya Natarajan' tui --as-of 2025-03-31" in shown.stdout
