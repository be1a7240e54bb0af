#!/usr/bin/env python3
"""Plays the SaaS's own backend, the one Switchyard calls back, for tests.

Every call from the platform carries ``X-Switchyard-Token``: an HS256 JWT
signed with the workspace secret, with the claims ``iss`` (the workspace
key), ``sub`` (the tenant id), optional ``fields``, ``iat`` and ``exp``. The
server verifies it with authlib.jose and offers:

- the external connection-credentials store (the platform's
  ``CONNECTION_CREDENTIALS_STORAGE_TYPE=external_api`` mode) at
  ``/credentials?connectionId=<id>``, where each connection belongs to the
  tenant that wrote it;
- an echo API under ``/api/``;
- a webhook receiver at ``/webhooks`` that records what it gets.

All state lives in memory and is guarded by one lock; nothing is persisted.
It binds 127.0.0.1 on a free port and prints ``PORT <n>`` as the first line
of stdout, then serves until killed. Logs go to stderr. See README.md beside
this file for the command line, the endpoints and the test controls.

Dependencies: authlib, flask, werkzeug.
"""

import argparse
import json
import logging
import sys
import threading
import time
import warnings

from authlib.deprecate import AuthlibDeprecationWarning

# authlib 1.6+ announces that authlib.jose will move to joserfc; the module
# works, and the warning would only clutter the log.
warnings.filterwarnings("ignore", message="authlib.jose module is deprecated",
                        category=AuthlibDeprecationWarning)

from authlib.jose import JsonWebToken  # noqa: E402
from authlib.jose import OctKey  # noqa: E402
from authlib.jose.errors import BadSignatureError  # noqa: E402
from authlib.jose.errors import ExpiredTokenError  # noqa: E402
from authlib.jose.errors import InvalidClaimError  # noqa: E402
from authlib.jose.errors import JoseError  # noqa: E402
from authlib.jose.errors import MissingAlgorithmError  # noqa: E402
from authlib.jose.errors import MissingClaimError  # noqa: E402
from authlib.jose.errors import UnsupportedAlgorithmError  # noqa: E402
from flask import Flask  # noqa: E402
from flask import Response  # noqa: E402
from flask import request  # noqa: E402
from werkzeug.serving import WSGIRequestHandler  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

log = logging.getLogger("saas_server")

TOKEN_HEADER = "X-Switchyard-Token"
# iat and nbf may be this many seconds ahead of the server's clock; exp has
# no leeway.
CLOCK_LEEWAY = 60
API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
MODES = {"webhooks": ("ok", "500"), "credentials": ("ok", "503"), "api": ("ok", "503")}


class TokenError(Exception):
    def __init__(self, description):
        super().__init__(description)
        self.description = description


