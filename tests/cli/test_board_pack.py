"""`report` as the board pack: due soon (day 28 in, day 29 out), the plan by
recommendation with each action's latest note, measure labels never cut, the printed
footer, and the format taken from `-o`'s extension.

The plan is built through the commands a user types; only the notes are written through
the store, so their times (and so which one is latest) are exactly what is asserted.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlmodel import Session, select

from improveplan.services.report import css_string
from improveplan.store.engine import make_engine, to_url
from improveplan.store.models import Action, ProgressNote
from tests.cli.test_report import section, text_of
from tests.conftest import Invoke

AS_OF = "2025-03-31"
TODAY = {"IMPROVEPLAN_TODAY": AS_OF}
R1 = "Strengthen the help children get when they first need it, so that help is timely."
R2 = "Improve placement sufficiency & stability (children's <em>homes</em>)."
LONGEST_MEASURE = "Agency social workers in safeguarding teams"  # the demo's longest label
SVG = "{http://www.w3.org/2000/svg}"


def cells(html: str) -> list[list[str]]:
    """Body rows of the tables in `html` as cell texts (a row may have a class)."""
    rows = [
        re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    ]
    return [[text_of(c) for c in row] for row in rows if row]


def _ok(run: Invoke, *args: str) -> str:
    result = run(*args, env=TODAY)
    assert result.exit_code == 0, (args, result.stderr)
    return result.stdout


def _note(url: str, ref: str, text: str, when: str) -> None:
    engine = make_engine(to_url(url))
    with Session(engine) as s:
        action = s.exec(select(Action).where(Action.ref == ref)).one()
        assert action.id is not None
        s.add(ProgressNote(action_id=action.id, author="Priya Natarajan", text=text,
                           created_at=dt.datetime.fromisoformat(when)))  # fmt: skip
        s.commit()
    engine.dispose()


@pytest.fixture
def board(plan_run: Invoke, db_url: str) -> Invoke:
    """Three recommendations (one with no actions) and seven actions either side of the
    due-soon edges, as of 31 March 2025 (amber window 14 days)."""
    priya, tom = ("--owner", "Priya Natarajan"), ("--owner", "Tom Okafor")
    for args in (
        ("rec", "add", "R1", R1),
        ("rec", "add", "R2", R2, "--priority"),
        ("rec", "add", "R3", "Recommendation with nothing yet."),
        ("action", "add", "Due today", *priya, "--due", "2025-03-31", "--rec", "R1"),
        ("action", "add", "Due on day 28", *tom, "--due", "2025-04-28", "--rec", "R1"),
        ("action", "add", "Due on day 29", *tom, "--due", "2025-04-29", "--rec", "R2"),
        ("action", "add", "Overdue by a day", *priya, "--due", "2025-03-30", "--rec", "R2"),
        ("action", "add", "Done early", *priya, "--due", "2025-04-10", "--rec", "R2"),
        ("action", "add", "Dropped", *tom, "--due", "2025-04-05", "--rec", "R2"),
        ("action", "add", "Linked to nothing", *tom, "--due", "2025-04-15"),
        ("action", "update", "1", "--status", "in-progress", "--add-rec", "R2"),
        ("action", "update", "5", "--status", "complete"),
        ("action", "update", "6", "--status", "cancelled", "--reason", "Folded into 3"),
        ("action", "update", "7", "--status", "blocked"),
    ):
        _ok(plan_run, *args)
    _note(db_url, "1", "First visit booked.", "2025-03-10T09:00:00+00:00")
    _note(db_url, "1", "Audit of 40 cases under way.", "2025-03-20T16:30:00+00:00")
    _note(db_url, "1", "Written after the as-of date.", "2025-04-02T09:00:00+00:00")
    # 23:30 UTC on 30 March is 00:30 on the 31st in London (summer time began that day).
    _note(db_url, "4", "Chased the provider | again.", "2025-03-30T23:30:00+00:00")
    return plan_run


DUE_SOON_HTML = [
    ["1", "Due today", "Priya Natarajan", "2025-03-31", "in progress", "amber"],
    ["7", "Linked to nothing", "Tom Okafor", "2025-04-15", "blocked", "amber"],
    ["2", "Due on day 28", "Tom Okafor", "2025-04-28", "not started", "green"],
]


def test_due_soon_takes_day_28_not_day_29_nor_overdue_done_or_cancelled(board: Invoke) -> None:
    html = _ok(board, "report")
    due = section(html, "due-soon")
    assert "<h2>Due soon (3)</h2>" in due
    assert text_of(due).startswith(
        "Due soon (3) Open actions due from 31 March to 28 April 2025 (the next 28 days), "
        "soonest first."
    )
    assert cells(due) == DUE_SOON_HTML
    md = _ok(board, "report", "--format", "md")
    block = md[md.index("## Due soon (3)") : md.index("## Slipped actions")]
    assert block.splitlines() == [
        "## Due soon (3)",
        "",
        "Open actions due from 2025-03-31 to 2025-04-28 (the next 28 days), soonest first.",
        "",
        "| Ref | Action | Owner | Due | Status | RAG |",
        "| --- | --- | --- | --- | --- | --- |",
        "| 1 | Due today | Priya Natarajan | 2025-03-31 | in progress | amber |",
        "| 7 | Linked to nothing | Tom Okafor | 2025-04-15 | blocked | amber |",
        "| 2 | Due on day 28 | Tom Okafor | 2025-04-28 | not started | green |",
        "",
    ]
    # A day later, day 28 is 29 April: action 3 comes in, and action 1 is now overdue.
    later = cells(section(_ok(board, "report", "--as-of", "2025-04-01"), "due-soon"))
    assert [row[0] for row in later] == ["7", "2", "3"]


def test_nothing_due_soon_is_said(plan_run: Invoke) -> None:
    html = _ok(plan_run, "report")
    assert '<p class="empty">Nothing falls due in the next 28 days.</p>' in section(
        html, "due-soon"
    )
    md = _ok(plan_run, "report", "--format", "md")
    assert "## Due soon (0)" in md and "\nNothing falls due in the next 28 days.\n" in md
    assert "No recommendations recorded." in section(html, "plan") and "Not linked" not in md


def test_plan_by_recommendation_in_html(board: Invoke) -> None:
    plan = section(_ok(board, "report"), "plan")
    headings = [text_of(h) for h in re.findall(r"<h3>(.*?)</h3>", plan, re.S)]
    assert headings == ["R1", "R2 priority action", "R3", "Not linked to a recommendation"]
    assert f'<p class="rec-text">{R1}</p>' in plan
    assert (
        '<p class="rec-text">Improve placement sufficiency &amp; stability '
        "(children&#39;s &lt;em&gt;homes&lt;/em&gt;).</p>"
    ) in plan
    parts = re.split(r"<h3>", plan)[1:]
    note_1 = "Audit of 40 cases under way. 20 March 2025"
    assert [cells(p) for p in parts] == [
        [["1", "Due today", "Priya Natarajan", "2025-03-31", "in progress", "amber", note_1],
         ["2", "Due on day 28", "Tom Okafor", "2025-04-28", "not started", "green", "—"]],
        [["1", "Due today", "Priya Natarajan", "2025-03-31", "in progress", "amber", note_1],
         ["3", "Due on day 29", "Tom Okafor", "2025-04-29", "not started", "green", "—"],
         ["4", "Overdue by a day", "Priya Natarajan", "2025-03-30", "not started", "red",
          "Chased the provider | again. 31 March 2025"],
         ["5", "Done early", "Priya Natarajan", "2025-04-10", "complete", "green", "—"],
         ["6", "Dropped", "Tom Okafor", "2025-04-05", "cancelled", "—", "—"]],
        [],
        [["7", "Linked to nothing", "Tom Okafor", "2025-04-15", "blocked", "amber", "—"]],
    ]  # fmt: skip
    assert "No actions answer this recommendation yet." in parts[2]
    assert '<tr class="cancelled">' in parts[1]
    assert "Cancelled actions are listed as cancelled, with no RAG." in plan
    assert "Written after the as-of date." not in plan and "First visit booked." not in plan
    # Read later, the note written on 2 April is the latest.
    april = section(_ok(board, "report", "--as-of", "2025-04-03"), "plan")
    assert "Written after the as-of date." in april and "Audit of 40 cases" not in april


def test_plan_by_recommendation_in_markdown(board: Invoke) -> None:
    md = _ok(board, "report", "--format", "md")
    block = md[md.index("## The plan by recommendation") :]
    head = "| Ref | Action | Owner | Due | Status | RAG | Latest note |"
    rule = "| --- | --- | --- | --- | --- | --- | --- |"
    one = ("| 1 | Due today | Priya Natarajan | 2025-03-31 | in progress | amber "
           "| Audit of 40 cases under way. (2025-03-20) |")  # fmt: skip
    assert block.splitlines() == [
        "## The plan by recommendation",
        "",
        "Every recommendation and the actions answering it, with each action's latest note "
        "up to 2025-03-31. Cancelled actions are listed as cancelled, with no RAG.",
        "",
        "### R1",
        "",
        R1,
        "",
        head, rule, one,
        "| 2 | Due on day 28 | Tom Okafor | 2025-04-28 | not started | green | — |",
        "",
        "### R2 (priority action)",
        "",
        "Improve placement sufficiency &amp; stability (children's &lt;em&gt;homes&lt;/em&gt;).",
        "",
        head, rule, one,
        "| 3 | Due on day 29 | Tom Okafor | 2025-04-29 | not started | green | — |",
        "| 4 | Overdue by a day | Priya Natarajan | 2025-03-30 | not started | red "
        "| Chased the provider \\| again. (2025-03-31) |",
        "| 5 | Done early | Priya Natarajan | 2025-04-10 | complete | green | — |",
        "| 6 | Dropped | Tom Okafor | 2025-04-05 | cancelled | — | — |",
        "",
        "### R3",
        "",
        "Recommendation with nothing yet.",
        "",
        "No actions answer this recommendation yet.",
        "",
        "### Not linked to a recommendation",
        "",
        head, rule,
        "| 7 | Linked to nothing | Tom Okafor | 2025-04-15 | blocked | amber | — |",
    ]  # fmt: skip


@pytest.fixture
def demo(run: Invoke) -> Invoke:
    _ok(run, "init", "--demo")
    return run


def test_the_demos_longest_measure_label_is_wrapped_whole(demo: Invoke) -> None:
    measures = section(_ok(demo, "report", "--as-of", AS_OF), "measures")
    assert "…" not in measures
    svg = ET.fromstring(re.search(r"<svg.*?</svg>", measures, re.S).group(0))  # type: ignore[union-attr]
    labels = [t for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert [" ".join(t.itertext()) for t in labels] == [
        LONGEST_MEASURE, "Care leavers in suitable accommodation",
        "Children on child-protection plans", "Supervision within timescale",
    ]  # fmt: skip
    lines = [[float(s.get("y", 0)) for s in t.iter(f"{SVG}tspan")] for t in labels]
    assert [len(y) for y in lines] == [2, 2, 2, 0]
    tracks = [float(r.get("y", 0)) for r in svg.iter(f"{SVG}rect") if r.get("fill") == "#f3f2f1"]
    # Each row grows to its label: the next bar starts below the last line above it.
    assert lines[0][-1] < tracks[1] and lines[1][-1] < tracks[2] and lines[2][-1] < tracks[3]
    assert svg.get("viewBox") == "0 0 720 174"  # 26 + 38 + 38 + 38 + 30 + 4


def test_the_demo_pack_lists_every_recommendation_in_full(demo: Invoke) -> None:
    from improveplan.io.demo_data import load

    entered = sorted(load()["inspections"], key=lambda i: str(i["on"]))  # as the story adds them
    recs = [r for inspection in entered for r in inspection["recommendations"]]
    plan = section(_ok(demo, "report", "--as-of", AS_OF), "plan")
    found = [text_of(h) for h in re.findall(r"<h3>(.*?)</h3>", plan, re.S)]
    assert found == [r["ref"] for r in recs]  # every action answers one: no "Not linked"
    assert found[:9] == [*(f"R{n}" for n in range(1, 9)), "2015-R01"]
    for rec in recs:
        assert f'<p class="rec-text">{rec["text"]}</p>' in plan
    assert plan.count('<tr class="cancelled">') == 1  # action 12, under R2


def test_every_printed_page_has_the_plan_as_of_and_page_number(board: Invoke) -> None:
    html = _ok(board, "report")
    page = re.search(r"@page \{ size: A4;.*?\n  \}", html, re.S)
    assert page is not None
    assert (
        '@bottom-left { content: "Peterborough · board report as of 31 March 2025";'
        in page.group(0)
    )
    assert '@bottom-right { content: "Page " counter(page) " of " counter(pages);' in (
        page.group(0)
    )


def test_a_footer_text_cannot_break_out_of_its_css_string() -> None:
    assert str(css_string('Bad "name" </style><script>x\\\n')) == (
        '"Bad \\22 name\\22  \\3c /style\\3e \\3c script\\3e x\\5c \\a "'
    )
    assert str(css_string("Peterborough · 31 March")) == '"Peterborough · 31 March"'


def test_the_format_follows_the_output_extension(board: Invoke, tmp_path: Path) -> None:
    for name, fmt, start in (
        ("board.md", "MD", "# Peterborough City Council — improvement board report\n"),
        ("board.HTM", "HTML", "<!DOCTYPE html>"),
        ("board.html", "HTML", "<!DOCTYPE html>"),
        ("board.txt", "HTML", "<!DOCTYPE html>"),  # no format it names: HTML, the default
    ):
        target = tmp_path / name
        result = board("report", "-o", str(target), env=TODAY)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == f"Wrote the {fmt} board report to {target}.\n"
        assert target.read_text(encoding="utf-8").startswith(start)
    given = tmp_path / "given.html"
    result = board("report", "--format", "md", "-o", str(given), env=TODAY)
    assert result.exit_code == 0 and given.read_text(encoding="utf-8").startswith("# ")
