"""`report`: the board pack in HTML and Markdown, a user's template in the sandbox, and
the HTML rendered by headless Chromium (totals shown, a `<script>` title inert)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlmodel import Session, select

from improveplan.store.engine import make_engine, to_url
from improveplan.store.models import DailyCount, Milestone, Plan
from tests.cli.test_status import SCRIPT_TITLE, TODAY, seed, status_json
from tests.conftest import Invoke

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def report(run: Invoke, *args: str) -> str:
    result = run("report", *args, env=TODAY)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def section(html: str, name: str) -> str:
    found = re.search(f'<section id="{name}">(.*?)</section>', html, re.S)
    assert found, name
    return found.group(1)


def text_of(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def cells(html: str) -> list[list[str]]:
    """Body rows of the tables in `html` as lists of cell texts (header rows have no td)."""
    rows = [
        re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)
    ]
    return [[text_of(c) for c in row] for row in rows if row]


def test_html_report_holds_every_section(plan_run: Invoke, db_url: str) -> None:
    seed(db_url)
    plan_run("measure", "add", "Visits on time", "--unit", "%", "--baseline", "60",
             "--target", "90", env=TODAY)  # fmt: skip
    plan_run("measure", "record", "Visits on time", "72", "--date", "2025-03-01", env=TODAY)
    html = report(plan_run)
    assert html.startswith("<!DOCTYPE html>")
    assert "<link" not in html and "<script" not in html  # one self-contained file
    assert "@page { size: A4;" in html and "@media print" in html
    summary = section(html, "summary")
    assert "Peterborough City Council" in html and "31 March 2025" in html
    assert "RAG totals: 1 blue, 1 green, 2 amber, 2 red of 6 actions" in summary
    assert '<span class="n" id="overdue-count">2</span>' in summary
    assert (
        "Next milestone: <strong>Improvement board 3</strong> on 10 April 2025 (in 10 days)"
        in summary
    )
    assert cells(section(html, "themes")) == [
        ["Children in care", "1", "0", "1", "0", "2", "50%", "0"],
        ["Help and protection", "0", "1", "1", "1", "3", "33%", "1"],
        ["(no theme)", "0", "0", "0", "1", "1", "0%", "1"],
    ]
    assert section(html, "themes").count("<svg") == 1
    overdue = cells(section(html, "overdue"))
    assert overdue == [
        ["1", "Audit of strategy meetings Help and protection", "Priya Natarajan", "2025-02-28",
         "31", "in progress"],
        ["7", "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;", "Tom Okafor",
         "2025-03-20", "11", "blocked"],
    ]  # fmt: skip
    assert cells(section(html, "slipped")) == [
        ["5", "Return home interviews", "Priya Natarajan", "2025-04-30", "2025-06-30", "61",
         "Recruitment of the team delayed"],
    ]  # fmt: skip
    timeline = cells(section(html, "timeline"))
    assert [(r[0], r[1], r[2].split()[0]) for r in timeline] == [
        ("2025-02-10", "Action plan due", "done"),
        ("2025-04-10", "Improvement board 3", "due"),  # within the 14-day window
        ("2025-05-10", "Monitoring visit 1", "expected"),
        ("2025-06-15", "DfE review 1", "upcoming"),
    ]
    assert section(html, "trend").count("<polyline") == 2
    measures = section(html, "measures")
    assert measures.count("<svg") == 1
    assert cells(measures)[0][:4] == [
        "Visits on time (%, higher is better)",
        "60",
        "72 2025-03-01",
        "90",
    ]
    notes = section(html, "notes")
    assert "Audit of 40 cases under way." in notes and "An old note." not in notes


def test_script_in_a_title_is_escaped_everywhere(plan_run: Invoke, db_url: str) -> None:
    seed(db_url)
    html = report(plan_run)
    assert SCRIPT_TITLE not in html
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html


def test_no_trend_yet_and_an_empty_plan(plan_run: Invoke) -> None:
    html = report(plan_run)
    assert "No trend yet — the nightly check records it." in html
    assert "Nothing is overdue." in html and "No measures recorded." in html
    assert "RAG totals: 0 blue, 0 green, 0 amber, 0 red of 0 actions" in html
    md = report(plan_run, "--format", "md")
    assert "No trend yet — the nightly check records it." in md


def test_markdown_report(plan_run: Invoke, db_url: str) -> None:
    seed(db_url)
    md = report(plan_run, "--format", "md")
    lines = md.splitlines()
    assert lines[0] == "# Peterborough City Council — improvement board report"
    assert "| 6 | 1 | 1 | 2 | 2 | 2 | 33% |" in lines
    assert "Next milestone: **Improvement board 3** on 2025-04-10 (in 10 days)." in lines
    assert "| Help and protection | 0 | 1 | 1 | 1 | 3 | 33% | 1 |" in lines
    assert ("| 7 | &lt;script&gt;document.title='pwned'&lt;/script&gt; | Tom Okafor | 2025-03-20 "
            "| 11 | blocked |") in lines  # fmt: skip
    assert ("| 5 | Return home interviews | Priya Natarajan | 2025-04-30 | 2025-06-30 | 61 "
            "| Recruitment of the team delayed |") in lines  # fmt: skip
    assert "| 2025-05-10 | Monitoring visit 1 | expected |" in lines
    assert "| 2025-03-31 | 5 | 2 |" in lines  # trend: open (not signed off) and overdue
    assert any(
        x.startswith("- **1** Audit of strategy meetings — Audit of 40 cases") for x in lines
    )
    assert "<svg" not in md


def test_output_file_and_as_of(plan_run: Invoke, db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    target = tmp_path / "board.html"
    result = plan_run("report", "-o", str(target), "--as-of", "2025-04-11", env=TODAY)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"Wrote the HTML board report to {target}.\n"
    html = target.read_text(encoding="utf-8")
    assert "RAG totals: 1 blue, 1 green, 1 amber, 3 red of 6 actions" in html
    missing = plan_run("report", "-o", str(tmp_path / "no" / "such" / "dir.html"), env=TODAY)
    assert missing.exit_code == 1
    assert missing.stderr == (
        f"Error: no folder {tmp_path / 'no' / 'such'} to write dir.html in"
        " — create it or choose another\n"
    )
    assert "Traceback" not in missing.stderr


def test_user_template_runs_in_the_sandbox(plan_run: Invoke, db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    mine = tmp_path / "mine.html.j2"
    mine.write_text(
        "<h1>{{ plan.name }}</h1><p>{{ totals.red }} red; {{ overdue.rows[1].title }}</p>\n"
    )
    out = report(plan_run, "--template", str(mine))
    assert out == ("<h1>Peterborough</h1><p>2 red; "
                   "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;</p>\n")  # fmt: skip
    evil = tmp_path / "evil.html.j2"
    evil.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    refused = plan_run("report", "--template", str(evil), env=TODAY)
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert len(refused.stderr.splitlines()) == 1
    assert refused.stderr.startswith(f"Error: template {evil} tried something unsafe")
    broken = tmp_path / "broken.md"
    broken.write_text("{% for x in %}")
    bad = plan_run("report", "--template", str(broken), env=TODAY)
    assert bad.exit_code == 1 and len(bad.stderr.splitlines()) == 1
    assert bad.stderr.startswith(f"Error: template {broken} line 1:")
    gone = plan_run("report", "--template", str(tmp_path / "nope.j2"), env=TODAY)
    assert gone.exit_code == 1
    assert (
        gone.stderr
        == f"Error: no template at {tmp_path / 'nope.j2'} — give the path of a Jinja2 template\n"
    )


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (CI installs it)")
def test_headless_chromium_renders_the_report(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    seed(db_url)
    page = tmp_path / "board.html"
    assert plan_run("report", "-o", str(page), env=TODAY).exit_code == 0
    dumped = _chromium("--dump-dom", page.as_uri())
    dom = dumped.stdout
    assert "</html>" in dom, dumped.stderr[-2000:]
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title is not None
    assert title.group(1) == "Peterborough — improvement board report, 31 March 2025"  # not pwned
    assert "pwned</title>" not in dom
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom  # shown as text
    assert re.search(r"<script>document\.title", dom) is None
    assert 'id="total-actions">6<' in dom and 'id="overdue-count">2<' in dom
    assert 'id="rag-red">2<' in dom and 'id="rag-amber">2<' in dom
    assert "RAG totals: 1 blue, 1 green, 2 amber, 2 red of 6 actions" in dom
    shot = tmp_path / "board.png"
    _chromium(f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000


def test_trend_comes_from_the_nightly_counts(plan_run: Invoke, db_url: str) -> None:
    seed(db_url)
    engine = make_engine(to_url(db_url))
    with Session(engine) as s:
        for row in s.exec(select(DailyCount)).all():
            s.delete(row)
        s.commit()
    engine.dispose()
    assert "No trend yet — the nightly check records it." in report(plan_run)


def test_changes_made_through_the_action_commands_reach_status_and_report(
    plan_run: Invoke,
) -> None:
    """End to end: the action commands' audit trail (wall-clock times) feeds both views."""
    for args in (
        ("theme", "add", "Help and protection", "--lead", "Priya Natarajan"),
        ("action", "add", "Audit strategy meetings", "--owner", "Priya Natarajan",
         "--due", "2100-02-01", "--theme", "Help and protection"),
        ("action", "update", "1", "--due", "2100-03-01", "--reason", "Staff shortage"),
        ("action", "update", "1", "--status", "in-progress"),
        ("action", "note", "1", "Fieldwork started"),
    ):  # fmt: skip
        result = plan_run(*args)
        assert result.exit_code == 0, (args, result.stderr)
    window = ("--since", "2000-01-01", "--as-of", "2100-01-15")
    changes = status_json(plan_run, *window)["changes"]
    assert {k: changes[k] for k in ("status_changes", "new_actions", "notes_added",
                                    "due_dates_moved")} == {
        "status_changes": 1, "new_actions": 1, "notes_added": 1, "due_dates_moved": 1,
    }  # fmt: skip
    assert [(c["field"], c["old"], c["new"]) for c in changes["recent"]] == [
        ("status", "not_started", "in_progress"),
        ("due", "2100-02-01", "2100-03-01"),
    ]
    html = report(plan_run, "--as-of", "2100-01-15")
    assert cells(section(html, "slipped")) == [
        ["1", "Audit strategy meetings", "Priya Natarajan", "2100-02-01", "2100-03-01", "28",
         "Staff shortage"],
    ]  # fmt: skip


