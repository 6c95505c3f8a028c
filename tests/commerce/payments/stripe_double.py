"""A local server speaking the part of Stripe's HTTP API the shop uses.

Why ours and not localstripe: localstripe (1.15.10) keeps no idempotency keys, so
a retry after a timeout would make a second PaymentIntent there, and it cannot be
told to answer late; both are what the tests must prove. This double speaks
PaymentIntents (create, retrieve, cancel) and Refunds as the official SDK sends
them (form-encoded, `Idempotency-Key`, bearer key), replays a repeated key with
the first answer, and can hold an answer past the client's timeout after it has
done the work. Test hooks (not Stripe's API) move intents along and build events.
"""

import contextlib
import itertools
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from stripe import WebhookSignature

API_KEY = "sk_test_double"  # noqa: S105 - the double's own test key
WEBHOOK_SECRET = "whsec_double"  # noqa: S105


def nested(pairs: list[tuple[str, str]]) -> dict:
    """`metadata[order_id]=1` -> {"metadata": {"order_id": "1"}} (one level)."""
    result: dict = {}
    for key, value in pairs:
        if "[" in key:
            outer, inner = key.rstrip("]").split("[", 1)
            result.setdefault(outer, {})[inner] = value
        else:
            result[key] = value
    return result


class StripeDouble:
    def __init__(self, port: int):
        self.lock = threading.Lock()
        self.intents: dict[str, dict] = {}
        self.charges: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.replies: dict[str, tuple[str, int, dict]] = {}
        self.requests: list[dict] = []
        self.hold_seconds = 0.0  # answer this late (after doing the work) once
        self.ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self.handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "StripeDouble":
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

    # --- Stripe's API -------------------------------------------------------
    def handle(self, method: str, path: str, params: dict, key: str | None):
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["v1", "payment_intents"]:
            return self.create_intent(params)
        if parts[:2] == ["v1", "payment_intents"] and len(parts) >= 3:
            intent = self.intents.get(parts[2])
            if intent is None:
                return 404, error("resource_missing", f"No such intent {parts[2]}")
            if method == "GET" and len(parts) == 3:
                return 200, intent
            if method == "POST" and parts[3:] == ["cancel"]:
                if intent["status"] == "succeeded":
                    return 400, error("payment_intent_unexpected_state", "succeeded")
                intent["status"] = "canceled"
                return 200, intent
        if method == "POST" and parts == ["v1", "refunds"]:
            return self.create_refund(params)
        return 404, error("resource_missing", f"Unknown path {path}")

    def create_intent(self, params: dict):
        number = next(self.ids)
        intent_id = f"pi_double{number:06d}"
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(params["amount"]),
            "amount_received": 0,
            "currency": params["currency"],
            "status": "requires_payment_method",
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(8)}",
            "metadata": params.get("metadata", {}),
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
        }
        self.intents[intent_id] = intent
        return 200, intent

    def create_refund(self, params: dict):
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None or intent["status"] != "succeeded":
            return 400, error("charge_not_refundable", "Nothing captured.")
        charge = self.charges[intent["latest_charge"]]
        remaining = charge["amount"] - charge["amount_refunded"]
        amount = int(params.get("amount", remaining))
        if amount > remaining:
            return 400, error("amount_too_large", "Refund exceeds the charge.")
        return 200, self.add_refund(charge, amount, params.get("metadata", {}))

    def add_refund(self, charge: dict, amount: int, metadata: dict) -> dict:
        refund = {
            "id": f"re_double{next(self.ids):06d}",
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "payment_intent": charge["payment_intent"],
            "currency": charge["currency"],
            "status": "succeeded",
            "metadata": metadata,
        }
        self.refunds[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        charge["refunds"]["data"].insert(0, refund)
        return refund

    # --- test hooks: what a shopper or the dashboard does at Stripe ------------
    def succeed(self, intent_id: str) -> dict:
        with self.lock:
            intent = self.intents[intent_id]
            charge_id = f"ch_double{next(self.ids):06d}"
            self.charges[charge_id] = {
                "id": charge_id,
                "object": "charge",
                "amount": intent["amount"],
                "amount_refunded": 0,
                "currency": intent["currency"],
                "payment_intent": intent_id,
                "refunded": False,
                "refunds": {"object": "list", "data": []},
            }
            intent.update(
                status="succeeded",
                amount_received=intent["amount"],
                latest_charge=charge_id,
            )
            return dict(intent)

    def fail(self, intent_id: str) -> dict:
        with self.lock:
            intent = self.intents[intent_id]
            intent.update(
                status="requires_payment_method",
                last_payment_error={
                    "code": "card_declined",
                    "decline_code": "insufficient_funds",
                    "message": "Your card has insufficient funds.",
                },
            )
            return dict(intent)

    def refund_in_dashboard(self, intent_id: str, amount: int) -> dict:
        with self.lock:
            charge = self.charges[self.intents[intent_id]["latest_charge"]]
            self.add_refund(charge, amount, {})
            return json.loads(json.dumps(charge))

    def charge_of(self, intent_id: str) -> dict:
        charge = self.charges[self.intents[intent_id]["latest_charge"]]
        return json.loads(json.dumps(charge))

    # --- the HTTP plumbing ------------------------------------------------------
    def handler(self):
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def answer(self, status: int, body: dict, replayed: bool = False):
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.send_header("Request-Id", f"req_{secrets.token_hex(6)}")
                if replayed:
                    self.send_header("Idempotent-Replayed", "true")
                self.end_headers()
                # The client may have timed out first: what a test asked for.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(raw)

            def serve(self, method: str):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else url.query
                params = nested(parse_qsl(body, keep_blank_values=True))
                key = self.headers.get("Idempotency-Key")
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    return self.answer(401, error("invalid_api_key", "Bad key."))
                with double.lock:
                    double.requests.append(
                        {
                            "method": method,
                            "path": url.path,
                            "params": params,
                            "key": key,
                        }
                    )
                    fingerprint = f"{method} {url.path} {sorted(params.items())}"
                    if key and method == "POST" and key in double.replies:
                        first, status, reply = double.replies[key]
                        if first != fingerprint:
                            status, reply = (
                                400,
                                error(
                                    "idempotency_error", "Key reused with other params."
                                ),
                            )
                        return self.answer(status, reply, replayed=True)
                    status, reply = double.handle(method, url.path, params, key)
                    reply = json.loads(json.dumps(reply))
                    if key and method == "POST":
                        double.replies[key] = (fingerprint, status, reply)
                    hold, double.hold_seconds = double.hold_seconds, 0.0
                if hold:
                    time.sleep(hold)  # done, but the client has given up
                return self.answer(status, reply)

            def do_GET(self):
                self.serve("GET")

            def do_POST(self):
                self.serve("POST")

        return Handler


def error(code: str, message: str) -> dict:
    kind = "invalid_request_error"
    return {"error": {"type": kind, "code": code, "message": message}}


def event(type_: str, obj: dict, *, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{secrets.token_hex(8)}",
        "object": "event",
        "type": type_,
        "api_version": "2025-09-30.clover",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def signed(payload: dict | str, *, secret: str = WEBHOOK_SECRET, timestamp=None):
    """(body, Stripe-Signature header) as Stripe signs a delivery."""
    body = payload if isinstance(payload, str) else json.dumps(payload)
    header = WebhookSignature.generate_signature_header(
        body, secret, timestamp=timestamp
    )
    return body, header
