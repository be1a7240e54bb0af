"""Shared pieces of the Python benchmarks: a loopback upstream, a fresh PostgreSQL database, the
release binary's processes, API calls, and a client-credentials connection to the upstream.
Benchmarks import it with `sys.path.insert(0, <benchmarks>/lib)`."""
import io, json, os, socket, subprocess, sys, tempfile, time, urllib.request, uuid, zipfile

BINARY = os.environ.get("SWITCHYARD_BINARY") or sys.exit("SWITCHYARD_BINARY is not set; run scripts/bench")
ADMIN_URL = os.environ.get("SWITCHYARD_TEST_POSTGRES_URL")

UPSTREAM = r'''
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle's algorithm and delayed ACKs
    # hold every response about 40 ms.
    disable_nagle_algorithm = True
    def do_GET(self):
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
'''


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql, database=None):
    url = ADMIN_URL if database is None else ADMIN_URL.rsplit("/", 1)[0] + "/" + database
    return subprocess.run(["psql", url, "-q", "-t", "-A", "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


def call(port, method, path, token=None, body=None, content_type="application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=30) as response:
        return response.read()


class Install:
    """A fresh database and data directory, the upstream, and the processes started on them."""

    def __init__(self, prefix):
        self.database = f"{prefix}_" + uuid.uuid4().hex[:10]
        psql(f"CREATE DATABASE {self.database}")
        self.directory = tempfile.mkdtemp(prefix=f"switchyard-{prefix}-")
        self.env = {"PATH": os.environ["PATH"], "DATA_DIR": self.directory, "DATABASE_URL": ADMIN_URL.rsplit("/", 1)[0] + "/" + self.database,
                    "PORT": str(free_port()), "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.0/8"}
        self.processes = []
        self.upstream = subprocess.Popen([sys.executable, "-c", UPSTREAM], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.upstream_port = int(self.upstream.stdout.readline())
        subprocess.run([BINARY, "migrate"], env=self.env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self, roles, extra=None, port=None):
        env = dict(self.env, **(extra or {}))
        if port is not None:
            env["PORT"] = str(port)
        process = subprocess.Popen([BINARY, "serve", "--role", roles], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(process)
        return process

    def wait_healthy(self, port):
        for _ in range(400):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/?wait=100", timeout=2)
                return
            except Exception:
                time.sleep(0.05)
        sys.exit(f"the server on port {port} did not become healthy")

    def token(self, *arguments):
        return subprocess.run([BINARY, "token", *arguments], env=self.env, check=True, capture_output=True, text=True).stdout.strip()

    def connect_upstream(self, port, admin, tenant):
        """A client-credentials connector whose API client adds an API key, integration `up`, and
        the tenant's connection to it; returns the connection's id."""
        spec = f"""key: upstream
name: Upstream
auth:
  type: client-credentials
  inputSchema:
    type: object
    required: [apiKey]
    properties:
      apiKey: {{ type: string }}
  makeApiClient:
    type: mapping
    mapping:
      baseUri: http://127.0.0.1:{self.upstream_port}
      headers:
        X-Api-Key: {{ $var: credentials.apiKey }}
"""
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("spec.yml", spec)
        call(port, "POST", "/connectors", admin, {"key": "upstream", "name": "Upstream"})
        call(port, "POST", "/connectors/upstream/upload", admin, archive.getvalue(), "application/zip")
        call(port, "POST", "/integrations", admin, {"key": "up", "name": "Up", "connectorId": "upstream"})
        call(port, "POST", "/connect", None, {"token": tenant, "integrationKey": "up", "input": {"apiKey": "bench-key-0123456789"}})
        return json.loads(call(port, "GET", "/connections", tenant))["items"][0]["id"]

    def stop(self, process):
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()

    def close(self):
        for process in self.processes:
            if process.poll() is None:
                self.stop(process)
        self.upstream.terminate()
        psql(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
        import shutil
        shutil.rmtree(self.directory, ignore_errors=True)
