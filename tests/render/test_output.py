"""render.output: listings in every format, and summary tables that stay readable."""

from __future__ import annotations

import csv
import io

import pytest

from improveplan.render.csv_out import csv_text
from improveplan.render.output import Column, table


def test_table_limit_keeps_the_first_rows_and_says_how_many_more(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [{"ref": str(n), "title": f"Action {n}"} for n in range(1, 1206)]
    table(rows, [Column("ref", "Ref"), Column("title", "Title")], limit=3)
    captured = capsys.readouterr()
    shown = [line for line in captured.out.splitlines() if "Action " in line]
    assert [line.split("│")[1].strip() for line in shown] == ["1", "2", "3"]
    assert captured.err == "… and 1,202 more — use --format csv or json for every row.\n"


def test_table_within_its_limit_says_nothing_more(capsys: pytest.CaptureFixture[str]) -> None:
    table([{"ref": "1"}], [Column("ref", "Ref")], limit=3)
    assert capsys.readouterr().err == ""


def test_csv_neutralises_every_formula_prefix() -> None:
    rows = [{"v": v} for v in ("=1+1", "+44", "-5", "@SUM(A1)", "\tx", "\rx", "plain")]
    parsed = [row[0] for row in csv.reader(io.StringIO(csv_text(rows, ["v"]), newline=""))]
    assert parsed == ["v", "'=1+1", "'+44", "'-5", "'@SUM(A1)", "'\tx", "'\nx", "plain"]


def test_table_total_counts_rows_the_query_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"ref": str(n)} for n in range(1, 4)]
    table(rows, [Column("ref", "Ref")], limit=3, total=1_000)
    assert capsys.readouterr().err == "… and 997 more — use --format csv or json for every row.\n"


def test_csv_numbers_keep_their_sign_text_that_looks_like_one_does_not() -> None:
    rows = [{"v": -20}, {"v": -1.5}, {"v": "-20"}, {"v": 0}]
    parsed = [row[0] for row in csv.reader(io.StringIO(csv_text(rows, ["v"]), newline=""))]
    assert parsed == ["v", "-20", "-1.5", "'-20", "0"]
