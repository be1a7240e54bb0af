"""Fixtures of the console's browser tests.

- `chromium`: one headless Chromium (through Debian's chromedriver) per pytest worker, shared by
  the worker's tests; `browser` hands it to a test with no cookies and the light theme, `page`
  the same on a single tab (the tabs and popups an earlier test left are closed).
- `switchyard`: starts the real binary (`switchyard serve`, all roles) on a free loopback port with
  its own DATA_DIR; call it with extra environment variables. Stopped after the test.
- `signed_in_admin`: a switchyard whose first admin was created with the first-run setup page,
  and the browser signed in as that admin.
- `scratch`: a temporary directory removed after the test.

Helpers (first_run_setup, sign_in, sign_out, axe, shot, crawl, …) are in console_browser.py.
"""

from __future__ import annotations

import os
import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from console_browser import (
    ADMIN_EMAIL, LOGS, Switchyard, first_run_setup, need, start_switchyard, switchyard_binary, temporary_directory, tool)

# Selenium must use Debian's chromium and chromedriver, never download its own.
os.environ.setdefault("SE_OFFLINE", "true")
os.environ.setdefault("SE_AVOID_STATS", "true")


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """One headless Chromium for this worker, started once (about a second) and shared."""
    binary = tool("chromium", "/usr/bin/chromium")
    driver_binary = tool("chromedriver", "/usr/bin/chromedriver")
    need(binary is not None, "needs Debian's chromium (apt-get install chromium)")
    need(driver_binary is not None, "needs Debian's chromium-driver (apt-get install chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--window-size=1280,900", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--no-default-browser-check", "--disable-extensions", "--disable-background-networking", "--disable-sync",
                     "--disable-component-update", "--lang=en-US", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium's sandbox refuses to run as root
    LOGS.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    service = Service(executable_path=driver_binary, log_output=str(LOGS / f"chromedriver-{worker}.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def browser(chromium):
    """The worker's Chromium, on a blank page with no cookies (every console on 127.0.0.1 shares
    them, whatever its port) and the light theme."""
    # An earlier test may have left the driver on a popup that has closed since.
    chromium.switch_to.window(chromium.window_handles[0])
    chromium.get("about:blank")
    chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
    chromium.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "light"}]})
    return chromium


@pytest.fixture
def page(browser):
    """The `browser` on a single tab: tabs and popups an earlier test left behind are closed."""
    browser.switch_to.default_content()
    for handle in browser.window_handles[1:]:
        browser.switch_to.window(handle)
        browser.close()
    browser.switch_to.window(browser.window_handles[0])
    return browser


@pytest.fixture
def scratch():
    """A temporary directory, removed after the test."""
    directory = temporary_directory("switchyard-browser-")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def switchyard(request, scratch):
    """Starts `switchyard serve` (all roles, SQLite in a fresh DATA_DIR) and returns it: call
    `switchyard(NAME=value, ...)` with extra environment variables, at most once per test."""
    started: list[Switchyard] = []

    def start(**env: str) -> Switchyard:
        assert not started, "one switchyard per test"
        name = f"switchyard-{request.node.name}"
        server = start_switchyard([switchyard_binary(), "serve"], name, scratch / "data", **env)
        started.append(server)
        return server

    yield start
    for server in started:
        status = server.child.stop()
        assert status == 0, f"switchyard did not stop cleanly (exit {status}); see {server.child.output.log_path}"


@pytest.fixture
def signed_in_admin(browser, switchyard) -> Switchyard:
    """A fresh switchyard whose first admin (console_browser.ADMIN_EMAIL) was made on the
    first-run setup page with the code from the log; the browser is signed in as that admin."""
    server = switchyard()
    first_run_setup(browser, server.console_url, server.setup_code(), email=ADMIN_EMAIL)
    return server

