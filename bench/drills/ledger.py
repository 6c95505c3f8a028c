"""Counts of what a drill must neither lose nor duplicate, and its checks.

Orders (with their lines and stock adjustments), payments, notifications and the mails
the SMTP sink received; `Verdict` prints the checks and gives the exit status.
"""

import time
from collections import Counter

from bench.drills.stack import MailSink, notification_id

PAYMENTS = (
    "payments: the app has no payment model yet, so there is nothing to count; "
    "the drills count them once payments land"
)


def reset_database_connection() -> None:
    """Drop this process's connection and its pool: after a server restart, each
    pooled connection would fail once before psycopg notices."""
    from django.db import connection

    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()


def counts(sink: MailSink) -> dict[str, int]:
    from commerce.inventory.models import StockAdjustment
    from commerce.orders.models import Order, OrderLine
    from realtime.models import EmailDeadLetter, Notification

    rows = Counter(Notification.objects.values_list("kind", flat=True))
    email = Counter(
        Notification.objects.exclude(email_state="skipped").values_list(
            "email_state", flat=True
        )
    )
    push = Counter(Notification.objects.values_list("push_state", flat=True))
    mails = Counter(notification_id(mid) for _, mid, _ in sink.arrivals)
    return {
        "orders": Order.objects.count(),
        "order lines": OrderLine.objects.count(),
        "stock adjustments (order)": StockAdjustment.objects.filter(
            reason="order"
        ).count(),
        "notifications": sum(rows.values()),
        "  order_placed": rows["order_placed"],
        "  new_order (staff)": rows["new_order"],
        "  other kinds": sum(rows.values()) - rows["order_placed"] - rows["new_order"],
        "  email pending": email["pending"],
        "  email sending": email["sending"],
        "  email sent": email["sent"],
        "  email failed": email["failed"],
        "  push sent": push["sent"],
        "  push failed": push["failed"],
        "  push pending": push["pending"],
        "dead letters": EmailDeadLetter.objects.count(),
        "mails received": sum(mails.values()),
        "  distinct notifications mailed": len(mails),
        "  duplicate mails": sum(n - 1 for n in mails.values()),
    }


def print_counts(before: dict[str, int], after: dict[str, int]) -> None:
    print(f"{'':<34}{'before':>8}{'after':>8}{'delta':>8}")
    for name in after:
        delta = after[name] - before.get(name, 0)
        print(f"{name:<34}{before.get(name, 0):>8}{after[name]:>8}{delta:>+8}")
    print(PAYMENTS)


def mails_by_notification(sink: MailSink) -> Counter:
    return Counter(notification_id(mid) for _, mid, _ in sink.arrivals)


def unsettled(expected: set[int]) -> int:
    """Of these notifications, how many emails are still pending or being sent."""
    from realtime.models import Notification

    return (
        Notification.objects.filter(pk__in=expected)
        .exclude(email_state__in=["sent", "failed"])
        .count()
    )


def wait_for_mails(
    sink: MailSink, expected: set[int], *, timeout: float, settle: float
) -> float | None:
    """Seconds until every expected notification was mailed and its row is final
    (sent or failed: a row still `sending` may yet be mailed again); None if not
    in `timeout`. Then waits `settle` more so late duplicates are counted too."""
    started = time.monotonic()
    reached = None
    last_report = started
    while time.monotonic() - started < timeout:
        missing = expected - set(mails_by_notification(sink))
        if not missing and not unsettled(expected):
            reached = time.monotonic() - started
            break
        if time.monotonic() - last_report > 15:
            last_report = time.monotonic()
            print(
                f"  ... {len(expected) - len(missing)}/{len(expected)} mailed, "
                f"{unsettled(expected)} row(s) not final, after "
                f"{last_report - started:.0f} s",
                flush=True,
            )
        time.sleep(0.5)
    time.sleep(settle)
    return reached


def mailed_but_unmarked(sink: MailSink) -> set[int]:
    """Rows still `sending` whose mail the sink already has: the window
    docs/notifications.md admits a duplicate for (SMTP said 250, the row was not
    marked sent), whether a worker died there or the database went away."""
    from realtime.models import Notification

    sending = set(
        Notification.objects.filter(email_state="sending").values_list("pk", flat=True)
    )
    return sending & set(mails_by_notification(sink))


