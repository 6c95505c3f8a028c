"""Websockets under load: N authenticated sockets held on one daphne process.

    .venv/bin/python bench/websocket.py --sockets 1000 --staff 100 --samples 200
    .venv/bin/python bench/websocket.py --sockets 10000 --concurrency 10 --hold 180

Creates (once) a bench database with N users (the first --staff of them staff), starts
one daphne on 127.0.0.1 on the Redis channel layer, opens N sockets (one per user, at
most --concurrency handshakes in flight) and reports the connect rate and the daphne
RSS growth per socket, the handshake times, and (--hold) how many sockets daphne still
holds after that many seconds of its 20-second pings. It then measures commit-to-receive
latency: the time from just before `notification_send`'s transaction commits to the
frame arriving on that user's socket (--samples single-user alerts), and from commit
until every staff socket has its `notification_send_staff` alert (--broadcasts).
Clients offer no permessage-deflate. Loopback only; the daphne it started (on --port,
or a free one) is stopped at the end. Mind `ulimit -n` (two descriptors per socket on
one machine). Results: docs/performance.md ("## Websockets").
"""

import argparse
import asyncio
import json
import os
import time
from pathlib import Path

from support import (
    HOST,
    bench_env,
    create_and_migrate,
    start_servers,
    stop_servers,
    use_env,
)

DB_NAME = "nexus_bench_websocket"
# daphne's output (tracebacks, refused handshakes) lands here, outside tracked files.
LOG_DIR = Path(__file__).resolve().parent / ".logs"
PREFIX = f"bench-ws-{os.getpid()}"
# A Redis database of its own: a suite sharing this Redis that FLUSHDBs database 0
# wipes every socket's group membership mid-run (measured: the sockets stay open and
# hear nothing more, so the latency samples after a long hold time out).
REDIS_DB = 7
BENCH_ENV = {
    **bench_env(db_name=DB_NAME, queue="bench-websocket", channel_prefix=PREFIX),
    "REDIS_URL": f"redis://{HOST}:6379/{REDIS_DB}",
}


