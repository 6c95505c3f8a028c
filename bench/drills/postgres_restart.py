"""Drill: PostgreSQL restarted under load.

    .venv/bin/python -m bench.drills.postgres_restart --buyers 300 --rate 10

A private PostgreSQL 15 cluster (port 15433) is the database of gunicorn, a Celery
worker and beat; Redis and RabbitMQ are the machine's (the drill's own prefix and
queue). Checkouts (--rate a second) and reads (catalog pages and each buyer's order
list, --read-rate a second) stream in while, --restart-after seconds in,
`pg_ctl restart -m fast` cuts every session. Clients then retry the checkouts that
failed with the same Idempotency-Key. Afterwards: no order half-written (each has
its lines and one stock adjustment per line; per product, initial stock = stock
left + units ordered), one order per buyer, errors only during the restart window
and only 5xx, the app serving again without a restart (psycopg's pool reconnects),
and each order_placed mail delivered.
"""

import argparse
import itertools
import time

from bench.drills import ledger
from bench.drills.load import Call, PacedLoad, Result, ok, send, statuses
from bench.drills.services import PrivatePostgres
from bench.drills.shop import Shop, confirmed, order_number, placed_notifications
from bench.drills.stack import Stack

DATABASE = "nexus_drills_postgres"


def read_calls(base: str, shop: Shop, count: int) -> list[Call]:
    """Catalog pages (cached in Redis when warm) and order lists (the database)."""
    pages = itertools.cycle(
        [f"{base}/api/v1/products/", f"{base}/api/v1/categories/"]
        + [f"{base}/api/v1/products/{p.pk}/" for p in shop.products[:5]]
    )
    tokens = itertools.cycle(shop.tokens)
    calls = []
    for n in range(count):
        if n % 2:
            calls.append(Call("catalog", "GET", next(pages), {}))
        else:
            auth = {"Authorization": f"Bearer {next(tokens)}"}
            calls.append(Call("my orders", "GET", f"{base}/api/v1/orders/", auth))
    return calls


def window_report(results: list[Result], t_restart: float, t_back: float) -> dict:
    """Answers before, during and after the restart, and when errors stopped."""
    failed = [r for r in results if not ok(r)]
    phases = {
        "before the restart": [r for r in results if r.ended < t_restart],
        "during the restart": [
            r for r in results if r.ended >= t_restart and r.started < t_back
        ],
        "after it": [r for r in results if r.started >= t_back],
    }
    print(f"{'':<24}{'requests':>9}  statuses")
    for name, chosen in phases.items():
        print(f"{name:<24}{len(chosen):>9}  {statuses(chosen)}")
    after = [r for r in failed if r.started >= t_back]
    last_error = max((r.ended - t_back for r in failed), default=None)
    first_ok = min(
        (r.ended - t_back for r in results if ok(r) and r.started >= t_back),
        default=None,
    )
    kinds = {}
    for r in failed:
        kinds.setdefault(r.call.kind, []).append(r.status)
    print(
        f"restart took {t_back - t_restart:.2f} s; first success "
        f"{first_ok if first_ok is None else f'{first_ok:+.2f} s'} after it; last "
        f"error {'none' if last_error is None else f'{last_error:+.2f} s'} after it; "
        f"failures by kind { ({k: dict(statuses_of(v)) for k, v in kinds.items()}) }"
    )
    return {
        "failed": failed,
        "after": after,
        "last_error": last_error,
        "first_ok": first_ok,
    }