class TokenVerifier:
    """HS256 only; ``iss`` must be the workspace key, ``sub`` a non-empty
    string, ``exp`` present and in the future; ``fields``, when present, an
    object."""

    def __init__(self, workspace_key, secret):
        self.workspace_key = workspace_key
        self.key = OctKey.import_key(secret)
        self.jwt = JsonWebToken(["HS256"])

    def verify(self, token):
        if not token:
            raise TokenError(f"missing {TOKEN_HEADER} header")
        token = token.strip()
        if token.count(".") != 2:
            raise TokenError("malformed token: not a compact JWS (three dot-separated parts)")
        options = {
            "iss": {"essential": True, "value": self.workspace_key},
            "sub": {"essential": True},
            "exp": {"essential": True},
        }
        try:
            claims = self.jwt.decode(token, self.key, claims_options=options)
        except (UnsupportedAlgorithmError, MissingAlgorithmError):
            raise TokenError("unsupported alg: only HS256 is accepted") from None
        except BadSignatureError:
            raise TokenError("bad signature") from None
        except (JoseError, ValueError, TypeError) as exc:
            raise TokenError(f"malformed token: {exc}") from None
        if claims.header.get("alg") != "HS256":
            raise TokenError("unsupported alg: only HS256 is accepted")
        try:
            claims.validate(leeway=CLOCK_LEEWAY)
        except MissingClaimError as exc:
            raise TokenError(exc.description) from None
        except InvalidClaimError as exc:
            if exc.claim_name == "iss":
                raise TokenError(f"iss {claims.get('iss')!r} is not the workspace key "
                                 f"{self.workspace_key!r}") from None
            raise TokenError(exc.description) from None
        except ExpiredTokenError:
            raise TokenError("token expired") from None
        except JoseError as exc:
            raise TokenError(exc.description or exc.error) from None
        exp = claims.get("exp")
        if exp <= time.time():
            raise TokenError("token expired")
        if not isinstance(claims.get("sub"), str):
            raise TokenError("sub must be a string")
        if "fields" in claims and not isinstance(claims["fields"], dict):
            raise TokenError("fields must be an object")
        return dict(claims)


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        self.credentials = {}  # connectionId -> {"tenant", "value", "updated_at"}
        self.received = []
        self.modes = {}
        self.reset_modes()
        self.reset_stats()

    def reset_stats(self):
        self.stats = {"credentials_get": 0, "credentials_put": 0, "credentials_delete": 0,
                      "api_requests": 0, "webhooks": 0, "rejected": 0}

    def reset_modes(self):
        self.modes = {name: ["ok", None] for name in MODES}

    def reset(self):
        with self.lock:
            self.reset_stats()
            self.reset_modes()
            self.credentials.clear()
            self.received.clear()

    def bump(self, key):
        with self.lock:
            self.stats[key] += 1

    def snapshot_stats(self):
        with self.lock:
            return dict(self.stats)

    # ---- modes
    def set_mode(self, name, mode, times):
        with self.lock:
            self.modes[name] = [mode, times]

    def take_mode(self, name):
        """The mode for this request; counts down ``times``."""
        with self.lock:
            entry = self.modes[name]
            mode = entry[0]
            if entry[1] is not None:
                entry[1] -= 1
                if entry[1] <= 0:
                    self.modes[name] = ["ok", None]
            return mode

    def control_state(self):
        with self.lock:
            out = {}
            for name, (mode, left) in self.modes.items():
                out[name] = mode
                out[name + "_times_left"] = left
            return out

    # ---- credentials
    def get_credentials(self, cid):
        with self.lock:
            return self.credentials.get(cid)

    def put_credentials(self, cid, tenant, value):
        """Stores and returns True, unless another tenant owns the
        connection (False)."""
        with self.lock:
            entry = self.credentials.get(cid)
            if entry is not None and entry["tenant"] != tenant:
                return False
            self.credentials[cid] = {"tenant": tenant, "value": value, "updated_at": time.time()}
            return True

    def delete_credentials(self, cid, tenant):
        """'deleted', 'missing' or 'forbidden'."""
        with self.lock:
            entry = self.credentials.get(cid)
            if entry is None:
                return "missing"
            if entry["tenant"] != tenant:
                return "forbidden"
            del self.credentials[cid]
            return "deleted"

    def snapshot_credentials(self):
        with self.lock:
            return {cid: {"tenant": e["tenant"], "credentials": e["value"],
                          "updated_at": e["updated_at"]}
                    for cid, e in self.credentials.items()}

    # ---- webhooks
    def record(self, entry):
        with self.lock:
            self.received.append(entry)
            self.stats["webhooks"] += 1

    def snapshot_received(self):
        with self.lock:
            return list(self.received)


def valid_mode(name, mode):
    if not isinstance(mode, str):
        return False
    if mode in MODES[name]:
        return True
    if name == "webhooks" and mode.startswith("slow:"):
        try:
            return float(mode.split(":", 1)[1]) >= 0
        except ValueError:
            return False
    return False


