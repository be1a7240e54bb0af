#!/usr/bin/env python3
"""OAuth 1.0a provider (RFC 5849) and protected API for Switchyard's tests.

Built on authlib's Flask OAuth 1 integration: temporary credentials, the
resource owner authorization page and token credentials (the three-legged
flow), and a protected API that checks signed requests. HMAC-SHA1 is the
only signature method; timestamps and nonces are checked, so a replayed
request is refused. All state lives in memory and is guarded by one lock;
nothing is persisted.

It binds 127.0.0.1 on a free port and prints ``PORT <n>`` as the first line
of stdout, then serves until killed. Logs go to stderr. See README.md beside
this file for the command line, the endpoints and the test controls.

Dependencies: authlib, flask, werkzeug.
"""

import argparse
import functools
import hmac
import html
import json
import logging
import os
import sys
import threading
import time
import zlib
from urllib.parse import urlencode
from urllib.parse import urlsplit
from urllib.request import parse_http_list

from authlib.integrations.flask_oauth1 import AuthorizationServer
from authlib.integrations.flask_oauth1 import ResourceProtector
from authlib.integrations.flask_oauth1 import current_credential
from authlib.oauth1 import SIGNATURE_HMAC_SHA1
from authlib.oauth1 import SIGNATURE_TYPE_BODY
from authlib.oauth1 import SIGNATURE_TYPE_HEADER
from authlib.oauth1 import SIGNATURE_TYPE_QUERY
from authlib.oauth1 import ClientMixin
from authlib.oauth1 import OAuth1Request
from authlib.oauth1 import TemporaryCredential
from authlib.oauth1.errors import DuplicatedOAuthProtocolParameterError
from authlib.oauth1.errors import InvalidClientError
from authlib.oauth1.errors import InvalidRequestError
from authlib.oauth1.errors import InvalidTokenError
from authlib.oauth1.errors import MissingRequiredParameterError
from authlib.oauth1.errors import OAuth1Error
from authlib.oauth1.rfc5849.signature import hmac_sha1_signature
from authlib.oauth1.rfc5849.signature import normalize_parameters
from authlib.oauth1.rfc5849.util import escape
from authlib.oauth1.rfc5849.util import unescape
from flask import Flask
from flask import Response
from flask import g
from flask import jsonify
from flask import request
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

# Everything here is plain http on loopback; authlib's OAuth 1 request
# wrapper refuses http unless this is set (read at request time).
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

log = logging.getLogger("oauth1_server")

DEFAULT_CLIENT = "test-consumer:test-consumer-secret"
DEFAULT_USERNAME = "testuser"
REALM = "switchyard-test"
FORM_URLENCODED = "application/x-www-form-urlencoded"
# How far oauth_timestamp may lie from the server's clock, either way, and
# how long a nonce is remembered (it can't be replayed inside the window
# and is refused for its timestamp outside it).
TIMESTAMP_WINDOW = 300


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------


class Client(ClientMixin):
    def __init__(self, key, secret):
        self.client_key = key
        self.client_secret = secret

    def get_default_redirect_uri(self):
        return None

    def get_client_secret(self):
        return self.client_secret

    def get_rsa_public_key(self):
        return None


class User:
    def __init__(self, username):
        self.username = username

    def get_user_id(self):
        return self.username


def user_id_for(username):
    """A decimal user id that only depends on the username (CRC-32), so it
    is the same in every run."""
    return str(zlib.crc32(username.encode("utf-8")))


class TempCredential(TemporaryCredential):
    """authlib's dict-based temporary credential plus a state:
    ``pending`` (issued), ``authorized`` (verifier issued), ``exchanged``
    (being turned into a token credential)."""

    @property
    def state(self):
        return self.get("state", "pending")


class TokenCredential:
    def __init__(self, token, secret, client_key, username):
        self.oauth_token = token
        self.oauth_token_secret = secret
        self.client_key = client_key
        self.username = username
        self.user_id = user_id_for(username)
        self.issued_at = time.time()
        self.revoked = False

    def get_oauth_token(self):
        return self.oauth_token

    def get_oauth_token_secret(self):
        return self.oauth_token_secret


