"""A local server speaking the part of PayPal's REST API the shop uses.

OAuth client credentials (`/v1/oauth2/token`), Orders v2 (create, show, capture),
capture refunds and `verify-webhook-signature`, with `PayPal-Request-Id` replays
as PayPal documents them (a repeated id answers the first result). PayPal signs
webhooks with its certificates; this double signs with an HMAC of the same fields
(transmission id and time, webhook id, CRC32 of the event) and answers the verify
call the way PayPal does: `SUCCESS` or `FAILURE`.
"""

import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import secrets
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

CLIENT_ID = "paypal-double-client"
CLIENT_SECRET = "paypal-double-secret"  # noqa: S105 - the double's test secret
WEBHOOK_ID = "WH-DOUBLE-1"
SIGNING_KEY = b"paypal-double-signing-key"


def canonical(event: dict) -> bytes:
    return json.dumps(event, sort_keys=True, separators=(",", ":")).encode()


def signature(transmission_id: str, time_: str, webhook_id: str, event: dict) -> str:
    crc = zlib.crc32(canonical(event))
    message = f"{transmission_id}|{time_}|{webhook_id}|{crc}".encode()
    digest = hmac.new(SIGNING_KEY, message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class PayPalDouble:
    def __init__(self, port: int):
        self.lock = threading.Lock()
        self.orders: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.replies: dict[str, tuple[int, dict]] = {}
        self.requests: list[dict] = []
        self.tokens: set[str] = set()
        self.ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self.handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "PayPalDouble":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def calls(self, method: str, prefix: str) -> list[dict]:
        return [
            r
            for r in self.requests
            if r["method"] == method and r["path"].startswith(prefix)
        ]

    # --- test hooks -------------------------------------------------------------
    def approve(self, order_id: str) -> None:
        with self.lock:
            self.orders[order_id]["status"] = "APPROVED"

    def webhook(self, event_type: str, resource: dict, *, good: bool = True):
        """(body, headers) of a delivery as PayPal sends it."""
        event = {
            "id": f"WH-{secrets.token_hex(8).upper()}",
            "event_version": "1.0",
            "resource_type": "checkout-order",
            "event_type": event_type,
            "resource": resource,
        }
        transmission_id = secrets.token_hex(8)
        time_ = "2026-12-01T00:00:00Z"
        sig = signature(transmission_id, time_, WEBHOOK_ID, event)
        if not good:
            sig = base64.b64encode(b"forged").decode()
        headers = {
            "HTTP_PAYPAL_AUTH_ALGO": "SHA256withRSA",
            "HTTP_PAYPAL_CERT_URL": f"{self.url}/v1/notifications/certs/CERT-1",
            "HTTP_PAYPAL_TRANSMISSION_ID": transmission_id,
            "HTTP_PAYPAL_TRANSMISSION_SIG": sig,
            "HTTP_PAYPAL_TRANSMISSION_TIME": time_,
        }
        return json.dumps(event), headers

    # --- PayPal's API -------------------------------------------------------------
    def handle(self, method: str, path: str, body: dict):
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["v2", "checkout", "orders"]:
            return self.create_order(body)
        if parts[:3] == ["v2", "checkout", "orders"] and len(parts) >= 4:
            order = self.orders.get(parts[3])
            if order is None:
                return 404, {"name": "RESOURCE_NOT_FOUND"}
            if method == "GET" and len(parts) == 4:
                return 200, order
            if method == "POST" and parts[4:] == ["capture"]:
                return self.capture(order)
        if method == "POST" and parts[:3] == ["v2", "payments", "captures"]:
            return self.refund(parts[3], body)
        if method == "POST" and path == "/v1/notifications/verify-webhook-signature":
            expected = signature(
                body.get("transmission_id", ""),
                body.get("transmission_time", ""),
                body.get("webhook_id", ""),
                body.get("webhook_event", {}),
            )
            good = body.get("webhook_id") == WEBHOOK_ID and hmac.compare_digest(
                expected, str(body.get("transmission_sig", ""))
            )
            return 200, {"verification_status": "SUCCESS" if good else "FAILURE"}
        return 404, {"name": "RESOURCE_NOT_FOUND"}

    def create_order(self, body: dict):
        order_id = f"PPORDER{next(self.ids):08d}"
        unit = dict(body["purchase_units"][0])
        order = {
            "id": order_id,
            "status": "PAYER_ACTION_REQUIRED",
            "intent": body["intent"],
            "purchase_units": [unit],
            "links": [
                {"rel": "self", "href": f"{self.url}/v2/checkout/orders/{order_id}"},
                {
                    "rel": "payer-action",
                    "href": f"{self.url}/checkoutnow?token={order_id}",
                },
            ],
        }
        self.orders[order_id] = order
        return 200, order

    def capture(self, order: dict):
        if order["status"] != "APPROVED":
            return 422, {"name": "UNPROCESSABLE_ENTITY", "details": ["NOT_APPROVED"]}
        unit = order["purchase_units"][0]
        unit["payments"] = {
            "captures": [
                {
                    "id": f"CAP{next(self.ids):08d}",
                    "status": "COMPLETED",
                    "amount": unit["amount"],
                    "custom_id": unit.get("custom_id"),
                }
            ]
        }
        order["status"] = "COMPLETED"
        return 201, order

    def refund(self, capture_id: str, body: dict):
        owner = next(
            (
                order
                for order in self.orders.values()
                for cap in order["purchase_units"][0]
                .get("payments", {})
                .get("captures", [])
                if cap["id"] == capture_id
            ),
            None,
        )
        if owner is None:
            return 404, {"name": "RESOURCE_NOT_FOUND"}
        unit = owner["purchase_units"][0]
        refunds = unit["payments"].setdefault("refunds", [])
        done = sum(float(r["amount"]["value"]) for r in refunds)
        value = float(body["amount"]["value"])
        if done + value > float(unit["amount"]["value"]) + 1e-9:
            return 422, {"name": "UNPROCESSABLE_ENTITY"}
        refund = {
            "id": f"REF{next(self.ids):08d}",
            "status": "COMPLETED",
            "amount": body["amount"],
            "custom_id": body.get("custom_id"),
            "links": [
                {"rel": "up", "href": f"{self.url}/v2/payments/captures/{capture_id}"}
            ],
        }
        refunds.append(refund)
        self.refunds[refund["id"]] = refund
        return 201, refund

    # --- the HTTP plumbing -----------------------------------------------------------
    def handler(self):
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status: int, body: dict):
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(raw)

            def serve(self, method: str):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                auth = self.headers.get("Authorization", "")
                if url.path == "/v1/oauth2/token":
                    return self.token(auth, raw)
                if auth.removeprefix("Bearer ") not in double.tokens:
                    return self.answer(401, {"error": "invalid_token"})
                body = json.loads(raw) if raw else {}
                request_id = self.headers.get("PayPal-Request-Id")
                with double.lock:
                    double.requests.append(
                        {
                            "method": method,
                            "path": url.path,
                            "body": body,
                            "request_id": request_id,
                        }
                    )
                    if request_id and request_id in double.replies:
                        return self.answer(*double.replies[request_id])
                    status, reply = double.handle(method, url.path, body)
                    reply = json.loads(json.dumps(reply))
                    if request_id and status < 400:
                        double.replies[request_id] = (status, reply)
                return self.answer(status, reply)

            def token(self, auth: str, raw: str):
                expected = base64.b64encode(
                    f"{CLIENT_ID}:{CLIENT_SECRET}".encode()
                ).decode()
                form = dict(parse_qsl(raw))
                if auth != f"Basic {expected}" or form.get("grant_type") != (
                    "client_credentials"
                ):
                    return self.answer(401, {"error": "invalid_client"})
                token = f"A21AA{secrets.token_hex(12)}"
                with double.lock:
                    double.tokens.add(token)
                    double.requests.append(
                        {"method": "POST", "path": "/v1/oauth2/token", "body": form}
                    )
                return self.answer(
                    200,
                    {
                        "access_token": token,
                        "token_type": "Bearer",
                        "expires_in": 32400,
                    },
                )

            def do_GET(self):
                self.serve("GET")

            def do_POST(self):
                self.serve("POST")

        return Handler
