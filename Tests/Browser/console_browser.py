"""What the console's browser tests share: the processes they start (the real switchyard binary,
scripts/serve, Debian's nginx), the pages' common steps (first-run setup, sign-in, sign-out), the
axe check, screenshots, and the crawler that visits every console page it can reach.

Nothing here sleeps to wait: processes are watched line by line, pages with WebDriverWait.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_selenium_python import Axe
from selenium.common.exceptions import JavascriptException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
REQUIRE_ALL = os.environ.get("SWITCHYARD_TEST_REQUIRE_ALL") == "1"
ARTIFACTS = Path(os.environ.get("SWITCHYARD_TEST_ARTIFACTS") or REPO / ".build" / "test-artifacts")
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_REPORTS = ARTIFACTS / "axe"
LOGS = ARTIFACTS / "logs"
SESSION_COOKIE = "switchyard_console"
ADMIN_EMAIL = "admin@example.com"
ADMIN_NAME = "Ada Admin"
ADMIN_PASSWORD = "a long enough password"
# Sections the console's navigation lists before their pages exist (paths under the base path).
# The crawler accepts a 404 from these and nothing else; once one answers, the crawl fails until
# its line is removed here, so the list only shrinks. Remove your section's line with its page.
SECTIONS_NOT_BUILT_YET: set[str] = set()
# Generous for a loaded 2-core machine; a healthy page or process answers well within them.
PAGE_WAIT = 30
PROCESS_WAIT = 90


def need(available: bool, reason: str) -> None:
    """Fails (SWITCHYARD_TEST_REQUIRE_ALL=1, as scripts/test sets) or skips, saying why."""
    if available:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (SWITCHYARD_TEST_REQUIRE_ALL=1: a missing tool fails the run)")
    pytest.skip(reason)


def tool(name: str, *fallbacks: str) -> str | None:
    """The path of a program on PATH, or at one of `fallbacks` (Debian puts nginx in /usr/sbin)."""
    found = shutil.which(name)
    if found:
        return found
    return next((path for path in fallbacks if os.access(path, os.X_OK)), None)


def safe_name(name: str) -> str:
    """A file name made of `name`'s letters, digits, dots, dashes and underscores."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "page"


class ProcessOutput:
    """Reads a child process's output on a thread, copies it to a log file, and lets a test wait
    for a line (woken by each new line: no polling, no sleeping)."""

    def __init__(self, stream, log_path: Path):
        self.lines: list[str] = []
        self.closed = False
        self.log_path = log_path
        self._condition = threading.Condition()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        with open(self.log_path, "w", encoding="utf-8") as log:
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", errors="replace")
                log.write(line)
                log.flush()
                with self._condition:
                    self.lines.append(line)
                    self._condition.notify_all()
        with self._condition:
            self.closed = True
            self._condition.notify_all()

    @property
    def text(self) -> str:
        """Everything read so far."""
        with self._condition:
            return "".join(self.lines)

    def wait_for(self, pattern: str, what: str, timeout: float = PROCESS_WAIT) -> re.Match:
        """The first line matching `pattern`; fails naming `what` if the process ends or the
        deadline passes first."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        with self._condition:
            while True:
                for line in self.lines[seen:]:
                    match = regex.search(line)
                    if match:
                        return match
                seen = len(self.lines)
                if self.closed:
                    pytest.fail(f"the process ended before {what}; its output ({self.log_path}):\n{''.join(self.lines[-60:])}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(f"no {what} within {timeout:.0f} s; the output so far ({self.log_path}):\n{''.join(self.lines[-60:])}")
                self._condition.wait(remaining)


class ChildProcess:
    """A process in its own process group, its output in a ProcessOutput; stop() ends the group."""

    def __init__(self, command: list[str], env: dict[str, str], name: str, cwd: Path = REPO):
        self.command = command
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.output = ProcessOutput(self.process.stdout, LOGS / f"{safe_name(name)}.log")

    def stop(self) -> int:
        """Sends SIGTERM to the process group, then SIGKILL if it has not ended within 20 s."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
            except ProcessLookupError:
                pass
        return self.process.returncode