def statuses_of(values):
    from collections import Counter

    return sorted(Counter(values).items(), key=str)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=300)
    parser.add_argument("--rate", type=float, default=10, help="checkouts a second")
    parser.add_argument("--read-rate", type=float, default=20, help="reads a second")
    parser.add_argument("--restart-after", type=float, default=10, help="seconds")
    parser.add_argument("--concurrency", type=int, default=10, help="per stream")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--mail-timeout", type=float, default=360)
    args = parser.parse_args()

    pg = PrivatePostgres()
    stack = None
    try:
        pg.start()
        pg.createdb(DATABASE)
        stack = Stack("postgres", database_url=pg.url(DATABASE))
        stack.migrate()
        stack.setup_django()
        shop = Shop(products=20, buyers=args.buyers, seed="postgres")
        base = stack.start_web(workers=args.workers)
        stack.start_worker()
        stack.start_beat()
        before = ledger.counts(stack.sink)
        print(
            f"private PostgreSQL on :{pg.port}; gunicorn ({args.workers} workers), "
            f"worker, beat up; logs in {stack.log_dir}",
            flush=True,
        )

        checkout_calls = shop.checkout_calls(base)
        duration = args.buyers / args.rate
        writes = PacedLoad(
            checkout_calls, rate=args.rate, concurrency=args.concurrency
        ).start()
        reads = PacedLoad(
            read_calls(base, shop, int(duration * args.read_rate)),
            rate=args.read_rate,
            concurrency=args.concurrency,
        ).start()
        time.sleep(args.restart_after)
        t_restart = time.monotonic()
        took = pg.restart()
        t_back = time.monotonic()
        print(
            f"pg_ctl restart -m fast at +{args.restart_after:.0f} s took {took:.2f} s "
            f"({writes.done} checkouts, {reads.done} reads answered so far)",
            flush=True,
        )
        results = writes.join() + reads.join()
        print(
            f"load: checkouts {statuses(writes.results)}, reads "
            f"{statuses(reads.results)}"
        )
        window = window_report(results, t_restart, t_back)

        # Clients retry what failed, with the same Idempotency-Key.
        final = {r.call.key: r for r in writes.results}
        retries = 0
        for _ in range(3):
            pending = [r for r in final.values() if not confirmed(r)]
            if not pending:
                break
            time.sleep(1)
            for result in pending:
                retries += 1
                final[result.call.key] = send(result.call)
        print(
            f"client retries: {retries} request(s); final checkout answers "
            f"{statuses(list(final.values()))}"
        )

        ledger.reset_database_connection()
        at_risk = ledger.mailed_but_unmarked(stack.sink)
        print(
            f"rows mailed but not marked sent after the restart: {sorted(at_risk)}",
            flush=True,
        )
        numbers = {k: order_number(r) for k, r in final.items() if confirmed(r)}
        placed = placed_notifications()
        expected = {placed[n] for n in numbers.values() if n in placed}
        reached = ledger.wait_for_mails(
            stack.sink, expected, timeout=args.mail_timeout, settle=35
        )
        after = ledger.counts(stack.sink)
        print()
        ledger.print_counts(before, after)
        print(
            f"worker log: {stack.log_count('worker', 'OperationalError')} "
            f"OperationalError line(s); relay runs that re-queued mail: "
            f"{stack.log_count('worker', 'email relay re-queued')}"
        )
        print()

        verdict = ledger.Verdict()
        problems = ledger.order_problems()
        verdict.check(
            "no order half-written (lines, one stock adjustment each)",
            not problems,
            ledger.brief(problems),
        )
        problems = ledger.stock_problems(shop.initial_stock)
        verdict.check(
            "stock left + units ordered = initial stock",
            not problems,
            ledger.brief(problems),
        )
        per_buyer = shop.orders_per_buyer()
        verdict.check(
            "one order per buyer, each confirmed (201, or 200 replaying it on a "
            "retry with the same Idempotency-Key)",
            len(numbers) == args.buyers
            and all(per_buyer[int(k)] == 1 for k in numbers)
            and sum(per_buyer.values()) == len(numbers),
            f"{len(numbers)} buyers confirmed, {sum(per_buyer.values())} orders, "
            f"{sum(1 for n in per_buyer.values() if n > 1)} buyers with more than one",
        )
        wrong = [
            r.status
            for r in window["failed"]
            if r.status != "error" and (r.status < 500)
        ]
        verdict.check(
            "failures are 5xx (or a dropped connection), never a 4xx",
            not wrong,
            f"{len(window['failed'])} failures: "
            f"{dict(statuses_of(r.status for r in window['failed']))}",
        )
        verdict.check(
            "the app serves again without a restart",
            window["first_ok"] is not None and not stack.restarted(),
            f"first success {window['first_ok']:+.2f} s after the restart, "
            f"{len(window['after'])} failure(s) after it"
            if window["first_ok"] is not None
            else "no success after the restart",
        )
        problems = ledger.notification_problems(set(numbers.values()))
        verdict.check(
            "each order's notifications exist", not problems, ledger.brief(problems)
        )
        mails = ledger.mails_by_notification(stack.sink)
        missing = expected - set(mails)
        doubled = {pk: n for pk, n in mails.items() if n > 1}
        verdict.check(
            "each order_placed mail arrived",
            not missing and reached is not None,
            f"{len(expected) - len(missing)}/{len(expected)}",
        )
        verdict.check(
            "duplicates only where SMTP had said 250 and the row was not yet marked "
            "sent (the window docs/notifications.md admits), one each at most",
            set(doubled) <= at_risk and all(n == 2 for n in doubled.values()),
            f"{sum(doubled.values()) - len(doubled)} duplicate(s) {sorted(doubled)}; "
            f"{len(at_risk)} row(s) in that window",
        )
        return verdict.finish()
    finally:
        if stack is not None:
            stack.close()
        pg.close()


if __name__ == "__main__":
    raise SystemExit(main())
