"""Drill: Redis stopped under 1,000 open websockets.

    .venv/bin/python -m bench.drills.redis_outage --sockets 1000 --checkouts 20

A private Redis (port 16390) is the channel layer and cache of daphne (/ws/) and
gunicorn (HTTP); PostgreSQL and RabbitMQ are the machine's (the drill's own database
and queue), with a Celery worker and beat sending mail to an SMTP sink. One buyer
per socket, each with a full cart. Three phases of --checkouts checkouts each:
Redis up (each buyer's socket gets its order_placed frame), Redis stopped (HTTP
still answers, checkouts commit, pushes fail and are logged, the buyers find their
notifications over REST), Redis started again (sockets connect again and pushes
arrive, daphne and gunicorn never restarted). Every order_placed mail arrives once.
The rate limits are production's (they count in Redis), not off as in the benchmarks.
"""

import argparse
import asyncio
import json
import time
from collections import Counter

from bench.drills import ledger
from bench.drills.load import Call, send
from bench.drills.services import PrivateRedis
from bench.drills.shop import Shop, order_number, placed_notifications
from bench.drills.stack import Stack, recreate_database


class Sockets:
    """The drill's websocket clients: one per buyer, each keeping what it receives."""

    def __init__(self, ws_base: str, tokens: list[str], concurrency: int):
        self.url = ws_base.replace("http://", "ws://") + "/ws/notifications/?token="
        self.origin = ws_base
        self.tokens = tokens
        self.gate = asyncio.Semaphore(concurrency)
        self.open: dict[int, object] = {}
        self.frames: dict[int, list[tuple[float, dict]]] = {
            i: [] for i in range(len(tokens))
        }
        self.closed: dict[int, int | None] = {}  # buyer → close code seen
        self.connected_at: list[float] = []
        self.closed_at: list[float] = []
        self.readers: list[asyncio.Task] = []

    async def connect(self, i: int, timeout: float = 30) -> bool:
        from websockets.asyncio.client import connect

        async with self.gate:
            try:
                ws = await connect(
                    self.url + self.tokens[i],
                    origin=self.origin,
                    compression=None,
                    open_timeout=timeout,
                    max_queue=None,
                )
            except Exception:  # noqa: BLE001 - a refused handshake is an outcome
                return False
        self.open[i] = ws
        self.closed.pop(i, None)
        self.connected_at.append(time.monotonic())
        self.readers.append(asyncio.create_task(self._read(i, ws)))
        return True

    async def _read(self, i: int, ws) -> None:
        try:
            async for frame in ws:
                self.frames[i].append((time.monotonic(), json.loads(frame)))
        except Exception:  # noqa: BLE001, S110 - the close code says what happened
            pass
        if self.open.get(i) is ws:
            del self.open[i]
            self.closed[i] = ws.close_code
            self.closed_at.append(time.monotonic())

    async def connect_all(self, buyers) -> tuple[int, float]:
        started = time.monotonic()
        done = await asyncio.gather(*(self.connect(i) for i in buyers))
        return sum(done), time.monotonic() - started

    def got_order(self, i: int, number: str) -> float | None:
        for at, message in self.frames[i]:
            notification = message.get("notification", {})
            if notification.get("data", {}).get("number") == number:
                return at
        return None

    async def close(self) -> None:
        await asyncio.gather(
            *(ws.close() for ws in list(self.open.values())), return_exceptions=True
        )
        for task in self.readers:
            task.cancel()


async def checkouts(calls: list[Call]) -> list:
    return await asyncio.gather(*(asyncio.to_thread(send, c) for c in calls))


async def pushes_arrived(sockets, buyers, results, wait: float) -> list[float]:
    """Commit-to-frame delays of the phase's orders whose frame came in `wait` s."""
    deadline = time.monotonic() + wait
    numbers = {i: order_number(r) for i, r in zip(buyers, results, strict=True)}
    while time.monotonic() < deadline:
        if all(sockets.got_order(i, n) for i, n in numbers.items() if n):
            break
        await asyncio.sleep(0.1)
    return [
        at - r.ended
        for i, r in zip(buyers, results, strict=True)
        if (n := numbers[i]) and (at := sockets.got_order(i, n)) is not None
    ]


