"""Every machine-readable output of the demo plan, byte for byte, against a stored copy.

The typed core (docs/design.md §6) moved every service from dicts to typed results; this
test holds the JSON, CSV and Markdown a user's scripts read to what they were before the
move, key order included. Wall-clock timestamps (when the demo was built) are masked.

To accept a deliberate change of shape, rebuild the stored copy with
`REWRITE_OUTPUT_SHAPES=1 pytest tests/cli/test_output_shapes.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import make_invoker

STORED = Path(__file__).resolve().parents[1] / "fixtures" / "output-shapes.json"
AS_OF = "--as-of=2025-03-31"
# Commands without --as-of (milestone list) read "today": pinned, never the wall clock.
TODAY = {"IMPROVEPLAN_TODAY": "2025-03-31"}
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00|Z)?")

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("plan", "list", "--format", "json"),
    ("plan", "show", "--format", "json"),
    ("person", "list", "--format", "json"),
    ("person", "list", "--format", "csv"),
    ("theme", "list", "--format", "json", AS_OF),
    ("rec", "list", "--format", "json"),
    ("rec", "list", "--format", "csv"),
    ("rec", "show", "R1", "--format", "json", AS_OF),
    ("rec", "show", "R1", "--format", "csv", AS_OF),
    ("inspection", "list", "--format", "json"),
    ("inspection", "show", "1", "--format", "json"),
    ("inspection", "show", "1", "--format", "csv"),
    ("action", "list", "--format", "json", AS_OF),
    ("action", "list", "--format", "csv", AS_OF),
    ("action", "list", "--format", "json", AS_OF, "--overdue"),
    ("action", "show", "3", "--format", "json", AS_OF),
    ("action", "history", "3", "--format", "json"),
    ("action", "history", "3", "--format", "csv"),
    ("overdue", "--format", "json", AS_OF),
    ("overdue", "--format", "csv", AS_OF),
    ("status", "--format", "json", AS_OF),
    ("status", "--format", "json", AS_OF, "--by", "owner"),
    ("status", "--format", "json", AS_OF, "--by", "recommendation", "--since", "2024-01-01"),
    ("status", "--format", "csv", AS_OF),
    ("timeline", "--format", "json", AS_OF),
    ("timeline", "--format", "csv", AS_OF),
    ("milestone", "list", "--format", "json"),
    ("notice", "show", "--format", "json"),
    ("notice", "show", "--format", "csv"),
    ("measure", "list", "--format", "json"),
    ("export", "--format", "json"),
    ("export", "--format", "csv"),
    ("export", "--format", "ics"),
    ("report", "--format", "md", AS_OF),
    ("check", "--format", "json", AS_OF),
    ("check", "--format", "csv", AS_OF),
    ("notify", "--dry-run", "--format", "json", AS_OF),
    ("notify", "--dry-run", "--format", "csv", AS_OF),
)


def _mask(text: str) -> str:
    text = TIMESTAMP.sub("<timestamp>", text)
    # ICS stamps and UIDs carry the build time in their own compact forms.
    return re.sub(r"\d{8}T\d{6}Z", "<timestamp>", text)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from improveplan.cli.main import cli

    path = tmp_path_factory.mktemp("shapes") / "demo.db"
    built = CliRunner().invoke(cli, ["demo", "--db", str(path)], env={"NO_COLOR": "1", **TODAY})
    assert built.exit_code == 0, built.output
    run = make_invoker(str(path))
    result: dict[str, str] = {}
    for args in COMMANDS:
        done = run(*args, env={"COLUMNS": "120", "NO_COLOR": "1", **TODAY})
        assert done.exit_code in (0, 3), (args, done.output)
        result[" ".join(args)] = _mask(done.stdout)
    return result


def test_outputs_match_the_stored_copy(outputs: dict[str, str]) -> None:
    if os.environ.get("REWRITE_OUTPUT_SHAPES") == "1":
        STORED.write_text(json.dumps(outputs, indent=1, ensure_ascii=False) + "\n", "utf-8")
    stored = json.loads(STORED.read_text("utf-8"))
    assert sorted(outputs) == sorted(stored)
    for command, text in outputs.items():
        assert text == stored[command], command
