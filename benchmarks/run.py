"""Time whole improveplan commands on synthetic databases; print and record the figures.

Each command runs as a subprocess (what a user or cron sees: interpreter start, imports,
query, rendering), 5 times; we report the median wall time and the peak RSS of the child
(`os.wait4` rusage). The floor `python -c "import sqlmodel"` is measured in the same run.
Commands the program does not have yet are reported as "missing".

    python benchmarks/run.py                          # 10k and 100k on SQLite
    python benchmarks/run.py --scale 10k,100k,region --backend postgres
    python benchmarks/run.py --no-record              # do not touch RESULTS.md

Databases are built once by generate.py and kept in --db-dir (SQLite files) or as
`improveplan_bench_<scale>` databases on the --pg-url server.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

VERSION = "v3"  # bump when generate.py changes the data, so cached databases are rebuilt
# (a new schema revision needs no bump: a cached database is upgraded when taken)
TODAY = generate.AS_OF.isoformat()
RUNS = 5
BUDGET_S = 60.0  # a command slower than this in all stops early (fewer runs, noted)
BIN = Path(sys.executable).parent
IMPROVEPLAN = str(BIN / "improveplan") if (BIN / "improveplan").exists() else "improveplan"
RESULTS = HERE / "RESULTS.md"
REGION_PLAN = "Authority 075"


@dataclass
class Figure:
    scale: str
    name: str
    times: list[float] = field(default_factory=list)
    rss_mib: float = 0.0
    state: str = "ok"  # ok | missing | failed
    detail: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


@dataclass(frozen=True)
class Sample:
    seconds: float
    rss_mib: float
    code: int
    stderr: str


def clean_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPROVEPLAN_")}
    env.update(
        IMPROVEPLAN_TODAY=TODAY,
        IMPROVEPLAN_USER="bench",
        IMPROVEPLAN_CONFIG=str(workdir / "no-config.toml"),
        NO_COLOR="1",
        COLUMNS="120",
    )
    return env


def sample(argv: list[str], env: dict[str, str]) -> Sample:
    """One run of a command: wall time and the child's own peak RSS (ru_maxrss, KiB)."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return Sample(seconds, usage.ru_maxrss / 1024, proc.returncode, text)


def measure(
    scale: str,
    name: str,
    make_argv: Callable[[int], list[str]],
    env: dict[str, str],
    ok_codes: tuple[int, ...] = (0,),
    before: Callable[[int], None] | None = None,
) -> Figure:
    figure = Figure(scale, name)
    for i in range(RUNS):
        if before is not None:
            before(i)
        s = sample(make_argv(i), env)
        if s.code not in ok_codes:
            last = s.stderr.strip().splitlines()[-1:] or [""]
            return Figure(scale, name, state="failed", detail=f"exit {s.code}: {last[0][:90]}")
        figure.times.append(s.seconds)
        figure.rss_mib = max(figure.rss_mib, s.rss_mib)
        if sum(figure.times) > BUDGET_S and i < RUNS - 1:
            figure.detail = f"{len(figure.times)} of {RUNS} runs (time budget)"
            break
    return figure


def has_command(words: list[str], env: dict[str, str]) -> bool:
    result = subprocess.run(
        [IMPROVEPLAN, *words, "--help"], capture_output=True, env=env, check=False
    )
    return result.returncode == 0


# -- databases ---------------------------------------------------------------------------