class Store:
    def __init__(self, clients):
        self.lock = threading.Lock()
        self.clients = {c.client_key: c for c in clients}
        self.temporary = {}   # oauth_token -> TempCredential
        self.tokens = {}      # oauth_token -> TokenCredential
        self.nonces = {}      # (nonce, timestamp, client, token) -> timestamp
        self.reset_stats()

    def reset_stats(self):
        self.stats = {"request_token": 0, "access_token": 0,
                      "api_requests": 0, "api_rejected": 0}

    def bump(self, key):
        with self.lock:
            self.stats[key] += 1

    def snapshot_stats(self):
        with self.lock:
            return dict(self.stats)

    def query_client(self, key):
        return self.clients.get(key)

    # ---- nonces
    def exists_nonce(self, nonce, timestamp, client_key, token):
        """True if this nonce was seen with the same timestamp, client and
        token; records it otherwise. Entries whose timestamp has left the
        window are dropped (their requests are refused for the timestamp)."""
        key = (nonce, timestamp, client_key, token or "")
        now = time.time()
        with self.lock:
            stale = [k for k, ts in self.nonces.items() if ts < now - TIMESTAMP_WINDOW]
            for k in stale:
                del self.nonces[k]
            if key in self.nonces:
                return True
            try:
                self.nonces[key] = int(timestamp)
            except (TypeError, ValueError):
                self.nonces[key] = int(now)
            return False

    # ---- temporary credentials
    def create_temporary(self, token, client_key, callback):
        cred = TempCredential(token)
        cred["client_id"] = client_key
        cred["oauth_callback"] = callback
        cred["state"] = "pending"
        with self.lock:
            self.temporary[cred.get_oauth_token()] = cred
        return cred

    def get_temporary(self, oauth_token):
        if not oauth_token:
            return None
        with self.lock:
            return self.temporary.get(oauth_token)

    def delete_temporary(self, oauth_token):
        if oauth_token:
            with self.lock:
                self.temporary.pop(oauth_token, None)

    def authorize_temporary(self, cred, username, verifier):
        """pending -> authorized, once."""
        with self.lock:
            if self.temporary.get(cred.get_oauth_token()) is not cred or cred.state != "pending":
                return False
            cred["state"] = "authorized"
            cred["user_id"] = username
            cred["oauth_verifier"] = verifier
            return True

    def claim_temporary(self, cred):
        """authorized -> exchanged, once; False if another request got there
        first."""
        with self.lock:
            if self.temporary.get(cred.get_oauth_token()) is not cred or cred.state != "authorized":
                return False
            cred["state"] = "exchanged"
            return True

    # ---- token credentials
    def create_token(self, token, temporary):
        tc = TokenCredential(token["oauth_token"], token["oauth_token_secret"],
                             temporary.get_client_id(), temporary.get_user_id())
        with self.lock:
            self.tokens[tc.oauth_token] = tc
        return tc

    def query_token(self, client_key, oauth_token):
        with self.lock:
            tc = self.tokens.get(oauth_token)
            if tc is None or tc.revoked or tc.client_key != client_key:
                return None
            return tc

    def revoke_all(self):
        with self.lock:
            n = 0
            for tc in self.tokens.values():
                if not tc.revoked:
                    tc.revoked = True
                    n += 1
            return n


# --------------------------------------------------------------------------
# Requests as they came over the wire
# --------------------------------------------------------------------------


class NoCredentialsError(OAuth1Error):
    """The request carries no OAuth protocol parameters at all."""
    error = "missing_authorization"
    description = "The request carries no OAuth 1.0 credentials."
    status_code = 401


def parse_authorization_header(value):
    """RFC 5849 section 3.5.1. Returns (params without realm, realm, is_oauth).
    A header with another scheme (Basic, Bearer) gives no parameters."""
    if not value:
        return [], None, False
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "oauth":
        return [], None, False
    params, realm = [], None
    for item in parse_http_list(rest):
        item = item.strip()
        if not item:
            continue
        name, sep, val = item.partition("=")
        name, val = name.strip(), val.strip()
        if not sep or not name:
            raise InvalidRequestError("Malformed OAuth Authorization header.")
        if len(val) >= 2 and val[0] == val[-1] == '"':
            val = val[1:-1]
        name, val = unescape(name), unescape(val)
        if name == "realm":
            realm = val
        else:
            params.append((name, val))
    return params, realm, True


