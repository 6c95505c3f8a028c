"""Catalog search under load: the plain list against exact, typo and prefix searches
and facets, on the bench catalogs bench/catalog.py seeds.

    .venv/bin/python bench/search.py --products 10000
    .venv/bin/python bench/search.py --products 100000

Uses (and seeds once, like bench/catalog.py) the database nexus_bench_catalog_{N},
starts gunicorn with `--workers` workers (one by default: the goals are per core)
and the catalog cache off (CATALOG_CACHE_SECONDS=0, so every request runs its
queries; with the cache on, repeated searches are answered from Redis), then
measures, with the same driver and the same number of clients:

- list: a page of 24 products, newest first, on its own or one category;
- exact search: `search=` a product word (kettle, headphones, desk lamp...);
- typo search: the same words misspelt (ketle, hedphones, dsk lamp...);
- autocomplete: `q=` the first two to four letters of those words;
- facets: no filter, a search, and a category with a price cap.

Prints requests/s and p50/p99 latency for each. Database search (SEARCH_URL unset):
no search engine can run on this machine. Results are recorded in
docs/performance.md ("## Search").
"""

import argparse
import itertools
import os
from urllib.parse import urlencode

from catalog import DB_PREFIX, LOG_DIR, seed
from driver import drive, report
from support import (
    HOST,
    bench_env,
    create_and_migrate,
    start_web,
    stop_servers,
    use_env,
)

WORDS = [
    "kettle",
    "headphones",
    "desk lamp",
    "toaster",
    "smartwatch",
    "backpack",
    "soundbar",
    "wireless earbuds",
]
TYPOS = [
    "ketle",
    "hedphones",
    "dsk lamp",
    "toastr",
    "smartwach",
    "backpak",
    "sondbar",
    "wireles earbuds",
]
PREFIXES = ["ke", "hea", "des", "toa", "sma", "bac", "sou", "wireless ea"]
SHELVES = ["headphones", "speakers", "lamps", "kitchen", "bags", "watches"]


def urls(base: str, scenario: str) -> list[str]:
    products = f"{base}/api/v1/products/"
    if scenario == "list":
        return [f"{products}?page_size=24&page={page}" for page in range(1, 4)] + [
            f"{products}?{urlencode({'category': shelf, 'page_size': 24})}"
            for shelf in SHELVES
        ]
    if scenario in {"exact search", "typo search"}:
        words = WORDS if scenario == "exact search" else TYPOS
        query = [{"search": word, "page_size": 24} for word in words]
        return [f"{products}?{urlencode(q)}" for q in query]
    if scenario == "autocomplete":
        return [f"{products}autocomplete/?{urlencode({'q': p})}" for p in PREFIXES]
    if scenario == "facets":
        return (
            [f"{products}facets/"]
            + [f"{products}facets/?{urlencode({'search': w})}" for w in WORDS[:4]]
            + [
                f"{products}facets/?{urlencode({'category': s, 'max_price': 100})}"
                for s in SHELVES[:3]
            ]
        )
    raise ValueError(scenario)


SCENARIOS = ["list", "exact search", "typo search", "autocomplete", "facets"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1000, help="per scenario")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=18301)
    args = parser.parse_args()
    if not (1 <= args.requests <= 20_000 and 1 <= args.concurrency <= 200):
        raise SystemExit("keep --requests <= 20000 and --concurrency <= 200")
    if not 1 <= args.products <= 1_000_000:
        raise SystemExit("--products between 1 and 1,000,000")

    db_name = f"{DB_PREFIX}_{args.products}"
    env = bench_env(db_name=db_name, queue="bench-search", channel_prefix="bench-srch")
    env["CATALOG_CACHE_SECONDS"] = "0"
    use_env(env)
    create_and_migrate(db_name=db_name, env=env)
    seed(env, args.products)
    print(
        f"{args.products} products; gunicorn with {args.workers} worker(s), catalog "
        f"cache off, database search; {args.concurrency} concurrent clients; "
        f"{os.cpu_count()} CPUs; Python threads + requests",
        flush=True,
    )
    servers = start_web(args.port, env=env, workers=args.workers, log_dir=LOG_DIR)
    base = f"http://{HOST}:{args.port}"
    try:
        # One untimed pass over every URL: connections, plans and caches warm.
        warm = [("GET", url, {}) for s in SCENARIOS for url in urls(base, s)]
        drive(warm, args.concurrency)
        for scenario in SCENARIOS:
            cycle = itertools.cycle(urls(base, scenario))
            calls = [("GET", url, {}) for url in itertools.islice(cycle, args.requests)]
            report(scenario, *drive(calls, args.concurrency))
    finally:
        stop_servers(servers)


if __name__ == "__main__":
    main()
