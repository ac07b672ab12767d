"""inspection import-report: reports through the CLI, dry runs, numbering, bad input.

The reports the tests generate (`tests/pdfs.py`) run in any clone, on both databases; the
reports Ofsted published run where ../shared is beside the clone (CI) and skip elsewhere.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter
from sqlalchemy import create_engine, text

from improveplan.store.engine import to_url
from tests.conftest import REPORTS, Invoke, needs_reports, published_reports
from tests.damaged_pdfs import cut_short, no_fonts, unknown_filter, wrong_startxref
from tests.pdfs import NO_RECOMMENDATIONS, ONE_RECOMMENDATION, PETERBOROUGH, Report, scan_pdf
from tests.pdfs import write_report as write_generated

TABLES = ("inspection", "judgement", "recommendation", "audit_event")
KEYS = ["id", "type", "start", "end", "received", "published",
        "lead_inspector", "judgements", "recommendations", "framework", "lscb_recommendations"]  # fmt: skip
GENERATED = [Report(), PETERBOROUGH, ONE_RECOMMENDATION, NO_RECOMMENDATIONS]


@pytest.fixture(params=["generated", pytest.param("published", marks=needs_reports)])
def peterborough(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Peterborough's 2024 report (8 recommendations): as published, and generated."""
    if request.param == "published":
        return REPORTS / "peterborough-2024-01-30.pdf"
    return write_generated(tmp_path / "peterborough-2024-01-30.pdf", PETERBOROUGH)


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(to_url(url))
    with engine.connect() as conn:
        counts = {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES
        }
    engine.dispose()
    return counts


