"""A local stand-in for Cloudinary: upload, destroy, resource details and delivery.

It speaks the HTTP the `cloudinary` SDK sends (multipart POST to
`/v1_1/<cloud>/image/upload` and `/destroy`, GET of
`/v1_1/<cloud>/resources/image/upload/<public_id>`) and serves delivered files at
`/<cloud>/image/upload/[v<version>/]<public_id>.<format>`. Uploads must carry a valid
signature made with the account's secret, as on the real service.
"""

import json
import re
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from cloudinary.utils import api_sign_request

NOT_SIGNED = {"file", "api_key", "resource_type", "signature", "signature_algorithm"}


class CloudinaryDouble:
    def __init__(self, *, cloud_name: str, api_key: str, api_secret: str):
        self.cloud_name = cloud_name
        self.api_key = api_key
        self.api_secret = api_secret
        self.assets: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _reply(self, status: int, body: dict | bytes, kind="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _form(self) -> dict:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                header = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n"
                message = BytesParser(policy=HTTP).parsebytes(header.encode() + raw)
                fields = {}
                for part in message.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    payload = part.get_payload(decode=True)
                    fields[name] = (
                        payload if part.get_filename() else payload.decode("utf-8")
                    )
                return fields

            def _signed(self, fields: dict) -> bool:
                params = {k: v for k, v in fields.items() if k not in NOT_SIGNED}
                expected = api_sign_request(params, double.api_secret)
                return (
                    fields.get("api_key") == double.api_key
                    and fields.get("signature") == expected
                )

            def do_POST(self):
                double.requests.append(("POST", self.path))
                api = f"/v1_1/{double.cloud_name}/image/"
                if not self.path.startswith(api):
                    return self._reply(404, {"error": {"message": "Unknown API"}})
                action = self.path[len(api) :]
                fields = self._form()
                if not self._signed(fields):
                    return self._reply(401, {"error": {"message": "Invalid Signature"}})
                public_id = fields.get("public_id", "")
                if action == "upload":
                    data = fields["file"]
                    double.assets[public_id] = {"bytes": data, "version": 1700000000}
                    return self._reply(
                        200,
                        {
                            "public_id": public_id,
                            "version": 1700000000,
                            "bytes": len(data),
                            "resource_type": "image",
                        },
                    )
                if action == "destroy":
                    found = double.assets.pop(public_id, None)
                    return self._reply(200, {"result": "ok" if found else "not found"})
                return self._reply(404, {"error": {"message": "Unknown action"}})

            def do_GET(self):
                double.requests.append(("GET", self.path))
                path = unquote(self.path.split("?")[0])
                admin = f"/v1_1/{double.cloud_name}/resources/image/upload/"
                if path.startswith(admin):
                    asset = double.assets.get(path[len(admin) :])
                    if asset is None:
                        return self._reply(404, {"error": {"message": "Not found"}})
                    return self._reply(
                        200,
                        {
                            "public_id": path[len(admin) :],
                            "bytes": len(asset["bytes"]),
                            "version": asset["version"],
                        },
                    )
                delivery = re.match(
                    rf"^/{double.cloud_name}/image/upload/(?:v\d+/)?(.+?)(\.\w+)?$",
                    path,
                )
                if delivery and delivery.group(1) in double.assets:
                    asset = double.assets[delivery.group(1)]
                    return self._reply(200, asset["bytes"], "application/octet-stream")
                return self._reply(404, b"not found", "text/plain")

        return Handler
