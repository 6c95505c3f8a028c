"""Drive the django-oscar peer (Oscar 4.2 + oscarapi) from a bench run in our venv.

Only the standard library and `requests` here: the peer runs in its own virtualenv,
bench/peers/.venv-oscar, reached through subprocesses (its manage.py and gunicorn).

    from peers.oscar import peer               # with bench/ on sys.path

    if not peer.install():                     # runs install.sh; False if it fails
        raise SystemExit(1)
    peer.prepare(products=10000)               # database, migrations, catalogue
    server = peer.start(18301, workers=4)      # gunicorn, answering /healthz
    try:
        floor = f"{server.base}/healthz"
        page = peer.catalog_page_url(server.base)
        calls, outcome = peer.hot_checkout_calls(server.base, buyers=200, units=100)
        ...                                    # drive the calls, then outcome()
    finally:
        peer.stop(server)
"""

import json
import os
import subprocess
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import requests

HERE = Path(__file__).resolve().parent
VENV = HERE.parent / ".venv-oscar"
PYTHON = VENV / "bin" / "python"
GUNICORN = VENV / "bin" / "gunicorn"
RUN_DIR = HERE.parent / ".run"  # gunicorn logs; untracked (bench/.gitignore)
HOST = "127.0.0.1"
DB_NAME = "nexus_bench_peer_oscar"
CATEGORIES = 10  # seed_peer spreads the products over peer-category-0..9

# Variables of the caller's Django or virtualenv that must not leak into the peer.
_NOT_INHERITED = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE")


class Server(NamedTuple):
    process: subprocess.Popen
    port: int
    base: str  # http://127.0.0.1:<port>
    log: Path


class Call(NamedTuple):
    method: str
    url: str
    headers: dict[str, str]
    body: bytes


def peer_env(db_name: str = DB_NAME) -> dict[str, str]:
    """The environment of every peer process: its own settings and database."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    env.update(
        DJANGO_SETTINGS_MODULE="peer_site.settings",
        PEER_DB_NAME=db_name,
        PEER_DB_HOST=HOST,
        PEER_DB_PORT="5432",
        PEER_DB_USER="postgres",
        PYTHONUNBUFFERED="1",
    )
    return env


def install() -> bool:
    """Make the peer's virtualenv from the pins (quick when it is up to date).
    Return False, having said why, when it cannot be made (offline, no python3.11)."""
    try:
        result = subprocess.run(
            ["bash", str(HERE / "install.sh")],
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"peer install failed: {exc}")
        return False
    if result.returncode != 0 or not GUNICORN.exists():
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        print(
            f"peer install failed (exit {result.returncode}); the django-oscar peer "
            f"needs python3.11 and PyPI through pip. Last output:\n{tail}"
        )
        return False
    return True


def manage(*args: str, db_name: str = DB_NAME) -> str:
    """Run the peer's manage.py with its venv; return its stdout."""
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=HERE,
        env=peer_env(db_name),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"peer manage.py {' '.join(args)} failed ({result.returncode}):\n"
            + result.stderr[-3000:]
        )
    return result.stdout


def prepare(products: int = 10000, *, db_name: str = DB_NAME) -> None:
    """Create the peer's database if missing, migrate it, and seed `products`
    products (kept between runs; only missing ones are added), then ANALYZE."""
    manage("peer_createdb", db_name=db_name)
    manage("migrate", "--noinput", "-v", "0", db_name=db_name)
    manage("seed_peer", "--products", str(products), db_name=db_name)