def prepare_database(users: int, staff: int) -> list[int]:
    create_and_migrate(db_name=DB_NAME, env=BENCH_ENV)
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    User = get_user_model()
    have = User.objects.filter(email__startswith="bench-ws-").count()
    User.objects.bulk_create(
        User(email=f"bench-ws-{i:06d}@example.com", password="!")  # noqa: S106
        for i in range(have, users)
    )
    ids = list(
        User.objects.filter(email__startswith="bench-ws-")
        .order_by("email")
        .values_list("pk", flat=True)[:users]
    )
    User.objects.filter(email__startswith="bench-ws-").update(is_staff=False)
    User.objects.filter(pk__in=ids[:staff]).update(is_staff=True)
    # Staff outside the bench would get broadcast rows but hold no socket here.
    User.objects.exclude(email__startswith="bench-ws-").update(is_active=False)
    return ids


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(args, users: dict, port: int, daphne_pid: int) -> None:
    from asgiref.sync import sync_to_async
    from django.db import transaction
    from rest_framework_simplejwt.tokens import AccessToken
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidMessage, InvalidStatus

    from realtime.models import NotificationKind
    from realtime.services import notification_send, notification_send_staff

    ids = sorted(users)
    url = f"ws://{HOST}:{port}/ws/notifications/?token="
    origin = f"http://{HOST}:{port}"
    received: dict[int, asyncio.Queue] = {pk: asyncio.Queue() for pk in ids}
    gate = asyncio.Semaphore(args.concurrency)
    sockets = {}
    refused = dropped = 0
    # (seconds into the connect phase, handshake seconds) of each socket opened.
    handshakes: list[tuple[float, float]] = []

    async def open_one(pk: int) -> None:
        # A handshake the app has not accepted within daphne's connect timeout
        # (--websocket_connect_timeout, 5 s) fails. Usually autobahn's opening-handshake
        # timer (the same 5 s, rounded down to a whole second) fires first and drops
        # the TCP connection with no HTTP answer at all (InvalidMessage); only when
        # daphne's own 2-second sweep gets there first is it a 403. Either way a real
        # client reconnects, so count both and try again: one stall of the accept
        # path (a slow query, a busy machine) used to end the whole run.
        nonlocal refused, dropped
        for attempt in range(5):
            try:
                async with gate:
                    begun = time.perf_counter()
                    sockets[pk] = await connect(
                        url + str(AccessToken.for_user(users[pk])),
                        origin=origin,
                        compression=None,
                        open_timeout=30,
                        max_queue=None,
                        # The server pings every socket (daphne, every 20 s); the
                        # client's own pings would be this one process's load.
                        ping_interval=None,
                    )
                    now = time.perf_counter()
                    handshakes.append((begun - started, now - begun))
                return
            except InvalidStatus:
                refused += 1
                if attempt == 4:
                    raise
            except (InvalidMessage, TimeoutError, OSError):
                dropped += 1
                if attempt == 4:
                    raise
            await asyncio.sleep(1)

    closed: dict[int, int | None] = {}

    async def reader(pk: int) -> None:
        async for frame in sockets[pk]:
            received[pk].put_nowait((time.perf_counter(), json.loads(frame)))
        closed[pk] = sockets[pk].close_code

    await asyncio.sleep(1)
    rss_before = rss_kb(daphne_pid)
    started = time.perf_counter()
    await asyncio.gather(*(open_one(pk) for pk in ids))
    connect_seconds = time.perf_counter() - started
    readers = [asyncio.create_task(reader(pk)) for pk in ids]
    await asyncio.sleep(2)
    rss_after = rss_kb(daphne_pid)
    print(f"sockets open          {len(sockets)}")
    print(f"handshakes refused    {refused} (403), dropped unanswered {dropped}")
    slowest_at, slowest = max(handshakes, key=lambda h: h[1])
    times = [h[1] * 1000 for h in handshakes]
    print(
        f"handshake             p50 {pct(times, 0.5):.0f} ms, p99 "
        f"{pct(times, 0.99):.0f} ms, max {slowest * 1000:.0f} ms "
        f"({slowest_at:.0f} s into the connects)"
    )
    print(f"connect rate          {len(ids) / connect_seconds:.0f}/s")
    per_socket = (rss_after - rss_before) / len(ids)
    print(
        f"daphne RSS            {rss_before / 1024:.0f} MB → {rss_after / 1024:.0f} MB"
    )
    print(f"memory per socket     {per_socket:.1f} KB")
    if args.hold:
        # Held open: daphne pings each socket every 20 s and drops any whose pong
        # is late, so this is where a socket that cannot be kept shows up.
        await asyncio.sleep(args.hold)
        codes = sorted({str(code) for code in closed.values()})
        print(
            f"open after {args.hold:.0f} s       {len(sockets) - len(closed)}"
            + (f" (closed: {', '.join(codes)})" if closed else "")
        )

    def commit_one(user, kind) -> float:
        with transaction.atomic():
            notification_send(user=user, kind=kind, title="bench", body="", data={})
            stamp = time.perf_counter()
        return stamp

    def commit_staff() -> float:
        with transaction.atomic():
            notification_send_staff(
                kind=NotificationKind.NEW_ORDER, title="bench", body="", data={}
            )
            stamp = time.perf_counter()
        return stamp

    single = []
    targets = ids[args.staff :] or ids
    for i in range(args.samples):
        pk = targets[i % len(targets)]
        # Through sync_to_async, as a view under daphne would: the push then runs
        # on this loop's channel-layer connections.
        sent = await sync_to_async(commit_one)(
            users[pk], NotificationKind.REVIEW_MODERATED
        )
        got, _ = await asyncio.wait_for(received[pk].get(), timeout=10)
        single.append((got - sent) * 1000)
    print(
        f"single user           p50 {pct(single, 0.5):.1f} ms, "
        f"p99 {pct(single, 0.99):.1f} ms ({len(single)} alerts)"
    )
    staff_ids = ids[: args.staff]
    broadcast_all, broadcast_first = [], []
    for _ in range(args.broadcasts):
        sent = await sync_to_async(commit_staff)()
        arrivals = [
            (await asyncio.wait_for(received[pk].get(), timeout=10))[0]
            for pk in staff_ids
        ]
        broadcast_all.append((max(arrivals) - sent) * 1000)
        broadcast_first.append((min(arrivals) - sent) * 1000)
    print(
        f"staff broadcast ({len(staff_ids)})  last socket p50 "
        f"{pct(broadcast_all, 0.5):.1f} ms, p99 {pct(broadcast_all, 0.99):.1f} ms; "
        f"first p50 {pct(broadcast_first, 0.5):.1f} ms ({args.broadcasts} broadcasts)"
    )
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--staff", type=int, default=100)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--broadcasts", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--hold", type=float, default=0, help="seconds to hold the sockets open"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="daphne's port (default: a free one)"
    )
    args = parser.parse_args()
    if not 1 <= args.sockets <= 10_000 or not 0 < args.staff <= args.sockets:
        parser.error("1 ≤ --staff ≤ --sockets ≤ 10000")
    use_env(BENCH_ENV)
    ids = prepare_database(args.sockets, args.staff)
    from django.contrib.auth import get_user_model

    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)}
    from tests.realtime.smtp import free_port

    port = args.port or free_port()
    servers = start_servers([port], env=BENCH_ENV, log_dir=LOG_DIR)
    try:
        asyncio.run(run(args, users, port, servers[0].pid))
    finally:
        stop_servers(servers)


if __name__ == "__main__":
    main()
