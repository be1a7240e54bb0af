#!/usr/bin/env python3
"""A minimal SaaS backend that embeds Switchyard: it serves index.html (the SaaS's page, on its own
origin) and mints tenant tokens for it at POST /token. Python 3 standard library only.

Environment:
  PORT              port to listen on, on 127.0.0.1 (default 8123; 0 = a free port)
  WORKSPACE_KEY     the Switchyard workspace key (GET /workspace, "key")
  WORKSPACE_SECRET  the workspace secret that signs tenant tokens (POST /workspace/reveal-secret)
  SWITCHYARD_URL    where Switchyard serves /sdk.js and /ui (default http://127.0.0.1:5000)
  TENANT_ID         the signed-in customer's id (default acme); TENANT_NAME its name (default: the id)

The first line on stdout is `PORT <n>` (then the page's URL); one log line per request goes to
stderr. A real SaaS mints the token for the customer its own session says is signed in; this demo
takes the tenant from TENANT_ID, or from the JSON body's "tenantId" (the page's "Signed in as"
box) so one page can play several customers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOKEN_LIFETIME = 3600
MAX_BODY = 16_384


def b64url(data: bytes) -> str:
    """base64url without padding, as JWTs use it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def tenant_token(workspace_key: str, secret: str, tenant_id: str, name: str | None, lifetime: int = TOKEN_LIFETIME) -> str:
    """An HS256 JWT as Switchyard verifies tenant tokens: `iss` the workspace key, `id` the tenant,
    `name` its display name, `iat` and `exp`, signed with the workspace secret (its UTF-8 bytes)."""
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {"id": tenant_id, "iss": workspace_key, "iat": now, "exp": now + lifetime}
    if name:
        claims["name"] = name
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + b64url(
        json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


class Settings:
    """The environment, checked once at start."""

    def __init__(self, env: dict[str, str]):
        problems = []
        self.port = env.get("PORT", "8123")
        if not self.port.isdigit() or int(self.port) > 65535:
            problems.append(f"PORT must be a port number (0 = a free port), not {self.port!r}")
        self.workspace_key = env.get("WORKSPACE_KEY", "")
        self.secret = env.get("WORKSPACE_SECRET", "")
        if not self.workspace_key:
            problems.append("WORKSPACE_KEY is required (the workspace key: GET /workspace as an admin)")
        if not self.secret:
            problems.append("WORKSPACE_SECRET is required (POST /workspace/reveal-secret as an admin)")
        self.switchyard_url = env.get("SWITCHYARD_URL", "http://127.0.0.1:5000").rstrip("/")
        parts = urllib.parse.urlsplit(self.switchyard_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c in self.switchyard_url for c in "\"'<>\\ `"):
            problems.append(f"SWITCHYARD_URL must be an http(s) URL such as http://127.0.0.1:5000, not {self.switchyard_url!r}")
        self.tenant_id = env.get("TENANT_ID", "acme") or "acme"
        self.tenant_name = env.get("TENANT_NAME", "")
        if problems:
            raise SystemExit("host-app: " + "; ".join(problems))

    def page(self) -> bytes:
        """index.html with Switchyard's URL put in."""
        template = (HERE / "index.html").read_text(encoding="utf-8")
        return template.replace("{{SWITCHYARD_URL}}", self.switchyard_url).replace(
            "{{TENANT_ID}}", self.tenant_id.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")).encode("utf-8")


def handler_for(settings: Settings):
    class Handler(BaseHTTPRequestHandler):
        server_version = "host-app"

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's hook
            # The path only: this page's own URLs carry no tokens, but a log should not invite them.
            sys.stderr.write("host-app %s %s\n" % (self.address_string(), format % args))

        def send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Referrer-Policy", "no-referrer")
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def error(self, status: int, key: str, message: str) -> None:
            self.send(status, json.dumps({"key": key, "message": message}).encode(), "application/json")

        def do_GET(self) -> None:  # noqa: N802 - http.server's hook
            path = urllib.parse.urlsplit(self.path).path
            if path in ("/", "/index.html"):
                self.send(HTTPStatus.OK, settings.page(), "text/html; charset=utf-8")
            elif path == "/favicon.ico":
                self.send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
            else:
                self.error(HTTPStatus.NOT_FOUND, "not_found", f"no page at {path}")

        do_HEAD = do_GET

        def do_POST(self) -> None:  # noqa: N802 - http.server's hook
            if urllib.parse.urlsplit(self.path).path != "/token":
                self.error(HTTPStatus.NOT_FOUND, "not_found", "only POST /token is here")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "bad_request", f"the body is larger than {MAX_BODY} bytes")
                return
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw.strip() else {}
            except ValueError:
                self.error(HTTPStatus.BAD_REQUEST, "bad_request", "the body must be JSON, e.g. {\"tenantId\": \"acme\"}")
                return
            if not isinstance(body, dict):
                self.error(HTTPStatus.BAD_REQUEST, "bad_request", "the body must be a JSON object")
                return
            tenant = body.get("tenantId", settings.tenant_id)
            name = body.get("tenantName", settings.tenant_name or tenant)
            if not isinstance(tenant, str) or not 1 <= len(tenant) <= 256:
                self.error(HTTPStatus.BAD_REQUEST, "bad_request", "tenantId must be a string of 1 to 256 characters")
                return
            if name is not None and not isinstance(name, str):
                self.error(HTTPStatus.BAD_REQUEST, "bad_request", "tenantName must be a string")
                return
            token = tenant_token(settings.workspace_key, settings.secret, tenant, name)
            self.send(HTTPStatus.OK, json.dumps({"token": token, "expiresIn": TOKEN_LIFETIME}).encode(), "application/json")

    return Handler


def main() -> int:
    settings = Settings(dict(os.environ))
    server = ThreadingHTTPServer(("127.0.0.1", int(settings.port)), handler_for(settings))
    server.daemon_threads = True
    port = server.server_address[1]
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.write(f"Host app at http://127.0.0.1:{port}/ (Switchyard at {settings.switchyard_url}, tenant {settings.tenant_id})\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