def start(port: int, workers: int = 4, *, db_name: str = DB_NAME) -> Server:
    """gunicorn with `workers` sync workers on 127.0.0.1:port, returned once
    GET /healthz answers. Its log is bench/peers/.run/gunicorn-<port>.log."""
    RUN_DIR.mkdir(exist_ok=True)
    log = RUN_DIR / f"gunicorn-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"{HOST}:{port}",
                "--timeout",
                "120",
                # gunicorn 27's default control socket is one path per user, shared
                # with any other gunicorn on the machine (such as the app's).
                "--no-control-socket",
                "peer_site.wsgi:application",
            ],
            cwd=HERE,
            env=peer_env(db_name),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port, f"http://{HOST}:{port}", log)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"peer gunicorn exited; see {log}")
        try:
            if requests.get(f"{server.base}/healthz", timeout=2).ok:
                return server
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            stop(server)
            raise RuntimeError(f"peer gunicorn did not answer /healthz; see {log}")
        time.sleep(0.3)


def stop(server: Server) -> None:
    """Stop the gunicorn that `start` returned (graceful, then killed)."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def catalog_page_url(
    base: str,
    *,
    variant: str = "filtered",
    category: int = 3,
    min_price: str = "20.00",
    max_price: str = "120.00",
) -> str:
    """The peer's catalog page: 24 products a request.

    - "filtered" (default, the equivalent of the app's page): GET /api/catalog/,
      oscarapi's ProductList narrowed to one category's products within a price
      range, each with its price and availability (peer_site/catalog.py). With the
      default seed, category 3 holds 1000 products, ~500 of them in 20-120 GBP.
    - "list": oscarapi's stock GET /api/products/ (paginated 24 a page): no category
      or price filter, and each product links to its price rather than giving it.
    """
    if variant == "list":
        return f"{base}/api/products/?page=2"
    if variant != "filtered":
        raise ValueError(f"unknown catalog variant {variant!r}")
    return (
        f"{base}/api/catalog/?category=peer-category-{category % CATEGORIES}"
        f"&min_price={min_price}&max_price={max_price}"
    )


def hot_checkout_calls(
    base: str, buyers: int, units: int, *, db_name: str = DB_NAME
) -> tuple[list[Call], Callable[[], dict]]:
    """Set the hot product's stock to `units`, give `buyers` anonymous shoppers a
    basket holding 1 of it (through oscarapi, each with its own session), and return
    one checkout POST per buyer plus a function reporting what the run did.

    The calls are POST /api/checkout/ with the buyer's session cookie and body
    {"basket": <its url>, "guest_email": ...}: oscarapi's anonymous checkout, no
    shipping address (the product class needs no shipping). The report is a dict:
    orders (placed by this run), units_ordered, num_in_stock, num_allocated,
    available (num_in_stock - num_allocated: what Oscar still sells) and oversold.
    """
    if not 1 <= buyers <= 5000:
        raise ValueError("keep buyers between 1 and 5000")
    hot = json.loads(
        manage("peer_hot", "stock", "--units", str(units), db_name=db_name)
    )
    product_url = f"{base}/api/products/{hot['product_id']}/"
    marker = f"peer-hot-{uuid.uuid4().hex[:8]}-"

    def shopper(n: int) -> Call:
        with requests.Session() as session:
            response = session.post(
                f"{base}/api/basket/add-product/",
                json={"url": product_url, "quantity": 1},
                timeout=30,
            )
            response.raise_for_status()
            body = {
                "basket": response.json()["url"],
                "guest_email": f"{marker}{n}@example.com",
            }
            return Call(
                "POST",
                f"{base}/api/checkout/",
                {
                    "Cookie": f"sessionid={session.cookies['sessionid']}",
                    "Content-Type": "application/json",
                },
                json.dumps(body).encode(),
            )

    # The first basket addition of a product creates its analytics row; concurrent
    # first additions race on it, and under ATOMIC_REQUESTS the loser's request
    # fails with a 500 (Oscar logs "IntegrityError when updating analytics
    # counter"). So one shopper goes first, alone.
    calls = [shopper(0)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        calls += pool.map(shopper, range(1, buyers))

    def outcome() -> dict:
        report = json.loads(
            manage("peer_hot", "report", "--marker", marker, db_name=db_name)
        )
        report["units"] = units
        report["oversold"] = max(0, report["units_ordered"] - units)
        return report

    return calls, outcome
