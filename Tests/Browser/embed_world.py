"""What the embed tests (test_embed_*.py) share: a world of real processes on loopback, each its
own origin, and the steps of driving the SDK's modal.

- switchyard, all roles (SQLite in its own DATA_DIR), serving /sdk.js and /ui; or, with
  `start_world(separate_ui=True)`, `--role api` and `--role ui` as two processes on two origins;
- Tests/Servers/oauth_server.py (authlib) as the OAuth 2.0 provider of integration `hub`;
- Tests/Servers/httpbin_server.py as the API of the API-key integration `vault` (its connection
  test asks httpbin's basic-auth endpoint, so only the key GOOD_API_KEY connects);
- examples/host-app/server.py twice: `host`, the SaaS page on an origin the workspace allows
  (uiAllowedOrigins), and `foreign`, the same page on an origin it does not.

Nothing here sleeps: processes are watched line by line, pages with WebDriverWait.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from selenium.common.exceptions import NoSuchFrameException, NoSuchWindowException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from console_browser import (
    LOGS, PAGE_WAIT, REPO, ChildProcess, ProcessOutput, Switchyard, api, free_port, need, open_page, process_environment, safe_name,
    start_switchyard, switchyard_binary, temporary_directory, wait)

HOST_APP = REPO / "examples" / "host-app" / "server.py"
# The app's strings: the tests look for what the page says, in the catalogue's words.
STRINGS: dict[str, str] = json.loads((REPO / "Sources" / "SwitchyardUI" / "Assets" / "strings" / "en.json").read_text())
SERVERS = REPO / "Tests" / "Servers"
OAUTH_CLIENT_ID = "switchyard-embed"
OAUTH_CLIENT_SECRET = "embed-client-secret-value"
GOOD_API_KEY = "good-key-4711"
FLOW_KEY = "sync-tasks"
# The SDK's modal iframe (the tests' own frames have an id).
MODAL_FRAME = "iframe[src*='/embed/']:not([id])"
# How long the SDK waits for the frame's `ready` before it rejects with `unavailable` (ui-spec.md),
# plus room for a loaded machine.
SDK_READY_LIMIT = 15 + PAGE_WAIT

# Hub's logo is on another host: the UI must not load it (it draws a letter); Vault's is a data: URI.
OAUTH_SPEC = """key: tasks
name: Tasks
logoUri: https://logos.example.com/tasks.png
auth:
  type: oauth2
  title: Tasks account
  authorizeUri: http://127.0.0.1:{port}/authorize
  tokenUri: http://127.0.0.1:{port}/token
  scopes: [tasks.read]
  clientAuthLocation: header
  makeApiClient:
    type: mapping
    mapping:
      baseUri: http://127.0.0.1:{port}/api
  test:
    type: rest-api-mapping
    path: /me
    method: GET
