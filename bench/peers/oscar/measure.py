"""Measure the django-oscar peer alone: floor, catalog page, hot checkout.

    .venv/bin/python bench/peers/oscar/measure.py             # documented sizes
    .venv/bin/python bench/peers/oscar/measure.py --buyers 50 --catalog 200

Installs the peer if needed, prepares its database, starts gunicorn on 127.0.0.1
and drives it with a thread pool of keep-alive requests.Session clients (one per
thread), a bounded number of requests per scenario, loopback only. Prints req/s,
p50/p99 and statuses per scenario, and for the hot checkout the orders created and
the product's final stock (the oversell). Stops its gunicorn at the end.
"""

import argparse
import os
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peer  # noqa: E402 - the directory above is this script's own


def drive(calls: list[peer.Call], concurrency: int) -> tuple[float, list]:
    """Run each call once over `concurrency` threads; return (elapsed seconds,
    [(status, latency seconds, body)])."""
    local = threading.local()

    def one(call: peer.Call):
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        started = time.perf_counter()
        try:
            response = session.request(
                call.method, call.url, headers=call.headers, data=call.body, timeout=60
            )
            status, body = response.status_code, response.content
        except requests.RequestException as exc:
            status, body = "error", repr(exc).encode()
        return status, time.perf_counter() - started, body

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, calls))
    return time.perf_counter() - started, results


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def report(name: str, elapsed: float, results: list) -> None:
    statuses = Counter(status for status, _, _ in results)
    latencies = [latency for _, latency, _ in results]
    print(
        f"{name:>16}: {len(results)} requests in {elapsed:.2f}s; "
        f"{len(results) / elapsed:.1f} req/s; "
        f"p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.1f} ms; "
        f"statuses {dict(sorted(statuses.items(), key=str))}"
    )
    failures = [body[:200] for status, _, body in results if status not in (200, 201)]
    if failures:
        print(f"{'':>18}first failures: {failures[:3]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10000)
    parser.add_argument("--port", type=int, default=18301)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--floor", type=int, default=2000, help="GET /healthz count")
    parser.add_argument("--catalog", type=int, default=1000, help="page requests")
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--units", type=int, default=100, help="hot product stock")
    args = parser.parse_args()
    if not (args.concurrency <= 200 and max(args.floor, args.catalog) <= 20000):
        raise SystemExit("keep --concurrency <= 200 and request counts <= 20000")

    if not peer.install():
        raise SystemExit(1)
    started = time.perf_counter()
    peer.prepare(products=args.products)
    print(f"prepared {args.products} products in {time.perf_counter() - started:.1f}s")
    server = peer.start(args.port, workers=args.workers)
    try:
        load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
        print(
            f"django-oscar peer: gunicorn {args.workers} sync workers on {server.base},"
            f" {args.concurrency} client threads, {os.cpu_count()} CPUs, "
            f"load average {load}"
        )
        floor = [peer.Call("GET", f"{server.base}/healthz", {}, b"")] * args.floor
        report("floor /healthz", *drive(floor, args.concurrency))
        for variant in ("filtered", "list"):
            url = peer.catalog_page_url(server.base, variant=variant)
            calls = [peer.Call("GET", url, {}, b"")] * args.catalog
            report(f"catalog {variant}", *drive(calls, args.concurrency))
        calls, outcome = peer.hot_checkout_calls(
            server.base, buyers=args.buyers, units=args.units
        )
        elapsed, results = drive(calls, args.concurrency)
        report("hot checkout", elapsed, results)
        result = outcome()
        print(
            f"{'':>18}{result['orders']} orders created "
            f"({result['orders'] / elapsed:.1f} orders/s) for {args.units} units; "
            f"final stock {result['available']} (num_in_stock "
            f"{result['num_in_stock']} - num_allocated {result['num_allocated']}); "
            f"oversold {result['oversold']}"
        )
    finally:
        peer.stop(server)


if __name__ == "__main__":
    main()
