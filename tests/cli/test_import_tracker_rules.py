"""import tracker: names as people type them, more header synonyms, columns that look like a
field, a dry run that says everything, and a tracker RAG better than the rule's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_import import actions, count, write
from tests.conftest import Invoke, sql

TODAY = {"IMPROVEPLAN_TODAY": "2024-06-01"}


def detail(run: Invoke, ref: str) -> dict[str, Any]:
    shown = run("action", "show", ref, "--format", "json", env=TODAY)
    assert shown.exit_code == 0, shown.output
    found: dict[str, Any] = json.loads(shown.stdout)
    return found


@pytest.mark.parametrize(
    "header",
    [
        "Rec no,Action,Responsible officer,Target date,Status (RAG),Comments",
        "Ofsted Rec,Action,Lead,Timescale,RAG rating,Progress",
        "Ofsted recommendation,Action,Lead,Target date,RAG rating,Comments",
        "Recommendation ref,Action,Responsible officer,Timescale,Status (RAG),Progress",
    ],
)
def test_more_header_synonyms(plan_run: Invoke, tmp_path: Path, header: str) -> None:
    path = write(tmp_path, "t.csv", f"{header}\nR2,Audit files,Tom Okafor,30/6/24,Red,Begun\n")
    result = plan_run("import", str(path), env=TODAY)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        'Imported 1 action into plan "Peterborough" from t.csv.\n'
        "RAG overrides kept from the tracker: 1.\n"
        "Progress notes: 1.\n"
        "Added recommendations (ref only — add their text): R2\n"
    )
    [found] = actions(plan_run)
    assert (found["owner"], found["due"], found["rag"], found["recommendations"]) == (
        "Tom Okafor", "2024-06-30", "red", ["R2"],
    )  # fmt: skip
    assert [n["text"] for n in detail(plan_run, "1")["notes"]] == ["Begun"]


def test_names_differing_in_case_and_spaces_are_the_same(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    """Before: "Priya  Natarajan" (two spaces) became a second person."""
    assert plan_run("theme", "add", "Help and protection").exit_code == 0
    path = write(
        tmp_path,
        "t.csv",
        "Action,Owner,Due,Theme\n"
        "One,Priya  Natarajan,30/6/24,help  and PROTECTION\n"
        "Two,PRIYA NATARAJAN ,30/6/24,Help and protection\n"
        "Three,Jane   Doe,30/6/24,Workforce\n"
        "Four,jane doe,30/6/24,  workforce\n",
    )
    result = plan_run("import", str(path), env=TODAY)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        'Imported 4 actions into plan "Peterborough" from t.csv.\n'
        "RAG overrides kept from the tracker: 0.\n"
        "Progress notes: 0.\n"
        "Added people: Jane Doe\n"
        "Added themes: Workforce\n"
    )
    assert [(a["owner"], a["theme"]) for a in actions(plan_run)] == [
        ("Priya Natarajan", "Help and protection"),
        ("Priya Natarajan", "Help and protection"),
        ("Jane Doe", "Workforce"),
        ("Jane Doe", "Workforce"),
    ]
    assert count(db_url, "person") == 3 and count(db_url, "theme") == 2


LOOKALIKE = "Ref,Action,Owner,Due,Ofsted ref. (2023),Revised due date,Colour\n1,Audit,Tom Okafor,30/6/24,R1,31/7/24,blue\n"


def test_a_column_that_looks_like_a_field_is_a_warning_with_its_map(
    plan_run: Invoke, tmp_path: Path
) -> None:
    """Before: an unknown recommendation column was dropped with one "Ignored" line."""
    path = write(tmp_path, "t.csv", LOOKALIKE)
    for dry in (("--dry-run",), ()):
        result = plan_run("import", str(path), *dry, env=TODAY)
        assert result.exit_code == 0, result.output
        assert result.stderr.endswith(
            "Ignored columns: Colour\n"
            'Warning: column "Ofsted ref. (2023)" was not read, though it looks like the'
            ' recommendations — to read it, add --map "Ofsted ref. (2023)=recommendations";'
            ' to silence this, --map "Ofsted ref. (2023)=ignore"\n'
            'Warning: column "Revised due date" was not read, though it looks like the due date'
            ' (read from "Due") — to read it instead, add --map "Revised due date=due" --map'
            ' "Due=ignore"; to silence this, --map "Revised due date=ignore"\n'
        )
    assert [a["recommendations"] for a in actions(plan_run)] == [[]]


def test_the_map_lines_of_the_warnings_read_the_columns(plan_run: Invoke, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", LOOKALIKE)
    maps = ("--map", "Ofsted ref. (2023)=recommendations", "--map", "Revised due date=due",
            "--map", "Due=ignore", "--map", "Colour=ignore")  # fmt: skip
    result = plan_run("import", str(path), *maps, env=TODAY)
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr and "Ignored" not in result.stderr
    assert [(a["due"], a["recommendations"]) for a in actions(plan_run)] == [("2024-07-31", ["R1"])]


STALE = (
    "Ref,Action,Owner,Due,Status,RAG,Progress update\n"
    "1,Audit files,Tom Okafor,30/8/22,In progress,Green,Going well\n"
    "2,Train staff,Tom Okafor,30/6/25,In progress,Red,\n"
    "3,Review caseloads,Tom Okafor,10/6/24,Not started,Amber,\n"
    "4,Visit families,Tom Okafor,10/6/24,In progress,green,\n"
)


def test_dry_run_reports_the_overrides_and_notes_the_import_makes(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    """Before: --dry-run did not mention the overrides the import then made."""
    path = write(tmp_path, "t.csv", STALE)
    before = count(db_url, "audit_event")
    dry = plan_run("import", str(path), "--dry-run", env=TODAY)
    assert dry.exit_code == 0, dry.output
    assert dry.stderr == (
        'Would import 4 actions into plan "Peterborough" from t.csv.\n'
        "RAG overrides that would be kept from the tracker: 1.\n"
        "Tracker RAGs better than the computed one, that would be kept as a progress note"
        " instead: 2.\n"
        "Progress notes: 1.\n"
    )
    assert count(db_url, "audit_event") == before and count(db_url, "progress_note") == 0
    done = plan_run("import", str(path), env=TODAY)
    assert done.exit_code == 0, done.output
    assert done.stderr == (
        'Imported 4 actions into plan "Peterborough" from t.csv.\n'
        "RAG overrides kept from the tracker: 1.\n"
        "Tracker RAGs better than the computed one, kept as a progress note instead: 2.\n"
        "Progress notes: 1.\n"
    )


def test_a_better_tracker_rag_is_a_note_and_a_worse_one_an_override(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    """Before: a stale Green on an action 641 days overdue became a permanent override."""
    path = write(tmp_path, "t.csv", STALE)
    assert plan_run("import", str(path), user="Sam Lead", env=TODAY).exit_code == 0
    assert [(a["ref"], a["rag"], a["rag_computed"]) for a in actions(plan_run)] == [
        ("1", "red", "red"), ("2", "red", "green"), ("3", "amber", "amber"),
        ("4", "amber", "amber"),
    ]  # fmt: skip
    one, two, four = (detail(plan_run, ref) for ref in ("1", "2", "4"))
    assert (one["rag_override_reason"], two["rag_override_reason"]) == (
        None, "imported from tracker",
    )  # fmt: skip
    assert [(n["author"], n["text"]) for n in one["notes"]] == [
        ("Sam Lead", "Going well"),
        ("Sam Lead", "The tracker showed Green on 2024-06-01; the computed RAG is red, so Green"
         " was not kept as an override."),
    ]  # fmt: skip
    assert [n["text"] for n in four["notes"]] == [
        "The tracker showed Green on 2024-06-01; the computed RAG is amber, so Green was not"
        " kept as an override."
    ]
    assert two["notes"] == [] and detail(plan_run, "3")["notes"] == []
    trail = sql(
        db_url,
        "SELECT count(*) FROM audit_event WHERE entity = 'progress_note' AND field = 'text'",
    )
    assert trail == [(3,)]
    history = plan_run("action", "history", "1", "--format", "json")
    whats = [(e["what"], e["to"]) for e in json.loads(history.stdout)]
    assert ("rag_override", "green") not in whats and whats[-2][0] == "note"
