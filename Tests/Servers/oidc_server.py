#!/usr/bin/env python3
"""OpenID Connect provider for Switchyard's console sign-in tests.

A small OpenID provider: discovery (``/.well-known/openid-configuration``),
a JWK set, the authorization endpoint of the authorization code flow (PKCE
S256 required, ``state`` and ``nonce`` passed through) and the token
endpoint, which answers with an RS256 ID token signed with authlib.jose. It
can be told to misbehave (a tampered signature, a wrong nonce, audience or
issuer, an expired token, a key the JWK set lacks, a failing discovery …)
through ``POST /_control``. All state lives in memory and is guarded by one
lock.

It binds 127.0.0.1 on a free port and prints ``PORT <n>`` as the first line
of stdout, then serves until killed or until its standard input closes.
Logs go to stderr. See README.md beside this file for the command line, the
endpoints and the test controls.

Dependencies: authlib, flask, werkzeug.
"""

import argparse
import base64
import hashlib
import hmac
import html
import json
import logging
import os
import re
import secrets
import sys
import threading
import time
import warnings
from urllib.parse import unquote
from urllib.parse import urlencode

from authlib.deprecate import AuthlibDeprecationWarning

# authlib 1.6+ announces that authlib.jose will move to joserfc; the module
# works, and the warning would only clutter the log.
warnings.filterwarnings("ignore", message="authlib.jose module is deprecated",
                        category=AuthlibDeprecationWarning)

from authlib.jose import JsonWebKey  # noqa: E402
from authlib.jose import JsonWebToken  # noqa: E402
from flask import Flask  # noqa: E402
from flask import Response  # noqa: E402
from flask import request  # noqa: E402
from werkzeug.serving import WSGIRequestHandler  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

log = logging.getLogger("oidc_server")

DEFAULT_CLIENT = "console-client:console-secret:http://127.0.0.1/console/login/oidc/callback"
DEFAULT_EMAIL = "ada@example.com"
CODE_LIFETIME = 60
TOKEN_LIFETIME = 300

# What the token endpoint's ID token looks like (see README.md).
ID_TOKEN_MODES = ("ok", "tampered_signature", "wrong_nonce", "wrong_audience", "extra_audience",
                  "expired", "wrong_issuer", "unknown_key", "rotated_key", "no_email")
DISCOVERY_MODES = ("ok", "500", "wrong_issuer", "not_json")
AUTHORIZE_MODES = ("ok", "access_denied")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def new_key(kid):
    return JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": kid})


def public_jwk(key):
    jwk = key.as_dict(is_private=False)
    jwk.update({"alg": "RS256", "use": "sig"})
    return jwk


class Store:
    """Client, user, codes, keys, modes and counters behind one lock."""

    def __init__(self, client_id, client_secret, redirect_uri, email):
        self.lock = threading.Lock()
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.email = email
        self.name = "Ada Lovelace"
        self.email_verified = True
        self.codes = {}
        self.keys = [new_key("key-1")]
        self.modes = {"id_token": "ok", "discovery": "ok", "authorize": "ok"}
        self.stats = {"discovery": 0, "jwks": 0, "authorize": 0, "token": 0, "token_refused": 0}

    def bump(self, name):
        with self.lock:
            self.stats[name] += 1

    def control_state(self):
        with self.lock:
            state = dict(self.modes)
            state.update({"email": self.email, "name": self.name, "email_verified": self.email_verified})
            return state


def json_response(body, status=200, headers=None):
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def json_error(status, error, description):
    return json_response({"error": error, "error_description": description}, status)


