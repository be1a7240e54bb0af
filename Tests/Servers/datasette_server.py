#!/usr/bin/env python3
"""Datasette serving a generated SQLite table, for data source tests.

Usage: datasette_server.py DATABASE [--rows N] [--delay-ms MS]

Creates (or keeps) DATABASE with a table ``contacts(id INTEGER PRIMARY KEY,
name, email, updated_at INTEGER)`` holding rows 1..N (``updated_at`` = id), and
serves it with Datasette's JSON API on 127.0.0.1 at a port the kernel picks,
printed as the first line of standard output. Tables are read through
``/<db>/contacts.json?_shape=objects`` with keyset pages (``next``).

Test controls, beside Datasette's own routes:

- ``POST /_control/sql`` with ``{"sql": ..., "params": [...]}`` runs one
  statement against the database and answers ``{"changes": n, "lastId": id}``;
- ``POST /_control/delay`` with ``{"ms": n}`` delays every later Datasette
  request by n milliseconds (``--delay-ms`` sets the first value), so a test can
  stop a pull half-way through its pages.

It also plays a provider that sends webhooks: ``POST /provider/subscriptions``
``{"url"}`` answers ``{"id", "secret"}``, ``DELETE /provider/subscriptions/<id>``
ends one, ``GET /provider/subscriptions`` lists them, and ``POST /_control/fire``
``{"subscription", "payload"}`` posts the payload to the subscription's URL signed
with ``X-Provider-Signature: sha256=<hex HMAC-SHA256 of the body>`` and answers
``{"status", "body"}`` of that call.

Exits when its standard input closes. Dependencies: datasette (uvicorn comes
with it).
"""

import argparse
import asyncio
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
import os
import socket
import sqlite3
import sys
import threading

import uvicorn
from datasette.app import Datasette


def _seed(path, rows):
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE IF NOT EXISTS contacts (id INTEGER PRIMARY KEY, name TEXT, email TEXT, updated_at INTEGER)")
    if connection.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 0:
        connection.executemany(
            "INSERT INTO contacts VALUES (?, ?, ?, ?)",
            ((i, "Contact %d" % i, "c%d@example.com" % i, i) for i in range(1, rows + 1)))
    connection.commit()
    connection.close()


def _post(url, body, headers):
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


async def _provider(scope, request, state):
    """The provider's subscription API; returns (status, answer)."""
    subscriptions = state["subscriptions"]
    path, method = scope["path"], scope["method"]
    if path == "/provider/subscriptions" and method == "POST":
        identifier, secret = secrets.token_hex(8), secrets.token_hex(16)
        subscriptions[identifier] = {"url": request["url"], "secret": secret}
        return 201, {"id": identifier, "secret": secret}
    if path == "/provider/subscriptions" and method == "GET":
        return 200, [{"id": k, "url": v["url"]} for k, v in subscriptions.items()]
    if path.startswith("/provider/subscriptions/") and method == "DELETE":
        removed = subscriptions.pop(path.rsplit("/", 1)[1], None)
        return (200, {"deleted": True}) if removed else (404, {"error": "no such subscription"})
    return 404, {"error": "unknown provider route"}


def _app(path, state):
    datasette = Datasette(files=[path], settings={"max_returned_rows": 1000, "sql_time_limit_ms": 5000}).app()

    async def app(scope, receive, send):
        if scope["type"] == "http" and (scope["path"].startswith("/_control/") or scope["path"].startswith("/provider/")):
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            request = json.loads(body or b"{}")
            status = 200
            if scope["path"].startswith("/provider/"):
                status, answer = await _provider(scope, request, state)
            elif scope["path"] == "/_control/fire":
                subscription = state["subscriptions"][request["subscription"]]
                payload = json.dumps(request["payload"]).encode()
                digest = hmac.new(subscription["secret"].encode(), payload, hashlib.sha256).hexdigest()
                headers = {"Content-Type": "application/json", "X-Provider-Signature": "sha256=" + digest}
                code, text = await asyncio.to_thread(_post, subscription["url"], payload, headers)
                answer = {"status": code, "body": text}
            elif scope["path"] == "/_control/sql":
                connection = sqlite3.connect(path)
                cursor = connection.execute(request["sql"], request.get("params", []))
                connection.commit()
                answer = {"changes": cursor.rowcount, "lastId": cursor.lastrowid}
                connection.close()
            elif scope["path"] == "/_control/delay":
                state["delay"] = float(request.get("ms", 0)) / 1000
                answer = {"ms": request.get("ms", 0)}
            else:
                answer = {"error": "unknown control"}
            payload = json.dumps(answer).encode()
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
            await send({"type": "http.response.body", "body": payload})
            return
        if scope["type"] == "http" and state["delay"] > 0:
            await asyncio.sleep(state["delay"])
        await datasette(scope, receive, send)

    return app


def _exit_when_stdin_closes():
    try:
        while sys.stdin.buffer.read(1024):
            pass
    finally:
        os._exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--delay-ms", type=float, default=0)
    arguments = parser.parse_args()
    _seed(arguments.database, arguments.rows)
    state = {"delay": arguments.delay_ms / 1000, "subscriptions": {}}
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    config = uvicorn.Config(_app(arguments.database, state), log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