class WireRequest(OAuth1Request):
    """authlib's OAuth1Request built from the Flask request as received: the
    base string URI is ``http://127.0.0.1:<port><path as sent>``; query and
    form parameters keep repeats (authlib's Flask glue flattens them); the
    form body counts only when it is application/x-www-form-urlencoded; the
    header's ``realm`` is left out. No proxy headers are looked at."""

    def __init__(self, port):  # replaces OAuth1Request.__init__ (no super call)
        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
        path = urlsplit(raw).path or "/"
        self.method = request.method
        self.base_uri = f"http://127.0.0.1:{port}{path}"
        self.query = request.query_string.decode("latin-1")
        self.uri = self.base_uri + ("?" + self.query if self.query else "")
        self.headers = request.headers
        self.client = None
        self.credential = None
        self.user = None

        self.query_params = list(request.args.items(multi=True))
        if request.mimetype == FORM_URLENCODED:
            self.body_params = list(request.form.items(multi=True))
        else:
            self.body_params = []
        self.body = self.body_params or None
        self.auth_params, self.realm, self.has_oauth_header = parse_authorization_header(
            request.headers.get("Authorization"))

        sources = []
        for kind, params in ((SIGNATURE_TYPE_QUERY, self.query_params),
                             (SIGNATURE_TYPE_BODY, self.body_params),
                             (SIGNATURE_TYPE_HEADER, self.auth_params)):
            oauth = [(k, v) for k, v in params if k.startswith("oauth_")]
            if oauth:
                sources.append((kind, oauth))
        if len(sources) > 1:
            raise DuplicatedOAuthProtocolParameterError(
                '"oauth_" parameters must come from one place but were found in '
                + ", ".join(kind.lower() for kind, _ in sources))
        if sources:
            self.signature_type, oauth = sources[0]
            names = [k for k, _ in oauth]
            dup = sorted({k for k in names if names.count(k) > 1})
            if dup:
                raise DuplicatedOAuthProtocolParameterError(
                    "repeated OAuth protocol parameter(s): " + ", ".join(dup))
            self.oauth_params = dict(oauth)
        else:
            self.signature_type, self.oauth_params = None, {}
        self.params = self.query_params + self.body_params + self.auth_params

    def signature_base_string(self):
        """RFC 5849 section 3.4.1: METHOD & base string URI & normalized
        parameters (everything but oauth_signature), each percent-encoded
        with the unreserved set. authlib's own builder would percent-decode
        the oauth_* values a second time; this one doesn't."""
        params = [(k, v) for k, v in self.params if k != "oauth_signature"]
        return "&".join([
            escape(self.method.upper()),
            escape(self.base_uri),
            escape(normalize_parameters(params)),
        ])


def verify_hmac_sha1(req):
    secret = req.client_secret
    if not secret:
        return False
    expected = hmac_sha1_signature(req.signature_base_string(), secret, req.token_secret)
    return hmac.compare_digest(expected.encode("utf-8"), (req.signature or "").encode("utf-8"))


class Checks:
    """Shared by the authorization server and the resource protector:
    HMAC-SHA1 only; ``oauth_version``, when sent, must be 1.0; the timestamp
    may be at most TIMESTAMP_WINDOW seconds off, either way."""

    SUPPORTED_SIGNATURE_METHODS = [SIGNATURE_HMAC_SHA1]
    SIGNATURE_METHODS = {SIGNATURE_HMAC_SHA1: verify_hmac_sha1}
    EXPIRY_TIME = TIMESTAMP_WINDOW

    def validate_timestamp_and_nonce(self, req):
        version = req.oauth_params.get("oauth_version")
        if version is not None and version != "1.0":
            raise InvalidRequestError('Invalid "oauth_version" value: must be 1.0')
        ts = req.oauth_params.get("oauth_timestamp")
        if ts and ts.isdigit() and int(ts) - time.time() > TIMESTAMP_WINDOW:
            raise InvalidRequestError('Invalid "oauth_timestamp" value: in the future')
        super().validate_timestamp_and_nonce(req)


