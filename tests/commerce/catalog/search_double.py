"""A local HTTP double of an Elasticsearch 8 / OpenSearch cluster, for the engine tests.

It answers the calls Wagtail's backend and our code make (create an index, put a
mapping, `_bulk`, index and delete a document, aliases, refresh, `_search`,
`_count`, and the root for health checks), keeps the indices, aliases and
documents in memory and records every request, so a test can assert the settings,
mappings and queries the app sent. Its `_search` is a crude stand-in for the
engine's scoring: a document matches when every word of the query starts a word of
its text fields (SKU 3, title 2, anything else 1), so tests can follow results
end to end; the filters are the database's job after the engine answers.
"""

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WORD = re.compile(r"\w+")
FIELD_WEIGHTS = {"cms_productpage__sku": 3.0, "title": 2.0}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    body: object


@dataclass
class ClusterState:
    indices: dict[str, dict] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def resolve(self, name: str) -> str:
        return self.aliases.get(name, name)

    def calls(self, method: str, pattern: str) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if re.fullmatch(method, r.method) and re.fullmatch(pattern, r.path)
        ]


class Handler(BaseHTTPRequestHandler):
    state: ClusterState
    flavour: str  # "elasticsearch" or "opensearch"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        text = raw.decode()
        if self.path.split("?")[0].endswith("/_bulk"):
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        return json.loads(text)

    def _reply(self, status: int, payload=None) -> None:
        body = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if self.flavour == "elasticsearch":
            self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        body = self._body()
        state = self.state
        with state.lock:
            state.requests.append(
                Recorded(self.command, path, parse_qs(parts.query), body)
            )
            status, payload = route(state, self.command, path, body, self.flavour)
        self._reply(status, payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle


def route(state: ClusterState, method: str, path: str, body, flavour: str):
    segments = [s for s in path.split("/") if s]
    if not segments:
        version = "8.15.0" if flavour == "elasticsearch" else "2.17.0"
        info = {"name": "double", "version": {"number": version}}
        if flavour == "opensearch":
            info["version"]["distribution"] = "opensearch"
        return 200, info
    if segments[0] == "_bulk" or segments[-1] == "_bulk":
        named = segments[-1] == "_bulk" and len(segments) > 1
        default_index = segments[0] if named else None
        return 200, bulk(state, body or [], default_index)
    if segments[0] == "_alias":
        name = segments[1]
        targets = {
            index: {"aliases": {name: {}}}
            for alias, index in state.aliases.items()
            if alias == name
        }
        return (200, targets) if targets else (404, {"error": "alias missing"})
    if segments[0] == "_search" and segments[1:] == ["scroll"]:
        return 200, {"succeeded": True}
    index_name = segments[0]
    rest = segments[1:]
    real = state.resolve(index_name)
    if not rest:
        if method == "PUT":
            if index_name in state.indices or index_name in state.aliases:
                return 400, {"error": {"type": "resource_already_exists_exception"}}
            state.indices[index_name] = {
                "settings": (body or {}).get("settings", {}),
                "mappings": (body or {}).get("mappings", {}),
                "docs": {},
            }
            return 200, {"acknowledged": True, "index": index_name}
        if method == "DELETE":
            if index_name in state.aliases:
                return 400, {"error": {"type": "illegal_argument_exception"}}
            if state.indices.pop(index_name, None) is None:
                return 404, {"error": {"type": "index_not_found_exception"}}
            for alias in [a for a, i in state.aliases.items() if i == index_name]:
                del state.aliases[alias]
            return 200, {"acknowledged": True}
        if method == "HEAD":
            return (200 if real in state.indices else 404), None
    if real not in state.indices:
        return 404, {"error": {"type": "index_not_found_exception"}, "status": 404}
    index = state.indices[real]
    if rest == ["_mapping"]:
        # Like the engine: each model's mapping adds its properties to the index's.
        index["mappings"].setdefault("properties", {}).update(body["properties"])
        return 200, {"acknowledged": True}
    if rest[:1] == ["_alias"] and method == "PUT":
        state.aliases[rest[1]] = real
        return 200, {"acknowledged": True}
    if rest == ["_refresh"]:
        return 200, {"_shards": {"successful": 1}}
    if rest[:1] == ["_doc"] and len(rest) == 2:
        doc_id = rest[1]
        if method in {"PUT", "POST"}:
            index["docs"][doc_id] = body
            return 200, {"result": "created", "_id": doc_id}
        if method == "DELETE":
            found = index["docs"].pop(doc_id, None) is not None
            result = "deleted" if found else "not_found"
            return (200 if found else 404), {"result": result}
    if rest == ["_search"]:
        return 200, search(index, body or {})
    if rest == ["_count"]:
        return 200, {"count": len(search(index, body or {})["hits"]["hits"])}
    return 400, {"error": f"double does not know {method} {'/'.join(segments)}"}


def bulk(state: ClusterState, lines: list, default_index: str | None) -> dict:
    items = []
    pending = iter(lines)
    for action in pending:
        ((op, meta),) = action.items()
        index_name = state.resolve(meta.get("_index") or default_index)
        docs = state.indices.setdefault(
            index_name, {"settings": {}, "mappings": {}, "docs": {}}
        )["docs"]
        if op in {"index", "create"}:
            docs[str(meta["_id"])] = next(pending)
        elif op == "delete":
            docs.pop(str(meta["_id"]), None)
        items.append({op: {"_id": meta["_id"], "status": 200}})
    return {"errors": False, "items": items, "took": 1}


def query_text(query: dict) -> str:
    """The words our bool query (or Wagtail's own) asks for."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"multi_match", "match"} and isinstance(value, dict):
                    inner = value.get("query") or next(
                        (v.get("query") for v in value.values() if isinstance(v, dict)),
                        None,
                    )
                    if inner:
                        found.append(inner)
                        return
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(query)
    return found[0] if found else ""


def doc_words(doc: dict) -> dict[str, list[str]]:
    words = {}
    for name, value in doc.items():
        if name.startswith("_") or name.endswith("_filter") or name == "pk":
            continue
        texts = value if isinstance(value, list) else [value]
        texts = [text for text in texts if isinstance(text, str)]
        if texts:
            words[name] = [w.lower() for text in texts for w in WORD.findall(text)]
    return words


def search(index: dict, body: dict) -> dict:
    wanted = [w.lower() for w in WORD.findall(query_text(body.get("query", {})))]
    hits = []
    for doc_id, doc in index["docs"].items():
        if "cms.ProductPage" not in doc.get("_django_content_type", []):
            continue
        fields = doc_words(doc)
        score = 0.0
        for word in wanted:
            best = max(
                (
                    FIELD_WEIGHTS.get(name, 1.0)
                    for name, words in fields.items()
                    if any(w.startswith(word) for w in words)
                ),
                default=0.0,
            )
            if not best:
                break
            score += best
        else:
            if wanted:
                hits.append(
                    {"_id": doc_id, "_score": score, "fields": {"pk": [doc_id]}}
                )
    hits.sort(key=lambda hit: (-hit["_score"], int(hit["_id"])))
    return {"hits": {"total": {"value": len(hits)}, "hits": hits}, "took": 1}


class SearchDouble:
    """Start with `SearchDouble(port, flavour).start()`; `stop()` when done."""

    def __init__(self, port: int, flavour: str = "elasticsearch"):
        self.state = ClusterState()
        handler = type(
            "BoundHandler", (Handler,), {"state": self.state, "flavour": flavour}
        )
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "SearchDouble":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
