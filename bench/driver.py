"""The load generator every benchmark uses, for our app and for the peer alike.

Python threads, each with its own keep-alive `requests.Session`, send a bounded list
of prepared calls to servers on this machine and record status and latency; the
machine's CPU use over the run is read from /proc/stat. A Python driver shares the
two cores with the servers and roughly halves what it can measure, so figures are
compared within one run of one driver, never with another tool's.
"""

import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

# (method, url, headers) or (method, url, headers, body)
Call = tuple


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine so far."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def drive(calls: list[Call], concurrency: int) -> tuple[float, list, float]:
    """Send each call once over `concurrency` threads; return (elapsed seconds,
    [(status, latency, body)], machine CPU busy %)."""
    local = threading.local()

    def one(call):
        method, url, headers, *rest = call
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        started = time.perf_counter()
        try:
            response = session.request(
                method, url, headers=headers, data=rest[0] if rest else None, timeout=60
            )
            status, body = response.status_code, response.content
        except requests.RequestException as exc:
            status, body = "error", repr(exc).encode()
        return status, time.perf_counter() - started, body

    busy0, total0 = cpu_times()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, calls))
    elapsed = time.perf_counter() - started
    busy1, total1 = cpu_times()
    cpu = 100 * (busy1 - busy0) / max(total1 - total0, 1)
    return elapsed, results, cpu


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def report(name: str, elapsed: float, results, cpu: float | None = None) -> dict:
    """Print one line for a scenario and return its figures."""
    statuses = Counter(status for status, _, _ in results)
    latencies = [latency for _, latency, _ in results]
    ok = statuses.get(201, 0) + statuses.get(200, 0) + statuses.get(304, 0)
    line = {
        "scenario": name,
        "requests": len(results),
        "ok": ok,
        "ok_per_s": round(ok / elapsed, 1),
        "req_per_s": round(len(results) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "cpu_pct": None if cpu is None else round(cpu),
        "statuses": dict(sorted(statuses.items(), key=str)),
    }
    cpu_text = "" if cpu is None else f"; CPU {line['cpu_pct']}%"
    print(
        f"{name:>24}: {line['requests']} requests in {elapsed:.2f}s; "
        f"{line['ok_per_s']} ok/s ({line['req_per_s']} req/s); "
        f"p50 {line['p50_ms']} ms, p99 {line['p99_ms']} ms{cpu_text}; "
        f"statuses {line['statuses']}",
        flush=True,
    )
    errors = [body[:200] for status, _, body in results if status in (500, "error")]
    if errors:
        print(f"{'':>26}first failures: {errors[:3]}")
    return line