def test_timeline_shows_the_boards_window(plan_run: Invoke, db_url: str) -> None:
    """Three months back, six ahead, and anything older still not done; the rest counted."""
    seed(db_url)
    engine = make_engine(to_url(db_url))
    with Session(engine) as s:
        plan_id = s.exec(select(Plan.id)).one()
        assert plan_id is not None
        for name, day, done in (
            ("Old board, done", "2024-06-02", "2024-06-02"),
            ("Old report, never done", "2024-06-01", None),
            ("Far review", "2026-01-01", None),
            ("Farther review", "2026-07-01", None),
        ):
            s.add(Milestone(plan_id=plan_id, name=name, date=dt.date.fromisoformat(day),
                            done=dt.date.fromisoformat(done) if done else None))  # fmt: skip
        s.commit()
    engine.dispose()
    html = report(plan_run)
    names = [row[1] for row in cells(section(html, "timeline"))]
    assert names == ["Old report, never done", "Action plan due", "Improvement board 3",
                     "Monitoring visit 1", "DfE review 1"]  # fmt: skip
    assert "… and 2 more milestones after 30 September 2025" in section(html, "timeline")
    md = report(plan_run, "--format", "md")
    assert "| 2024-06-01 | Old report, never done | overdue |" in md
    assert "… and 2 more milestones after 2025-09-30." in md
