#!/usr/bin/env python3
"""OAuth 2.0 authorization server (and protected resource) for Switchyard's tests.

Built on authlib's Flask integration: authorization code grant with PKCE
(RFC 7636), refresh token grant (optionally rotating), client credentials
grant, token revocation (RFC 7009), bearer-protected resources (RFC 6750)
and authorization server metadata (RFC 8414). All state lives in memory and
is guarded by one lock; nothing is persisted.

It binds 127.0.0.1 on a free port and prints ``PORT <n>`` as the first line
of stdout, then serves until killed. Logs go to stderr. See README.md beside
this file for the command line, the endpoints and the test controls.

Dependencies: authlib, flask, werkzeug.
"""

import argparse
import hmac
import html
import ipaddress
import json
import logging
import os
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit

try:
    # FlaskOAuth2Payload (the request "payload" API) came with authlib 1.6.
    from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Payload
except ImportError:  # pragma: no cover
    sys.exit("oauth_server.py needs authlib >= 1.6 (pip install -U authlib)")
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.integrations.flask_oauth2 import current_token
from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Request
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749 import InvalidGrantError
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749 import MissingAuthorizationError
from authlib.oauth2.rfc6749 import TokenMixin
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc6750 import InvalidTokenError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask
from flask import Response
from flask import jsonify
from flask import request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

# Everything here is plain http on loopback. Recent authlib releases accept
# http for loopback addresses anyway; older ones need this switch (read at
# request time).
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

log = logging.getLogger("oauth_server")

AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
DEFAULT_USERNAME = "testuser"
DEFAULT_CLIENT = "test-client:test-secret:http://127.0.0.1/callback:client_secret_basic"
REALM = "switchyard-test"


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------


class User:
    def __init__(self, username):
        self.username = username

    def get_user_id(self):
        return self.username


