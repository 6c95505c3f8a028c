"""Paced HTTP load in the background, for injecting a fault in the middle of it.

Each call is sent at its own moment rather than all at once, so some have answered
and others are still to come when the drill breaks a service.
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import requests


class Call(NamedTuple):
    kind: str  # "checkout", "catalog", ...: how the drill groups the answers
    method: str
    url: str
    headers: dict
    key: str = ""  # what the drill needs to find the call again (a buyer, say)


class Result(NamedTuple):
    call: Call
    started: float  # time.monotonic()
    ended: float
    status: int | str  # "error" when no HTTP answer came
    body: bytes


class PacedLoad:
    """Send `calls` at `rate` per second over `concurrency` threads, in a thread of
    its own; `done` counts answers so far."""

    def __init__(self, calls: list[Call], *, rate: float, concurrency: int):
        self.calls = calls
        self.rate = rate
        self.concurrency = concurrency
        self.results: list[Result] = []
        self.lock = threading.Lock()
        self.local = threading.local()
        self.thread = threading.Thread(target=self._run, daemon=True)

    @property
    def done(self) -> int:
        with self.lock:
            return len(self.results)

    def start(self) -> "PacedLoad":
        self.begin = time.monotonic()
        self.thread.start()
        return self

    def join(self) -> list[Result]:
        self.thread.join()
        return sorted(self.results, key=lambda r: r.started)

    def _run(self) -> None:
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            for index, call in enumerate(self.calls):
                pool.submit(self._one, call, self.begin + index / self.rate)

    def _one(self, call: Call, at: float) -> None:
        delay = at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        result = send(call, session=self._session())
        with self.lock:
            self.results.append(result)

    def _session(self) -> requests.Session:
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
        return session


def send(call: Call, *, session=None, timeout: float = 30) -> Result:
    started = time.monotonic()
    try:
        response = (session or requests).request(
            call.method, call.url, headers=call.headers, timeout=timeout
        )
        status, body = response.status_code, response.content
    except requests.RequestException as exc:
        status, body = "error", repr(exc).encode()
    return Result(call, started, time.monotonic(), status, body)


def statuses(results: list[Result]) -> dict:
    return dict(sorted(Counter(r.status for r in results).items(), key=str))


def ok(result: Result) -> bool:
    return isinstance(result.status, int) and result.status < 400