# authlib leaves these errors without a description.
DESCRIPTIONS = {
    "invalid_client": 'Unknown "oauth_consumer_key".',
    "invalid_signature": 'The "oauth_signature" does not match (HMAC-SHA1 over the RFC 5849 '
                         "signature base string, base string URI http://127.0.0.1:<port><path>).",
    "invalid_nonce": 'The "oauth_nonce" was already used with this timestamp, client and token.',
    "unsupported_signature_method": 'Unsupported "oauth_signature_method": only HMAC-SHA1.',
    "method_not_allowed": "Use POST.",
}


def describe(error):
    if not error.description:
        error.description = DESCRIPTIONS.get(error.error)
    return error


def unauthorized_headers(status):
    return [("WWW-Authenticate", f'OAuth realm="{REALM}"')] if status == 401 else []


class OAuth1Server(Checks, AuthorizationServer):
    def __init__(self, app, store, port_ref):
        self.store = store
        self.port_ref = port_ref
        super().__init__(app, query_client=store.query_client)

    def create_oauth1_request(self, req):
        return WireRequest(self.port_ref["port"])

    def handle_error_response(self, error):
        return super().handle_error_response(describe(error))

    def handle_response(self, status_code, payload, headers):
        headers = list(headers) + unauthorized_headers(status_code)
        body = urlencode(payload) if isinstance(payload, (list, tuple, dict)) else payload
        return Response(body, status=status_code, headers=headers)

    def create_temporary_credentials_response(self, req=None):
        # authlib's version answers oauth_callback_confirmed=True; RFC 5849
        # says "true".
        try:
            req = self.create_oauth1_request(req)
            self.validate_temporary_credentials_request(req)
        except OAuth1Error as error:
            return self.handle_error_response(error)
        cred = self.create_temporary_credential(req)
        payload = [
            ("oauth_token", cred.get_oauth_token()),
            ("oauth_token_secret", cred.get_oauth_token_secret()),
            ("oauth_callback_confirmed", "true"),
        ]
        return self.handle_response(200, payload, self.TOKEN_RESPONSE_HEADER)

    def validate_token_request(self, req):
        super().validate_token_request(req)
        cred = req.credential
        if cred.get_client_id() != req.client_id:
            raise InvalidTokenError()
        # Only one of several concurrent exchanges may win.
        if not self.store.claim_temporary(cred):
            raise InvalidTokenError()
        return req

    def create_token_response(self, req=None):
        """authlib's flow (any failure uses the temporary credential up) plus
        ``user_id`` and ``screen_name`` in the answer."""
        try:
            req = self.create_oauth1_request(req)
        except OAuth1Error as error:
            return self.handle_error_response(error)
        try:
            self.validate_token_request(req)
        except OAuth1Error as error:
            self.delete_temporary_credential(req)
            return self.handle_error_response(error)
        tc = self.create_token_credential(req)
        self.delete_temporary_credential(req)
        payload = [
            ("oauth_token", tc.get_oauth_token()),
            ("oauth_token_secret", tc.get_oauth_token_secret()),
            ("user_id", tc.user_id),
            ("screen_name", tc.username),
        ]
        return self.handle_response(200, payload, self.TOKEN_RESPONSE_HEADER)


