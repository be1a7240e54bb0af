"""The end-user UI as its own process, as the seeds deploy it: `switchyard serve --role ui` (no
database) on one origin serves the SDK and the app and forwards the app's API calls to the engine
(`--role api`) at ENGINE_API_URI on another origin, which holds the workspace's embedding origins.
The host app connects by OAuth 2.0 in a popup and by an API-key form through it."""

from __future__ import annotations

import urllib.request

import pytest
from selenium.webdriver.common.by import By

from console_browser import PAGE_WAIT, axe, shot, wait
from embed_world import (
    GOOD_API_KEY, button, click_host, consent, enter_app, frame_resource_urls, open_host, popup_handle, say, set_field, settled,
    start_world, stop_world, wait_text)


@pytest.fixture(scope="module")
def world():
    started = start_world("separate-ui", separate_ui=True)
    yield started
    stop_world(started)


def test_a_ui_process_of_its_own_serves_the_sdk_and_the_app_and_forwards_to_the_engine(page, world):
    driver = page
    assert world.ui_origin != world.server.origin
    # The shell's frame-ancestors come from the engine's workspace settings.
    with urllib.request.urlopen(f"{world.ui_origin}/ui/embed/{world.workspace_key}", timeout=PAGE_WAIT) as shell:
        policy = shell.headers["Content-Security-Policy"]
    assert f"frame-ancestors {world.host.origin}" in policy, policy

    open_host(driver, world.host.origin)
    set_field(driver, "tenant-id", "split")
    main = driver.current_window_handle
    sdk = driver.execute_script("return performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('sdk.js'))")
    assert sdk and all(url.startswith(world.ui_origin + "/") for url in sdk), sdk

    # OAuth 2.0 in a popup: the provider returns to the engine's callback, which ends on the ui's done page.
    set_field(driver, "integration-key", "hub")
    click_host(driver, "connect")
    enter_app(driver)
    wait_text(driver, say("connect.title", name="Hub Tasks"))
    calls = [url for url in frame_resource_urls(driver) if "/integrations/" in url or "/connect" in url]
    assert calls and all(url.startswith(world.ui_origin + "/ui/api/") for url in calls), f"the app calls the engine through the ui: {calls}"
    axe(driver, "embed-separate-connect")
    shot(driver, "embed-separate-connect")
    known = set(driver.window_handles)
    button(driver, say("connect.button", name="Hub Tasks")).click()
    consent(driver, main, popup_handle(driver, known))
    outcome = settled(driver)
    assert outcome["status"] == "resolved" and outcome["value"]["connectionId"], outcome
    status, connection = world.as_tenant("split", "GET", f"/connections/{outcome['value']['connectionId']}")
    assert status == 200 and connection["state"] == "connected", connection

    # An API-key form, checked by the engine through the ui's forwarding.
    set_field(driver, "integration-key", "vault")
    click_host(driver, "connect")
    enter_app(driver)
    field = wait(driver).until(lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, "input[id$='-apiKey']")), None), "the key form")
    field.send_keys("wrong-key-0000")
    button(driver, say("connect.submit")).click()
    wait(driver).until(lambda d: any("401" in e.text for e in d.find_elements(By.CSS_SELECTOR, "[role=alert]")), "the engine's refusal")
    field.clear()
    field.send_keys(GOOD_API_KEY)
    button(driver, say("connect.submit")).click()
    outcome = settled(driver)
    assert outcome["status"] == "resolved" and outcome["value"]["connectionId"], outcome
    assert [c["id"] for c in world.connections("split", "vault")] == [outcome["value"]["connectionId"]]