def _is_loopback_literal(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Client(ClientMixin):
    def __init__(self, client_id, client_secret, redirect_uri, auth_method):
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.auth_method = auth_method

    @property
    def is_public(self):
        return self.auth_method == "none"

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uri

    def get_allowed_scope(self, scope):
        # Every scope is allowed; no scope requested means no scope granted.
        return scope or ""

    def check_redirect_uri(self, redirect_uri):
        if redirect_uri == self.redirect_uri:
            return True
        # RFC 8252 section 7.3: a registered loopback IP redirect URI without a
        # port matches the same URI with any port.
        reg, req = urlsplit(self.redirect_uri), urlsplit(redirect_uri)
        try:
            reg_port, req_port = reg.port, req.port
        except ValueError:
            return False
        return (
            reg.scheme == "http"
            and req.scheme == "http"
            and reg_port is None
            and req_port is not None
            and _is_loopback_literal(reg.hostname or "")
            and reg.hostname == req.hostname
            and reg.path == req.path
            and reg.query == req.query
            and not req.fragment
        )

    def check_client_secret(self, client_secret):
        if self.is_public:
            return False
        return hmac.compare_digest(
            self.client_secret.encode("utf-8"), client_secret.encode("utf-8")
        )

    def check_endpoint_auth_method(self, method, endpoint):
        # The registered method is the only one accepted, at the token and
        # the revocation endpoint alike.
        return method == self.auth_method

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        if grant_type == "client_credentials":
            return not self.is_public
        return grant_type in ("authorization_code", "refresh_token")


class AuthorizationCode:
    def __init__(self, code, client_id, redirect_uri, scope, user, challenge,
                 challenge_method, lifetime):
        self.code = code
        self.client_id = client_id
        # the redirect_uri given in the authorization request (None if it was
        # left out and the registered one was used)
        self.redirect_uri = redirect_uri
        self.scope = scope
        self.user = user
        self.code_challenge = challenge
        self.code_challenge_method = challenge_method
        self.expires_at = time.time() + lifetime
        self.used = False
        self.grant_id = uuid.uuid4().hex

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def is_expired(self):
        return time.time() >= self.expires_at


class AccessToken(TokenMixin):
    kind = "access_token"

    def __init__(self, value, client_id, user, scope, grant_type, grant_id, expires_in):
        self.value = value
        self.client_id = client_id
        self.user = user
        self.scope = scope
        self.grant_type = grant_type
        self.grant_id = grant_id
        self.issued_at = time.time()
        self.expires_in = expires_in
        self.expires_at = self.issued_at + expires_in
        self.revoked = False

    def check_client(self, client):
        return self.client_id == client.get_client_id()

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_expired(self):
        return time.time() >= self.expires_at

    def is_revoked(self):
        return self.revoked


class RefreshToken(TokenMixin):
    kind = "refresh_token"

    def __init__(self, value, client_id, user, scope, grant_id):
        self.value = value
        self.client_id = client_id
        self.user = user
        self.scope = scope
        self.grant_id = grant_id
        self.issued_at = time.time()
        self.revoked = False

    def check_client(self, client):
        return self.client_id == client.get_client_id()

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return 0

    def is_expired(self):
        return False

    def is_revoked(self):
        return self.revoked


# --------------------------------------------------------------------------
# In-memory state
# --------------------------------------------------------------------------


class Store:
    """Clients, codes, tokens, counters and test controls behind one lock."""

    def __init__(self, clients, access_token_lifetime, code_lifetime):
        self.lock = threading.Lock()
        self.clients = {c.client_id: c for c in clients}
        self.access_token_lifetime = access_token_lifetime
        self.code_lifetime = code_lifetime
        self.codes = {}
        self.access_tokens = {}
        self.refresh_tokens = {}
        # What the token endpoint does, per grant ("refresh", "code"): [mode, requests left]
        # (None: until changed; n: for n more requests, then "ok" again).
        self.modes = {"refresh": ["ok", None], "code": ["ok", None]}
        self.reset_stats()

    def reset_stats(self):
        self.stats = {
            "token_requests": {
                "authorization_code": 0,
                "refresh_token": 0,
                "client_credentials": 0,
            },
            "api_requests": 0,
            "refresh_tokens_issued": 0,
            "revoked": 0,
            # extras beyond the base set
            "api_rejected": 0,
            "access_tokens_issued": 0,
            "authorization_codes_issued": 0,
        }
        # Every request but the test controls': method, path, query string and Referer.
        self.requests = []

    def snapshot_stats(self):
        with self.lock:
            return json.loads(json.dumps(self.stats))

    def bump(self, *path):
        with self.lock:
            node = self.stats
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] += 1

    # ---- clients
    def query_client(self, client_id):
        return self.clients.get(client_id)

    # ---- authorization codes
    def save_code(self, code):
        with self.lock:
            self.codes[code.code] = code
            self.stats["authorization_codes_issued"] += 1

    def consume_code(self, code_value, client):
        """Hand out a code once. A second presentation of a used code revokes
        every token issued from it (RFC 6749 section 4.1.2)."""
        with self.lock:
            code = self.codes.get(code_value)
            if code is None or code.client_id != client.get_client_id():
                return None
            if code.used:
                self._revoke_grant_locked(code.grant_id)
                log.warning("authorization code reused; tokens of its grant revoked")
                return None
            code.used = True
            if code.is_expired():
                return None
            return code

    # ---- tokens
    def save_token(self, token, client, user, grant_type, grant_id):
        with self.lock:
            at = AccessToken(
                token["access_token"], client.get_client_id(), user,
                token.get("scope", ""), grant_type, grant_id,
                token.get("expires_in", self.access_token_lifetime),
            )
            self.access_tokens[at.value] = at
            self.stats["access_tokens_issued"] += 1
            if token.get("refresh_token"):
                rt = RefreshToken(
                    token["refresh_token"], client.get_client_id(), user,
                    token.get("scope", ""), grant_id,
                )
                self.refresh_tokens[rt.value] = rt
                self.stats["refresh_tokens_issued"] += 1

    def find_access_token(self, value):
        with self.lock:
            return self.access_tokens.get(value)

    def find_refresh_token(self, value):
        with self.lock:
            return self.refresh_tokens.get(value)

    def claim_refresh_token(self, rt):
        """Atomically retire a refresh token being rotated; False if another
        request got there first or it was revoked meanwhile."""
        with self.lock:
            if rt.revoked:
                return False
            rt.revoked = True
            return True

    def revoke(self, token):
        with self.lock:
            token.revoked = True
            if isinstance(token, RefreshToken):
                # RFC 7009 section 2.1: revoking a refresh token also
                # invalidates the access tokens of the same grant.
                for at in self.access_tokens.values():
                    if at.grant_id == token.grant_id:
                        at.revoked = True
            self.stats["revoked"] += 1

    def _revoke_grant_locked(self, grant_id):
        for tok in list(self.access_tokens.values()) + list(self.refresh_tokens.values()):
            if tok.grant_id == grant_id:
                tok.revoked = True

    def expire_all(self):
        with self.lock:
            now = time.time()
            n = 0
            for at in self.access_tokens.values():
                if at.expires_at > now:
                    at.expires_at = now
                    n += 1
            return n

    # ---- refresh control
    def set_mode(self, grant, mode, times):
        with self.lock:
            self.modes[grant] = [mode, times]

    def take_mode(self, grant):
        with self.lock:
            mode, left = self.modes[grant]
            if left is not None:
                left -= 1
                self.modes[grant] = ["ok", None] if left <= 0 else [mode, left]
            return mode

    def record_request(self, entry):
        with self.lock:
            self.requests.append(entry)

    def recorded_requests(self):
        with self.lock:
            return list(self.requests)

    def control_state(self):
        with self.lock:
            return {"refresh": self.modes["refresh"][0], "refresh_times_left": self.modes["refresh"][1],
                    "code_exchange": self.modes["code"][0], "code_exchange_times_left": self.modes["code"][1]}