"""

VAULT_LOGO = ("data:image/svg+xml;base64,"
              "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSI0MCIgaGVpZ2h0PSI0MCI+PHJlY3Qgd2lkdGg9"
              "IjQwIiBoZWlnaHQ9IjQwIiByeD0iOCIgZmlsbD0iIzBmNzY2ZSIvPjwvc3ZnPg==")
API_KEY_SPEC = """key: vault
name: Vault
logoUri: {logo}
auth:
  type: client-credentials
  title: API key
  inputSchema:
    type: object
    required: [apiKey]
    properties:
      apiKey: {{ type: string, title: API key, description: The key from Vault's settings page }}
  makeApiClient:
    type: mapping
    mapping:
      baseUri: http://127.0.0.1:{port}
      auth:
        username: api
        password: {{ $var: credentials.apiKey }}
  test:
    type: rest-api-mapping
    path: /basic-auth/api/{good}
    method: GET
"""


def say(key: str, **values: object) -> str:
    """A string of the app's catalogue with its {placeholders} filled in."""
    text = STRINGS[key]
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def _host_app_module():
    """examples/host-app/server.py as a module: the tests mint tokens the way it does."""
    spec = importlib.util.spec_from_file_location("embed_host_app", HOST_APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


host_app = _host_app_module()


class ServerProcess:
    """A Python server from Tests/Servers or examples, in its own process group, stdin a pipe
    (httpbin_server.py exits when it closes), stdout and stderr copied to a log; its port is read
    from its first `PORT <n>` (or bare number) line."""

    def __init__(self, script: Path, arguments: list[str], name: str, env: dict[str, str] | None = None):
        self.process = subprocess.Popen(
            [sys.executable, "-u", str(script), *arguments], cwd=REPO, env=process_environment(**(env or {})),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.output = ProcessOutput(self.process.stdout, LOGS / f"{safe_name(name)}.log")
        try:
            match = self.output.wait_for(r"^(?:PORT )?(\d+)\s*$", f"{name}'s port line")
        except BaseException:
            self.stop()
            raise
        self.port = int(match.group(1))
        self.origin = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Closes stdin, then SIGTERM to the group (SIGKILL after 20 s)."""
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
            try:
                os.killpg(self.process.pid, 15)
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=20)
            except ProcessLookupError:
                pass


def http_json(method: str, url: str, body: object | None = None, token: str | None = None,
              content_type: str = "application/json") -> tuple[int, object]:
    """A request with an optional bearer token; answers the status and the JSON (or text) body."""
    data = None if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": content_type, "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, method=method, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=PAGE_WAIT) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    try:
        return status, json.loads(raw or b"{}")
    except ValueError:
        return status, raw.decode(errors="replace")


def http_text(url: str) -> tuple[int, str]:
    """A plain GET; answers the status and the body as text."""
    try:
        with urllib.request.urlopen(url, timeout=PAGE_WAIT) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def package(spec: str) -> bytes:
    """A connector package (ZIP) holding `spec` as spec.yml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("spec.yml", spec)
    return buffer.getvalue()


@dataclass
class EmbedWorld:
    """The running processes and what the tests need to know about them."""

    server: Switchyard
    oauth: ServerProcess
    httpbin: ServerProcess
    host: ServerProcess
    foreign: ServerProcess
    workspace_key: str
    secret: str
    integration_ids: dict[str, str] = field(default_factory=dict)
    ui_origin: str = ""
    """Where /sdk.js and /ui are: Switchyard's origin, or the ui process's when it runs alone."""
    ui: ChildProcess | None = None
    """The ui process, when it runs alone (`start_world(separate_ui=True)`)."""
    scratch: Path | None = None

    def tenant_token(self, tenant: str = "acme", lifetime: int = 3600, workspace_key: str | None = None,
                     secret: str | None = None) -> str:
        """A tenant token as the host app mints it (a negative lifetime: already expired)."""
        return host_app.tenant_token(workspace_key or self.workspace_key, secret or self.secret, tenant, tenant, lifetime)

    def as_tenant(self, tenant: str, method: str, path: str, body: object | None = None) -> tuple[int, object]:
        """Calls Switchyard's API with a fresh token of `tenant`."""
        return http_json(method, self.server.origin + path, body, token=self.tenant_token(tenant))

    def connections(self, tenant: str, integration: str) -> list[dict]:
        """`tenant`'s connections to the integration with key `integration`, as the API lists them."""
        status, answer = self.as_tenant(tenant, "GET", f"/connections?integrationId={self.integration_ids[integration]}&limit=100")
        assert status == 200, answer
        return answer["items"]

    def connect_by_api_key(self, tenant: str, name: str | None = None) -> str:
        """Makes `tenant` a connection to `vault` through /connect's form (no browser), answering its id."""
        fields = {"integrationKey": "vault", "redirectUri": "https://app.example/done", "input.apiKey": GOOD_API_KEY,
                  "allowMultipleConnections": "true"}
        if name:
            fields["name"] = name
        body = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(self.server.origin + "/connect", method="POST", data=body, headers={
            "Authorization": f"Bearer {self.tenant_token(tenant)}", "Content-Type": "application/x-www-form-urlencoded"})
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(request, timeout=PAGE_WAIT)
            pytest.fail("/connect should redirect to redirectUri")
        except urllib.error.HTTPError as redirect:
            location = redirect.headers.get("Location") or ""
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
        assert "connectionId" in query, f"/connect did not connect {tenant}: {location}"
        return query["connectionId"][0]

    def oauth_control(self, **modes) -> dict:
        status, answer = http_json("POST", self.oauth.origin + "/_control", modes)
        assert status == 200, answer
        return answer

    def oauth_requests(self) -> list[dict]:
        """Every request the provider received (method, path, query, referer)."""
        status, answer = http_json("GET", self.oauth.origin + "/_requests")
        assert status == 200, answer
        return answer


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: D401 - urllib's hook
        return None



def start_world(name: str, separate_ui: bool = False, **env: str) -> EmbedWorld:
    """Starts every process, installs the integrations and the flow, allows the host app's origin.
    With `separate_ui`, Switchyard runs as two processes on two origins: `--role api` (the
    engine, SQLite) and `--role ui` (no database), which forwards the app's API calls to the
    engine at ENGINE_API_URI."""
    started: list = []
    scratch = temporary_directory(f"switchyard-embed-{name}-")
    try:
        oauth = ServerProcess(SERVERS / "oauth_server.py", [
            "--client", f"{OAUTH_CLIENT_ID}:{OAUTH_CLIENT_SECRET}:http://127.0.0.1/oauth-callback:client_secret_basic"],
            f"embed-{name}-oauth")
        started.append(oauth)
        need(oauth.process.poll() is None, "the OAuth provider did not start (authlib and flask in the test venv)")
        httpbin = ServerProcess(SERVERS / "httpbin_server.py", [], f"embed-{name}-httpbin")
        started.append(httpbin)
        port = free_port()
        engine_env = {"PORT": str(port), "BASE_URI": f"http://127.0.0.1:{port}", "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.0/8", **env}
        ui = None
        if separate_ui:
            ui_port = free_port()
            ui_origin = f"http://127.0.0.1:{ui_port}"
            # A process without every role does not migrate the database by itself.
            migrated = subprocess.run([switchyard_binary(), "migrate"], env=process_environment(DATA_DIR=str(scratch / "data")),
                                      capture_output=True, text=True, timeout=120)
            assert migrated.returncode == 0, migrated.stdout + migrated.stderr
            engine = start_role("api", f"embed-{name}-api", DATA_DIR=str(scratch / "data"), ENGINE_UI_URI=ui_origin + "/ui", **engine_env)
            started.append(engine)
            server = Switchyard(child=engine, data_dir=scratch / "data", console_url=f"http://127.0.0.1:{port}/")
            ui = start_role("ui", f"embed-{name}-ui", DATA_DIR=str(scratch / "ui-data"), PORT=str(ui_port), BASE_URI=ui_origin,
                            ENGINE_API_URI=server.origin)
            started.append(ui)
        else:
            server = start_switchyard([switchyard_binary(), "serve"], f"embed-{name}-switchyard", scratch / "data", **engine_env)
            started.append(server.child)
            ui_origin = server.origin
        integration_ids = install(server, oauth.port, httpbin.port)
        status, workspace = api(server, "GET", "/workspace")
        assert status == 200, workspace
        status, secret = api(server, "POST", "/workspace/reveal-secret")
        assert status == 200, secret
        host_env = {"PORT": "0", "WORKSPACE_KEY": workspace["key"], "WORKSPACE_SECRET": secret["secret"],
                    "SWITCHYARD_URL": ui_origin, "TENANT_ID": "acme"}
        host = ServerProcess(HOST_APP, [], f"embed-{name}-host", host_env)
        started.append(host)
        foreign = ServerProcess(HOST_APP, [], f"embed-{name}-foreign", host_env)
        started.append(foreign)
        status, allowed = api(server, "PATCH", "/workspace", {"uiAllowedOrigins": [host.origin]})
        assert status == 200, f"PATCH /workspace uiAllowedOrigins: {status} {allowed}"
        assert allowed.get("uiAllowedOrigins") == [host.origin], allowed
        return EmbedWorld(server, oauth, httpbin, host, foreign, workspace["key"], secret["secret"], integration_ids, ui_origin, ui, scratch)
    except BaseException:
        for process in reversed(started):
            process.stop()
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def start_role(role: str, name: str, **env: str) -> ChildProcess:
    """`switchyard serve --role ROLE`, ready: its start line read and its health check passed."""
    child = ChildProcess([switchyard_binary(), "serve", "--role", role], process_environment(**env), name)
    try:
        origin = child.output.wait_for(r"Switchyard listening on (http://[^\s/]+)", f"the {role} process's start line").group(1)
        with urllib.request.urlopen(origin + "/?wait=60000", timeout=90) as health:
            assert health.status == 200
        return child
    except BaseException:
        child.stop()
        raise


def stop_world(world: EmbedWorld) -> None:
    """Stops every process; Switchyard must stop cleanly."""
    for process in (world.host, world.foreign, world.httpbin, world.oauth):
        process.stop()
    statuses = [(child.output.log_path, child.stop()) for child in (world.ui, world.server.child) if child is not None]
    if world.scratch is not None:
        shutil.rmtree(world.scratch, ignore_errors=True)
    for log, status in statuses:
        assert status == 0, f"switchyard did not stop cleanly (exit {status}); see {log}"


def install(server: Switchyard, oauth_port: int, httpbin_port: int) -> dict[str, str]:
    """Connectors `tasks` (OAuth 2.0) and `vault` (API key), their integrations `hub` and `vault`,
    and flow FLOW_KEY of `hub` with a parameters schema. Answers the integrations' ids by key."""
    ids = {}
    for key, name, spec, integration, parameters in (
        ("tasks", "Tasks", OAUTH_SPEC.format(port=oauth_port), ("hub", "Hub Tasks"),
         {"clientId": OAUTH_CLIENT_ID, "clientSecret": OAUTH_CLIENT_SECRET}),
        ("vault", "Vault", API_KEY_SPEC.format(port=httpbin_port, good=GOOD_API_KEY, logo=VAULT_LOGO), ("vault", "Vault"), {}),
    ):
        status, answer = api(server, "POST", "/connectors", {"key": key, "name": name})
        assert status == 201, answer
        status, answer = http_json("POST", f"{server.origin}/connectors/{key}/upload", package(spec), token=server.admin_token,
                                   content_type="application/zip")
        assert status == 200, answer
        body = {"key": integration[0], "name": integration[1], "connectorId": key}
        if parameters:
            body["parameters"] = parameters
        status, answer = api(server, "POST", "/integrations", body)
        assert status == 201, answer
        ids[integration[0]] = answer["id"]
    nodes = {"start": {"type": "api-trigger", "links": ["echo"]},
             "echo": {"type": "transform", "config": {"output": {"$var": "$.parameters.folder"}}}}
    schema = {"type": "object", "required": ["folder"], "properties": {
        "folder": {"type": "string", "title": "Folder", "minLength": 2, "description": "Where new tasks go"},
        "everyMinutes": {"type": "integer", "title": "Every (minutes)", "minimum": 5}}}
    status, answer = api(server, "POST", "/flows", {"key": FLOW_KEY, "name": "Sync tasks", "integrationKey": "hub", "nodes": nodes,
                                                    "parametersSchema": schema})
    assert status == 201, answer
    status, answer = api(server, "POST", "/flows", {"key": "vault-" + FLOW_KEY, "name": "Sync secrets", "integrationKey": "vault",
                                                    "nodes": nodes, "parametersSchema": schema})
    assert status == 201, answer
    return ids


# --- The host page and the modal --------------------------------------------------------------------


def open_host(driver: WebDriver, origin: str, path: str = "/") -> None:
    """Opens the host app's page and waits until the SDK module ran (hostApp.ready)."""
    open_page(driver, origin + path)
    try:
        wait(driver).until(lambda d: d.execute_script("return !!(window.hostApp && window.hostApp.ready)"))
    except TimeoutException:
        status = driver.find_element(By.ID, "status").text
        pytest.fail(f"the host page at {origin} never loaded the SDK (status: {status!r}); is /sdk.js served with CORS?")


def set_field(driver: WebDriver, element_id: str, value: str) -> None:
    """Sets a host page input's value."""
    driver.execute_script("document.getElementById(arguments[0]).value = arguments[1];", element_id, value)


def click_host(driver: WebDriver, element_id: str) -> None:
    """Clicks a host page button (a real click: it gives the page user activation)."""
    driver.switch_to.default_content()
    driver.find_element(By.ID, element_id).click()


def result(driver: WebDriver) -> dict:
    """What the host page's #result shows (the last SDK call's outcome)."""
    text = driver.execute_script("return document.getElementById('result').textContent")
    return json.loads(text) if text else {}


def settled(driver: WebDriver, timeout: float = PAGE_WAIT) -> dict:
    """Waits until the last SDK call's promise settled; answers #result."""
    driver.switch_to.default_content()
    try:
        wait(driver, timeout).until(lambda d: result(d).get("status") not in (None, "pending"))
    except TimeoutException:
        pytest.fail(f"the SDK's promise did not settle within {timeout:.0f} s: {result(driver)}")
    return result(driver)


def still_pending(driver: WebDriver) -> bool:
    driver.switch_to.default_content()
    return result(driver).get("status") == "pending"


def modal_frame(driver: WebDriver, timeout: float = PAGE_WAIT):
    """The SDK's iframe in the host page."""
    driver.switch_to.default_content()
    return wait(driver, timeout).until(
        lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, MODAL_FRAME)), None),
        "the SDK opened no iframe on the UI's /embed/ page")


def enter_app(driver: WebDriver, timeout: float = PAGE_WAIT) -> None:
    """Switches into the SDK's iframe and waits until the app rendered something in #app."""
    frame = modal_frame(driver, timeout)
    driver.switch_to.frame(frame)
    try:
        wait(driver, timeout).until(lambda d: d.execute_script(
            "const app = document.getElementById('app'); return !!app && app.textContent.trim().length > 0 && !app.getAttribute('aria-busy')"))
    except TimeoutException:
        pytest.fail(f"the app did not render in the frame: {frame_text(driver)!r}")


def frame_text(driver: WebDriver) -> str:
    try:
        return driver.execute_script("return document.body ? document.body.innerText : ''") or ""
    except Exception as error:  # noqa: BLE001 - a diagnostic only
        return f"<unreadable: {error}>"


def modal_open(driver: WebDriver) -> bool:
    driver.switch_to.default_content()
    return bool(driver.find_elements(By.CSS_SELECTOR, MODAL_FRAME))


def app_text(driver: WebDriver) -> str:
    """The app's visible text (in the frame)."""
    return driver.find_element(By.ID, "app").text


def wait_text(driver: WebDriver, *texts: str, timeout: float = PAGE_WAIT) -> str:
    """Waits until the app (the frame must be current) shows one of `texts` (case-insensitive); answers its text."""
    lowered = [text.lower() for text in texts]
    try:
        wait(driver, timeout).until(lambda d: any(text in app_text(d).lower() for text in lowered))
    except TimeoutException:
        pytest.fail(f"the app never showed any of {texts}; it shows:\n{frame_text(driver)}")
    return app_text(driver)


def button(driver: WebDriver, label: str, timeout: float = PAGE_WAIT):
    """The enabled button (or button-like link) in the current document whose text or accessible
    name starts with `label` (case-insensitive)."""
    script = """
      const wanted = arguments[0].toLowerCase();
      const name = (e) => (e.getAttribute('aria-label') || e.innerText || e.value || '').trim().toLowerCase();
      return [...document.querySelectorAll('button, a[href], [role=button], input[type=submit], [role=switch], input[type=checkbox]')]
        .find((e) => !e.disabled && e.offsetParent !== null && name(e).startsWith(wanted)) || null;
    """
    try:
        return wait(driver, timeout).until(lambda d: d.execute_script(script, label))
    except TimeoutException:
        pytest.fail(f"no enabled button {label!r} in {driver.current_url}; the page shows:\n{frame_text(driver)}")


def popup_handle(driver: WebDriver, known: set[str], timeout: float = PAGE_WAIT) -> str:
    """The handle of a window opened since `known` was taken."""
    try:
        return wait(driver, timeout).until(lambda d: next(iter(set(d.window_handles) - known), None))
    except TimeoutException:
        pytest.fail("no popup window opened")


def consent(driver: WebDriver, main: str, popup: str, allow: bool = True) -> None:
    """In the provider's popup: Allow (or Deny) on its consent page. Then waits until the popup
    closed itself (the done page posts the result to the app and closes) and returns to `main`."""
    driver.switch_to.window(popup)
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "button[name=confirm]"))
    assert driver.current_url.startswith("http://127.0.0.1:") and "/authorize" in driver.current_url, driver.current_url
    driver.find_element(By.CSS_SELECTOR, f"button[name=confirm][value={'yes' if allow else 'no'}]").click()
    try:
        wait(driver).until(lambda d: popup not in d.window_handles)
    except TimeoutException:
        try:
            where, text = driver.current_url, driver.find_element(By.TAG_NAME, "body").text
        except (NoSuchWindowException, NoSuchFrameException):
            where, text = "?", ""
        pytest.fail(f"the popup did not close after the consent; it is at {where}:\n{text}")
    driver.switch_to.window(main)


def frame_resource_urls(driver: WebDriver) -> list[str]:
    """Every URL the current document loaded or fetched (Resource Timing), and its own."""
    return driver.execute_script(
        "return [location.href, ...performance.getEntriesByType('resource').map((e) => e.name)]")