def process_environment(**extra: str) -> dict[str, str]:
    """A clean environment for a child process: the shell's PATH, HOME and locale, nothing of the
    caller's Switchyard configuration, plus `extra`."""
    keep = ("PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update(extra)
    return env


def switchyard_binary() -> str:
    """The built binary (`SWITCHYARD_BINARY`, else .build/debug/switchyard); skips or fails when
    it is not built."""
    path = os.environ.get("SWITCHYARD_BINARY") or str(REPO / ".build" / "debug" / "switchyard")
    need(os.access(path, os.X_OK), f"needs the built switchyard binary at {path} (swift build)")
    return path


@dataclass
class Switchyard:
    """A running switchyard (the binary or scripts/serve) with its own data directory."""

    child: ChildProcess
    data_dir: Path
    console_url: str
    """The console's URL as the start line prints it, e.g. http://127.0.0.1:41234/console/."""
    origin: str = field(init=False)
    base_path: str = field(init=False)
    admin_token: str | None = field(default=None, init=False)
    """An admin API token, made by `api` on first use."""

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.console_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base_path = parts.path

    @property
    def port(self) -> int:
        """The port the process listens on."""
        return urllib.parse.urlsplit(self.console_url).port

    def setup_code(self) -> str:
        """The one-time first-run setup code from the log."""
        pattern = r"enter the setup code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})"
        return self.child.output.wait_for(pattern, "first-run setup code in the log").group(1)


def start_switchyard(command: list[str], name: str, data_dir: Path, timeout: float = PROCESS_WAIT, **env: str) -> Switchyard:
    """Starts `command` (the binary with `serve`, or scripts/serve) on a free loopback port
    (PORT=0) with DATA_DIR=`data_dir`, reads the console's URL from its start line, and returns
    once the process is ready: its health check `GET /?wait=60000` holds the answer until then (or
    answers 503 naming what is not ready after that deadline)."""
    child = ChildProcess(command, process_environment(**{"DATA_DIR": str(data_dir), "PORT": "0", **env}), name)
    try:
        match = child.output.wait_for(r"Console at (http://\S+/)\s*$", "'Console at' start line", timeout)
        server = Switchyard(child=child, data_dir=data_dir, console_url=match.group(1))
        try:
            with urllib.request.urlopen(server.origin + "/?wait=60000", timeout=90) as health:
                assert health.status == 200
        except urllib.error.HTTPError as error:
            pytest.fail(f"switchyard is not ready after 60 s: {error.code} {error.read().decode(errors='replace')}\n{child.output.text[-4000:]}")
        return server
    except BaseException:
        child.stop()
        raise


def add_console_user(data_dir: Path, email: str, name: str, role: str, password: str) -> None:
    """Creates a console account with `switchyard console users add` (after `switchyard migrate`)."""
    binary = switchyard_binary()
    env = process_environment(DATA_DIR=str(data_dir))
    for arguments, given in ((["migrate"], None), (["console", "users", "add", "--email", email, "--name", name, "--role", role,
                                                    "--password-stdin"], password + "\n")):
        done = subprocess.run([binary, *arguments], env=env, input=given, capture_output=True, text=True, timeout=PROCESS_WAIT)
        assert done.returncode == 0, f"switchyard {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}"


def api(server: Switchyard, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """Calls the server's API as a workspace admin (a token from `switchyard token --admin` on the
    same DATA_DIR) and returns the status and the JSON answer."""
    if server.admin_token is None:
        done = subprocess.run([switchyard_binary(), "token", "--admin"], env=process_environment(DATA_DIR=str(server.data_dir)),
                              capture_output=True, text=True, timeout=PROCESS_WAIT)
        assert done.returncode == 0, f"switchyard token --admin failed:\n{done.stdout}{done.stderr}"
        server.admin_token = done.stdout.strip()
    request = urllib.request.Request(
        server.origin + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {server.admin_token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=PAGE_WAIT) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


class Nginx:
    """Debian's nginx on a loopback port, its configuration, pid, logs and temporary files in a
    directory of its own, proxying `prefix` (e.g. /admin/) to `upstream` with the path unchanged."""

    def __init__(self, directory: Path, prefix: str, upstream: str, name: str):
        binary = tool("nginx", "/usr/sbin/nginx")
        need(binary is not None, "needs Debian's nginx (apt-get install nginx)")
        directory.mkdir(parents=True, exist_ok=True)
        # nginx started as root runs its workers as `nobody` unless told otherwise; they must read
        # and write the temporary directories below.
        user = "user root root;" if os.geteuid() == 0 else ""
        self.port = free_port()
        temp = {kind: directory / f"{kind}-temp" for kind in ("client", "proxy", "fastcgi", "uwsgi", "scgi")}
        config = f"""
{user}
daemon off;
master_process on;
worker_processes 1;
pid {directory}/nginx.pid;
error_log stderr notice;
events {{ worker_connections 64; }}
http {{
  access_log {directory}/access.log;
  client_body_temp_path {temp['client']};
  proxy_temp_path {temp['proxy']};
  fastcgi_temp_path {temp['fastcgi']};
  uwsgi_temp_path {temp['uwsgi']};
  scgi_temp_path {temp['scgi']};
  server {{
    listen 127.0.0.1:{self.port};
    server_name localhost;
    location {prefix} {{
      proxy_pass {upstream};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
    location / {{ return 404 "outside the proxied prefix\\n"; }}
  }}
}}
"""
        (directory / "nginx.conf").write_text(config)
        self.origin = f"http://127.0.0.1:{self.port}"
        self.child = ChildProcess(
            [binary, "-e", "stderr", "-p", str(directory), "-c", str(directory / "nginx.conf")], process_environment(), name, cwd=directory)
        # The master opens its sockets before it starts the workers and logs that at `notice`.
        try:
            self.child.output.wait_for(r"start worker process", "nginx worker start")
        except BaseException:
            self.child.stop()
            raise

    def stop(self) -> None:
        """Stops nginx (SIGTERM to its process group)."""
        self.child.stop()


def free_port() -> int:
    """A loopback port that was free a moment ago (for nginx, which cannot report a port 0 choice).

    Picked below the kernel's ephemeral range (32768-60999), which outgoing connections and the
    PORT=0 servers of parallel tests draw from, so nothing but an explicit bind can take it first."""
    for _ in range(100):
        port = random.randint(20000, 32767)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError("no free loopback port between 20000 and 32767")


# --- Pages -----------------------------------------------------------------------------------------


def wait(driver: WebDriver, timeout: float = PAGE_WAIT) -> WebDriverWait:
    """An explicit wait on the page; a script run while the next page replaces this one may
    fail, and is tried again."""
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException, JavascriptException))


def open_page(driver: WebDriver, url: str) -> None:
    """Navigates to `url` and waits until the document is complete."""
    driver.get(url)
    wait(driver).until(lambda d: d.execute_script("return document.readyState") == "complete")


def heading(driver: WebDriver) -> str:
    """The page's `h1` text."""
    return driver.find_element(By.TAG_NAME, "h1").text


def submit(driver: WebDriver, button) -> None:
    """Clicks a form's submit button and waits until the next page has replaced this one (the
    mark this page's window gets is gone) and is complete."""
    driver.execute_script("window.switchyardPageBeforeSubmit = true;")
    button.click()
    wait(driver).until(
        lambda d: d.execute_script("return !window.switchyardPageBeforeSubmit && document.readyState === 'complete'"))


def fill(driver: WebDriver, values: dict[str, str]) -> None:
    """Types into the inputs with these ids (cleared first)."""
    for name, value in values.items():
        field_ = driver.find_element(By.ID, name)
        field_.clear()
        field_.send_keys(value)


def alert_text(driver: WebDriver) -> str:
    """The page's error message (`role=alert`), or '' when it shows none."""
    alerts = driver.find_elements(By.CSS_SELECTOR, "[role=alert]")
    return " ".join(element.text for element in alerts)


def first_run_setup(driver: WebDriver, console_url: str, code: str, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    """Opens the console on an install with no account (it sends the browser to setup), creates
    the first admin with the setup code, and checks that the browser lands signed in."""
    open_page(driver, console_url)
    assert urllib.parse.urlsplit(driver.current_url).path == urllib.parse.urlsplit(console_url).path + "setup", driver.current_url
    assert heading(driver) == "First-run setup"
    fill(driver, {"code": code, "email": email, "name": ADMIN_NAME, "password": password})
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action$='/setup'] button[type=submit]"))
    assert_signed_in(driver, console_url, email)


def sign_in(driver: WebDriver, console_url: str, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    """Opens the console's sign-in page and submits `email` and `password` (no check of the result)."""
    open_page(driver, console_url + "login")
    assert heading(driver) == "Sign in", f"{driver.current_url}: {heading(driver)}"
    fill(driver, {"email": email, "password": password})
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action$='/login'] button[type=submit]"))


def assert_signed_in(driver: WebDriver, console_url: str, email: str = ADMIN_EMAIL) -> None:
    """The browser is on the overview, its header naming `email`, with a session cookie."""
    assert driver.current_url == console_url, f"expected the overview at {console_url}, got {driver.current_url}"
    assert heading(driver) == "Overview"
    who = driver.find_element(By.CSS_SELECTOR, "header form.logout span").text
    assert who == email or who.startswith(email + " ("), f"the header names {who!r}, not {email}"
    assert driver.get_cookie(SESSION_COOKIE) is not None


def assert_signed_out(driver: WebDriver, console_url: str) -> None:
    """The console has no session for this browser: opening it lands on the sign-in page."""
    open_page(driver, console_url)
    assert driver.current_url == console_url + "login", f"expected the sign-in page, got {driver.current_url}"
    assert heading(driver) == "Sign in"


def sign_out(driver: WebDriver, console_url: str) -> None:
    """Clicks the header's Sign out button and checks that the browser is on the sign-in page."""
    submit(driver, driver.find_element(By.CSS_SELECTOR, "header form.logout button[type=submit]"))
    assert driver.current_url == console_url + "login", driver.current_url
    assert driver.get_cookie(SESSION_COOKIE) is None, "the session cookie is cleared"


# --- Checks and artifacts ----------------------------------------------------------------------------


def axe(driver: WebDriver, name: str) -> None:
    """Runs axe-core on the current page, keeps its report in $SWITCHYARD_TEST_ARTIFACTS/axe, and
    fails listing every violation of impact serious or critical."""
    checker = Axe(driver)
    checker.inject()
    results = checker.run()
    AXE_REPORTS.mkdir(parents=True, exist_ok=True)
    (AXE_REPORTS / f"{safe_name(name)}.json").write_text(json.dumps(results["violations"], indent=2))
    bad = [violation for violation in results["violations"] if violation.get("impact") in ("serious", "critical")]
    if bad:
        lines = [f"axe: {len(bad)} serious or critical violation(s) on {driver.current_url} ({name}):"]
        for violation in bad:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"]:
                lines.append(f"    {' '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
        pytest.fail("\n".join(lines))


def shot(driver: WebDriver, name: str) -> Path:
    """Saves a PNG of the whole page to $SWITCHYARD_TEST_ARTIFACTS/screenshots/`name`.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{safe_name(name)}.png"
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": max(1, int(size["width"])), "height": min(max(1, int(size["height"])), 10_000), "scale": 1}
    image = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
    path.write_bytes(base64.b64decode(image["data"]))
    return path


def dark_mode(driver: WebDriver, dark: bool) -> None:
    """Makes the page see `prefers-color-scheme: dark` (or the default, light)."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})


# --- The crawler ----------------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: D401 - urllib's hook
        return None


@dataclass
class Fetched:
    """A GET as the browser would send it, redirects followed one by one."""

    status: int
    content_type: str
    url: str
    redirects: list[str]


def fetch(driver: WebDriver, url: str, limit: int = 5) -> Fetched:
    """GETs `url` with the browser's cookies, following up to `limit` redirects, and returns the
    last answer, keeping every Location it passed."""
    cookies = "; ".join(f"{cookie['name']}={cookie['value']}" for cookie in driver.get_cookies())
    opener = urllib.request.build_opener(_NoRedirects)
    redirects: list[str] = []
    for _ in range(limit + 1):
        request = urllib.request.Request(url, headers={"Cookie": cookies} if cookies else {})
        try:
            with opener.open(request, timeout=PAGE_WAIT) as response:
                return Fetched(response.status, response.headers.get("Content-Type", ""), url, redirects)
        except urllib.error.HTTPError as error:
            if error.code in (301, 302, 303, 307, 308) and error.headers.get("Location"):
                url = urllib.parse.urljoin(url, error.headers["Location"])
                redirects.append(url)
                continue
            return Fetched(error.code, error.headers.get("Content-Type", ""), url, redirects)
    pytest.fail(f"more than {limit} redirects from {url}: {redirects}")


def post_form(driver: WebDriver, action: str, fields: list[tuple[str, str]]) -> tuple[int, str]:
    """POSTs `fields` form-encoded to `action` with the browser's cookies, as the browser submits
    a form, without following a redirect; returns the status and the body."""
    cookies = "; ".join(f"{cookie['name']}={cookie['value']}" for cookie in driver.get_cookies())
    request = urllib.request.Request(
        action, method="POST", data=urllib.parse.urlencode(fields).encode(),
        headers={"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=PAGE_WAIT) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


@dataclass
class Crawl:
    """What a crawl saw."""

    pages: list[str] = field(default_factory=list)
    outside: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    forms: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Every state-changing (POST) form under the prefix but sign-out: action -> its fields."""


def crawl(driver: WebDriver, start_url: str, prefix: str, name: str, strict_prefix: bool = False, dark_too: bool = False,
          max_pages: int = 300, not_built_yet: set[str] = SECTIONS_NOT_BUILT_YET) -> Crawl:
    """Visits every same-origin page under `prefix` reachable by links from `start_url`, breadth
    first, GET only (sign-out is a form and never followed). Each page must answer 2xx HTML without
    leaving the prefix, pass `axe`, and gets a screenshot (`name`-<path>), in the dark theme too
    with `dark_too`. With `strict_prefix`, every same-origin link, form action, redirect, stylesheet,
    script and image must stay under `prefix` (a reverse proxy serves nothing else). A link to one
    of `not_built_yet` must answer 404 (and is no page)."""
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(start_url))
    result = Crawl()
    queue = deque([start_url])
    seen = {start_url}
    while queue:
        url = queue.popleft()
        if len(result.pages) >= max_pages:
            pytest.fail(f"the crawl found more than {max_pages} pages; raise max_pages if the console really has that many")
        fetched = fetch(driver, url)
        for hop in fetched.redirects:
            if not urllib.parse.urlsplit(hop).path.startswith(prefix):
                result.problems.append(f"{url} redirects outside {prefix}: {hop}")
        section = urllib.parse.urlsplit(url).path.removeprefix(prefix)
        if section in not_built_yet:
            if fetched.status != 404:
                result.problems.append(f"{url} answers {fetched.status}: remove '{section}' from SECTIONS_NOT_BUILT_YET")
            continue
        if not 200 <= fetched.status < 300:
            result.problems.append(f"{url} answers {fetched.status}")
            continue
        if not fetched.content_type.startswith("text/html"):
            continue
        open_page(driver, url)
        path = urllib.parse.urlsplit(driver.current_url)
        label = f"{name}-{path.path.removeprefix(prefix) or 'overview'}" + (f"-{path.query}" if path.query else "")
        if not path.path.startswith(prefix):
            result.problems.append(f"{url} ends outside {prefix}: {driver.current_url}")
        if not driver.find_elements(By.TAG_NAME, "h1") or not driver.title:
            result.problems.append(f"{url} has no title or h1")
        # A Swift optional that reached a template shows as "nil" or "Optional(...)".
        leaked = re.findall(r"\bnil\b|Optional\(", driver.find_element(By.TAG_NAME, "body").text)
        if leaked:
            result.problems.append(f"{url} shows {leaked[0]!r}: a Swift optional reached its template")
        result.pages.append(url)
        shot(driver, label)
        axe(driver, label)
        if dark_too:
            dark_mode(driver, True)
            shot(driver, label + "-dark")
            axe(driver, label + "-dark")
            dark_mode(driver, False)
        references = driver.execute_script(
            """
            const all = [];
            for (const a of document.querySelectorAll('a[href]')) all.push(['link', a.href]);
            for (const f of document.querySelectorAll('form')) {
              const fields = [...new FormData(f).entries()].map(([k, v]) => [k, typeof v === 'string' ? v : '']);
              all.push(['form', f.action, (f.method || 'get').toLowerCase(), fields]);
            }
            for (const l of document.querySelectorAll('link[href]')) all.push(['asset', l.href]);
            for (const s of document.querySelectorAll('script[src], img[src]')) all.push(['asset', s.src]);
            return all;
            """)
        for kind, target, *form in references:
            target = urllib.parse.urldefrag(target).url
            parts = urllib.parse.urlsplit(target)
            if f"{parts.scheme}://{parts.netloc}" != origin:
                if kind != "link":
                    result.problems.append(f"{url}: {kind} from another origin: {target}")
                continue
            if not parts.path.startswith(prefix):
                result.outside.add(target)
                if strict_prefix:
                    result.problems.append(f"{url}: {kind} outside {prefix}: {target}")
                continue
            if kind == "asset":
                asset = fetch(driver, target)
                if asset.status != 200:
                    result.problems.append(f"{url}: asset {target} answers {asset.status}")
            elif kind == "link" and target not in seen:
                seen.add(target)
                queue.append(target)
            elif kind == "form" and form[0] == "post" and not parts.path.endswith("/logout"):
                result.forms.setdefault(target, [tuple(pair) for pair in form[1]])
            elif kind == "form" and form[0] == "get" and target not in seen:
                # A search form: its action with no query is a page of its own.
                seen.add(target)
                queue.append(target)
    return result


def temporary_directory(prefix: str) -> Path:
    """A new directory under the system's temporary directory."""
    return Path(tempfile.mkdtemp(prefix=prefix))