# --------------------------------------------------------------------------
# authlib wiring
# --------------------------------------------------------------------------


class ConsentPayload(FlaskOAuth2Payload):
    """Parameters of /authorize. The consent form posts to
    ``/authorize?<query>`` and repeats the query as hidden fields, so a
    parameter sent identically in both places counts once; differing values
    are kept apart and authlib then refuses them as repeated parameters."""

    @property
    def data(self):
        cached = getattr(self, "_merged", None)
        if cached is None:
            args, form = self._request.args, self._request.form
            cached = MultiDict()
            for key in list(dict.fromkeys(list(args.keys()) + list(form.keys()))):
                a, f = args.getlist(key), form.getlist(key)
                values = f if (a and f and a == f) else a + f
                for v in values:
                    cached.add(key, v)
            self._merged = cached
        return cached


class ConsentRequest(FlaskOAuth2Request):
    def __init__(self, req):
        super().__init__(req)
        self.payload = ConsentPayload(req)


class TestAuthorizationServer(AuthorizationServer):
    def __init__(self, app, store):
        self.store = store
        super().__init__(app, query_client=store.query_client, save_token=self._save)

    def create_oauth2_request(self, req):
        if request.path == "/authorize":
            return ConsentRequest(request)
        return super().create_oauth2_request(req)

    def _save(self, token, req):
        grant_type = req.payload.grant_type
        if req.authorization_code is not None:
            grant_id = req.authorization_code.grant_id
        elif req.refresh_token is not None:
            grant_id = req.refresh_token.grant_id
        else:
            grant_id = uuid.uuid4().hex
        self.store.save_token(token, req.client, req.user, grant_type, grant_id)


