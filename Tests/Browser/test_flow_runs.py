"""An admin opens a failed flow run, reads the failing node's error and retries it; the customer's
connection and its page are found on the way. The run is executed by the switchyard's own
workers: its one node calls an API on a loopback address, which the outbound guard refuses."""

import io
import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import zipfile

from selenium.webdriver.common.by import By

from console_browser import (
    PAGE_WAIT, PROCESS_WAIT, api, axe, heading, open_page, process_environment, shot, submit, switchyard_binary, wait)

SPEC = """key: closed
name: Closed
auth:
  type: none
  makeApiClient:
    type: mapping
    mapping:
      baseUri: http://127.0.0.1:9
"""


def call(server, method: str, path: str, body: bytes | None, token: str, content_type: str = "application/json") -> tuple[int, object]:
    """Calls the API with a token and a body of any type; answers the status and the JSON (or text) answer."""
    request = urllib.request.Request(
        server.origin + path, method=method, data=body, headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=PAGE_WAIT) as response:
            return response.status, readable(response.read())
    except urllib.error.HTTPError as error:
        return error.code, readable(error.read())


def readable(body: bytes) -> object:
    try:
        return json.loads(body or b"{}")
    except ValueError:
        return body.decode(errors="replace")


def test_an_admin_reads_a_failed_runs_error_and_retries_it(browser, signed_in_admin):
    server = signed_in_admin
    console = server.console_url
    assert api(server, "POST", "/connectors", {"key": "closed", "name": "Closed"})[0] == 201
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("spec.yml", SPEC)
    status, answer = call(server, "POST", "/connectors/closed/upload", package.getvalue(), server.admin_token, "application/zip")
    assert status == 200, answer
    status, integration = api(server, "POST", "/integrations", {"key": "closed", "name": "Closed", "connectorId": "closed"})
    assert status == 201, integration
    nodes = {"start": {"type": "api-trigger", "links": ["fetch"]},
             "fetch": {"type": "api-request-to-external-app", "config": {"path": "/orders", "method": "GET"}}}
    status, flow = api(server, "POST", "/flows", {"key": "sync", "name": "Sync", "integrationKey": "closed", "nodes": nodes})
    assert status == 201, flow

    minted = subprocess.run([switchyard_binary(), "token", "--tenant", "acme", "--name", "Acme"],
                            env=process_environment(DATA_DIR=str(server.data_dir)), capture_output=True, text=True, timeout=PROCESS_WAIT)
    assert minted.returncode == 0, minted.stderr
    tenant = minted.stdout.strip()
    status, request = call(server, "POST", "/connection-requests", json.dumps({"integrationKey": "closed"}).encode(), tenant)
    assert status == 201, request
    link = urllib.parse.urlsplit(request["url"])
    assert link.path.endswith("/ui/request") and not link.query, "the link opens the UI, the token in the fragment"
    token = urllib.parse.parse_qs(link.fragment)["requestToken"][0]
    connected = call(server, "POST", "/connect", json.dumps({"requestToken": token, "input": {}}).encode(), tenant)
    status, connections = api(server, "GET", "/connections?customerId=acme")
    assert status == 200 and len(connections["items"]) == 1, (connected, connections)
    connection = connections["items"][0]["id"]
    status, run = api(server, "POST", "/flows/sync/run", {"connectionId": connection, "input": {"order": 7}})
    assert status == 201, run
    # The switchyard's queued workers run it; its node's request is refused.
    wait(browser, PROCESS_WAIT).until(lambda _: api(server, "GET", f"/flow-runs/{run['id']}")[1].get("status") in ("failed", "completed"))
    assert api(server, "GET", f"/flow-runs/{run['id']}")[1]["status"] == "failed"

    # The admin finds the failed run from the list, filtered to failed runs.
    open_page(browser, console + "flow-runs?status=failed")
    axe(browser, "flow-runs-failed")
    submit(browser, browser.find_element(By.CSS_SELECTOR, f"a[href$='/flow-runs/{run['id']}']"))
    assert heading(browser).startswith("Flow run")
    failure = browser.find_element(By.CSS_SELECTOR, ".failure[role=alert]").text
    assert "Node fetch failed" in failure, failure
    axe(browser, "flow-run-failed")
    shot(browser, "flow-run-failed")

    submit(browser, browser.find_element(By.XPATH, "//button[normalize-space()='Retry with the same input']"))
    assert "Retry queued" in browser.find_element(By.CSS_SELECTOR, "p.notice").text
    retry_of = browser.find_element(By.XPATH, "//dt[text()='Retry of']/following-sibling::dd/a")
    assert retry_of.get_attribute("href").endswith(f"/flow-runs/{run['id']}")
    axe(browser, "flow-run-retry")

    # The customer's connection and its page.
    submit(browser, browser.find_element(By.XPATH, "//dt[text()='Connection']/following-sibling::dd/a"))
    assert heading(browser).startswith("Connection")
    assert browser.find_element(By.CSS_SELECTOR, ".state").text in ("Connected", "Needs attention", "Disconnected")
    axe(browser, "connection")
    shot(browser, "connection")

    # Its external API log: the node's refused request, and the entry's own page.
    entries = browser.find_elements(By.CSS_SELECTOR, "a[href*='/external-api-logs/']")
    assert entries, "the connection page lists the node's request in its external API log"
    submit(browser, entries[0])
    assert heading(browser) == "GET 127.0.0.1", heading(browser)
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "/orders" in page and "no answer" in page, page
    axe(browser, "external-api-log")
    shot(browser, "external-api-log")
