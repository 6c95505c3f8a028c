"""Drill: a Celery worker SIGKILLed mid-batch of 1,000 mails.

    .venv/bin/python -m bench.drills.worker_kill --mails 1000 --kill-at 250,500,750

1,000 order_placed notifications are recorded (each with its email pending and its
task queued, as a checkout leaves them), then a worker (`celery -A nexus worker`,
prefork, --concurrency 2 as in compose) sends them to an SMTP sink, with beat
running the relay. Each time the sink has the --kill-at-th mail, the worker's whole
process group gets SIGKILL and a new worker is started. Afterwards every mail must
have arrived, and any duplicate must be one of the mails a killed worker held in
flight: the crash window docs/notifications.md admits (SMTP accepted the message,
the row was not yet marked sent), at most one per in-flight task. PostgreSQL,
Redis and RabbitMQ are the machine's; the drill has its own database and queue.
"""

import argparse
import time

from bench.drills import ledger
from bench.drills.stack import Stack, notification_id, recreate_database


def record_batch(count: int) -> None:
    """`count` users with one order_placed notification each, through the service
    (row, then push and email enqueue after commit), 100 per transaction."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from realtime.delivery import wait_for_background_deliveries
    from realtime.models import NotificationKind
    from realtime.services import notification_send

    User = get_user_model()
    users = User.objects.bulk_create(
        User(email=f"drills-mail-{n:05d}@example.com", password="!")  # noqa: S106
        for n in range(count)
    )
    for start in range(0, count, 100):
        with transaction.atomic():
            for n, user in enumerate(users[start : start + 100], start=start):
                number = f"NX-DRILL-{n:05d}"
                notification_send(
                    user=user,
                    kind=NotificationKind.ORDER_PLACED,
                    title=f"Order {number} placed",
                    body="We have your order of 1 item(s), 9.99 USD in all.",
                    data={
                        "order_id": n,
                        "number": number,
                        "status": "pending",
                        "total": "9.99",
                        "currency": "USD",
                        "item_count": 1,
                    },
                )
    if not wait_for_background_deliveries(timeout=300):
        raise RuntimeError("the batch's tasks were not all published in 300 s")


def in_flight() -> set[int]:
    """Rows a worker has claimed and not finished: what a kill leaves mid-send."""
    from realtime.models import Notification

    return set(
        Notification.objects.filter(email_state="sending").values_list("pk", flat=True)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--kill-at", default="250,500,750", help="mails received")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument(
        "--smtp-delay", type=float, default=0.02, help="the sink's DATA answer time"
    )
    parser.add_argument("--mail-timeout", type=float, default=300)
    args = parser.parse_args()
    kill_at = [int(n) for n in args.kill_at.split(",") if n]

    stack = Stack(
        "worker",
        database_url=recreate_database("nexus_drills_worker"),
        smtp_delay=args.smtp_delay,
    )
    try:
        stack.migrate()
        stack.setup_django()
        from realtime.models import Notification

        started = time.monotonic()
        record_batch(args.mails)
        print(
            f"{args.mails} notifications recorded and their tasks queued in "
            f"{time.monotonic() - started:.1f} s; logs in {stack.log_dir}",
            flush=True,
        )
        expected = set(
            Notification.objects.filter(kind="order_placed").values_list(
                "pk", flat=True
            )
        )
        before = ledger.counts(stack.sink)
        worker = stack.start_worker(concurrency=args.concurrency)
        stack.start_beat()
        began = time.monotonic()
        kills = []
        for threshold in kill_at:
            while len(ledger.mails_by_notification(stack.sink)) < threshold:
                if time.monotonic() - began > args.mail_timeout:
                    raise RuntimeError(f"never reached {threshold} mails")
                time.sleep(0.01)
            worker.kill()
            killed_at = time.monotonic()
            held = in_flight()
            received = len(stack.sink.arrivals)
            worker = stack.start_worker(concurrency=args.concurrency)
            kills.append((killed_at, held, received, time.monotonic() - killed_at))
            print(
                f"SIGKILL at {received} mails: {len(held)} claim(s) in flight "
                f"{sorted(held)}; new worker ready in {kills[-1][3]:.1f} s",
                flush=True,
            )
        reached = ledger.wait_for_mails(
            stack.sink, expected, timeout=args.mail_timeout, settle=10
        )
        elapsed = time.monotonic() - began
        after = ledger.counts(stack.sink)
        print()
        ledger.print_counts(before, after)
        print()
        first_mail = {}
        for at, mid, _ in stack.sink.arrivals:
            first_mail.setdefault(notification_id(mid), []).append(at)
        for killed_at, held, _, _ in kills:
            times = [max(first_mail.get(pk, [killed_at])) - killed_at for pk in held]
            later = [
                at for at, _, _ in stack.sink.arrivals if at > killed_at
            ]  # first mail of the new worker
            print(
                f"kill at +{killed_at - began:.1f} s: first mail after it "
                f"+{(min(later) - killed_at) if later else float('nan'):.1f} s; "
                f"its in-flight mails sent (last copy) "
                f"{', '.join(f'+{t:.1f} s' for t in times) or '-'}"
            )
        print(
            f"{args.mails} mails in {elapsed:.0f} s including "
            f"{len(kills)} kill(s); relay runs that re-queued mail: "
            f"{stack.log_count('worker', 'email relay re-queued')}"
        )

        verdict = ledger.Verdict()
        mails = ledger.mails_by_notification(stack.sink)
        missing = expected - set(mails)
        verdict.check(
            "all mails delivered",
            not missing and reached is not None,
            f"{len(expected) - len(missing)}/{len(expected)}",
        )
        held_all = set().union(*(held for _, held, _, _ in kills)) if kills else set()
        doubled = {pk: n for pk, n in mails.items() if n > 1}
        verdict.check(
            "duplicates only of mails in flight at a kill, one each at most",
            set(doubled) <= held_all and all(n == 2 for n in doubled.values()),
            f"{sum(doubled.values()) - len(doubled)} duplicate(s) "
            f"{sorted(doubled)}; {len(held_all)} in flight over {len(kills)} kill(s)",
        )
        left = Notification.objects.filter(kind="order_placed").exclude(
            email_state="sent"
        )
        verdict.check(
            "every row marked sent",
            not left.exists(),
            f"{left.count()} not sent",
        )
        verdict.check(
            "no dead letters", after["dead letters"] == 0, str(after["dead letters"])
        )
        alive = [p for p in stack.processes if p.name == "worker"][-1]
        verdict.check(
            "the last worker is still running",
            alive.popen.poll() is None,
        )
        return verdict.finish()
    finally:
        stack.close()


if __name__ == "__main__":
    raise SystemExit(main())