def create_app(store):
    app = Flask("oidc_server")
    jwt = JsonWebToken(["RS256"])

    def issuer():
        return f"http://127.0.0.1:{request.environ['SERVER_PORT']}"

    @app.get("/.well-known/openid-configuration")
    def discovery():
        store.bump("discovery")
        mode = store.control_state()["discovery"]
        if mode == "500":
            return json_error(500, "server_error", "discovery is failing (test mode)")
        if mode == "not_json":
            return Response("<html>not a discovery document</html>", mimetype="text/html")
        base = issuer()
        return json_response({
            "issuer": base + "/other-issuer" if mode == "wrong_issuer" else base,
            "authorization_endpoint": base + "/authorize",
            "token_endpoint": base + "/token",
            "jwks_uri": base + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        })

    @app.get("/jwks")
    def jwks():
        store.bump("jwks")
        with store.lock:
            keys = [public_jwk(key) for key in store.keys]
        return json_response({"keys": keys})

    @app.get("/authorize")
    def authorize():
        store.bump("authorize")
        args = request.args
        if args.get("client_id") != store.client_id:
            return Response("unknown client_id", status=400, mimetype="text/plain")
        if args.get("redirect_uri") != store.redirect_uri:
            return Response(f"redirect_uri must be {store.redirect_uri}", status=400, mimetype="text/plain")

        def back(**params):
            if args.get("state") is not None:
                params["state"] = args["state"]
            response = Response(status=302)
            response.headers["Location"] = store.redirect_uri + "?" + urlencode(params)
            return response

        problems = []
        if args.get("response_type") != "code":
            problems.append("response_type must be code")
        if "openid" not in (args.get("scope") or "").split():
            problems.append("scope must include openid")
        if not args.get("state"):
            problems.append("state is required")
        if not args.get("nonce"):
            problems.append("nonce is required")
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            problems.append("PKCE with code_challenge_method=S256 is required")
        if problems:
            return back(error="invalid_request", error_description="; ".join(problems))
        state = store.control_state()
        if state["authorize"] == "access_denied":
            return back(error="access_denied", error_description="the user declined (test mode)")
        code = secrets.token_urlsafe(24)
        with store.lock:
            store.codes[code] = {
                "challenge": args["code_challenge"], "nonce": args["nonce"], "redirect_uri": args["redirect_uri"],
                "expires": time.time() + CODE_LIFETIME, "used": False,
                "email": store.email, "name": store.name, "email_verified": store.email_verified,
            }
        return back(code=code)

    def client_credentials():
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                decoded = base64.b64decode(header[6:]).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                return None, None
            client_id, _, secret = decoded.partition(":")
            return unquote(client_id), unquote(secret)
        return request.form.get("client_id"), request.form.get("client_secret")

    @app.post("/token")
    def token():
        store.bump("token")

        def refuse(status, error, description):
            store.bump("token_refused")
            log.warning("token request refused: %s (%s)", error, description)
            return json_error(status, error, description)

        client_id, secret = client_credentials()
        if client_id != store.client_id or secret is None or not hmac.compare_digest(secret, store.client_secret):
            return refuse(401, "invalid_client", "unknown client or wrong secret")
        form = request.form
        if form.get("grant_type") != "authorization_code":
            return refuse(400, "unsupported_grant_type", "only authorization_code")
        with store.lock:
            code = store.codes.get(form.get("code") or "")
            already_used = code is not None and code["used"]
            if code is not None:
                code["used"] = True
        if code is None or already_used or code["expires"] < time.time():
            return refuse(400, "invalid_grant", "unknown, used or expired code")
        if form.get("redirect_uri") != code["redirect_uri"]:
            return refuse(400, "invalid_grant", "redirect_uri differs from the authorization request's")
        verifier = form.get("code_verifier") or ""
        if b64url(hashlib.sha256(verifier.encode("ascii", "replace")).digest()) != code["challenge"]:
            return refuse(400, "invalid_grant", "code_verifier does not match the code_challenge (PKCE)")
        return json_response({
            "access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": TOKEN_LIFETIME,
            "id_token": id_token(code, issuer()),
        })

    def id_token(code, iss):
        mode = store.control_state()["id_token"]
        now = int(time.time())
        claims = {
            "iss": iss, "sub": "user-" + hashlib.sha256(code["email"].encode()).hexdigest()[:12],
            "aud": store.client_id, "iat": now, "exp": now + TOKEN_LIFETIME, "nonce": code["nonce"],
            "email": code["email"], "email_verified": code["email_verified"], "name": code["name"],
        }
        if mode == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(32)
        elif mode == "wrong_audience":
            claims["aud"] = "another-client"
        elif mode == "extra_audience":
            claims["aud"] = [store.client_id, "another-client"]
        elif mode == "expired":
            claims["iat"] = now - 3600
            claims["exp"] = now - 600
        elif mode == "wrong_issuer":
            claims["iss"] = "http://127.0.0.1:1/not-the-issuer"
        elif mode == "no_email":
            del claims["email"]
            del claims["email_verified"]
        with store.lock:
            if mode == "rotated_key":
                # A new key, published in the JWK set from now on: a client that cached
                # the old set must fetch it again.
                store.keys.append(new_key(f"key-{len(store.keys) + 1}"))
            key = store.keys[-1]
        if mode == "unknown_key":
            key = new_key("key-never-published")
        token = jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key).decode("ascii")
        if mode == "tampered_signature":
            # Same header and payload, a signature by a key nobody published.
            header, payload, _ = token.split(".")
            forged = jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, new_key(key.kid)).decode("ascii")
            token = f"{header}.{payload}.{forged.split('.')[2]}"
        return token

    @app.get("/_stats")
    def stats():
        with store.lock:
            return json_response(dict(store.stats))

    @app.post("/_control")
    def control():
        body = request.get_json(silent=True, force=True)
        if not isinstance(body, dict):
            return json_error(400, "invalid_request", "the body must be a JSON object")
        for name, allowed in (("id_token", ID_TOKEN_MODES), ("discovery", DISCOVERY_MODES), ("authorize", AUTHORIZE_MODES)):
            if name in body and body[name] not in allowed:
                return json_error(400, "invalid_request", f"{name} must be one of {', '.join(allowed)}")
        for name in ("email", "name"):
            if name in body and not isinstance(body[name], str):
                return json_error(400, "invalid_request", f"{name} must be a string")
        if "email_verified" in body and not isinstance(body["email_verified"], bool):
            return json_error(400, "invalid_request", "email_verified must be true or false")
        with store.lock:
            for name in ("id_token", "discovery", "authorize"):
                if name in body:
                    store.modes[name] = body[name]
            for name in ("email", "name", "email_verified"):
                if name in body:
                    setattr(store, name, body[name])
        result = {"ok": True}
        result.update(store.control_state())
        return json_response(result)

    @app.errorhandler(404)
    def not_found(_):
        return json_error(404, "not_found", html.escape(request.path))

    return app


class PlainLogHandler(WSGIRequestHandler):
    """One uncoloured log line per request (werkzeug colours by default)."""

    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)
        # The query (codes, states) is left out of the log.
        log.info('%s "%s" %s', self.address_string(), re.sub(r"\?\S*", "", self.requestline), code)


def exit_when_stdin_closes():
    """The test process holds our standard input: when it ends, so do we."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except (OSError, ValueError):
        pass
    os._exit(0)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Test OpenID provider (loopback only).")
    parser.add_argument("--client", default=DEFAULT_CLIENT, metavar="ID:SECRET:REDIRECT_URI",
                        help="the one registered client; the redirect URI must match exactly")
    parser.add_argument("--email", default=DEFAULT_EMAIL, help="the email of the user who signs in")
    args = parser.parse_args(argv)

    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s oidc_server %(levelname)s %(message)s")
    parts = args.client.split(":", 2)
    if len(parts) != 3 or not all(parts):
        parser.error("--client must be ID:SECRET:REDIRECT_URI")
    store = Store(parts[0], parts[1], parts[2], args.email)
    app = create_app(store)

    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=PlainLogHandler)
    port = httpd.server_port
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    log.info("listening on http://127.0.0.1:%d (issuer http://127.0.0.1:%d)", port, port)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