async def drill(args, stack, redis, shop, web, ws_base, verdict) -> list:
    calls = shop.checkout_calls(web)
    sockets = Sockets(ws_base, shop.tokens, args.concurrency)
    n = args.checkouts
    phase_a, phase_b, phase_c = range(0, n), range(n, 2 * n), range(2 * n, 3 * n)

    opened, took = await sockets.connect_all(range(args.sockets))
    print(f"{opened}/{args.sockets} sockets open in {took:.1f} s", flush=True)
    verdict.check("all sockets open", opened == args.sockets, f"{opened}")

    results = await checkouts([calls[i] for i in phase_a])
    delays = await pushes_arrived(sockets, phase_a, results, wait=10)
    print(
        f"Redis up: {n} checkouts {[r.status for r in results].count(201)}x201, "
        f"{len(delays)} pushes arrived (max {max(delays, default=0):.2f} s)"
    )
    verdict.check(
        "pushes arrive before the outage", len(delays) == n, f"{len(delays)}/{n}"
    )

    t_stop = time.monotonic()
    redis.stop()
    t_down = time.monotonic()
    await asyncio.sleep(2)
    print(
        f"Redis stopped ({t_down - t_stop:.2f} s); 2 s later {len(sockets.open)} "
        f"sockets open, {len(sockets.closed)} closed with codes "
        f"{dict(Counter(sockets.closed.values()))}",
        flush=True,
    )

    probes = {
        "healthz": Call("probe", "GET", f"{web}/healthz", {}),
        "readyz": Call("probe", "GET", f"{web}/readyz", {}),
        "catalog": Call("probe", "GET", f"{web}/api/v1/products/?page_size=24", {}),
    }
    answers = {
        name: (await asyncio.to_thread(send, call)).status
        for name, call in probes.items()
    }
    results_b = await checkouts([calls[i] for i in phase_b])
    statuses_b = [r.status for r in results_b]
    listed = []
    for i, result in zip(phase_b, results_b, strict=True):
        rest = await asyncio.to_thread(
            send,
            Call(
                "rest",
                "GET",
                f"{web}/api/v1/notifications/?unread=true",
                {"Authorization": calls[i].headers["Authorization"]},
            ),
        )
        numbers = (
            {item["data"].get("number") for item in json.loads(rest.body)["results"]}
            if rest.status == 200
            else set()
        )
        listed.append(order_number(result) in numbers)
    refused = not await sockets.connect(phase_c[0], timeout=5)
    late = await pushes_arrived(sockets, phase_b, results_b, wait=2)
    print(
        f"Redis down: {answers}; {statuses_b.count(201)}/{n} checkouts 201; "
        f"{sum(listed)}/{n} found their notification over REST; "
        f"a new socket {'refused' if refused else 'connected'}; "
        f"{len(late)} pushes arrived",
        flush=True,
    )
    verdict.check(
        "HTTP answers without Redis",
        answers["healthz"] == 200 and answers["catalog"] == 200,
        f"{answers} (readyz 503 is right: it reports Redis down)",
    )
    verdict.check(
        "checkouts commit without Redis",
        statuses_b.count(201) == n,
        str(statuses_b.count(201)),
    )
    verdict.check("clients catch up over REST", all(listed), f"{sum(listed)}/{n}")
    remaining = max(args.down_seconds - (time.monotonic() - t_down), 0)
    await asyncio.sleep(remaining)

    t_start = time.monotonic()
    redis.start()
    t_up = time.monotonic()
    survivors = [i for i in range(args.sockets) if i in sockets.open]
    last_close = max(sockets.closed_at, default=t_stop) - t_stop
    print(
        f"while Redis was down: {len(sockets.closed)} sockets closed "
        f"({dict(Counter(sockets.closed.values()))}), the last {last_close:.1f} s "
        "after the stop",
        flush=True,
    )
    reopen = [i for i in range(args.sockets) if i not in sockets.open]
    failures = 0

    async def reconnect(i: int) -> bool:
        # As a browser does: try again, backing off, until the server takes it.
        nonlocal failures
        for attempt in range(args.retries):
            if await sockets.connect(i, timeout=10):
                return True
            failures += 1
            await asyncio.sleep(min(0.5 * 2**attempt, 5))
        return False

    back = await asyncio.gather(*(reconnect(i) for i in reopen))
    all_back = time.monotonic() - t_up
    await asyncio.sleep(1)
    first = min((at for at in sockets.connected_at if at > t_up), default=t_up)
    print(
        f"Redis started after {t_start - t_down:.1f} s down; first socket in "
        f"{first - t_up:.2f} s; {sum(back)}/{len(reopen)} reconnected in "
        f"{all_back:.1f} s after {failures} refused attempt(s); {len(survivors)} "
        f"had stayed open; {len(sockets.open)} open now",
        flush=True,
    )
    verdict.check(
        "sockets connect again, daphne not restarted",
        all(back) and len(sockets.open) == args.sockets,
        f"{sum(back)}/{len(reopen)} in {all_back:.1f} s, {failures} refused first",
    )

    results_c = await checkouts([calls[i] for i in phase_c])
    delays_c = await pushes_arrived(sockets, phase_c, results_c, wait=10)
    print(
        f"Redis back: {n} checkouts {[r.status for r in results_c].count(201)}x201, "
        f"{len(delays_c)} pushes arrived (max {max(delays_c, default=0):.2f} s)",
        flush=True,
    )
    verdict.check("pushes arrive again", len(delays_c) == n, f"{len(delays_c)}/{n}")
    await sockets.close()
    return [*results, *results_b, *results_c]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--checkouts", type=int, default=20, help="per phase")
    parser.add_argument("--down-seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=50, help="handshakes")
    parser.add_argument("--retries", type=int, default=8, help="per reconnect")
    parser.add_argument("--mail-timeout", type=float, default=180)
    args = parser.parse_args()
    if args.sockets < 3 * args.checkouts:
        parser.error("--sockets must be at least 3 × --checkouts")

    redis = PrivateRedis()
    stack = None
    try:
        redis.start()
        stack = Stack(
            "redis",
            database_url=recreate_database("nexus_drills_redis"),
            redis_url=redis.url,
            # Production's rate limits, which count in this Redis: with it gone,
            # requests must go uncounted, not fail.
            extra_env={"THROTTLE_RATES": ""},
        )
        stack.migrate()
        stack.setup_django()
        shop = Shop(products=20, buyers=args.sockets, seed="redis")
        ws_base = stack.start_daphne()
        web = stack.start_web()
        stack.start_worker()
        stack.start_beat()
        print(
            f"private Redis on :{redis.port}; daphne, gunicorn, worker, beat up; "
            f"logs in {stack.log_dir}",
            flush=True,
        )
        before = ledger.counts(stack.sink)
        verdict = ledger.Verdict()
        results = asyncio.run(drill(args, stack, redis, shop, web, ws_base, verdict))
        from realtime.models import Notification

        states = Counter(
            Notification.objects.filter(kind="order_placed").values_list(
                "push_state", flat=True
            )
        )
        print(
            f"order_placed push states {dict(states)}; gunicorn logged "
            f"{stack.log_count('gunicorn', 'websocket push failed')} failed push(es)"
        )
        verdict.check(
            "only the outage's pushes failed",
            states["failed"] == args.checkouts,
            f"{states['failed']} failed for {args.checkouts} outage checkouts",
        )

        numbers = {order_number(r) for r in results if r.status == 201}
        placed = placed_notifications()
        expected = {placed[n] for n in numbers if n in placed}
        reached = ledger.wait_for_mails(
            stack.sink, expected, timeout=args.mail_timeout, settle=5
        )
        after = ledger.counts(stack.sink)
        print()
        ledger.print_counts(before, after)
        print()
        problems = ledger.notification_problems(numbers)
        verdict.check(
            "each order's notifications exist", not problems, ledger.brief(problems)
        )
        problems = ledger.order_problems()
        verdict.check(
            "orders whole (lines, stock adjustments)",
            not problems,
            ledger.brief(problems),
        )
        mails = ledger.mails_by_notification(stack.sink)
        verdict.check(
            "each order_placed mail arrived once",
            reached is not None and all(mails[pk] == 1 for pk in expected),
            f"{len(expected & set(mails))}/{len(expected)} mailed, "
            f"{after['  duplicate mails']} duplicate(s)",
        )
        gone = stack.restarted()
        verdict.check("no process died or was restarted", not gone, ", ".join(gone))
        return verdict.finish()
    finally:
        if stack is not None:
            stack.close()
        redis.close()


if __name__ == "__main__":
    raise SystemExit(main())