class Verdict:
    """Named checks; `finish()` prints them and returns the exit status."""

    def __init__(self) -> None:
        self.checks: list[tuple[str, bool, str]] = []

    def check(self, name: str, passed: bool, detail: str = "") -> bool:
        self.checks.append((name, bool(passed), detail))
        return passed

    def finish(self) -> int:
        print("checks:")
        for name, passed, detail in self.checks:
            print(
                f"  {'PASS' if passed else 'FAIL'}  {name}"
                + (f": {detail}" if detail else "")
            )
        failed = [name for name, passed, _ in self.checks if not passed]
        print(
            f"verdict: {'OK' if not failed else 'FAILED (' + ', '.join(failed) + ')'}"
        )
        return 1 if failed else 0


def order_problems() -> list[str]:
    """Orders written by halves: without lines, or whose stock adjustments (reason
    order, note = the order number) do not match their lines one for one."""
    from django.db.models import Count, Sum

    from commerce.inventory.models import StockAdjustment
    from commerce.orders.models import Order

    problems = []
    orders = Order.objects.annotate(
        line_count=Count("lines"), units=Sum("lines__quantity")
    ).values("number", "line_count", "units")
    adjustments = {
        row["note"]: row
        for row in StockAdjustment.objects.filter(reason="order")
        .values("note")
        .annotate(rows=Count("id"), delta=Sum("delta"))
    }
    for order in orders:
        adjusted = adjustments.pop(order["number"], {"rows": 0, "delta": 0})
        if not order["line_count"]:
            problems.append(f"{order['number']} has no lines")
        elif (
            adjusted["rows"] != order["line_count"]
            or -adjusted["delta"] != order["units"]
        ):
            problems.append(
                f"{order['number']}: {order['line_count']} lines of {order['units']} "
                f"units, {adjusted['rows']} adjustments of {adjusted['delta']}"
            )
    problems += [f"adjustment for missing order {note}" for note in adjustments]
    return problems


def stock_problems(initial: dict[int, int]) -> list[str]:
    """Per product: initial stock = remaining stock + units in orders."""
    from django.db.models import Sum

    from commerce.inventory.models import StockRecord
    from commerce.orders.models import OrderLine

    ordered = dict(
        OrderLine.objects.filter(product_id__in=initial)
        .values_list("product_id")
        .annotate(units=Sum("quantity"))
    )
    remaining = dict(
        StockRecord.objects.filter(product_id__in=initial).values_list(
            "product_id", "quantity"
        )
    )
    return [
        f"product {pid}: initial {initial[pid]} != remaining {remaining.get(pid)} + "
        f"ordered {ordered.get(pid, 0)}"
        for pid in initial
        if initial[pid] != remaining.get(pid, 0) + ordered.get(pid, 0)
    ]


def notification_problems(order_numbers: set[str]) -> list[str]:
    """Each order: exactly one order_placed row, and one new_order per active staff."""
    from django.contrib.auth import get_user_model

    from realtime.models import Notification

    staff = get_user_model().objects.filter(is_staff=True, is_active=True).count()
    placed = Counter(
        Notification.objects.filter(kind="order_placed").values_list(
            "data__number", flat=True
        )
    )
    new = Counter(
        Notification.objects.filter(kind="new_order").values_list(
            "data__number", flat=True
        )
    )
    problems = []
    for number in sorted(order_numbers):
        if placed[number] != 1:
            problems.append(f"{number}: {placed[number]} order_placed rows")
        if new[number] != staff:
            problems.append(f"{number}: {new[number]} new_order rows for {staff} staff")
    problems += [
        f"order_placed for unknown order {n}" for n in placed.keys() - order_numbers
    ]
    return problems


def brief(problems: list[str], limit: int = 5) -> str:
    if not problems:
        return "none"
    more = f" (+{len(problems) - limit} more)" if len(problems) > limit else ""
    return "; ".join(problems[:limit]) + more