class S256CodeChallenge(CodeChallenge):
    """PKCE with S256 only. With ``required`` every authorization request
    must carry a code_challenge (and so every code exchange a verifier);
    without it PKCE is optional but always verified when a challenge was
    sent."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        challenge = data.get("code_challenge")
        method = data.get("code_challenge_method")
        if self.required and not challenge:
            raise InvalidRequestError("Missing 'code_challenge' (PKCE is required).")
        if challenge and not method:
            # RFC 7636: a missing method means "plain", which is not offered.
            raise InvalidRequestError("Unsupported 'code_challenge_method': use S256.")
        super().validate_code_challenge(grant, redirect_uri)


def make_grants(store, rotate):
    class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)

        def save_authorization_code(self, code, req):
            data = req.payload.data
            store.save_code(AuthorizationCode(
                code=code,
                client_id=req.client.get_client_id(),
                redirect_uri=req.payload.redirect_uri,
                scope=req.scope or "",
                user=req.user,
                challenge=data.get("code_challenge"),
                challenge_method=data.get("code_challenge_method"),
                lifetime=store.code_lifetime,
            ))

        def query_authorization_code(self, code, client):
            return store.consume_code(code, client)

        def delete_authorization_code(self, authorization_code):
            # Already marked used by query_authorization_code; the record is
            # kept so that a replay can be detected.
            pass

        def authenticate_user(self, authorization_code):
            return authorization_code.user

        def validate_token_request(self):
            super().validate_token_request()
            # authlib checks redirect_uri only when the authorization request
            # carried one; one sent anyway must still be the client's.
            code = self.request.authorization_code
            sent = self.request.payload.redirect_uri
            if code.redirect_uri is None and sent and not self.request.client.check_redirect_uri(sent):
                raise InvalidGrantError("Invalid 'redirect_uri' in request.")

    class RefreshTokenGrant(grants.RefreshTokenGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)
        INCLUDE_NEW_REFRESH_TOKEN = rotate

        def authenticate_refresh_token(self, refresh_token):
            rt = store.find_refresh_token(refresh_token)
            if rt is not None and not rt.is_revoked():
                return rt
            return None

        def authenticate_user(self, refresh_token):
            return refresh_token.user

        def validate_token_request(self):
            super().validate_token_request()
            # With rotation only one of several concurrent requests with the
            # same refresh token may win; the claim is atomic.
            if rotate and not store.claim_refresh_token(self.request.refresh_token):
                raise InvalidGrantError("The refresh token was already used.")

        def revoke_old_credential(self, refresh_token):
            # Rotation retired it in validate_token_request; without rotation
            # the refresh token stays valid.
            pass

    class ClientCredentialsGrant(grants.ClientCredentialsGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    return AuthorizationCodeGrant, RefreshTokenGrant, ClientCredentialsGrant


def make_revocation_endpoint(store):
    class Revocation(RevocationEndpoint):
        CLIENT_AUTH_METHODS = list(AUTH_METHODS)

        def query_token(self, token_string, token_type_hint):
            if token_type_hint == "refresh_token":
                order = (store.find_refresh_token, store.find_access_token)
            else:
                order = (store.find_access_token, store.find_refresh_token)
            for find in order:
                tok = find(token_string)
                if tok is not None:
                    return tok
            return None

        def revoke_token(self, token, req):
            store.revoke(token)

    return Revocation


class Protector(ResourceProtector):
    """Bearer errors with a fixed shape, whatever authlib version: a missing
    token gets ``WWW-Authenticate: Bearer realm="..."`` (no error code, RFC
    6750 section 3.1); an unknown, expired or revoked one gets
    ``Bearer error="invalid_token", error_description="..."``; both 401 with
    a JSON body carrying the same error."""

    def raise_error_response(self, error):
        if isinstance(error, MissingAuthorizationError):
            header = f'Bearer realm="{REALM}"'
        elif isinstance(error, InvalidTokenError):
            header = f'Bearer error="{error.error}", error_description="{error.description}"'
        else:
            super().raise_error_response(error)
            return
        body = json.dumps({"error": error.error, "error_description": error.description})
        resp = Response(body, status=401, mimetype="application/json")
        resp.headers["WWW-Authenticate"] = header
        resp.headers["Cache-Control"] = "no-store"
        raise HTTPException(response=resp)


def make_validator(store):
    class Validator(BearerTokenValidator):
        def authenticate_token(self, token_string):
            return store.find_access_token(token_string)

    return Validator()


# --------------------------------------------------------------------------
# Flask app
# --------------------------------------------------------------------------


CONSENT_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Authorize {client_id}</title></head>
<body>
<h1>Authorize {client_id}</h1>
<p>Scope: {scope}</p>
<form method="post" action="{action}">
{hidden}
<label>Username <input type="text" name="username" value="{username}"></label>
<button type="submit" name="confirm" value="yes">Allow</button>
<button type="submit" name="confirm" value="no">Deny</button>
</form>
</body></html>
"""


def valid_times(times):
    """Whether a control's `times` is absent or a positive integer."""
    return times is None or (isinstance(times, int) and not isinstance(times, bool) and times >= 1)


