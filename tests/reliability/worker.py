"""A manager's session as one process: several improveplan commands in a row.

Run as `python -m tests.reliability.worker URL USER JSON-LIST-OF-ARGV`; prints one JSON
line per command: {"args", "code", "stderr"}. Each command is a full CLI invocation (its
own App, engine and transaction), so several workers interleave real transactions while
paying for the interpreter start once.
"""

from __future__ import annotations

import json
import sys

from click.testing import CliRunner

from improveplan.cli.main import cli


def main() -> None:
    url, user, commands = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    runner = CliRunner()
    for args in commands:
        result = runner.invoke(cli, ["--db", url, "--user", user, *args], prog_name="improveplan")
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        print(
            json.dumps(
                {
                    "args": args,
                    "code": result.exit_code,
                    "stderr": result.stderr
                    + (f"Traceback: {result.exception!r}" if crashed else ""),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
