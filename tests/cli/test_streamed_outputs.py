"""The full outputs (overdue, action list, export) give the same bytes as before they streamed.

`overdue --format json|csv`, `action list` and `export --format json|csv|xlsx` write their
rows as the cursor yields them (issue 14). The stored digests were taken from the code
before that change, on two plans of generated actions (benchmarks/generate.py, seeded:
every timestamp is fixed, so the bytes are exact) and on the demo plan (whose timestamps
are the build's clock, masked as tests/cli/test_output_shapes.py masks them). A workbook
is compared by the XML of its parts, leaving out docProps/core.xml (the time it was
written).

To accept a deliberate change of output, rebuild the digests with
`REWRITE_STREAMED_OUTPUTS=1 pytest tests/cli/test_streamed_outputs.py` (on SQLite and
PostgreSQL: both must agree) and review what changed; `STREAMED_OUTPUTS_DUMP=DIR` writes
the outputs themselves there, to diff two versions of the code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
import zipfile
from pathlib import Path
from types import ModuleType

from click.testing import CliRunner

from tests.conftest import Invoke, make_invoker

ROOT = Path(__file__).resolve().parents[2]
STORED = ROOT / "tests" / "fixtures" / "streamed-outputs.json"
TODAY = {"IMPROVEPLAN_TODAY": "2025-06-01", "COLUMNS": "120", "NO_COLOR": "1"}
DEMO_TODAY = {**TODAY, "IMPROVEPLAN_TODAY": "2025-03-31"}
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00|Z)?")
XLSX_STAMP = re.compile(r"<dcterms:(created|modified)[^<]*</dcterms:\1>")
# A timestamp in a sheet is an Excel serial day with a fraction (2009-2036).
SERIAL_TIME = re.compile(r"<v>4\d{4}\.\d+</v>")

# Run on the generated database (two plans); the second plan is chosen with --plan.
GENERATED: tuple[tuple[str, ...], ...] = (
    ("overdue", "--format", "json"),
    ("overdue", "--format", "csv"),
    ("overdue", "--format", "json", "--owner", "Priya Natarajan"),
    ("overdue", "--format", "csv", "--within", "60", "--as-of", "2025-09-01"),
    ("overdue",),
    ("action", "list", "--format", "json"),
    ("action", "list", "--format", "csv"),
    ("action", "list", "--format", "csv", "--all"),
    ("action", "list", "--format", "json", "--overdue", "--owner", "Tom Okafor"),
    ("action", "list", "--format", "csv", "--status", "blocked", "--status", "cancelled"),
    ("action", "list", "--format", "json", "--rag", "amber", "--theme", "Children in care"),
    ("action", "list", "--format", "csv", "--rec", "R3"),
    ("action", "list", "--owner", "Priya Natarajan"),
    ("export", "--format", "json"),
    ("export", "--format", "csv"),
    ("export", "--format", "xlsx"),
    ("--plan", "Authority 002", "overdue", "--format", "json"),
    ("--plan", "Authority 002", "action", "list", "--format", "csv"),
    ("--plan", "Authority 002", "export", "--format", "json"),
    ("--plan", "Authority 002", "export", "--format", "xlsx"),
)
DEMO: tuple[tuple[str, ...], ...] = (
    ("overdue", "--format", "json"),
    ("overdue", "--format", "csv"),
    ("overdue",),
    ("action", "list", "--format", "json", "--all"),
    ("action", "list", "--format", "csv", "--all"),
    ("action", "list", "--all"),
    ("export", "--format", "json"),
    ("export", "--format", "csv"),
    ("export", "--format", "xlsx"),
)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_generate", ROOT / "benchmarks" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def generate(url: str, *, plans: int, actions: int, events_per_action: int = 5) -> None:
    """Fill the migrated, empty database at `url` with seeded actions, notes and events."""
    from improveplan.store.engine import make_engine, to_url

    gen = _generator()
    engine = make_engine(to_url(url))
    try:
        scale = gen.Scale(
            plans=plans, actions_per_plan=actions, audit_events=plans * actions * events_per_action
        )
        gen.generate(engine, scale, quiet=True)
    finally:
        engine.dispose()


def _workbook_text(path: Path) -> str:
    """A workbook's parts, in order, without the time it was written."""
    with zipfile.ZipFile(path) as book:
        parts = []
        for name in sorted(book.namelist()):
            text = book.read(name).decode("utf-8")
            parts.append(f"--- {name}\n{XLSX_STAMP.sub('', text)}")
    return "\n".join(parts)


def output(run: Invoke, args: tuple[str, ...], env: dict[str, str], tmp: Path) -> str:
    """What the command printed (or, for xlsx, the workbook's text)."""
    if "xlsx" in args:
        path = tmp / f"export-{abs(hash(args))}.xlsx"
        done = run(*args, "-o", str(path), env=env)
        assert done.exit_code == 0, (args, done.output)
        return _workbook_text(path)
    done = run(*args, env=env)
    assert done.exit_code in (0, 3), (args, done.output)
    assert done.stdout, args
    return done.stdout


def digest(text: str, name: str = "") -> dict[str, object]:
    """The text's SHA-256 and length; with STREAMED_OUTPUTS_DUMP=DIR the text is also
    written there, to diff against when a digest differs."""
    data = text.encode("utf-8")
    if dump := os.environ.get("STREAMED_OUTPUTS_DUMP"):
        (Path(dump) / re.sub(r"[^\w.-]+", "_", name)).write_bytes(data)
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def compare(found: dict[str, dict[str, object]], section: str) -> None:
    stored: dict[str, dict[str, dict[str, object]]] = (
        json.loads(STORED.read_text("utf-8")) if STORED.exists() else {}
    )
    if os.environ.get("REWRITE_STREAMED_OUTPUTS") == "1":
        stored[section] = found
        STORED.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n", "utf-8")
    assert sorted(found) == sorted(stored[section])
    for command, value in found.items():
        assert value == stored[section][command], command


def test_generated_plans_give_the_same_bytes(db_url: str, tmp_path: Path) -> None:
    generate(db_url, plans=2, actions=1500)
    run = make_invoker(db_url)
    found = {}
    for args in GENERATED:
        chosen = args if args[0] == "--plan" else ("--plan", "Authority 001", *args)
        found[" ".join(args)] = digest(output(run, chosen, TODAY, tmp_path), " ".join(args))
    compare(found, "generated")


def _masked(text: str) -> str:
    return SERIAL_TIME.sub("<v>serial</v>", TIMESTAMP.sub("<timestamp>", text))


def test_the_demo_gives_the_same_bytes(tmp_path: Path) -> None:
    from improveplan.cli.main import cli

    path = tmp_path / "demo.db"
    built = CliRunner().invoke(cli, ["demo", "--db", str(path)], env=DEMO_TODAY)
    assert built.exit_code == 0, built.output
    run = make_invoker(str(path))
    found = {
        " ".join(a): digest(_masked(output(run, a, DEMO_TODAY, tmp_path)), "demo " + " ".join(a))
        for a in DEMO
    }
    compare(found, "demo")
