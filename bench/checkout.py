"""Checkout under load: concurrent buyers against the app served as production serves
it (gunicorn, PostgreSQL), and the peer shop in the same run when it is installed.

    .venv/bin/python bench/checkout.py --buyers 200 --hot-stock 100 --concurrency 50

Creates (once) a bench database and catalog, starts gunicorn with the repository's
config and `--workers` workers (or `--server daphne`: that many daphne processes)
with THROTTLE_RATES=off, measures the framework floor (GET /healthz) with the same
driver, then runs two scenarios, each a bounded number of POST /api/v1/orders/ (one
per buyer, each with its own Idempotency-Key, every buyer's cart filled beforehand):

- hot: every buyer wants the same product, of which there are fewer units than buyers;
- cold: each buyer's cart holds 1-3 random products of a larger catalog.

Before the first scenario, each server serves `--warmup` unmeasured checkouts of the
hot shape (half of them refused for want of stock), so that both shops are measured
with every worker's connections open and its checkout code run once: a worker's
first checkout costs ~100 ms more (connecting to PostgreSQL, Redis and RabbitMQ),
which in a 200-request run would be a sixth of what is measured. The peer's warm-up
is its own hot checkout, run the same way.

A 200-request run lasts one or two seconds, so one run swings by a quarter on this
machine. The hot scenario therefore runs `--rounds` times on each side (fresh buyers
and stock each round) and the median round is the figure; the last line compares
the two medians.

With `--peer` (default when bench/peers/oscar is installable), the django-oscar peer
runs the hot scenario too, on gunicorn with as many workers. Prints requests/s,
p50/p99 latency, CPU use, status counts and an oversell check (no stock below zero;
units taken equal units ordered). Loopback only; every server it started is stopped
at the end. Results are recorded in docs/performance.md ("## Checkout").
"""

import argparse
import os
import random
import statistics
import uuid

from driver import drive, report
from support import (
    HOST,
    ROOT,
    bench_env,
    create_and_migrate,
    start_servers,
    start_web,
    stop_servers,
    use_env,
)