def _helper(*args: str) -> str:
    """Run generate.py in a child process: this harness never imports SQLAlchemy, so its
    own RSS (which a forked child's ru_maxrss starts from) stays far below any figure."""
    done = subprocess.run(
        [sys.executable, str(HERE / "generate.py"), *args],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def sqlite_db(scale: str, db_dir: Path) -> str:
    """A cached SQLite database for the scale; built under a temporary name, then renamed."""
    path = db_dir / f"bench-{scale}-{VERSION}.db"
    if not path.exists():
        partial = path.with_suffix(".building.db")
        for stale in db_dir.glob(partial.name + "*"):
            stale.unlink()
        print(f"building {path.name} ...", file=sys.stderr)
        _helper("--scale", scale, "--db", str(partial))
        partial.rename(path)
    return _upgraded(str(path))


def postgres_db(scale: str, server: str) -> str:
    """A cached PostgreSQL database for the scale on the server (rebuilt if incomplete)."""
    name = f"improveplan_bench_{scale}_{VERSION}"
    return _upgraded(_helper("--scale", scale, "--pg-server", server, "--pg-name", name))


def _upgraded(url: str) -> str:
    """A cached database brought to this build's schema, as a user would after an
    upgrade (a new index, say): a database behind it is not read the fast way."""
    subprocess.run([IMPROVEPLAN, "--db", url, "db", "upgrade"], check=True, capture_output=True)
    return url


def fresh_db(backend: str, workdir: Path, server: str, tag: str) -> str:
    """An empty database with the schema (for import)."""
    if backend == "sqlite":
        path = workdir / f"fresh-{tag}.db"
        for old in workdir.glob(path.name + "*"):
            old.unlink()
        url = str(path)
    else:
        url = _helper("--pg-server", server, "--pg-name", f"improveplan_bench_fresh_{tag}")
    subprocess.run([IMPROVEPLAN, "--db", url, "init"], check=True, capture_output=True)
    subprocess.run(
        [IMPROVEPLAN, "--db", url, "plan", "add", "Peterborough", "--authority", "Peterborough"],
        check=True,
        capture_output=True,
    )
    return url


# -- the benchmark -----------------------------------------------------------------------


Case = tuple[str, list[str], Callable[[int], list[str]], tuple[int, ...]]


def scale_cases(scale: str, url: str, workdir: Path) -> list[Case]:
    """(name, the command's words, argv of run i, exit codes that count as success)."""
    base = [IMPROVEPLAN, "--db", url]
    if scale == "region":
        base += ["--plan", REGION_PLAN]
    out = workdir / Path(url).name.replace("/", "_")  # outputs apart per database
    return [
        ("overdue", ["overdue"], lambda i: [*base, "overdue"], (0, 3)),
        (
            "overdue --format csv",
            ["overdue"],
            lambda i: [*base, "overdue", "--format", "csv"],
            (0,),
        ),
        ("status", ["status"], lambda i: [*base, "status"], (0,)),
        (
            "action list --owner",
            ["action", "list"],
            lambda i: [*base, "action", "list", "--owner", generate.FIRST_OWNER],
            (0,),
        ),
        (
            "action update (write)",
            ["action", "update"],
            lambda i: [
                *base,
                "action",
                "update",
                "1",
                "--status",
                ("blocked", "in-progress")[i % 2],
                "--note",
                f"benchmark run {i}",
            ],
            (0,),
        ),
        (
            "report --format html",
            ["report"],
            lambda i: [*base, "report", "--format", "html", "-o", f"{out}-report.html"],
            (0,),
        ),
        (
            "export --format json",
            ["export"],
            lambda i: [*base, "export", "--format", "json", "-o", f"{out}-export.json"],
            (0,),
        ),
        (
            "export --format xlsx",
            ["export"],
            lambda i: [*base, "export", "--format", "xlsx", "-o", f"{out}-export.xlsx"],
            (0,),
        ),
    ]


def scale_figures(urls: dict[str, str], workdir: Path, env: dict[str, str]) -> list[Figure]:
    """Each command on every scale, the scales alternated run by run (10k, 100k, 10k, …)
    so that a change in the machine's speed hits them alike: the capped views are judged
    by 100k ÷ 10k."""
    made = {scale: scale_cases(scale, url, workdir) for scale, url in urls.items()}
    found: dict[str, list[Figure]] = {scale: [] for scale in urls}
    first = next(iter(made.values()))
    for n, (name, words, _, _) in enumerate(first):
        if not has_command(words, env):
            for scale in urls:
                found[scale].append(
                    Figure(scale, name, state="missing", detail="not in this build")
                )
            continue
        print(f"  {', '.join(urls)}: {name}", file=sys.stderr)
        figures = [Figure(scale, name) for scale in urls]
        for i in range(RUNS):
            for figure, cases in zip(figures, made.values(), strict=True):
                _, _, make, ok = cases[n]
                if figure.state == "ok" and not (i and sum(figure.times) > BUDGET_S):
                    _sample_into(figure, make(i), env, ok)
        for figure in figures:
            if figure.state == "ok" and len(figure.times) < RUNS:
                figure.detail = f"{len(figure.times)} of {RUNS} runs (time budget)"
            found[figure.scale].append(figure)
    return [figure for scale in urls for figure in found[scale]]


def _sample_into(figure: Figure, argv: list[str], env: dict[str, str], ok: tuple[int, ...]) -> None:
    s = sample(argv, env)
    if s.code not in ok:
        last = s.stderr.strip().splitlines()[-1:] or [""]
        figure.state, figure.detail = "failed", f"exit {s.code}: {last[0][:90]}"
        return
    figure.times.append(s.seconds)
    figure.rss_mib = max(figure.rss_mib, s.rss_mib)


def import_figure(
    backend: str, source_url: str, workdir: Path, server: str, env: dict[str, str]
) -> Figure:
    """Import 10k actions (exported as CSV from the 10k database) into fresh databases."""
    name = "import 10k rows (csv)"
    if not (has_command(["import"], env) and has_command(["export"], env)):
        return Figure("10k", name, state="missing", detail="not in this build")
    csv_path = workdir / "import-10k.csv"
    exported = subprocess.run(
        [IMPROVEPLAN, "--db", source_url, "export", "--format", "csv", "-o", str(csv_path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if exported.returncode != 0:
        return Figure("10k", name, state="failed", detail=f"export: {exported.stderr.strip()}")
    targets = [fresh_db(backend, workdir, server, f"import{i}") for i in range(RUNS)]
    print("  10k: import", file=sys.stderr)
    return measure(
        "10k",
        name,
        lambda i: [IMPROVEPLAN, "--db", targets[i], "import", str(csv_path), "--format", "csv"],
        env,
    )


def run(
    scales: list[str], backend: str, db_dir: Path, server: str, taskwarrior: str = "auto"
) -> tuple[list[Figure], list[Pair]]:
    """Every figure, and the side-by-side pairs with Taskwarrior where `task` is present
    (`taskwarrior`: auto, only — the floor and the pairs alone — or off)."""
    workdir = Path(tempfile.mkdtemp(prefix="improveplan-bench-"))
    env = clean_env(workdir)
    floor = measure(
        "-",
        'floor: python -c "import sqlmodel"',
        lambda i: [sys.executable, "-c", "import sqlmodel"],
        env,
    )
    figures = [floor, measure("-", "improveplan --help", lambda i: [IMPROVEPLAN, "--help"], env)]
    pairs: list[Pair] = []
    urls = {}
    for scale in scales:
        urls[scale] = (
            sqlite_db(scale, db_dir) if backend == "sqlite" else postgres_db(scale, server)
        )
    if taskwarrior != "only":
        figures += scale_figures(urls, workdir, env)
    for scale in scales:
        if taskwarrior != "off" and scale != "region":
            pairs += side_by_side(scale, urls[scale], db_dir, env)
    if "10k" in urls and taskwarrior != "only":
        figures.append(import_figure(backend, urls["10k"], workdir, server, env))
    shutil.rmtree(workdir, ignore_errors=True)
    return figures, pairs


# -- Taskwarrior side by side --------------------------------------------------------------

TASK = shutil.which("task")
# (our command, Taskwarrior's report): timed A B A B in the same run.
SIDE_BY_SIDE: list[tuple[str, list[str], str]] = [
    ("overdue --format json", ["overdue", "--format", "json"], "overdue"),
    ("overdue --format csv", ["overdue", "--format", "csv"], "overdue"),
    ("action list --format csv", ["action", "list", "--format", "csv"], "list"),
]
_TW_STATUS = {"complete": "completed", "signed_off": "completed", "cancelled": "deleted"}


@dataclass
class Pair:
    scale: str
    ours: Figure
    theirs: Figure


def task_version() -> str:
    if TASK is None:
        return ""
    done = subprocess.run([TASK, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def taskwarrior_tasks(actions: list[dict[str, object]], shift: dt.timedelta) -> list[str]:
    """Our actions as Taskwarrior import lines: the same titles, owners, themes and due
    dates, moved by `shift` so that Taskwarrior's "now" stands where our benchmark date
    does (Taskwarrior has no fixed clock). Due at the end of the day, as ours: an action
    due today is not yet overdue."""
    import json
    import uuid

    def stamp(moment: dt.datetime) -> str:
        return moment.strftime("%Y%m%dT%H%M%SZ")

    lines = []
    for a in actions:
        due = dt.datetime.fromisoformat(str(a["due"])) + shift + dt.timedelta(hours=23, minutes=59)
        updated = dt.datetime.fromisoformat(str(a["updated_at"])).replace(tzinfo=None) + shift
        entry = min(updated, due)
        status = _TW_STATUS.get(str(a["status"]), "pending")
        task: dict[str, object] = {
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"improveplan:{a['ref']}")),
            "description": a["title"],
            "status": status,
            "entry": stamp(entry),
            "due": stamp(due),
            "project": str(a["theme"] or "").replace(" ", "_"),
            "owner": a["owner"] or "",
        }
        if status == "pending":
            task["tags"] = [a["status"]]
        else:
            task["end"] = stamp(entry + dt.timedelta(days=1))
        lines.append(json.dumps(task))
    return lines


def taskwarrior_env(data: Path, env: dict[str, str]) -> dict[str, str]:
    """Taskwarrior reading only `data` (its own taskrc there: rc.* overrides, no questions)."""
    return {**env, "TASKRC": str(data / "taskrc"), "TASKDATA": str(data)}


def taskwarrior_db(scale: str, url: str, db_dir: Path, env: dict[str, str]) -> Path:
    """The scale's actions imported into a Taskwarrior data folder (cached per day, since
    the dates are moved to today)."""
    today = dt.date.today()
    data = db_dir / f"task-{scale}-{VERSION}-{today.isoformat()}"
    if (data / "done").exists():
        return data
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    (data / "taskrc").write_text(
        "\n".join(
            [
                f"data.location={data}",
                "confirmation=off",
                "verbose=blank,footnote,label,new-id,affected,edit,special,project,sync",
                "uda.owner.type=string",
                "uda.owner.label=Owner",
                "news.version=2.6.0",
                "color=off",
                "defaultwidth=120",
                "",
            ]
        ),
        encoding="utf-8",
    )
    print(f"building Taskwarrior data for {scale} ...", file=sys.stderr)
    # Built in a process of its own: the harness must stay small, since a child's peak
    # RSS (ru_maxrss) starts from its parent's, and 100k actions as JSON are ~200 MiB.
    import multiprocessing

    builder = multiprocessing.get_context("spawn").Process(
        target=_build_tasks, args=(url, data, today, env)
    )
    builder.start()
    builder.join()
    if builder.exitcode != 0:
        raise SystemExit(f"building Taskwarrior data for {scale} failed")
    (data / "done").write_text(today.isoformat(), encoding="utf-8")
    return data


def _build_tasks(url: str, data: Path, today: dt.date, env: dict[str, str]) -> None:
    import json

    exported = subprocess.run(
        [IMPROVEPLAN, "--db", url, "action", "list", "--all", "--format", "json"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    shift = dt.timedelta(days=(today - generate.AS_OF).days)
    lines = taskwarrior_tasks(json.loads(exported.stdout), shift)
    source = data / "import.json"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    subprocess.run(
        [TASK, "rc.hooks=off", "import", str(source)],  # type: ignore[list-item]
        env=taskwarrior_env(data, env), capture_output=True, check=True,
    )  # fmt: skip
    source.unlink()


def side_by_side(scale: str, url: str, db_dir: Path, env: dict[str, str]) -> list[Pair]:
    """Ours and Taskwarrior's, alternated run by run (A B A B) so load hits both alike."""
    if TASK is None:
        return []
    data = taskwarrior_db(scale, url, db_dir, env)
    task_env = taskwarrior_env(data, env)
    pairs = []
    for name, words, report in SIDE_BY_SIDE:
        ours, theirs = Figure(scale, name), Figure(scale, f"task {report}")
        argv_ours = [IMPROVEPLAN, "--db", url, *words]
        argv_theirs = [TASK, "rc.gc=off", report]
        print(f"  {scale}: {name} | task {report}", file=sys.stderr)
        for _ in range(RUNS):
            for figure, argv, run_env in ((ours, argv_ours, env), (theirs, argv_theirs, task_env)):
                if figure.state == "ok":
                    _sample_into(figure, argv, run_env, (0,))
        pairs.append(Pair(scale, ours, theirs))
    return pairs


def pair_table(pairs: list[Pair]) -> str:
    lines = [
        "| scale | ours | median s | peak MiB | Taskwarrior | median s | peak MiB "
        "| task ÷ ours | target (100k) |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for p in pairs:
        o, t = p.ours, p.theirs
        if o.state != "ok" or t.state != "ok":
            detail = "; ".join(d for d in (o.detail, t.detail) if d)
            lines.append(f"| {p.scale} | {o.name} | {o.state} | | {t.name} | {t.state} | | | "
                         f"{detail} |")  # fmt: skip
            continue
        ratio = t.median / o.median
        verdict = ""
        if p.scale == "100k":
            checks = [(ratio >= 3.0, "≥ 3× faster"), (o.rss_mib <= 120, "≤ 120 MiB")]
            missed = [text for ok, text in checks if not ok]
            verdict = ("MISSED " + "; ".join(missed)) if missed else "met ≥ 3×, ≤ 120 MiB"
        lines.append(
            f"| {p.scale} | {o.name} | {o.median:.3f} | {o.rss_mib:.0f} | {t.name} | "
            f"{t.median:.3f} | {t.rss_mib:.0f} | ×{ratio:.2f} | {verdict} |"
        )
    return "\n".join(lines)


# -- PostgreSQL beside SQLite ------------------------------------------------------------

# Every command with a target at 100k, timed on both databases A B A B in one run.
BESIDE = (
    "overdue", "overdue --format csv", "status", "action list --owner",
    "action update (write)", "export --format json", "export --format xlsx",
)  # fmt: skip


@dataclass
class Beside:
    scale: str
    sqlite: Figure
    postgres: Figure


def _command(url: str, words: list[str]) -> Callable[[int], list[str]]:
    return lambda i: [IMPROVEPLAN, "--db", url, *words]


def backends_side_by_side(
    scale: str, urls: tuple[str, str], workdir: Path, env: dict[str, str]
) -> list[Beside]:
    """The same commands on the SQLite and the PostgreSQL database, alternated run by run
    so that load hits both alike: the targets ask PostgreSQL for SQLite's figures ×1.3."""
    made: list[dict[str, tuple[Callable[[int], list[str]], tuple[int, ...]]]] = []
    for url in urls:
        cases = {name: (make, ok) for name, _, make, ok in scale_cases(scale, url, workdir)}
        for name, words, _ in SIDE_BY_SIDE:
            cases[name] = (_command(url, words), (0,))
        made.append(cases)
    found = []
    for name in (*[n for n, _, _ in SIDE_BY_SIDE if n not in BESIDE], *BESIDE):
        figures = (Figure(scale, name), Figure(scale, name))
        print(f"  {scale}: {name} | SQLite, PostgreSQL", file=sys.stderr)
        for i in range(RUNS):
            for figure, cases in zip(figures, made, strict=True):
                make, ok = cases[name]
                if figure.state == "ok":
                    _sample_into(figure, make(i), env, ok)
            if sum(figures[0].times) + sum(figures[1].times) > 2 * BUDGET_S:
                break
        found.append(Beside(scale, *figures))
    return found


def beside_table(rows: list[Beside]) -> str:
    lines = [
        "| scale | command | SQLite s | peak MiB | PostgreSQL s | peak MiB | PG ÷ SQLite "
        "| target (100k) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for b in rows:
        lite, pg = b.sqlite, b.postgres
        if lite.state != "ok" or pg.state != "ok":
            detail = "; ".join(d for d in (lite.detail, pg.detail) if d)
            lines.append(f"| {b.scale} | {lite.name} | {lite.state} | | {pg.state} | | | "
                         f"{detail} |")  # fmt: skip
            continue
        ratio = pg.median / lite.median
        verdict = ""
        if b.scale == "100k":
            verdict = "met ≤ 1.3×" if ratio <= 1.3 else "MISSED ≤ 1.3×"
        runs = f" ({len(lite.times)} runs)" if len(lite.times) < RUNS else ""
        lines.append(
            f"| {b.scale} | {lite.name}{runs} | {lite.median:.3f} | {lite.rss_mib:.0f} | "
            f"{pg.median:.3f} | {pg.rss_mib:.0f} | ×{ratio:.2f} | {verdict} |"
        )
    return "\n".join(lines)


# -- targets and reporting -----------------------------------------------------------------

BOUNDED = ("overdue", "status", "action update (write)")
RATIO_ONLY = ("action list --owner",)  # one owner's rows: ~2,000 at 100k, ~200 at 10k
EXPORTS = {"export --format json": (5.0, 150), "export --format xlsx": (20.0, 200)}


# The floor (`python -c "import sqlmodel"`) of the 2026-11-23 run, when the targets in
# seconds were set and met. The same machine has since measured floors from 0.31 s to
# 0.95 s, idle, its speed moving through the day; a target in seconds is judged against
# target × f, f = this run's floor ÷ REFERENCE_FLOOR when that is over 1. Ratios (100k ÷
# 10k, Taskwarrior ÷ ours, PostgreSQL ÷ SQLite) are timed in one run and never scaled.
REFERENCE_FLOOR = 0.310


def speed_factor(figures: list[Figure]) -> float:
    floor = next((f for f in figures if f.name.startswith("floor") and f.state == "ok"), None)
    return 1.0 if floor is None else max(1.0, floor.median / REFERENCE_FLOOR)


def verdicts(figures: list[Figure]) -> dict[tuple[str, str], str]:
    """(scale, name) -> 'met: ...' / 'MISSED: ...' for every figure with a target."""
    by = {(f.scale, f.name): f for f in figures if f.state == "ok"}
    out: dict[tuple[str, str], str] = {}
    f = speed_factor(figures)

    def within(seconds: float, target: float) -> tuple[bool, str]:
        if f == 1.0:
            return seconds <= target, f"≤ {target:g} s"
        return seconds <= target * f, f"≤ {target:g} s·f ({target * f:.2f} s)"

    def judge(key: tuple[str, str], checks: list[tuple[bool, str]]) -> None:
        missed = [text for ok, text in checks if not ok]
        out[key] = (
            ("MISSED " + "; ".join(missed)) if missed else "met " + ", ".join(t for _, t in checks)
        )

    if (h := by.get(("-", "improveplan --help"))) is not None:
        judge(("-", h.name), [within(h.median, 0.15)])
    for name in BOUNDED:
        big, small = by.get(("100k", name)), by.get(("10k", name))
        if big is None:
            continue
        checks = [within(big.median, 0.6), (big.rss_mib <= 120, "≤ 120 MiB")]
        if small is not None:
            ratio = big.median / small.median
            checks.append((ratio <= 1.5, f"≤ 1.5× 10k (×{ratio:.2f})"))
        judge(("100k", name), checks)
    for name in RATIO_ONLY:
        big, small = by.get(("100k", name)), by.get(("10k", name))
        if big is not None and small is not None:
            ratio = big.median / small.median
            judge(("100k", name), [(ratio <= 1.5, f"≤ 1.5× 10k (×{ratio:.2f})")])
    for name, (seconds, mib) in EXPORTS.items():
        if (e := by.get(("100k", name))) is not None:
            judge(("100k", name), [within(e.median, seconds), (e.rss_mib <= mib, f"≤ {mib} MiB")])
    if (r := by.get(("100k", "report --format html"))) is not None:
        judge(("100k", r.name), [within(r.median, 3.0)])
    if (i := by.get(("10k", "import 10k rows (csv)"))) is not None:
        judge(("10k", i.name), [within(i.median, 10.0)])
    return out


def factor_note(figures: list[Figure]) -> str:
    f = speed_factor(figures)
    if f == 1.0:
        return f"Floor at or under the reference {REFERENCE_FLOOR:.3f} s: targets unscaled."
    return (
        f"f = {f:.2f}: this run's floor ÷ {REFERENCE_FLOOR:.3f} s, the floor when the targets "
        "in seconds were set (2026-11-23); each is judged against target × f."
    )


def table(figures: list[Figure]) -> str:
    judged = verdicts(figures)
    lines = [
        "| scale | command | median s | min–max s | peak MiB | target |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for f in figures:
        if f.state != "ok":
            lines.append(f"| {f.scale} | {f.name} | {f.state} | | | {f.detail} |")
            continue
        span = f"{min(f.times):.3f}–{max(f.times):.3f}"
        verdict = judged.get((f.scale, f.name), "")
        verdict = "; ".join(v for v in (verdict, f.detail) if v)
        lines.append(
            f"| {f.scale} | {f.name} | {f.median:.3f} | {span} | {f.rss_mib:.0f} | {verdict} |"
        )
    return "\n".join(lines)


def machine() -> str:
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def _replace_section(body: str, key: str, section: list[str]) -> str:
    start, end = f"<!-- {key}:start -->", f"<!-- {key}:end -->"
    text = "\n".join([start, *section, end])
    if start in body and end in body:
        head, rest = body.split(start, 1)
        return head + text + rest.split(end, 1)[1]
    return body.rstrip("\n") + "\n\n" + text + "\n"


def record(
    figures: list[Figure], backend: str, scales: list[str], pairs: list[Pair], *, main: bool
) -> None:
    """Replace this backend's sections of RESULTS.md; keep everything else as written."""
    label = "SQLite" if backend == "sqlite" else "PostgreSQL"
    when = f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    body = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if main:
        body = _replace_section(
            body,
            backend,
            [
                f"### {label} — {when}",
                "",
                f"Machine: {machine()}. Scales: {', '.join(scales)}, alternated run by run. "
                f"Median of {RUNS} runs; peak RSS of the command's process. "
                f"{factor_note(figures)}",
                "",
                table(figures),
            ],
        )
    if pairs:
        floor = next(f for f in figures if f.name.startswith("floor"))
        body = _replace_section(
            body,
            f"taskwarrior-{backend}",
            [
                f"### Side by side with Taskwarrior, {label} — {when}",
                "",
                f"Machine: {machine()}. {task_version() and 'Taskwarrior ' + task_version()}; "
                f"the same actions imported into a fresh TASKDATA (dates moved so that "
                f"Taskwarrior's now is our {TODAY}). Each pair ran A B A B, {RUNS} times; "
                f'median wall time, peak RSS. Floor `python -c "import sqlmodel"` '
                f"{floor.median:.3f} s, {floor.rss_mib:.0f} MiB in the same run.",
                "",
                pair_table(pairs),
            ],
        )
    RESULTS.write_text(body, encoding="utf-8")


def run_beside(scales: list[str], db_dir: Path, server: str, *, record_it: bool) -> None:
    """`--backend both`: the floor, then each scale's commands on both databases."""
    workdir = Path(tempfile.mkdtemp(prefix="improveplan-bench-"))
    env = clean_env(workdir)
    floor = measure("-", "floor", lambda i: [sys.executable, "-c", "import sqlmodel"], env)
    rows = []
    for scale in (s for s in scales if s != "region"):
        urls = (sqlite_db(scale, db_dir), postgres_db(scale, server))
        rows += backends_side_by_side(scale, urls, workdir, env)
    shutil.rmtree(workdir, ignore_errors=True)
    text = beside_table(rows)
    print(text)
    if not record_it:
        return
    when = f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    body = RESULTS.read_text(encoding="utf-8")
    section = [
        f"### PostgreSQL beside SQLite — {when}",
        "",
        f"Machine: {machine()}. Each command ran on the SQLite and the PostgreSQL database "
        f"alternately, {RUNS} times (fewer where a pair passed {2 * BUDGET_S:g} s); median "
        f'wall time, peak RSS. Floor `python -c "import sqlmodel"` {floor.median:.3f} s '
        "in the same run.",
        "",
        text,
    ]
    RESULTS.write_text(_replace_section(body, "postgres-beside-sqlite", section), "utf-8")
    print(f"\nrecorded in {RESULTS}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    global RUNS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="10k,100k", help="comma list of 10k,100k,region")
    parser.add_argument(
        "--db-dir", type=Path, default=Path(tempfile.gettempdir()) / "improveplan-bench"
    )
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgres", "both"),
        default="sqlite",
        help="both: every command with a target on SQLite and PostgreSQL, A B A B",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "IMPROVEPLAN_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="PostgreSQL server URL whose user may create databases",
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-record", action="store_true", help="do not update RESULTS.md")
    parser.add_argument(
        "--taskwarrior",
        choices=("auto", "only", "off"),
        default="auto",
        help="time Taskwarrior beside us where `task` is installed (only: nothing else)",
    )
    args = parser.parse_args(argv)
    scales = [s.strip() for s in args.scale.split(",") if s.strip()]
    unknown = set(scales) - set(generate.SCALES)
    if unknown:
        parser.error(f"unknown scale(s): {', '.join(sorted(unknown))}")
    RUNS = args.runs
    args.db_dir.mkdir(parents=True, exist_ok=True)
    if args.backend == "both":
        run_beside(scales, args.db_dir, args.pg_url, record_it=not args.no_record)
        return
    figures, pairs = run(scales, args.backend, args.db_dir, args.pg_url, args.taskwarrior)
    print(table(figures))
    if pairs:
        print("\n" + pair_table(pairs))
    elif args.taskwarrior != "off" and TASK is None:
        print("\nTaskwarrior (`task`) is not installed: no side-by-side figures.", file=sys.stderr)
    if not args.no_record:
        record(figures, args.backend, scales, pairs, main=args.taskwarrior != "only")
        print(f"\nrecorded in {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
