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
and stock each round), the rounds alternating between the shops, both servers up
throughout; the median round is each side's figure, and the last line gives each
round's ratio and the ratio of the medians.

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
        "--rounds", type=int, default=5, help="measured hot rounds on each side"
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

    peer = Peer.start(args) if args.peer else None
    servers, ours, theirs = [], [], []
    try:
        if args.server == "gunicorn":
            servers = start_web(
                args.port, env=BENCH_ENV, workers=args.workers, log_dir=LOG_DIR
            )
            bases = [f"http://{HOST}:{args.port}"]
        else:
            ports = list(range(args.port, args.port + args.workers))
            servers = start_servers(ports, env=BENCH_ENV, log_dir=LOG_DIR)
            bases = [f"http://{HOST}:{p}" for p in ports]
        print(
            f"ours: {args.server} with {args.workers} worker(s); {args.concurrency} "
            f"concurrent clients; {os.cpu_count()} CPUs; Python threads + requests"
        )
        calls = [
            ("GET", f"{bases[i % len(bases)]}/healthz", {})
            for i in range(args.floor_requests)
        ]
        report("floor", *drive(calls, args.concurrency))
        if peer:
            peer.floor()

        products = catalog(count=max(args.catalog, 1))
        hot = products[0]
        hot_stock = {hot.pk: args.hot_stock}

        def hot_pick(rng):
            return [(hot.pk, 1)]

        if args.warmup:
            tokens, _ = buyers_with_carts(
                count=args.warmup,
                stock={hot.pk: args.warmup // 2},
                pick=hot_pick,
                seed="warmup",
            )
            drive(checkout_calls(bases, tokens), args.concurrency)
            if peer:
                peer.warm_up()

        # Rounds alternate between the shops: a slow spell of this shared machine
        # (the same loop of Python has been seen to take 1.0 s and 1.5 s a minute
        # apart) then weighs on both sides instead of on one.
        for round_ in range(1, args.rounds + 1):
            tokens, user_ids = buyers_with_carts(
                count=args.buyers, stock=hot_stock, pick=hot_pick, seed="hot"
            )
            calls = checkout_calls(bases, tokens)
            line = report(f"hot {round_}", *drive(calls, args.concurrency))
            print("        " + oversell_check(stock=hot_stock, user_ids=user_ids))
            ours.append(line["req_per_s"])
            if peer:
                theirs.append(peer.hot_round(round_))

        cold_stock = {p.pk: 1000 for p in products[1:]}
        tokens, user_ids = buyers_with_carts(
            count=args.buyers,
            stock=cold_stock,
            pick=lambda rng: [
                (p.pk, rng.randint(1, 2))
                for p in rng.sample(products[1:], rng.randint(1, 3))
            ],
            seed="cold",
        )
        report("cold", *drive(checkout_calls(bases, tokens), args.concurrency))
        print("        " + oversell_check(stock=cold_stock, user_ids=user_ids))
    finally:
        stop_servers(servers)
        purge_queue()
        if peer:
            peer.stop()
    print(f"ours hot: median of {len(ours)} rounds {statistics.median(ours)} req/s")
    if theirs:
        median = statistics.median(theirs)
        print(f"peer hot: median of {len(theirs)} rounds {median} req/s")
        ratios = ", ".join(f"{a / b:.2f}x" for a, b in zip(ours, theirs, strict=True))
        print(
            f"hot checkout, ours / peer: per round {ratios}; medians "
            f"{statistics.median(ours) / median:.2f}x"
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


class Peer:
    """The django-oscar peer (its own venv, database and gunicorn) running the same
    hot scenario: oscarapi's guest checkout, one basket holding the product per
    buyer, filled through its API before each round."""

    def __init__(self, args, peer, server) -> None:
        self.args, self.peer, self.server = args, peer, server

    @classmethod
    def start(cls, args) -> "Peer | None":
        """Install, prepare and start the peer; None, having said why, when it
        cannot be installed."""
        from peers.oscar import peer

        if not peer.install():
            print("peer: not installed (see bench/peers/README.md); skipped")
            return None
        peer.prepare(products=args.catalog)
        server = peer.start(args.peer_port or args.port + 100, workers=args.workers)
        print(f"peer: django-oscar on gunicorn with {args.workers} worker(s)")
        return cls(args, peer, server)

    def floor(self) -> None:
        calls = [("GET", f"{self.server.base}/healthz", {})] * self.args.floor_requests
        report("peer floor", *drive(calls, self.args.concurrency))

    def warm_up(self) -> None:
        calls, _ = self.peer.hot_checkout_calls(
            self.server.base, buyers=self.args.warmup, units=self.args.warmup // 2
        )
        drive(calls, self.args.concurrency)

    def hot_round(self, round_: int) -> float:
        """One measured round; its requests/s."""
        calls, outcome = self.peer.hot_checkout_calls(
            self.server.base, buyers=self.args.buyers, units=self.args.hot_stock
        )
        line = report(f"peer hot {round_}", *drive(calls, self.args.concurrency))
        print(f"        peer outcome: {outcome()}")
        return line["req_per_s"]

    def stop(self) -> None:
        self.peer.stop(self.server)


if __name__ == "__main__":
    main()
