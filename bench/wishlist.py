"""Back-in-stock alerts: what 10,000 fans cost the stock update, and how soon the
last of them is told.

    .venv/bin/python bench/wishlist.py --fans 10000 --repeats 20

Creates (once) a bench database, starts one Celery worker on the bench's own queue
(RabbitMQ, as production runs it), makes three products with no stock, wished for
by nobody, by one customer and by `--fans` customers, then:

- times `stock_adjust` taking each from 0 to 5 units (the stock transaction, its
  commit and the queuing of the alert task), `--repeats` times for the products
  with no fan and with one (whose restocks publish an alert task, like the
  wished-for one's), and once for the wished-for one (each of its restocks alerts
  every fan, so the first is the one that matters);
- times, from the start of that stock update, the moment the last fan's in-app
  alert committed (the restock's `finished_at`) and, with `--emails`, the moment
  the last alert's email was sent (console backend, to the worker's log).

Loopback only; the worker is stopped at the end. Results are recorded in
docs/performance.md ("## Back-in-stock alerts").
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from support import HOST, ROOT, bench_env, create_and_migrate, use_env

DB_NAME = "nexus_bench_wishlist"
QUEUE = "bench-wishlist"
LOG_DIR = ROOT / "bench" / ".logs"
BENCH_ENV = bench_env(db_name=DB_NAME, queue=QUEUE, channel_prefix="bench-wishlist")


def start_worker(concurrency: int) -> subprocess.Popen:
    LOG_DIR.mkdir(exist_ok=True)
    log = open(LOG_DIR / "wishlist-worker.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "nexus", "worker"]
        + ["-Q", QUEUE, "--concurrency", str(concurrency), "--loglevel", "WARNING"]
        + ["--without-gossip", "--without-mingle", "--hostname", f"{QUEUE}@%h"],
        cwd=ROOT,
        env={**os.environ, **BENCH_ENV},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    time.sleep(5)  # connect to the broker and declare the queue
    if worker.poll() is not None:
        raise SystemExit(f"worker died; see {LOG_DIR / 'wishlist-worker.log'}")
    return worker


def fans_for(product, count: int, run: str) -> None:
    from django.contrib.auth import get_user_model

    from commerce.wishlist.models import WishlistItem

    User = get_user_model()
    for start in range(0, count, 2000):
        users = User.objects.bulk_create(
            User(email=f"fan-{run}-{n}@example.com")
            for n in range(start, min(start + 2000, count))
        )
        WishlistItem.objects.bulk_create(
            WishlistItem(user=user, product=product) for user in users
        )


def timed_restock(product_id: int) -> float:
    from commerce.inventory.models import StockAdjustment
    from commerce.inventory.services import stock_adjust

    started = time.perf_counter()
    stock_adjust(product_id=product_id, delta=5, reason=StockAdjustment.Reason.RESTOCK)
    return time.perf_counter() - started


def wait_until(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fans", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument(
        "--emails",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also wait for the last alert's email",
    )
    args = parser.parse_args()
    if not (0 <= args.fans <= 50_000 and 1 <= args.repeats <= 200):
        raise SystemExit("keep --fans <= 50000 and --repeats <= 200")

    use_env(BENCH_ENV)
    create_and_migrate(db_name=DB_NAME, env=BENCH_ENV)
    import django

    django.setup()
    from django.db.models import Max

    from commerce.inventory.models import StockAdjustment
    from commerce.inventory.services import stock_set
    from commerce.wishlist.models import Restock
    from realtime.models import DeliveryState, Notification
    from tests.factories.catalog import create_category, create_product

    run = uuid.uuid4().hex[:8]
    # The bench database outlives a run: names of this run's own, so a second run
    # does not clash with the first's category slugs and SKUs.
    shelf = create_category(title=f"Bench {run}", slug=f"bench-{run}")

    def product(title: str):
        return create_product(
            category=shelf, title=f"{title} {run}", sku=f"{title}-{run}", stock=0
        )

    nobody = product("Unwanted")
    # One fan: each restock publishes its alert task, as the wanted product's does,
    # so the two differ only in how many fans wait.
    liked = product("Liked")
    wanted = product("Wanted")
    fans_for(liked, 1, f"{run}-one")
    fans_for(wanted, args.fans, run)
    worker = start_worker(args.worker_concurrency)
    try:
        print(
            f"{os.cpu_count()} CPUs; PostgreSQL, RabbitMQ and Redis on {HOST}; one "
            f"worker, concurrency {args.worker_concurrency}; {args.fans} fans"
        )
        for label, product in (("0 fans", nobody), ("1 fan", liked)):
            times = []
            for _ in range(args.repeats):
                times.append(timed_restock(product.pk))
                stock_set(
                    product_id=product.pk,
                    quantity=0,
                    reason=StockAdjustment.Reason.CORRECTION,
                )
            median = statistics.median(times) * 1000
            print(
                f"stock update, {label}:{' ' * (11 - len(label))}median "
                f"{median:.1f} ms, max {max(times) * 1000:.1f} ms over {len(times)}"
            )
        wall_start = time.time()
        seconds = timed_restock(wanted.pk)
        print(f"stock update, {args.fans} fans: {seconds * 1000:.1f} ms")
        restock = Restock.objects.filter(product=wanted).latest("pk")
        done = wait_until(
            lambda: Restock.objects.filter(
                pk=restock.pk, finished_at__isnull=False
            ).exists(),
            args.timeout,
        )
        restock.refresh_from_db()
        if not done:
            print(f"alerts unfinished after {args.timeout:.0f} s: {restock.alerted}")
            return
        last = restock.finished_at.timestamp() - wall_start
        print(
            f"last in-app alert:        {last:.2f} s after the update "
            f"({restock.alerted} alerts, {restock.alerted / last:.0f}/s, "
            f"state {restock.state})"
        )
        if args.emails:
            alerts = Notification.objects.filter(
                kind="back_in_stock", data__restock_id=restock.pk
            )
            sent = wait_until(
                lambda: not alerts.exclude(email_state=DeliveryState.SENT).exists(),
                args.timeout,
            )
            if sent:
                at = alerts.aggregate(last=Max("email_sent_at"))["last"]
                print(f"last email sent:          {at.timestamp() - wall_start:.2f} s")
            else:
                left = alerts.exclude(email_state=DeliveryState.SENT).count()
                print(f"emails unfinished after {args.timeout:.0f} s: {left} left")
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=30)


if __name__ == "__main__":
    main()
