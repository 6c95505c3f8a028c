"""Checkout under load: concurrent buyers against running daphne servers on PostgreSQL.

    .venv/bin/python bench/checkout.py --buyers 400 --concurrency 20 --servers 2

Creates (once) a bench database and catalog, starts `--servers` daphne processes on
127.0.0.1 with THROTTLE_RATES=off, measures the framework floor (GET /healthz) with the
same driver, then runs two scenarios, each a bounded number of POST /api/v1/orders/
(one per buyer, every buyer's cart filled beforehand):

- hot: every buyer wants the same product, of which there are fewer units than buyers;
- cold: each buyer's cart holds 1-3 random products of a larger catalog.

Prints orders/s, p50/p99 latency, status counts and an oversell check (no stock below
zero; units taken equal units ordered). Loopback only; the servers it started are
stopped at the end. Results are recorded in docs/performance.md ("## Checkout").
"""

import argparse
import os
import random
import statistics
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from support import (
    HOST,
    ROOT,
    bench_env,
    create_and_migrate,
    start_servers,
    stop_servers,
    use_env,
)

DB_NAME = "nexus_bench_checkout"
QUEUE = "bench-checkout"
# Server logs (tracebacks of any 500) land here, outside the repository's tracked files.
LOG_DIR = ROOT / "bench" / ".logs"
BENCH_ENV = bench_env(db_name=DB_NAME, queue=QUEUE, channel_prefix="bench-checkout")


def drive(urls_and_calls, concurrency: int):
    """Run each (method, url, headers) once over `concurrency` threads with
    keep-alive sessions; return (elapsed seconds, [(status, latency, body)])."""
    local = threading.local()

    def one(call):
        method, url, headers = call
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        started = time.perf_counter()
        try:
            response = session.request(method, url, headers=headers, timeout=60)
            status, body = response.status_code, response.content
        except requests.RequestException as exc:
            status, body = "error", repr(exc).encode()
        return status, time.perf_counter() - started, body

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, urls_and_calls))
    return time.perf_counter() - started, results


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def report(name: str, elapsed: float, results) -> dict:
    statuses = Counter(status for status, _, _ in results)
    latencies = [latency for _, latency, _ in results]
    ok = statuses.get(201, 0) + statuses.get(200, 0)
    line = {
        "scenario": name,
        "requests": len(results),
        "ok": ok,
        "ok_per_s": round(ok / elapsed, 1),
        "req_per_s": round(len(results) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "statuses": dict(sorted(statuses.items(), key=str)),
    }
    print(
        f"{name:>6}: {line['requests']} requests in {elapsed:.2f}s; "
        f"{line['ok_per_s']} ok/s ({line['req_per_s']} req/s); "
        f"p50 {line['p50_ms']} ms, p99 {line['p99_ms']} ms; statuses {line['statuses']}"
    )
    errors = [body[:200] for status, _, body in results if status in (500, "error")]
    if errors:
        print(f"        first failures: {errors[:3]}")
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=400, help="checkouts per run")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--servers", type=int, default=2, help="daphne processes")
    parser.add_argument("--port", type=int, default=18101)
    parser.add_argument("--hot-stock", type=int, default=300)
    parser.add_argument("--catalog", type=int, default=60, help="cold products")
    parser.add_argument("--floor-requests", type=int, default=2000)
    args = parser.parse_args()
    if not (1 <= args.buyers <= 5000 and 1 <= args.concurrency <= 200):
        raise SystemExit("keep --buyers <= 5000 and --concurrency <= 200")

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

    ports = list(range(args.port, args.port + args.servers))
    servers = start_servers(ports, env=BENCH_ENV, log_dir=LOG_DIR)
    bases = [f"http://{HOST}:{p}" for p in ports]
    try:
        print(
            f"{args.servers} daphne process(es), {args.concurrency} concurrent "
            f"clients, {os.cpu_count()} CPUs, Python threads + requests as driver"
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
        for name, (stock, pick) in scenarios.items():
            tokens, user_ids = buyers_with_carts(
                count=args.buyers, stock=stock, pick=pick, seed=name
            )
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
            report(name, *drive(calls, args.concurrency))
            print("        " + oversell_check(stock=stock, user_ids=user_ids))
    finally:
        stop_servers(servers)
        purge_queue()


if __name__ == "__main__":
    main()
