"""Drill: RabbitMQ stopped during 200 checkouts.

    .venv/bin/python -m bench.drills.broker_outage --buyers 200 --rate 4

A private RabbitMQ node (port 15673) is the broker of gunicorn, a Celery worker and
Celery beat; PostgreSQL and Redis are the machine's (a database and a prefix of the
drill's own). Buyers with full carts check out at a steady pace; after --stop-after
answers the broker is stopped (`rabbitmqctl stop`), left down --down-seconds and
started again, while checkouts go on. Afterwards: every 201 has exactly one order, each
order its notifications, and each order_placed mail reaches the SMTP sink exactly once
(the relay, run by beat every 30 s, re-queues what the outage left pending).
"""

import argparse
import time

from bench.drills import ledger
from bench.drills.load import PacedLoad, send, statuses
from bench.drills.services import PrivateRabbit
from bench.drills.shop import (
    Shop,
    confirmed,
    order_number,
    placed_notifications,
    push_delays,
    seconds,
)
from bench.drills.stack import Stack, notification_id, recreate_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--rate", type=float, default=4, help="checkouts per second")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--stop-after", type=int, default=50, help="answers first")
    parser.add_argument("--down-seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--mail-timeout", type=float, default=240)
    args = parser.parse_args()

    rabbit = PrivateRabbit()
    stack = None
    try:
        print(
            f"private RabbitMQ {rabbit.node} on :{rabbit.port} up in "
            f"{rabbit.start():.1f} s",
            flush=True,
        )
        stack = Stack(
            "broker",
            database_url=recreate_database("nexus_drills_broker"),
            broker_url=rabbit.url,
        )
        stack.migrate()
        stack.setup_django()
        shop = Shop(products=20, buyers=args.buyers, seed="broker")
        base = stack.start_web(workers=args.workers)
        stack.start_worker()
        stack.start_beat()
        before = ledger.counts(stack.sink)
        print(
            f"gunicorn ({args.workers} workers), worker and beat up; logs in "
            f"{stack.log_dir}",
            flush=True,
        )

        load = PacedLoad(
            shop.checkout_calls(base), rate=args.rate, concurrency=args.concurrency
        ).start()
        while load.done < args.stop_after:
            time.sleep(0.05)
        t_stop = time.monotonic()
        took = rabbit.stop()
        t_down = time.monotonic()
        print(
            f"broker stopped after {load.done} answers ({took:.1f} s to stop)",
            flush=True,
        )
        time.sleep(args.down_seconds)
        t_start = time.monotonic()
        took = rabbit.start()
        t_up = time.monotonic()
        print(
            f"broker started again after {t_start - t_down:.1f} s down "
            f"({took:.1f} s to boot; {load.done} answers so far)",
            flush=True,
        )
        results = load.join()
        print(f"checkouts: {statuses(results)}")

        # A client retries what failed with the same Idempotency-Key.
        final = {r.call.key: r for r in results}
        for result in results:
            if not confirmed(result):
                final[result.call.key] = send(result.call)
        retried = [final[r.call.key] for r in results if not confirmed(r)]
        print(f"retried {len(retried)} failed checkout(s): {statuses(retried)}")

        numbers = {k: order_number(r) for k, r in final.items() if confirmed(r)}
        placed = placed_notifications()
        expected = {placed[n] for n in numbers.values() if n in placed}
        reached = ledger.wait_for_mails(
            stack.sink, expected, timeout=args.mail_timeout, settle=35
        )
        after = ledger.counts(stack.sink)
        print()
        ledger.print_counts(before, after)
        print()
        phases = timeline(results, placed, stack, t_stop, t_down, t_up)

        verdict = ledger.Verdict()
        per_buyer = shop.orders_per_buyer()
        verdict.check(
            "every confirmed checkout has exactly one order",
            all(per_buyer[int(k)] == 1 for k in numbers)
            and sum(per_buyer.values()) == len(numbers),
            f"{len(numbers)} buyers confirmed, {sum(per_buyer.values())} orders",
        )
        verdict.check(
            "every buyer confirmed (201, or 200 replaying on a retry)",
            len(numbers) == args.buyers,
            f"{len(numbers)}/{args.buyers}",
        )
        problems = ledger.order_problems()
        verdict.check(
            "orders whole (lines, stock adjustments)",
            not problems,
            ledger.brief(problems),
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
            f"{len(expected) - len(missing)}/{len(expected)}"
            + (f", all {reached:.0f} s after the load ended" if reached else ""),
        )
        verdict.check(
            "no mail duplicated (no worker died: docs/notifications.md admits none)",
            not doubled,
            f"{sum(doubled.values()) - len(doubled)} duplicate(s)",
        )
        verdict.check(
            "outage orders placed (201) while the broker was down",
            phases["broker down"] > 0,
            f"{phases['broker down']} checkout(s) inside the outage",
        )
        gone = stack.restarted()
        verdict.check("no process died or was restarted", not gone, ", ".join(gone))
        return verdict.finish()
    finally:
        if stack is not None:
            stack.close()
        rabbit.close()


def timeline(results, placed, stack, t_stop, t_down, t_up) -> dict[str, int]:
    """Checkouts by phase, and how long after its 201 each one's mail came."""
    arrivals: dict[int, float] = {}
    for at, mid, _ in stack.sink.arrivals:
        arrivals.setdefault(notification_id(mid), at)
    phases = {
        "before the stop": lambda r: r.ended < t_stop,
        "broker down": lambda r: r.started >= t_down and r.ended < t_up,
        "after the restart": lambda r: r.started >= t_up,
    }
    pushes = push_delays()
    counts = {}
    print(
        f"{'phase (by request time)':<30}{'checkouts':<21}{'push after commit':<38}"
        "mail after the 201"
    )
    for name, inside in phases.items():
        chosen = [r for r in results if inside(r)]
        counts[name] = sum(1 for r in chosen if r.status == 201)
        delays = [
            arrivals[placed[number]] - r.ended
            for r in chosen
            if (number := order_number(r)) and placed.get(number) in arrivals
        ]
        pushed = [
            pushes[number]
            for r in chosen
            if (number := order_number(r)) and pushes.get(number) is not None
        ]
        print(
            f"  {name:<28}{len(chosen):>4} {str(statuses(chosen)):<16}"
            f"{seconds(pushed):<38}{seconds(delays)}"
        )
    rest = len(results) - sum(
        1 for r in results if any(inside(r) for inside in phases.values())
    )
    print(f"  {'straddling a change':<28}{rest:>6}")
    print(
        f"broker down from +{t_down - t_stop:.1f} s to +{t_up - t_stop:.1f} s "
        "after the stop began"
    )
    print(
        f"gunicorn: {stack.log_count('gunicorn', 'email enqueue failed')} enqueue "
        f"failure(s) logged; worker: relay runs that re-queued mail: "
        f"{stack.log_count('worker', 'email relay re-queued')}"
    )
    return counts


if __name__ == "__main__":
    raise SystemExit(main())