def create_app(store, rotate, require_pkce):
    app = Flask(__name__)
    app.config["OAUTH2_REFRESH_TOKEN_GENERATOR"] = True
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {
        "authorization_code": store.access_token_lifetime,
        "refresh_token": store.access_token_lifetime,
        "client_credentials": store.access_token_lifetime,
    }
    app.config["ISSUER"] = "http://127.0.0.1"

    server = TestAuthorizationServer(app, store)
    code_grant, refresh_grant, cc_grant = make_grants(store, rotate)
    server.register_grant(code_grant, [S256CodeChallenge(required=require_pkce)])
    server.register_grant(refresh_grant)
    server.register_grant(cc_grant)
    server.register_endpoint(make_revocation_endpoint(store))

    require_oauth = Protector()
    require_oauth.register_token_validator(make_validator(store))

    def json_response(payload, status=200, headers=None):
        resp = jsonify(payload)
        resp.status_code = status
        for k, v in (headers or {}).items():
            resp.headers[k] = v
        return resp

    def loopback_only():
        addr = request.remote_addr or ""
        if not _is_loopback_literal(addr):
            return json_response({"error": "forbidden"}, 403)
        return None

    @app.before_request
    def count_requests():
        if not request.path.startswith("/_"):
            store.record_request({
                "method": request.method,
                "path": request.path,
                "query": request.query_string.decode("latin-1"),
                "referer": request.headers.get("Referer"),
            })
        if request.path.startswith("/api/"):
            store.bump("api_requests")
        elif request.path == "/token" and request.method == "POST":
            gt = request.form.get("grant_type")
            if gt in ("authorization_code", "refresh_token", "client_credentials"):
                store.bump("token_requests", gt)

    @app.after_request
    def count_rejections(resp):
        if request.path.startswith("/api/") and resp.status_code in (401, 403):
            store.bump("api_rejected")
        return resp

    # ---- authorization endpoint
    @app.route("/authorize", methods=["GET", "POST"])
    def authorize():
        if request.method == "GET":
            try:
                grant = server.get_consent_grant(end_user=None)
            except OAuth2Error as error:
                return server.handle_error_response(None, error)
            payload = grant.request.payload.data
            hidden = "\n".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k in payload.keys()
                for v in payload.getlist(k)
            )
            action = "/authorize"
            qs = request.query_string.decode("latin-1")
            if qs:
                action += "?" + qs
            page = CONSENT_PAGE.format(
                client_id=html.escape(grant.client.get_client_id()),
                scope=html.escape(grant.request.scope or "(none)"),
                action=html.escape(action),
                hidden=hidden,
                username=html.escape(DEFAULT_USERNAME),
            )
            return Response(page, mimetype="text/html")

        username = (request.form.get("username") or DEFAULT_USERNAME).strip() or DEFAULT_USERNAME
        user = User(username) if request.form.get("confirm") == "yes" else None
        try:
            grant = server.get_consent_grant(end_user=user)
        except OAuth2Error as error:
            return server.handle_error_response(None, error)
        return server.create_authorization_response(grant_user=user, grant=grant)

    # ---- token endpoint
    @app.route("/token", methods=["POST"])
    def issue_token():
        # The test controls can make the code exchange or the refresh fail (or a refresh slow).
        forced = {"authorization_code": ("code", "Code exchange"), "refresh_token": ("refresh", "Refresh")}
        grant = forced.get(request.form.get("grant_type"))
        if grant:
            mode = store.take_mode(grant[0])
            no_store = {"Cache-Control": "no-store", "Pragma": "no-cache"}
            if mode == "503":
                return json_response(
                    {"error": "temporarily_unavailable"}, 503,
                    {"Retry-After": "1", **no_store},
                )
            if mode == "invalid_grant":
                return json_response(
                    {"error": "invalid_grant",
                     "error_description": f"{grant[1]} refused by test control."},
                    400, no_store,
                )
            if mode.startswith("slow:"):
                time.sleep(float(mode.split(":", 1)[1]))
        return server.create_token_response()

    # ---- revocation endpoint
    @app.route("/revoke", methods=["POST"])
    def revoke_token():
        return server.create_endpoint_response(RevocationEndpoint.ENDPOINT_NAME)

    # ---- protected resources
    def token_info():
        tok = current_token
        user = tok.user.username if tok.user is not None else None
        return {
            "sub": user if user is not None else tok.client_id,
            "client_id": tok.client_id,
            "scope": tok.scope,
            "grant_type": tok.grant_type,
            "expires_at": int(tok.expires_at),
        }, user

    @app.route("/api/me", methods=["GET"])
    @require_oauth()
    def api_me():
        info, user = token_info()
        if user is not None:
            info.update({
                "preferred_username": user,
                "name": f"Test User {user}",
                "email": f"{user}@example.com",
            })
        return json_response(info)

    @app.route("/api/echo", methods=["GET", "POST"])
    @require_oauth()
    def api_echo():
        info, _ = token_info()
        query = {k: (v[0] if len(v) == 1 else v) for k, v in request.args.lists()}
        form = {k: (v[0] if len(v) == 1 else v) for k, v in request.form.lists()}
        return json_response({
            "method": request.method,
            "path": request.path,
            "query": query,
            "json": request.get_json(silent=True),
            "form": form,
            "token": info,
        })

    # ---- a records API: collections of JSON records kept in memory
    records = {}
    record_ids = [0]
    records_lock = threading.Lock()

    def json_error(status, error, description):
        return json_response({"error": error, "error_description": description}, status)

    def collection_of(name):
        return records.setdefault(name, {})

    @app.route("/api/records/<name>", methods=["GET", "POST"])
    @require_oauth()
    def api_records(name):
        with records_lock:
            items = collection_of(name)
            if request.method == "POST":
                body = request.get_json(silent=True)
                if not isinstance(body, dict):
                    return json_error(400, "invalid_request", "the body must be a JSON object")
                record_ids[0] += 1
                record = dict(body, id=f"r{record_ids[0]}")
                items[record["id"]] = record
                return json_response(record, 201)
            wanted = {k: v for k, v in request.args.items()}
            found = [r for r in items.values()
                     if all(str(r.get(k)) == v for k, v in wanted.items())]
            return json_response({"records": found})

    @app.route("/api/records/<name>/<rid>", methods=["GET", "PATCH", "DELETE"])
    @require_oauth()
    def api_record(name, rid):
        with records_lock:
            items = collection_of(name)
            if rid not in items:
                return json_error(404, "not_found", f"no record {rid} in {name}")
            if request.method == "PATCH":
                body = request.get_json(silent=True)
                if not isinstance(body, dict):
                    return json_error(400, "invalid_request", "the body must be a JSON object")
                items[rid].update({k: v for k, v in body.items() if k != "id"})
            if request.method == "DELETE":
                return json_response(items.pop(rid))
            return json_response(items[rid])

    @app.route("/_records/<name>", methods=["GET"])
    def stored_records(name):
        with records_lock:
            return loopback_only() or json_response({"records": list(collection_of(name).values())})

    # ---- metadata
    @app.route("/.well-known/oauth-authorization-server", methods=["GET"])
    def metadata():
        issuer = app.config["ISSUER"]
        return json_response({
            "issuer": issuer,
            "authorization_endpoint": issuer + "/authorize",
            "token_endpoint": issuer + "/token",
            "revocation_endpoint": issuer + "/revoke",
            "userinfo_endpoint": issuer + "/api/me",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
            "revocation_endpoint_auth_methods_supported": list(AUTH_METHODS),
            "code_challenge_methods_supported": ["S256"],
        })

    # ---- test controls
    @app.route("/_stats", methods=["GET"])
    def stats():
        return loopback_only() or json_response(store.snapshot_stats())

    @app.route("/_requests", methods=["GET"])
    def recorded_requests():
        return loopback_only() or json_response(store.recorded_requests())

    @app.route("/_control", methods=["POST"])
    def control():
        denied = loopback_only()
        if denied:
            return denied
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return json_response({"error": "invalid_request",
                                  "error_description": "Expected a JSON object."}, 400)
        result = {}
        if "refresh" in body:
            mode = body["refresh"]
            times = body.get("times")
            ok = isinstance(mode, str) and mode in ("ok", "503", "invalid_grant")
            if isinstance(mode, str) and mode.startswith("slow:"):
                try:
                    ok = float(mode.split(":", 1)[1]) >= 0
                except ValueError:
                    ok = False
            ok = ok and valid_times(times)
            if not ok:
                return json_response({"error": "invalid_request",
                                      "error_description": "refresh must be ok, 503, invalid_grant "
                                      "or slow:<seconds>; times a positive integer"}, 400)
            store.set_mode("refresh", mode, times)
        if "code_exchange" in body:
            mode = body["code_exchange"]
            times = body.get("times")
            ok = mode in ("ok", "503", "invalid_grant") and valid_times(times)
            if not ok:
                return json_response({"error": "invalid_request",
                                      "error_description": "code_exchange must be ok, 503 or invalid_grant; "
                                      "times a positive integer"}, 400)
            store.set_mode("code", mode, times)
        if body.get("expire_all"):
            result["expired"] = store.expire_all()
        if body.get("reset_stats"):
            with store.lock:
                store.reset_stats()
        result.update(store.control_state())
        result["ok"] = True
        return json_response(result)

    return app


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def parse_client(spec):
    """ID:SECRET:REDIRECT_URI[:AUTH_METHOD]; the redirect URI may itself
    contain colons, so the method is only taken off the end when it is one of
    the known names."""
    parts = spec.split(":", 2)
    if len(parts) != 3 or not parts[0] or not parts[2]:
        raise argparse.ArgumentTypeError(
            f"--client wants ID:SECRET:REDIRECT_URI[:AUTH_METHOD], got {spec!r}")
    client_id, secret, rest = parts
    method = None
    head, sep, tail = rest.rpartition(":")
    if sep and tail in AUTH_METHODS:
        rest, method = head, tail
    if method is None:
        method = "client_secret_basic" if secret else "none"
    if method != "none" and not secret:
        raise argparse.ArgumentTypeError(f"client {client_id!r}: {method} needs a secret")
    uri = urlsplit(rest)
    if not uri.scheme or not uri.netloc:
        raise argparse.ArgumentTypeError(f"client {client_id!r}: bad redirect URI {rest!r}")
    return Client(client_id, secret if method != "none" else "", rest, method)


