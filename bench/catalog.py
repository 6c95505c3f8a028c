"""Catalog pages under load: the app served as production serves it (gunicorn,
PostgreSQL, Redis), and the peer shop in the same run when it is installed.

    .venv/bin/python bench/catalog.py --products 10000
    .venv/bin/python bench/catalog.py --products 100000 --no-peer

Seeds (once per size) a bench database of `--products` products with `seed_demo`, starts
gunicorn with the repository's config and `--workers` workers, then measures with
the same driver and the same number of concurrent clients:

- floor: GET /healthz, the framework's cost of a request;
- catalog: a catalog page of 24 products, one category and a price range, over a
  rotating set of categories, price windows and pages (`--pages` distinct URLs),
  first with the catalog cache on (as deployed), then with it off
  (CATALOG_CACHE_SECONDS=0: every request reads PostgreSQL);
- with `--peer`, the django-oscar peer's floor and its equivalent page
  (bench/peers/oscar: 24 products of one category within a price range).

Prints requests/s, p50/p99 latency and the machine's CPU use for each. Loopback
only, bounded request counts; every server it started is stopped at the end.
Results are recorded in docs/performance.md ("## Catalog").
"""

import argparse
import itertools
import os
import subprocess
import sys

from driver import drive, report
from support import (
    HOST,
    ROOT,
    bench_env,
    create_and_migrate,
    start_web,
    stop_servers,
    use_env,
)

DB_PREFIX = "nexus_bench_catalog"
LOG_DIR = ROOT / "bench" / ".logs"
PRICE_WINDOWS = [("20", "120"), ("50", "500"), ("100", "300"), ("10", "900")]


def seed(env: dict[str, str], products: int) -> None:
    """Bring the bench catalog up to `products` products (seed_demo adds the rest
    and runs ANALYZE)."""
    import django

    django.setup()
    from cms.models import ProductPage

    missing = products - ProductPage.objects.count()
    if missing > 0:
        print(f"seeding {missing} products (once per database)...", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "seed_demo", "--products", str(missing)],
            cwd=ROOT,
            env={**os.environ, **env},
            check=True,
        )


def catalog_urls(base: str, count: int) -> list[str]:
    from cms.models import CategoryPage

    slugs = list(CategoryPage.objects.order_by("pk").values_list("slug", flat=True))
    combos = itertools.product(PRICE_WINDOWS, slugs, range(1, 4))
    return [
        f"{base}/api/v1/products/?category={slug}&min_price={low}&max_price={high}"
        f"&page_size=24&page={page}"
        for (low, high), slug, page in itertools.islice(combos, count)
    ]


def measure_ours(args, env: dict[str, str], *, cache_seconds: int) -> None:
    env = {**env, "CATALOG_CACHE_SECONDS": str(cache_seconds)}
    servers = start_web(args.port, env=env, workers=args.workers, log_dir=LOG_DIR)
    base = f"http://{HOST}:{args.port}"
    try:
        urls = catalog_urls(base, args.pages)
        label = "cache on" if cache_seconds else "cache off"
        floor = [("GET", f"{base}/healthz", {})] * args.requests
        report(f"floor ({label})", *drive(floor, args.concurrency))
        pages = [
            ("GET", url, {})
            for url in itertools.islice(itertools.cycle(urls), args.requests)
        ]
        report(f"catalog ({label})", *drive(pages, args.concurrency))
    finally:
        stop_servers(servers)


def measure_peer(args) -> None:
    from peers.oscar import peer

    if not peer.install():
        print("peer: not installed (see bench/peers/README.md); skipped")
        return
    peer.prepare(products=args.products)
    server = peer.start(args.port + 100, workers=args.workers)
    try:
        floor = [("GET", f"{server.base}/healthz", {})] * args.requests
        report("peer floor", *drive(floor, args.concurrency))
        urls = [
            peer.catalog_page_url(
                server.base, category=n, min_price=f"{low}.00", max_price=f"{high}.00"
            )
            for (low, high), n in itertools.product(PRICE_WINDOWS, range(6))
        ]
        pages = [
            ("GET", url, {})
            for url in itertools.islice(itertools.cycle(urls), args.requests)
        ]
        report("peer catalog", *drive(pages, args.concurrency))
    finally:
        peer.stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=3000, help="per scenario")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--pages", type=int, default=72, help="distinct catalog URLs")
    parser.add_argument("--port", type=int, default=18201)
    parser.add_argument(
        "--peer",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure the django-oscar peer (bench/peers/oscar)",
    )
    args = parser.parse_args()
    if not (1 <= args.requests <= 20_000 and 1 <= args.concurrency <= 200):
        raise SystemExit("keep --requests <= 20000 and --concurrency <= 200")
    if not 1 <= args.products <= 1_000_000:
        raise SystemExit("--products between 1 and 1,000,000")

    # One database per catalog size: each is seeded once and kept for later runs.
    db_name = f"{DB_PREFIX}_{args.products}"
    env = bench_env(db_name=db_name, queue="bench-catalog", channel_prefix="bench-cat")
    use_env(env)
    create_and_migrate(db_name=db_name, env=env)
    seed(env, args.products)
    print(
        f"{args.products} products; ours: gunicorn with {args.workers} worker(s); "
        f"{args.concurrency} concurrent clients; {os.cpu_count()} CPUs; "
        "Python threads + requests",
        flush=True,
    )
    measure_ours(args, env, cache_seconds=300)
    measure_ours(args, env, cache_seconds=0)
    if args.peer:
        measure_peer(args)


if __name__ == "__main__":
    main()
