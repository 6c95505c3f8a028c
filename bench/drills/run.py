"""Run the fault drills one after another; see docs/reliability.md.

    .venv/bin/python bench/drills/run.py                     # all four
    .venv/bin/python bench/drills/run.py --only redis        # one of them
    .venv/bin/python bench/drills/run.py --only broker -- --buyers 50

Each drill starts private instances of the service it breaks (Redis :16390,
PostgreSQL :15433, RabbitMQ :15673), never the machine's own, and the app's processes
against them; it prints counts before and after, its checks and a verdict, and exits
non-zero when something was lost or duplicated beyond what docs/notifications.md
admits. Arguments after `--` go to the one drill chosen with --only, after its
defaults (the later value wins). Output is shown and kept in
bench/results/<time>-drill-<name>.txt (not tracked); the app's process logs go to
bench/.logs/drills/. Not part of `make test`: they take minutes each.
"""

import argparse
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))  # run as a script: make the bench package importable

from bench.run import run_and_keep  # noqa: E402 - needs the path above


class Drill(NamedTuple):
    name: str
    module: str  # bench.drills.<module>, run with -m
    args: str  # the sizes docs/reliability.md records


DRILLS = [
    Drill("broker", "broker_outage", "--buyers 200 --rate 4 --stop-after 50"),
    Drill("worker", "worker_kill", "--mails 1000 --kill-at 250,500,750"),
    Drill("redis", "redis_outage", "--sockets 1000 --checkouts 20"),
    Drill("postgres", "postgres_restart", "--buyers 300 --rate 10"),
]


def parse(argv: list[str]) -> tuple[list[Drill], list[str]]:
    own, extra = argv, []
    if "--" in argv:
        own, extra = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    names = [d.name for d in DRILLS]
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="%(prog)s [--only NAME]... [-- DRILL ARGS...]",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=names,
        metavar="NAME",
        help=f"run this one (repeatable); one of {', '.join(names)}",
    )
    args = parser.parse_args(own)
    chosen = [d for d in DRILLS if not args.only or d.name in args.only]
    if extra and len(chosen) != 1:
        parser.error("arguments after -- go to one drill: choose it with --only")
    return chosen, extra


def run_one(drill: Drill, extra: list[str], stamp: str) -> tuple[int, float, Path]:
    command = [
        sys.executable,
        "-m",
        f"bench.drills.{drill.module}",
        *shlex.split(drill.args),
        *extra,
    ]
    shown = shlex.join([".venv/bin/python", *command[1:]])
    return run_and_keep(
        command,
        title=f"drill {drill.name}: {shown}",
        output=RESULTS / f"{stamp}-drill-{drill.name}.txt",
    )


def main() -> None:
    chosen, extra = parse(sys.argv[1:])
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    outcomes = []
    try:
        for drill in chosen:
            outcomes.append((drill, *run_one(drill, extra, stamp)))
            print()
    except KeyboardInterrupt:
        print("\ninterrupted: each drill stops its own processes and services")
    print("Drills:")
    for drill, returncode, seconds, output in outcomes:
        verdict = "ok" if returncode == 0 else f"FAILED (exit {returncode})"
        print(
            f"  {drill.name:<10} {verdict:<18} {seconds:5.0f} s  "
            f"{output.relative_to(ROOT)}"
        )
    if len(outcomes) < len(chosen) or any(code for _, code, _, _ in outcomes):
        sys.exit(1)


if __name__ == "__main__":
    main()