def positive_int(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a whole number of seconds > 0")
    return value


class PlainLogHandler(WSGIRequestHandler):
    """One uncoloured log line per request (werkzeug colours by default)."""

    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)
        log.info('%s "%s" %s', self.address_string(), self.requestline, code)


def main(argv=None):
    parser = argparse.ArgumentParser(description="OAuth 2.0 test authorization server (loopback only).")
    parser.add_argument("--client", action="append", type=parse_client, default=[],
                        metavar="ID:SECRET:REDIRECT_URI[:AUTH_METHOD]",
                        help="register a client (repeatable); AUTH_METHOD is "
                             "client_secret_basic (default), client_secret_post or none")
    parser.add_argument("--access-token-lifetime", type=positive_int, default=3600,
                        metavar="SECONDS", help="access token lifetime (default 3600)")
    parser.add_argument("--code-lifetime", type=positive_int, default=60,
                        metavar="SECONDS", help="authorization code lifetime (default 60)")
    parser.add_argument("--rotate-refresh-tokens", action="store_true",
                        help="each refresh returns a new refresh token and revokes the old one")
    parser.add_argument("--require-pkce", action="store_true",
                        help="every authorization request must use PKCE (S256)")
    args = parser.parse_args(argv)

    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s oauth_server %(levelname)s %(message)s")

    clients = args.client or [parse_client(DEFAULT_CLIENT)]
    ids = [c.client_id for c in clients]
    if len(set(ids)) != len(ids):
        parser.error("duplicate client id")

    lifetime = args.access_token_lifetime
    store = Store(clients, lifetime, args.code_lifetime)
    app = create_app(store, args.rotate_refresh_tokens, args.require_pkce)

    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=PlainLogHandler)
    port = httpd.server_port
    app.config["ISSUER"] = f"http://127.0.0.1:{port}"
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    for c in clients:
        log.info("client %s auth=%s redirect_uri=%s", c.client_id, c.auth_method, c.redirect_uri)
    log.info("listening on http://127.0.0.1:%d (access token lifetime %ss, rotate=%s, require_pkce=%s)",
             port, lifetime, args.rotate_refresh_tokens, args.require_pkce)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
