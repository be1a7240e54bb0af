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

Exits when its standard input closes. Dependencies: datasette (uvicorn comes
with it).
"""

import argparse
import asyncio
import json
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


def _app(path, state):
    datasette = Datasette(files=[path], settings={"max_returned_rows": 1000, "sql_time_limit_ms": 5000}).app()

    async def app(scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/_control/"):
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            request = json.loads(body or b"{}")
            if scope["path"] == "/_control/sql":
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
            await send({"type": "http.response.start", "status": 200,
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
    state = {"delay": arguments.delay_ms / 1000}
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    config = uvicorn.Config(_app(arguments.database, state), log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