class Protector(Checks, ResourceProtector):
    def __init__(self, app, store, port_ref):
        self.port_ref = port_ref
        super().__init__(app, query_client=store.query_client,
                         query_token=store.query_token, exists_nonce=store.exists_nonce)

    def acquire_credential(self):
        req = WireRequest(self.port_ref["port"])
        if not req.oauth_params and not req.has_oauth_header:
            raise NoCredentialsError()
        # authlib's ResourceProtector.validate_request, on this request.
        if not req.client_id:
            raise MissingRequiredParameterError("oauth_consumer_key")
        req.client = self.get_client_by_id(req.client_id)
        if not req.client:
            raise InvalidClientError()
        if not req.token:
            raise MissingRequiredParameterError("oauth_token")
        req.credential = self.get_token_credential(req)
        if not req.credential:
            raise InvalidTokenError()
        self.validate_timestamp_and_nonce(req)
        self.validate_oauth_signature(req)
        g.authlib_server_oauth1_credential = req.credential
        return req.credential

    def __call__(self, scope=None):
        def decorator(f):
            @functools.wraps(f)
            def decorated(*args, **kwargs):
                try:
                    self.acquire_credential()
                except OAuth1Error as error:
                    describe(error)
                    body = json.dumps({"error": error.error,
                                       "error_description": error.get_error_description()})
                    resp = Response(body, status=error.status_code, mimetype="application/json")
                    for k, v in unauthorized_headers(error.status_code):
                        resp.headers[k] = v
                    resp.headers["Cache-Control"] = "no-store"
                    return resp
                return f(*args, **kwargs)
            return decorated

        if callable(scope):
            return decorator(scope)
        return decorator


# --------------------------------------------------------------------------
# Flask app
# --------------------------------------------------------------------------


CONSENT_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Authorize {client_key}</title></head>
<body>
<h1>Authorize {client_key}</h1>
<form method="post" action="/oauth/authorize">
<input type="hidden" name="oauth_token" value="{oauth_token}">
<label>Username <input type="text" name="username" value="{username}"></label>
<button type="submit" name="confirm" value="yes">Allow</button>
<button type="submit" name="confirm" value="no">Deny</button>
</form>
</body></html>
"""

OOB_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body>
<h1>{title}</h1>
{body}
</body></html>
"""


def append_query(uri, params):
    """Add parameters to a callback URI's query, leaving what is there (and
    any fragment) as it was."""
    base, hash_, fragment = uri.partition("#")
    sep = "&" if "?" in base else "?"
    if base.endswith("?") or base.endswith("&"):
        sep = ""
    return base + sep + urlencode(params) + hash_ + fragment


