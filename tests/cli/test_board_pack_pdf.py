"""`report --format pdf`: the board pack through WeasyPrint, read back with pypdf; to a
pipe but never a terminal; and without WeasyPrint, one line and nothing written.

WeasyPrint is in the `dev` extra, so CI always has it; the tests that render skip (and
say why) only where it cannot be imported. The missing-WeasyPrint test needs no
WeasyPrint: it runs the real command in a process where importing it fails.
"""

from __future__ import annotations

import http.server
import os
import pty
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_board_pack import R1, TODAY, board, demo
from tests.cli.test_report import CHROMIUM, _chromium
from tests.conftest import Invoke

__all__ = ["board", "demo"]  # fixtures shared with the HTML and Markdown tests

try:
    import weasyprint  # noqa: F401

    WEASYPRINT = ""
except (ImportError, OSError) as exc:  # not installed, or Pango missing
    WEASYPRINT = f"needs WeasyPrint (pip install -e '.[dev]'; CI has it): {exc}"
needs_weasyprint = pytest.mark.skipif(bool(WEASYPRINT), reason=WEASYPRINT or "-")

# Runs improveplan with `import weasyprint` failing as it does where it is not installed.
WITHOUT_WEASYPRINT = """
import sys

class NoWeasyPrint:
    def find_spec(self, name, path=None, target=None):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoWeasyPrint())
sys.argv[0] = "improveplan"
from improveplan.cli.main import main
main()
"""


def _pdf_text(path: Path) -> list[str]:
    """Each page's text, whitespace runs made one space (lines wrap where the page does)."""
    from pypdf import PdfReader

    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(path).pages]


def _process(
    db_url: str, *args: str, code: str | None = None, stdout: int = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    """improveplan in a process of its own (`code`: a wrapper run with `-c` instead)."""
    head = [sys.executable, "-c", code] if code else [sys.executable, "-m", "improveplan"]
    return subprocess.run(
        [*head, "--db", db_url, "--user", "tester", *args],
        env={**os.environ, **TODAY}, stdout=stdout, stderr=subprocess.PIPE, timeout=180,
        check=False,
    )  # fmt: skip


@needs_weasyprint
def test_pdf_board_pack_read_back(demo: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "board.pdf"  # no --format: the extension says PDF
    result = demo("report", "-o", str(target), "--as-of", "2025-03-31", env=TODAY)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Wrote the PDF board report to {target}.\n"
    assert target.read_bytes().startswith(b"%PDF-") and target.stat().st_mode & 0o777 == 0o600
    pages = _pdf_text(target)
    assert len(pages) > 1
    whole = " ".join(pages)
    assert "RAG totals: 9 blue, 8 green, 5 amber, 5 red of 27 actions" in whole
    assert "Due soon (2)" in whole and "The plan by recommendation" in whole
    demo_r1 = ("The quality of support, advice, and guidance for care leavers, including those "
               "with additional vulnerabilities, to ensure that this is timely, consistent, and "
               "responsive to levels of need.")  # fmt: skip
    assert demo_r1 in whole
    assert "Agency social workers in safeguarding teams" in whole
    for number, page in enumerate(pages, start=1):
        assert page.endswith(
            f"Peterborough · board report as of 31 March 2025 Page {number} of {len(pages)}"
        ), page[-120:]
    assert pages[0].endswith("Page 1 of " + str(len(pages)))


@needs_weasyprint
def test_pdf_to_a_pipe_is_the_pdf_bytes(board: Invoke, db_url: str) -> None:
    done = _process(db_url, "report", "--format", "pdf")
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert done.stdout.startswith(b"%PDF-") and done.stdout.rstrip().endswith(b"%%EOF")


def test_pdf_to_a_terminal_is_refused(board: Invoke, db_url: str) -> None:
    leader, follower = pty.openpty()
    try:
        done = _process(db_url, "report", "--format", "pdf", stdout=follower)
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines()[-1] == (
        "Error: a PDF is binary and would garble the terminal: give -o FILE"
    )


def test_without_weasyprint_one_line_and_nothing_written(
    board: Invoke, db_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "board.pdf"
    for args in (("-o", str(target)), ("--format", "pdf")):
        done = _process(db_url, "report", *args, code=WITHOUT_WEASYPRINT)
        assert done.returncode == 1
        assert done.stderr.decode() == (
            'Error: PDF needs WeasyPrint — pip install "improveplan[pdf]"\n'
        )
        assert done.stdout == b""
    assert list(out.iterdir()) == []
    # HTML and Markdown never import it.
    page = out / "board.html"
    done = _process(db_url, "report", "-o", str(page), code=WITHOUT_WEASYPRINT)
    assert done.returncode == 0, done.stderr
    assert R1 in page.read_text(encoding="utf-8")


@pytest.fixture
def web_server() -> Iterator[tuple[str, list[str]]]:
    """A local web server recording every path asked of it."""
    asked: list[str] = []

    class Recording(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recording)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()
    server.server_close()


@needs_weasyprint
def test_a_pdf_from_your_own_template_fetches_nothing(
    board: Invoke, tmp_path: Path, web_server: tuple[str, list[str]]
) -> None:
    url, asked = web_server
    mine = tmp_path / "mine.html.j2"
    from PIL import Image  # WeasyPrint's own dependency

    picture = tmp_path / "logo.png"
    Image.new("RGB", (40, 40), "red").save(picture)
    mine.write_text(
        f'<html><head><link rel="stylesheet" href="{url}/style.css"></head><body>'
        f"<h1>{{{{ plan.name }}}}: {{{{ due_soon.count }}}} due soon</h1>"
        f'<img src="{url}/logo.png"><img src="{picture.as_uri()}"></body></html>',
        encoding="utf-8",
    )
    target = tmp_path / "mine.pdf"
    result = board("report", "--template", str(mine), "-o", str(target), env=TODAY)
    assert result.exit_code == 0, result.stderr
    assert _pdf_text(target) == ["Peterborough: 3 due soon"]
    assert asked == []  # neither the stylesheet nor the image was asked for
    from pypdf import PdfReader

    assert [len(page.images) for page in PdfReader(target).pages] == [0]  # nor the file read


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (CI installs it)")
def test_chromium_prints_the_same_footer(demo: Invoke, tmp_path: Path) -> None:
    """The HTML printed from a browser gets the footer too (CSS page-margin boxes)."""
    page, printed = tmp_path / "board.html", tmp_path / "printed.pdf"
    assert demo("report", "-o", str(page), "--as-of", "2025-03-31", env=TODAY).exit_code == 0
    done = _chromium("--no-pdf-header-footer", f"--print-to-pdf={printed}", page.as_uri())
    assert printed.is_file(), done.stderr[-2000:]
    pages = _pdf_text(printed)
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Peterborough · board report as of 31 March 2025" in text