@pytest.mark.parametrize("report", GENERATED, ids=[r.local_authority for r in GENERATED])
def test_a_generated_report_imports_as_written(
    plan_run: Invoke, report: Report, tmp_path: Path
) -> None:
    """Dates, type, inspector, grades and recommendations exactly as the PDF says them."""
    path = write_generated(tmp_path / "report.pdf", report)
    dry = plan_run("inspection", "import-report", str(path), "--published", "2024-10-29",
                   "--dry-run", "--format", "json")  # fmt: skip
    assert dry.exit_code == 0, dry.output
    result = plan_run("inspection", "import-report", str(path), "--published", "2024-10-29",
                      "--received", "2024-10-22", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == KEYS
    texts = report.expected()
    assert data == {
        "id": 1, "type": texts["type"], "start": texts["start"], "end": texts["end"],
        "received": "2024-10-22", "published": "2024-10-29",
        "lead_inspector": texts["lead_inspector"], "judgements": texts["judgements"],
        "recommendations": [
            {"ref": f"R{n}", "text": t, "priority": False}
            for n, t in enumerate(texts["recommendations"], 1)
        ],
        "framework": "ilacs", "lscb_recommendations": [],
    }  # fmt: skip
    assert json.loads(dry.stdout) == {**data, "id": None, "received": None}
    assert json.loads(plan_run("inspection", "show", "1", "--format", "json").stdout) == data
    listed = json.loads(plan_run("rec", "list", "--format", "json").stdout)
    assert [r["text"] for r in listed] == texts["recommendations"]


@pytest.mark.parametrize("expected", published_reports())
def test_every_shared_report_imports_as_expected(
    plan_run: Invoke, expected: dict[str, Any]
) -> None:
    result = plan_run(
        "inspection", "import-report", str(REPORTS / expected["file"]),
        "--published", expected["published"], "--received", expected["published"],
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == KEYS
    assert data["id"] == 1
    assert (data["type"], data["start"], data["end"]) == (
        expected["type"], expected["start"], expected["end"],
    )  # fmt: skip
    assert data["published"] == data["received"] == expected["published"]
    assert data["lead_inspector"].lower() == expected["lead_inspector"].lower()
    assert data["judgements"] == expected["judgements"]
    assert [r["text"] for r in data["recommendations"]] == expected["recommendations"]
    assert not any(r["priority"] for r in data["recommendations"])
    assert (data["framework"], data["lscb_recommendations"]) == ("ilacs", [])
    count = len(expected["recommendations"])
    assert [r["ref"] for r in data["recommendations"]] == [f"R{n}" for n in range(1, count + 1)]
    shown = plan_run("inspection", "show", "1", "--format", "json")
    assert json.loads(shown.stdout) == data
    listed = json.loads(plan_run("rec", "list", "--format", "json").stdout)
    assert [r["text"] for r in listed] == expected["recommendations"]


def test_table_output_shows_what_was_found(plan_run: Invoke, peterborough: Path) -> None:
    result = plan_run("inspection", "import-report", str(peterborough), "--received", "2024-01-30")
    assert result.exit_code == 0, result.output
    for fragment in ("Russel Breyer", "2023-11-27", "2023-12-08", "2024-01-30", "standard",
                     "Inadequate", "R8", "missing from care"):  # fmt: skip
        assert fragment in result.stdout
    assert result.stderr == "Imported inspection 1: 5 judgements, 8 recommendations (R1–R8).\n"


def test_dry_run_writes_nothing(plan_run: Invoke, db_url: str, peterborough: Path) -> None:
    before = _counts(db_url)
    result = plan_run("inspection", "import-report", str(peterborough), "--dry-run",
                      "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] is None
    assert [r["ref"] for r in data["recommendations"]] == [f"R{n}" for n in range(1, 9)]
    assert result.stderr.startswith("Dry run: nothing written.")
    assert _counts(db_url) == before
    table = plan_run("inspection", "import-report", str(peterborough), "--dry-run")
    assert "(dry run)" in table.stdout
    assert _counts(db_url) == before


def test_two_imports_continue_the_numbering(
    plan_run: Invoke, peterborough: Path, tmp_path: Path
) -> None:
    assert plan_run("rec", "add", "R3", "A recommendation from the board").exit_code == 0
    one = write_generated(tmp_path / "one-recommendation.pdf", ONE_RECOMMENDATION)
    first = plan_run("inspection", "import-report", str(one), "--format", "json")
    assert [r["ref"] for r in json.loads(first.stdout)["recommendations"]] == ["R4"]
    dry = plan_run("inspection", "import-report", str(peterborough), "--dry-run",
                   "--format", "json")  # fmt: skip
    assert json.loads(dry.stdout)["recommendations"][0]["ref"] == "R5"
    second = plan_run("inspection", "import-report", str(peterborough), "--format", "json")
    data = json.loads(second.stdout)
    assert data["id"] == 2
    assert [r["ref"] for r in data["recommendations"]] == [f"R{n}" for n in range(5, 13)]
    refs = [r["ref"] for r in json.loads(plan_run("rec", "list", "--format", "json").stdout)]
    assert refs == [f"R{n}" for n in range(3, 13)]


def test_report_without_recommendations_is_valid(plan_run: Invoke, tmp_path: Path) -> None:
    path = write_generated(tmp_path / "outstanding.pdf", NO_RECOMMENDATIONS)
    result = plan_run("inspection", "import-report", str(path))
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "No recommendations in this report.\nImported inspection 1: 5 judgements, 0 recommendations.\n"
    )
    assert (
        json.loads(plan_run("inspection", "show", "1", "--format", "json").stdout)[
            "recommendations"
        ]
        == []
    )


def test_text_file_named_pdf_is_refused(plan_run: Invoke, db_url: str, tmp_path: Path) -> None:
    fake = tmp_path / "report.pdf"
    fake.write_text("Inspection dates: 27 November to 8 December 2023\n", "utf-8")
    before = _counts(db_url)
    result = plan_run("inspection", "import-report", str(fake))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: report.pdf: not a PDF file — ")
    assert result.stderr.count("\n") == 1
    assert _counts(db_url) == before


def test_missing_file_is_refused(plan_run: Invoke, db_url: str, tmp_path: Path) -> None:
    before = _counts(db_url)
    missing = tmp_path / "absent.pdf"
    result = plan_run("inspection", "import-report", str(missing))
    assert result.exit_code == 1
    assert result.stderr == f"Error: no file at {missing} — check the path of the report PDF\n"
    assert _counts(db_url) == before


def test_pdf_that_is_not_an_ilacs_report_is_refused(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    blank = tmp_path / "blank.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with blank.open("wb") as handle:
        writer.write(handle)
    before = _counts(db_url)
    result = plan_run("inspection", "import-report", str(blank), "--dry-run")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1
    assert " — " in result.stderr
    assert _counts(db_url) == before


def test_import_needs_a_plan(run: Invoke, peterborough: Path) -> None:
    result = run("inspection", "import-report", str(peterborough))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no plan in the database — ")


def _encrypted(plain: Path, path: Path) -> Path:
    writer = PdfWriter(clone_from=plain)
    writer.encrypt(user_password="secret")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


@pytest.mark.parametrize("kind", ["scan", "encrypted"])
def test_a_scanned_or_encrypted_report_is_refused(
    plan_run: Invoke, db_url: str, tmp_path: Path, peterborough: Path, kind: str
) -> None:
    path = tmp_path / "report.pdf"
    if kind == "scan":
        path.write_bytes(scan_pdf())
    else:
        _encrypted(peterborough, path)
    before = _counts(db_url)
    result = plan_run("inspection", "import-report", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    reason = {
        "scan": "the PDF has no text layer (a scan?) — ",
        "encrypted": "the PDF is encrypted — save an unencrypted copy and import that",
    }[kind]
    assert result.stderr.startswith(f"Error: report.pdf: {reason}")
    assert result.stderr.count("\n") == 1
    assert _counts(db_url) == before


AGAIN = "download the report again, or enter the inspection with `inspection add`"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", f"report.pdf is empty (0 bytes) — {AGAIN}"),
        (cut_short(0.6), "report.pdf: the PDF is incomplete (its end is missing: a download cut"
         f" short?) — {AGAIN}"),
        (unknown_filter(page=2), "report.pdf: cannot read the text of page 2 (Unsupported filter"
         f" /FlateDecodX) — {AGAIN}"),
        (no_fonts(page=2), "report.pdf: the text of page 2 cannot be decoded (a damaged font?)"
         f" — {AGAIN}"),
    ],
    ids=["zero-bytes", "cut-short", "extraction-raises", "fonts-gone"],
)  # fmt: skip
def test_a_damaged_report_is_one_line_and_writes_nothing(
    plan_run: Invoke, db_url: str, tmp_path: Path, data: bytes, message: str
) -> None:
    """Before: a file cut short printed pypdf's "EOF marker not found" too; an unsupported
    filter was a traceback; a page without its fonts imported with no recommendations."""
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    before = _counts(db_url)
    result = plan_run("inspection", "import-report", str(path))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")
    assert _counts(db_url) == before


def test_a_report_pypdf_repairs_imports_without_its_log(db_url: str, tmp_path: Path) -> None:
    """pypdf logs the repair (a wrong startxref) through `logging`, which prints to stderr
    when nothing is configured; pytest configures logging, so this runs the real command."""
    path = tmp_path / "report.pdf"
    path.write_bytes(wrong_startxref())
    command = [sys.executable, "-m", "improveplan", "--db", db_url, "--user", "tester"]
    for args in (("plan", "add", "Peterborough", "--authority", "PCC"),
                 ("inspection", "import-report", str(path))):  # fmt: skip
        done = subprocess.run([*command, *args], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert done.stderr == "Imported inspection 1: 5 judgements, 8 recommendations (R1–R8).\n"
    assert _counts(db_url)["recommendation"] == 8