def create_app(store):
    app = Flask(__name__)
    port_ref = {"port": 0}
    app.config["PORT_REF"] = port_ref

    server = OAuth1Server(app, store, port_ref)
    server.register_hook("exists_nonce", store.exists_nonce)
    server.register_hook("create_temporary_credential", store.create_temporary)
    server.register_hook("get_temporary_credential", store.get_temporary)
    server.register_hook("delete_temporary_credential", store.delete_temporary)
    server.register_hook("create_authorization_verifier", lambda cred, user, verifier: None)
    server.register_hook("create_token_credential", store.create_token)

    require_oauth = Protector(app, store, port_ref)

    def json_response(payload, status=200):
        resp = jsonify(payload)
        resp.status_code = status
        return resp

    def json_error(status, error, description):
        return json_response({"error": error, "error_description": description}, status)

    @app.before_request
    def count_requests():
        if request.path.startswith("/api/"):
            store.bump("api_requests")
        elif request.path == "/oauth/request_token":
            store.bump("request_token")
        elif request.path == "/oauth/access_token":
            store.bump("access_token")

    @app.after_request
    def count_rejections(resp):
        if request.path.startswith("/api/") and resp.status_code in (400, 401, 403):
            store.bump("api_rejected")
        return resp

    # ---- temporary credentials
    @app.route("/oauth/request_token", methods=["POST"])
    def request_token():
        return server.create_temporary_credentials_response()

    # ---- resource owner authorization
    def find_pending():
        """The temporary credential named by oauth_token, or an error
        response."""
        try:
            req = server.check_authorization_request()
        except OAuth1Error as error:
            return None, None, json_error(400, error.error, error.get_error_description())
        if req.credential.state != "pending":
            return None, None, json_error(400, "invalid_token",
                                          'The "oauth_token" was already authorized or used.')
        return req, req.credential, None

    @app.route("/oauth/authorize", methods=["GET"])
    def authorize_page():
        req, cred, error = find_pending()
        if error is not None:
            return error
        page = CONSENT_PAGE.format(
            client_key=html.escape(cred.get_client_id()),
            oauth_token=html.escape(cred.get_oauth_token()),
            username=html.escape(DEFAULT_USERNAME),
        )
        return Response(page, mimetype="text/html")

    @app.route("/oauth/authorize", methods=["POST"])
    def authorize_decision():
        req, cred, error = find_pending()
        if error is not None:
            return error
        callback = cred.get_redirect_uri()
        token = cred.get_oauth_token()
        if request.values.get("confirm") != "yes":
            server.delete_temporary_credential(req)
            if callback == "oob":
                page = OOB_PAGE.format(title="Access denied",
                                       body=f'<p id="denied">{html.escape(token)}</p>')
                return Response(page, mimetype="text/html")
            return Response("", status=302, headers={"Location": append_query(callback, [("denied", token)])})

        username = (request.values.get("username") or "").strip() or DEFAULT_USERNAME
        req.user = User(username)
        verifier = server.create_authorization_verifier(req)
        if not store.authorize_temporary(cred, username, verifier):
            return json_error(400, "invalid_token", 'The "oauth_token" was already authorized or used.')
        if callback == "oob":
            page = OOB_PAGE.format(
                title="Authorized",
                body=f'<p>Verifier: <code id="oauth_verifier">{html.escape(verifier)}</code></p>')
            return Response(page, mimetype="text/html")
        location = append_query(callback, [("oauth_token", token), ("oauth_verifier", verifier)])
        return Response("", status=302, headers={"Location": location})

    # ---- token credentials
    @app.route("/oauth/access_token", methods=["POST"])
    def access_token():
        return server.create_token_response()

    # ---- protected API
    def multi(md):
        return {k: (v[0] if len(v) == 1 else v) for k, v in md.lists()}

    @app.route("/api/me", methods=["GET"])
    @require_oauth()
    def api_me():
        tc = current_credential
        return json_response({"user": tc.username, "user_id": tc.user_id,
                              "client_key": tc.client_key})

    @app.route("/api/echo", methods=["GET", "POST"])
    @require_oauth()
    def api_echo():
        tc = current_credential
        form = multi(request.form) if request.mimetype == FORM_URLENCODED else {}
        return json_response({
            "method": request.method,
            "path": request.path,
            "query": multi(request.args),
            "form": form,
            "user": tc.username,
        })

    # ---- test controls
    @app.route("/_stats", methods=["GET"])
    def stats():
        return json_response(store.snapshot_stats())

    @app.route("/_control", methods=["POST"])
    def control():
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return json_error(400, "invalid_request", "Expected a JSON object.")
        result = {"ok": True}
        if body.get("revoke_all"):
            result["revoked"] = store.revoke_all()
        if body.get("reset_stats"):
            with store.lock:
                store.reset_stats()
        return json_response(result)

    return app


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def parse_client(spec):
    key, sep, secret = spec.partition(":")
    if not sep or not key or not secret:
        raise argparse.ArgumentTypeError(f"--client wants KEY:SECRET, got {spec!r}")
    return Client(key, secret)


class PlainLogHandler(WSGIRequestHandler):
    """One uncoloured log line per request (werkzeug colours by default)."""

    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)
        log.info('%s "%s" %s', self.address_string(), self.requestline, code)


def main(argv=None):
    parser = argparse.ArgumentParser(description="OAuth 1.0a test provider (loopback only).")
    parser.add_argument("--client", action="append", type=parse_client, default=[],
                        metavar="KEY:SECRET",
                        help="register a client (consumer) key and secret (repeatable); "
                             f"default {DEFAULT_CLIENT}")
    args = parser.parse_args(argv)

    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s oauth1_server %(levelname)s %(message)s")

    clients = args.client or [parse_client(DEFAULT_CLIENT)]
    keys = [c.client_key for c in clients]
    if len(set(keys)) != len(keys):
        parser.error("duplicate client key")

    store = Store(clients)
    app = create_app(store)

    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=PlainLogHandler)
    port = httpd.server_port
    app.config["PORT_REF"]["port"] = port
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    for c in clients:
        log.info("client %s", c.client_key)
    log.info("listening on http://127.0.0.1:%d (HMAC-SHA1, timestamp window %ss)",
             port, TIMESTAMP_WINDOW)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
