"""The console as its own process (`--role console`) calling a separate `--role api` process over
HTTP at ENGINE_API_URI, both on one PostgreSQL database, as the seeds deploy them; and the banner
the console shows while that API is down."""

import json
import os
import subprocess
import urllib.request
import uuid

import pytest

from console_browser import (PAGE_WAIT, ChildProcess, alert_text, crawl, heading, need, open_page, process_environment,
                             sign_in, switchyard_binary, wait)
from selenium.webdriver.common.by import By


@pytest.fixture
def database():
    """A fresh database on the test PostgreSQL server (SWITCHYARD_TEST_POSTGRES_URL, set by scripts/test)."""
    admin = os.environ.get("SWITCHYARD_TEST_POSTGRES_URL")
    need(admin is not None, "needs PostgreSQL (SWITCHYARD_TEST_POSTGRES_URL, as scripts/test starts it)")
    name = "browser_" + uuid.uuid4().hex[:10]
    subprocess.run(["psql", admin, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    yield admin.rsplit("/", 1)[0] + "/" + name
    subprocess.run(["psql", admin, "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)


def start(role: str, scratch, env: dict[str, str], name: str) -> ChildProcess:
    child = ChildProcess([switchyard_binary(), "serve", "--role", role], process_environment(PORT="0", **env), name)
    child.output.wait_for(r"Switchyard listening on http://\S+", f"{role} start line")
    return child


def port_of(child: ChildProcess) -> int:
    return int(child.output.wait_for(r"Switchyard listening on http://[^:]+:(\d+)", "start line").group(1))


def test_a_console_process_calls_a_separate_api_process_and_says_so_when_it_is_down(browser, scratch, database):
    shared = {"DATABASE_URL": database, "SECRET": "browser-test-secret-0123456789abcdef", "DATA_DIR": str(scratch / "data"),
              "ENCRYPTION_SECRET": "browser-test-encryption-secret-0123456789"}
    done = subprocess.run([switchyard_binary(), "migrate"], env=process_environment(**shared), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    api = start("api", scratch, shared, "separate-api")
    console = None
    try:
        api_port = port_of(api)
        added = subprocess.run([switchyard_binary(), "console", "users", "add", "--email", "ops@example.com", "--name", "Ops", "--role", "admin",
                                "--password-stdin"], env=process_environment(**shared), input="separate processes password\n",
                               capture_output=True, text=True, timeout=120)
        assert added.returncode == 0, added.stdout + added.stderr
        console = start("console", scratch, dict(shared, ENGINE_API_URI=f"http://127.0.0.1:{api_port}"), "separate-console")
        url = console.output.wait_for(r"Console at (http://\S+/)\s*$", "console URL").group(1)
        # Data made through the API process shows in the console process.
        token = subprocess.run([switchyard_binary(), "token", "--admin"], env=process_environment(**shared), capture_output=True,
                               text=True, timeout=120).stdout.strip()
        request = urllib.request.Request(
            f"http://127.0.0.1:{api_port}/customers", method="POST", data=json.dumps({"internalId": "far-away", "name": "Far Away Ltd"}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=PAGE_WAIT) as answer:
            assert answer.status == 201
        sign_in(browser, url, "ops@example.com", "separate processes password")
        open_page(browser, url + "customers")
        wait(browser).until(lambda d: "Far Away Ltd" in d.find_element(By.TAG_NAME, "main").text)
        seen = crawl(browser, url, prefix="/console/", name="separate")
        assert not seen.problems, "\n".join(seen.problems)

        # The API goes away: a clear banner, not a trace.
        api.stop()
        open_page(browser, url + "customers")
        assert heading(browser) == "Engine unavailable"
        assert "The engine API cannot be reached." in alert_text(browser)
        assert f"127.0.0.1:{api_port}" in alert_text(browser)
    finally:
        if console is not None:
            console.stop()
        api.stop()
