"""A loopback paginated JSON API for the data benchmark: GET /records?limit=&cursor=&since=
answers {"records": [...], "next": "<cursor>"} (no "next" on the last page), records 1..N in id
order. Every record carries updated_at = version * 10^8 + id, so `since` selects by arithmetic
instead of a scan; POST /version bumps the version (every record changes). Page bodies are built
once per version and kept, so the server costs the readers as little as it can.
Usage: python paged_api.py N   (prints its port, then serves until stdin closes)."""
import http.server, json, os, sys, threading
from urllib.parse import parse_qs, urlparse

TOTAL = int(sys.argv[1])
STATE = {"version": 1, "pages": {}}
LOCK = threading.Lock()


def page(version, start, limit):
    key = (version, start, limit)
    with LOCK:
        body = STATE["pages"].get(key)
    if body is not None:
        return body
    end = min(TOTAL, start + limit)
    records = [{"id": i, "name": f"Record {i} v{version}", "email": f"r{i}@example.com", "value": (i * 7) % 1000,
                "updated_at": version * 100_000_000 + i} for i in range(start + 1, end + 1)]
    answer = {"records": records}
    if end < TOTAL:
        answer["next"] = str(end)
    body = json.dumps(answer, separators=(",", ":")).encode()
    with LOCK:
        if len(STATE["pages"]) > 4000:
            STATE["pages"].clear()
        STATE["pages"][key] = body
    return body


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        limit = max(1, min(1000, int(query.get("limit", "1000"))))
        start = int(query.get("cursor") or 0)
        version = STATE["version"]
        since = query.get("since")
        if since is not None and since != "":
            floor = int(float(since)) - version * 100_000_000
            start = max(start, floor)
        body = page(version, min(start, TOTAL), limit)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        STATE["version"] += 1
        body = json.dumps({"version": STATE["version"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def exit_when_stdin_closes():
    try:
        while sys.stdin.buffer.read(1024):
            pass
    finally:
        os._exit(0)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
server.serve_forever()