DB_NAME = "nexus_bench_checkout"
QUEUE = "bench-checkout"
# Server logs (tracebacks of any 500) land here, outside the repository's tracked files.
LOG_DIR = ROOT / "bench" / ".logs"
BENCH_ENV = bench_env(db_name=DB_NAME, queue=QUEUE, channel_prefix="bench-checkout")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=200, help="checkouts per run")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--server", choices=["gunicorn", "daphne"], default="gunicorn")
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn workers or daphne processes"
    )
    parser.add_argument("--port", type=int, default=18101)
    parser.add_argument(
        "--peer-port", type=int, help="the peer's port (default: --port + 100)"
    )
    parser.add_argument("--hot-stock", type=int, default=100)
    parser.add_argument("--catalog", type=int, default=60, help="cold products")
    parser.add_argument("--floor-requests", type=int, default=2000)
    parser.add_argument(
        "--rounds", type=int, default=3, help="measured hot rounds on each side"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=40,
        help="unmeasured checkouts each server serves first (0: none)",
    )
    parser.add_argument(
        "--peer",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run the django-oscar peer's hot checkout (bench/peers/oscar)",
    )
    args = parser.parse_args()
    if not (1 <= args.buyers <= 5000 and 1 <= args.concurrency <= 200):
        raise SystemExit("keep --buyers <= 5000 and --concurrency <= 200")
    if not 1 <= args.rounds <= 9:
        raise SystemExit("keep --rounds between 1 and 9")

    use_env(BENCH_ENV)
    create_and_migrate(db_name=DB_NAME, env=BENCH_ENV)
    import django

    django.setup()
    from bench.checkout_data import (
        buyers_with_carts,
        catalog,
        oversell_check,
        purge_queue,
    )

    if args.server == "gunicorn":
        servers = start_web(
            args.port, env=BENCH_ENV, workers=args.workers, log_dir=LOG_DIR
        )
        bases = [f"http://{HOST}:{args.port}"]
    else:
        ports = list(range(args.port, args.port + args.workers))
        servers = start_servers(ports, env=BENCH_ENV, log_dir=LOG_DIR)
        bases = [f"http://{HOST}:{p}" for p in ports]
    try:
        print(
            f"ours: {args.server} with {args.workers} worker(s); {args.concurrency} "
            f"concurrent clients; {os.cpu_count()} CPUs; Python threads + requests"
        )
        calls = [
            ("GET", f"{bases[i % len(bases)]}/healthz", {})
            for i in range(args.floor_requests)
        ]
        report("floor", *drive(calls, args.concurrency))

        products = catalog(count=max(args.catalog, 1))
        hot = products[0]
        scenarios = {
            "hot": (
                {hot.pk: args.hot_stock},
                lambda rng: [(hot.pk, 1)],
            ),
            "cold": (
                {p.pk: 1000 for p in products[1:]},
                lambda rng: [
                    (p.pk, rng.randint(1, 2))
                    for p in rng.sample(products[1:], rng.randint(1, 3))
                ],
            ),
        }
        if args.warmup:
            tokens, _ = buyers_with_carts(
                count=args.warmup,
                stock={hot.pk: args.warmup // 2},
                pick=scenarios["hot"][1],
                seed="warmup",
            )
            drive(checkout_calls(bases, tokens), args.concurrency)
        hot_rates = []
        for name, (stock, pick) in scenarios.items():
            for round_ in range(args.rounds if name == "hot" else 1):
                tokens, user_ids = buyers_with_carts(
                    count=args.buyers, stock=stock, pick=pick, seed=name
                )
                calls = checkout_calls(bases, tokens)
                label = f"{name} {round_ + 1}" if name == "hot" else name
                line = report(label, *drive(calls, args.concurrency))
                print("        " + oversell_check(stock=stock, user_ids=user_ids))
                if name == "hot":
                    hot_rates.append(line["req_per_s"])
    finally:
        stop_servers(servers)
        purge_queue()
    ours = statistics.median(hot_rates)
    print(f"ours hot: median of {len(hot_rates)} rounds {ours} req/s")
    if args.peer:
        peer = peer_hot_checkout(args)
        if peer:
            print(
                f"hot checkout, medians: ours {ours} / peer {peer} = {ours / peer:.2f}x"
            )


def checkout_calls(bases: list[str], tokens: list[str]) -> list[tuple]:
    """One POST /api/v1/orders/ per buyer token, spread over `bases`, shuffled."""
    calls = [
        (
            "POST",
            f"{bases[i % len(bases)]}/api/v1/orders/",
            {
                "Authorization": f"Bearer {token}",
                "Idempotency-Key": str(uuid.uuid4()),
                "Content-Type": "application/json",
            },
        )
        for i, token in enumerate(tokens)
    ]
    random.shuffle(calls)
    return calls


def peer_hot_checkout(args) -> float | None:
    """The same hot scenario on the django-oscar peer (its own venv and database):
    the median of its rounds in requests/s, or None when it is not installed."""
    from peers.oscar import peer

    if not peer.install():
        print("peer: not installed (see bench/peers/README.md); skipped")
        return None
    peer.prepare(products=args.catalog)
    port = args.peer_port or args.port + 100
    server = peer.start(port, workers=args.workers)
    try:
        print(f"peer: django-oscar on gunicorn with {args.workers} worker(s)")
        floor = [("GET", f"{server.base}/healthz", {})] * args.floor_requests
        report("peer floor", *drive(floor, args.concurrency))
        if args.warmup:
            warm, _ = peer.hot_checkout_calls(
                server.base, buyers=args.warmup, units=args.warmup // 2
            )
            drive(warm, args.concurrency)
        rates = []
        for round_ in range(args.rounds):
            calls, outcome = peer.hot_checkout_calls(
                server.base, buyers=args.buyers, units=args.hot_stock
            )
            line = report(f"peer hot {round_ + 1}", *drive(calls, args.concurrency))
            print(f"        peer outcome: {outcome()}")
            rates.append(line["req_per_s"])
    finally:
        peer.stop(server)
    median = statistics.median(rates)
    print(f"peer hot: median of {len(rates)} rounds {median} req/s")
    return median


if __name__ == "__main__":
    main()