def create_app(store, verifier):
    app = Flask(__name__)

    def json_response(payload, status=200, headers=None):
        resp = Response(json.dumps(payload), status=status, mimetype="application/json")
        for k, v in (headers or {}).items():
            resp.headers[k] = v
        return resp

    def json_error(status, error, description, headers=None):
        return json_response({"error": error, "error_description": description}, status, headers)

    def authenticate():
        """(claims, None) or (None, 401 response)."""
        try:
            return verifier.verify(request.headers.get(TOKEN_HEADER)), None
        except TokenError as exc:
            log.info("token refused: %s", exc.description)
            return None, json_error(401, "invalid_token", exc.description)

    def multi(md):
        return {k: (v[0] if len(v) == 1 else v) for k, v in md.lists()}

    def lower_headers():
        out = {}
        for k, v in request.headers.items():
            k = k.lower()
            out[k] = out[k] + ", " + v if k in out else v
        return out

    @app.after_request
    def count_rejections(resp):
        if resp.status_code in (401, 403) and not request.path.startswith("/_"):
            store.bump("rejected")
        return resp

    # ---- external credentials store
    @app.route("/credentials", methods=["GET", "PUT", "DELETE"])
    def credentials():
        store.bump({"GET": "credentials_get", "PUT": "credentials_put",
                    "DELETE": "credentials_delete"}[request.method])
        if store.take_mode("credentials") == "503":
            return json_error(503, "temporarily_unavailable",
                              "Credentials store unavailable (test control).",
                              {"Retry-After": "1"})
        claims, denied = authenticate()
        if denied is not None:
            return denied
        cid = request.args.get("connectionId")
        if not cid:
            return json_error(400, "invalid_request", "missing connectionId query parameter")
        tenant = claims["sub"]
        foreign = json_error(403, "forbidden", f"connection {cid} belongs to another tenant")

        if request.method == "GET":
            entry = store.get_credentials(cid)
            if entry is None:
                return json_error(404, "not_found", f"no credentials stored for connection {cid}")
            if entry["tenant"] != tenant:
                return foreign
            return json_response(entry["value"])

        if request.method == "PUT":
            raw = request.get_data(as_text=True)
            try:
                value = json.loads(raw)
            except ValueError:
                return json_error(400, "invalid_request", "the body must be JSON")
            if not store.put_credentials(cid, tenant, value):
                return foreign
            return json_response({})

        result = store.delete_credentials(cid, tenant)
        if result == "missing":
            return json_error(404, "not_found", f"no credentials stored for connection {cid}")
        if result == "forbidden":
            return foreign
        return json_response({})

    # ---- echo API
    @app.route("/api/<path:rest>", methods=API_METHODS)
    def api(rest):
        store.bump("api_requests")
        claims, denied = authenticate()
        if denied is not None:
            return denied
        if store.take_mode("api") == "503":
            return json_error(503, "unavailable", "API refused by test control.")
        return json_response({
            "method": request.method,
            "path": request.path,
            "query": multi(request.args),
            "json": request.get_json(silent=True),
            "headers": lower_headers(),
            "token": claims,
        })

    # ---- webhook receiver
    @app.route("/webhooks", methods=["POST"])
    @app.route("/webhooks/<path:rest>", methods=["POST"])
    def webhooks(rest=None):
        mode = store.take_mode("webhooks")
        token, token_error = None, None
        if request.headers.get(TOKEN_HEADER) is not None:
            try:
                token = verifier.verify(request.headers.get(TOKEN_HEADER))
            except TokenError as exc:
                token_error = exc.description
        status = 500 if mode == "500" else 200
        store.record({
            "method": request.method,
            "path": request.path,
            "query": multi(request.args),
            "headers": lower_headers(),
            "body": request.get_data().decode("utf-8", errors="replace"),
            "received_at": time.time(),
            "token": token,
            "token_error": token_error,
            "status": status,
        })
        if mode == "500":
            return json_error(500, "server_error", "Webhook refused by test control.")
        if mode.startswith("slow:"):
            time.sleep(float(mode.split(":", 1)[1]))
        return json_response({"ok": True})

    # ---- test controls
    @app.route("/_received", methods=["GET"])
    def received():
        return json_response(store.snapshot_received())

    @app.route("/_credentials", methods=["GET"])
    def stored_credentials():
        return json_response(store.snapshot_credentials())

    @app.route("/_stats", methods=["GET"])
    def stats():
        return json_response(store.snapshot_stats())

    @app.route("/_control", methods=["POST"])
    def control():
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return json_error(400, "invalid_request", "Expected a JSON object.")
        times = body.get("times")
        if times is not None and (not isinstance(times, int) or isinstance(times, bool) or times < 1):
            return json_error(400, "invalid_request", "times must be a positive integer")
        for name in MODES:
            if name in body and not valid_mode(name, body[name]):
                allowed = " or ".join(MODES[name]) + (" or slow:<seconds>" if name == "webhooks" else "")
                return json_error(400, "invalid_request", f"{name} must be {allowed}")
        if body.get("reset"):
            store.reset()
        for name in MODES:
            if name in body:
                store.set_mode(name, body[name], times)
        result = {"ok": True}
        result.update(store.control_state())
        return json_response(result)

    return app


class PlainLogHandler(WSGIRequestHandler):
    """One uncoloured log line per request (werkzeug colours by default)."""

    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)
        log.info('%s "%s" %s', self.address_string(), self.requestline, code)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Test stand-in for a SaaS backend (loopback only).")
    parser.add_argument("--workspace-key", required=True, metavar="KEY",
                        help="the workspace key; tokens must carry it as iss")
    parser.add_argument("--secret", required=True, metavar="SECRET",
                        help="the workspace secret that signs X-Switchyard-Token (HS256)")
    args = parser.parse_args(argv)

    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s saas_server %(levelname)s %(message)s")

    if not args.workspace_key:
        parser.error("--workspace-key must not be empty")
    try:
        verifier = TokenVerifier(args.workspace_key, args.secret)
    except ValueError as exc:
        parser.error(f"--secret: {exc}")

    store = Store()
    app = create_app(store, verifier)

    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=PlainLogHandler)
    port = httpd.server_port
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    log.info("listening on http://127.0.0.1:%d (workspace %s)", port, args.workspace_key)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
