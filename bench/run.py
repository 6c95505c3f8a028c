"""Run the load benchmarks one after another (`make bench`); see docs/performance.md.

    .venv/bin/python bench/run.py                      # all, at the documented sizes
    .venv/bin/python bench/run.py --only checkout      # one of them
    .venv/bin/python bench/run.py --only checkout -- --buyers 40 --servers 1
    make bench BENCH_ARGS="--only websocket -- --sockets 50 --staff 5"

Arguments after `--` go to the one benchmark chosen with --only, after its defaults
(so they override them). Each benchmark's output is shown and kept in
bench/results/<time>-<name>.txt (not tracked); to add a benchmark, add a line to
BENCHMARKS.
"""

import argparse
import os
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"


class Benchmark(NamedTuple):
    name: str
    script: str  # a file in bench/, run as a script
    args: str  # the sizes the figures in docs/performance.md were taken at
    section: str  # where docs/performance.md records its figures


BENCHMARKS = [
    Benchmark(
        "catalog",
        "catalog.py",
        "--products 10000 --requests 3000 --concurrency 50 --workers 4",
        "## Catalog",
    ),
    Benchmark(
        "catalog-100k",
        "catalog.py",
        "--products 100000 --requests 3000 --concurrency 50 --workers 4 --no-peer",
        "## Catalog",
    ),
    Benchmark(
        "search",
        "search.py",
        "--products 10000 --requests 1000 --concurrency 2 --workers 1",
        "## Search",
    ),
    Benchmark(
        "search-100k",
        "search.py",
        "--products 100000 --requests 1000 --concurrency 2 --workers 1",
        "## Search",
    ),
    Benchmark(
        "checkout",
        "checkout.py",
        "--buyers 200 --hot-stock 100 --concurrency 50 --workers 4",
        "## Checkout",
    ),
    Benchmark(
        "websocket",
        "websocket.py",
        "--sockets 1000 --staff 100 --samples 200 --broadcasts 30",
        "## Websockets",
    ),
    Benchmark(
        "wishlist",
        "wishlist.py",
        "--fans 10000 --repeats 20",
        "## Back-in-stock alerts",
    ),
]


def parse(argv: list[str]) -> tuple[list[Benchmark], list[str]]:
    own, extra = argv, []
    if "--" in argv:
        own, extra = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    names = [b.name for b in BENCHMARKS]
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="%(prog)s [--only NAME]... [-- BENCHMARK ARGS...]",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=names,
        metavar="NAME",
        help=f"run this one (repeatable); one of {', '.join(names)}",
    )
    args = parser.parse_args(own)
    chosen = [b for b in BENCHMARKS if not args.only or b.name in args.only]
    if extra and len(chosen) != 1:
        parser.error("arguments after -- go to one benchmark: choose it with --only")
    return chosen, extra


def merged(defaults: list[str], extra: list[str]) -> list[str]:
    """The defaults less each `--flag value` that `extra` gives again, then `extra`:
    the benchmark would let the later one win anyway; this keeps the command shown
    (and recorded) the one that ran."""
    given = {token.split("=", 1)[0] for token in extra if token.startswith("--")}
    kept, skip = [], False
    for token in defaults:
        if skip and not token.startswith("-"):
            skip = False
            continue
        skip = token.split("=", 1)[0] in given
        if not skip:
            kept.append(token)
    return kept + extra


def run_one(bench: Benchmark, extra: list[str], stamp: str) -> tuple[int, float, Path]:
    """Run one benchmark, echoing its output and keeping a copy with the conditions
    docs/performance.md records (date, load average, CPUs, command)."""
    command = [
        sys.executable,
        str(BENCH / bench.script),
        *merged(shlex.split(bench.args), extra),
    ]
    shown = shlex.join([".venv/bin/python", f"bench/{bench.script}", *command[2:]])
    return run_and_keep(
        command,
        title=f"{bench.name}: {shown}",
        output=RESULTS / f"{stamp}-{bench.name}.txt",
    )


def run_and_keep(
    command: list[str], *, title: str, output: Path
) -> tuple[int, float, Path]:
    """Run `command` from the repository root, echo its output and keep a copy in
    `output` headed by `title`, the date, load average and CPUs; return (exit status,
    seconds, output). The drills' runner uses it too."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    header = (
        f"== {title}\n"
        f"   {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load}, "
        f"{os.cpu_count()} CPUs\n"
    )
    started = time.monotonic()
    with output.open("w", encoding="utf-8") as kept:
        sys.stdout.write(header)
        kept.write(header)
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in process.stdout:
            sys.stdout.write(line)
            kept.write(line)
        returncode = process.wait()
        kept.write(f"== exit status {returncode}\n")
    return returncode, time.monotonic() - started, output


def main() -> None:
    chosen, extra = parse(sys.argv[1:])
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    outcomes = []
    try:
        for bench in chosen:
            outcomes.append((bench, *run_one(bench, extra, stamp)))
            print()
    except KeyboardInterrupt:
        print("\ninterrupted: the benchmark stops its own servers")
    print("Results:")
    for bench, returncode, seconds, output in outcomes:
        verdict = "ok" if returncode == 0 else f"FAILED (exit {returncode})"
        print(
            f"  {bench.name:<10} {verdict:<18} {seconds:5.0f} s  "
            f"{output.relative_to(ROOT)}"
        )
    print(
        "Daphne logs, for the benchmarks that keep them: bench/.logs/\n"
        "To record a run in docs/performance.md: under each benchmark's section ("
        + ", ".join(f'"{b.section}"' for b, *_ in outcomes)
        + ") put the command line, the date and load average from the header above,"
        " and the figures in that section's table; keep the previous figures as the"
        " earlier run they are. Record only runs at the sizes the section names."
    )
    if len(outcomes) < len(chosen) or any(code for _, code, _, _ in outcomes):
        sys.exit(1)


if __name__ == "__main__":
    main()
