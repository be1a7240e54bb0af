"""The embedded connect UI as a SaaS's customer meets it: the host app (examples/host-app) on its
own origin loads the SDK from Switchyard's origin and opens the modal. OAuth 2.0 in a popup
against an authlib provider, an API-key form checked in the page and then on the server, a flow
instance enabled with parameters, a disconnect, the same-window fallback when popups are
blocked, closing the modal, and the light and dark themes with an accent colour. Every screen is
checked with axe and photographed.

One world of processes (embed_world.py) for the whole file; each test uses its own tenant, so
the tests do not depend on each other's connections."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from console_browser import axe, dark_mode, open_page, shot, wait
from embed_world import (
    FLOW_KEY, GOOD_API_KEY, VAULT_LOGO, EmbedWorld, app_text, button, click_host, consent, enter_app, modal_frame, modal_open, open_host,
    popup_handle, http_text, result, say, set_field, settled, start_world, still_pending, stop_world, wait_text)


@pytest.fixture(scope="module")
def world():
    started = start_world("connect")
    yield started
    stop_world(started)


def as_customer(driver, world: EmbedWorld, tenant: str) -> None:
    open_host(driver, world.host.origin)
    set_field(driver, "tenant-id", tenant)


def start_connect(driver, key: str) -> None:
    set_field(driver, "integration-key", key)
    click_host(driver, "connect")


def test_the_sdk_from_switchyards_origin_connects_by_oauth_in_a_popup(page, world):
    driver = page
    as_customer(driver, world, "oauth-popup")
    # Two origins: the page's own, and Switchyard's, from which the SDK module came.
    assert world.host.origin != world.server.origin
    assert urllib.parse.urlsplit(driver.current_url).netloc == urllib.parse.urlsplit(world.host.origin).netloc
    sdk = driver.execute_script("return performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('sdk.js'))")
    assert sdk and all(url.startswith(world.server.origin + "/") for url in sdk), f"the SDK was not loaded from Switchyard: {sdk}"
    axe(driver, "embed-host-page")  # the example page itself is accessible too

    main = driver.current_window_handle
    start_connect(driver, "hub")
    enter_app(driver)
    wait_text(driver, say("connect.title", name="Hub Tasks"))
    axe(driver, "embed-connect-oauth")
    shot(driver, "embed-connect-oauth")
    known = set(driver.window_handles)
    button(driver, say("connect.button", name="Hub Tasks")).click()
    popup = popup_handle(driver, known)
    # While the popup is open, the frame says where to finish.
    driver.switch_to.frame(modal_frame(driver))
    wait_text(driver, say("connect.waitingTitle", name="Hub Tasks"))
    axe(driver, "embed-connect-waiting")
    shot(driver, "embed-connect-waiting")
    driver.switch_to.default_content()
    consent(driver, main, popup)
    outcome = settled(driver)
    assert outcome["status"] == "resolved", outcome
    connection_id = (outcome.get("value") or {}).get("connectionId")
    assert connection_id, f"the promise resolved without a connectionId: {outcome}"
    assert not modal_open(driver), "the modal closes once the connection is made"
    status, connection = world.as_tenant("oauth-popup", "GET", f"/connections/{connection_id}")
    assert status == 200 and connection["state"] == "connected", connection
    assert connection["integrationId"] == world.integration_ids["hub"], connection
    # The connection works: the provider's API answers through it.
    status, me = world.as_tenant("oauth-popup", "POST", f"/connections/{connection_id}/test")
    assert status == 200, me
    # No cookie was needed or set on the way (a browser blocking third-party cookies works the same).
    assert driver.get_cookies() == [], driver.get_cookies()


def test_an_api_key_form_checks_in_the_page_then_on_the_server_then_connects(page, world):
    driver = page
    as_customer(driver, world, "api-key")
    start_connect(driver, "vault")
    enter_app(driver)
    wait_text(driver, say("connect.title", name="Vault"))
    field = driver.find_element(By.CSS_SELECTOR, "input[id$='-apiKey']")
    assert field.get_attribute("type") in ("text", "password"), field.get_attribute("type")
    label = driver.find_element(By.CSS_SELECTOR, f"label[for='{field.get_attribute('id')}']").text
    assert label.startswith("API key"), f"the field is labelled from inputSchema's title: {label!r}"
    axe(driver, "embed-form")
    shot(driver, "embed-form")

    # Empty: the page says so next to the field, and nothing reaches the server.
    button(driver, say("connect.submit")).click()
    wait(driver).until(lambda d: field_message(d, field) == say("v.required"), "the required message next to the field")
    assert field.get_attribute("aria-invalid") == "true"
    assert world.connections("api-key", "vault") == []
    axe(driver, "embed-form-invalid")
    shot(driver, "embed-form-invalid")

    # A key the server refuses (the connector's test fails at httpbin): the server's message.
    field.clear()
    field.send_keys("wrong-key-0000")
    button(driver, say("connect.submit")).click()
    text = wait(driver).until(lambda d: refusal(d, field), "the server's refusal shows")
    assert text.startswith("Vault did not accept these details.") and "401" in text, f"not the refusal in plain words: {text!r}"
    assert world.connections("api-key", "vault") == [], "a refused key stores nothing"
    assert still_pending(driver), "a refused key does not settle the promise; the user can try again"
    enter_app(driver)
    shot(driver, "embed-form-refused")

    # The good key connects.
    field = driver.find_element(By.CSS_SELECTOR, "input[id$='-apiKey']")
    field.clear()
    field.send_keys(GOOD_API_KEY)
    button(driver, say("connect.submit")).click()
    outcome = settled(driver)
    assert outcome["status"] == "resolved" and outcome["value"].get("connectionId"), outcome
    listed = world.connections("api-key", "vault")
    assert [connection["id"] for connection in listed] == [outcome["value"]["connectionId"]], listed


def field_message(driver, field) -> str:
    """The message shown next to a field: the visible texts its aria-describedby points at, bar its description."""
    return driver.execute_script("""
      return (arguments[0].getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
        .map((id) => document.getElementById(id)).filter((e) => e && !e.hidden && !e.classList.contains('hint'))
        .map((e) => e.textContent.trim()).filter(Boolean).join(' ');
    """, field)


def refusal(driver, field) -> str | None:
    """The server's refusal in the frame: a message next to the field or an alert for the form."""
    alerts = " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, "[role=alert]") if e.is_displayed() and e.text.strip())
    return (field_message(driver, field) or alerts).strip() or None


def test_a_flow_instance_is_enabled_with_parameters_and_the_connection_disconnected_and_reconnected_from_its_screen(page, world):
    driver = page
    tenant = "flows"
    flow = "Sync secrets"
    connection_id = world.connect_by_api_key(tenant)
    as_customer(driver, world, tenant)
    set_field(driver, "connection-id", connection_id)
    click_host(driver, "open-connection")
    enter_app(driver)
    wait_text(driver, say("connection.stateOK", name="Vault"))
    wait(driver).until(lambda d: d.find_elements(By.XPATH, f"//h3[normalize-space(.)='{flow}']"), "the flow is listed")
    axe(driver, "embed-connection")
    shot(driver, "embed-connection")
    button(driver, say("connection.test")).click()
    wait_text(driver, say("connection.testOK", name="Vault"))

    # The parameters form comes from parametersSchema; it checks in the page before it saves.
    button(driver, say("flows.settings", name=flow)).click()
    folder = driver.find_element(By.CSS_SELECTOR, "input[id$='-folder']")
    every = driver.find_element(By.CSS_SELECTOR, "input[id$='-everyMinutes']")
    folder.send_keys("X")
    every.send_keys("2")
    button(driver, say("flows.saveParams")).click()
    wait(driver).until(lambda d: field_message(d, folder) == say("v.minLength", min=2), "the folder's minLength message")
    assert field_message(driver, every) == say("v.minimum", min=5)
    axe(driver, "embed-flow-settings-invalid")
    shot(driver, "embed-flow-settings-invalid")
    folder.clear()
    folder.send_keys("Inbox")
    every.clear()
    every.send_keys("15")
    button(driver, say("flows.saveParams")).click()
    wait_text(driver, say("flows.paramsSaved", name=flow))
    toggle = driver.find_element(By.CSS_SELECTOR, "input[type=checkbox][role=switch]")
    assert not toggle.is_selected()
    toggle.click()
    wait_text(driver, say("flows.enabled", name=flow))

    status, listed = world.as_tenant(tenant, "GET", f"/flow-instances?connectionId={connection_id}")
    assert status == 200, listed
    instances = [item for item in listed["items"] if item.get("key") == "vault-" + FLOW_KEY]
    assert len(instances) == 1, listed
    assert instances[0]["enabled"] is True and instances[0]["parameters"] == {"folder": "Inbox", "everyMinutes": 15}, instances[0]

    # The same flow's own screen (the SDK's flow(key).openConfiguration()) shows the saved settings.
    button(driver, say("nav.close")).click()
    assert settled(driver)["value"] is None
    set_field(driver, "flow-key", "vault-" + FLOW_KEY)
    click_host(driver, "configure-flow")
    enter_app(driver)
    wait_text(driver, say("flows.settingsFor", name="Vault"))
    assert driver.find_element(By.CSS_SELECTOR, "input[id$='-folder']").get_attribute("value") == "Inbox"
    assert driver.find_element(By.CSS_SELECTOR, "input[type=checkbox][role=switch]").is_selected()
    axe(driver, "embed-flow")
    shot(driver, "embed-flow")
    button(driver, say("nav.close")).click()
    assert settled(driver)["value"] is None

    # Disconnect from the connection screen, after a confirmation.
    click_host(driver, "open-connection")
    enter_app(driver)
    wait_text(driver, say("connection.stateOK", name="Vault"))
    button(driver, say("connection.disconnect")).click()
    axe(driver, "embed-connection-confirm-disconnect")
    button(driver, say("connection.disconnectYes")).click()
    wait_text(driver, say("connection.disconnected", name="Vault"))
    status, connection = world.as_tenant(tenant, "GET", f"/connections/{connection_id}")
    assert status == 200 and connection["disconnected"] is True and connection["state"] == "disconnected", connection
    assert say("connection.stateDisconnected", name="Vault") in app_text(driver)
    axe(driver, "embed-connection-disconnected")
    shot(driver, "embed-connection-disconnected")

    # Reconnect: the same connection, connected again with a new key.
    button(driver, say("connection.reconnect")).click()
    field = wait(driver).until(lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, "input[id$='-apiKey']")), None), "the key form")
    field.send_keys(GOOD_API_KEY)
    button(driver, say("connect.submit")).click()
    wait_text(driver, say("connection.stateOK", name="Vault"))
    status, connection = world.as_tenant(tenant, "GET", f"/connections/{connection_id}")
    assert status == 200 and connection["state"] == "connected" and connection["disconnected"] is False, connection
    assert [c["id"] for c in world.connections(tenant, "vault")] == [connection_id], "reconnecting makes no second connection"
    button(driver, say("nav.close")).click()
    assert settled(driver)["value"] is None


def test_with_popups_blocked_the_same_window_redirect_completes(page, world):
    driver = page
    tenant = "no-popups"
    as_customer(driver, world, tenant)
    start_connect(driver, "hub")
    enter_app(driver)
    wait_text(driver, say("connect.title", name="Hub Tasks"))
    # A popup blocker: window.open answers null in the app's window.
    driver.execute_script("window.open = () => null;")
    known = set(driver.window_handles)
    button(driver, say("connect.button", name="Hub Tasks")).click()
    # The whole tab goes to the provider (no popup), then back to the host page.
    driver.switch_to.default_content()
    wait(driver).until(lambda d: "/authorize" in d.current_url, "the top page goes to the provider's consent page")
    assert set(driver.window_handles) == known, "no popup was opened"
    driver.find_element(By.CSS_SELECTOR, "button[name=confirm][value=yes]").click()
    wait(driver).until(lambda d: d.current_url.startswith(world.host.origin + "/") and "connectionId=" in d.current_url,
                       "the browser comes back to the host page with connectionId")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(driver.current_url).query)
    connection_id = query["connectionId"][0]
    status, connection = world.as_tenant(tenant, "GET", f"/connections/{connection_id}")
    assert status == 200 and connection["state"] == "connected", connection
    wait(driver).until(lambda d: d.execute_script("return !!(window.hostApp && window.hostApp.ready)"))
    shown = result(driver)
    assert shown.get("action") == "returned" and shown.get("value") == {"connectionId": connection_id}, shown


def test_same_window_mode_shows_the_connect_page_top_level_and_comes_back_with_the_connection(page, world):
    driver = page
    tenant = "same-window"
    as_customer(driver, world, tenant)
    driver.execute_script("document.getElementById('same-window').checked = true;")
    start_connect(driver, "hub")
    # The whole tab shows the app (page mode), without the token in its address.
    wait(driver).until(lambda d: d.current_url.startswith(world.server.origin + "/ui/embed/"), "the tab goes to the UI")
    wait(driver).until(lambda d: d.execute_script("const h = document.querySelector('#app h1'); return h && h.textContent"),
                       "the app rendered")
    assert "token" not in driver.current_url, driver.current_url
    wait_text(driver, say("connect.introPage", name="Hub Tasks"))
    axe(driver, "embed-page-mode-connect")
    shot(driver, "embed-page-mode-connect")
    button(driver, say("connect.button", name="Hub Tasks")).click()
    wait(driver).until(lambda d: "/authorize" in d.current_url, "the tab goes on to the provider")
    driver.find_element(By.CSS_SELECTOR, "button[name=confirm][value=yes]").click()
    wait(driver).until(lambda d: d.current_url.startswith(world.host.origin + "/") and "connectionId=" in d.current_url,
                       "the tab comes back to the host page with connectionId")
    connection_id = urllib.parse.parse_qs(urllib.parse.urlsplit(driver.current_url).query)["connectionId"][0]
    status, connection = world.as_tenant(tenant, "GET", f"/connections/{connection_id}")
    assert status == 200 and connection["state"] == "connected", connection


def test_a_connection_request_link_opens_the_same_connect_screens(page, world):
    driver = page
    tenant = "requested"
    status, created = world.as_tenant(tenant, "POST", "/connection-requests", {"integrationKey": "vault"})
    assert status == 201, created
    # The link is the UI's request page, the token in its fragment (never sent to a server).
    link = created["url"]
    parts = urllib.parse.urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{world.server.origin}/ui/request", link
    assert parts.query == "" and parts.fragment.startswith("requestToken="), link
    open_page(driver, link)
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "input[id$='-apiKey']"), "the request's connect form")
    assert "requestToken" not in driver.current_url, "the app takes the token out of its address"
    axe(driver, "embed-request-form")
    shot(driver, "embed-request-form")
    driver.find_element(By.CSS_SELECTOR, "input[id$='-apiKey']").send_keys(GOOD_API_KEY)
    button(driver, say("connect.submit")).click()
    wait_text(driver, say("done.text", name="Vault"))
    status, request = world.as_tenant(tenant, "GET", f"/connection-requests/{created['id']}")
    assert status == 200 and request.get("resultConnectionId"), request
    assert [c["id"] for c in world.connections(tenant, "vault")] == [request["resultConnectionId"]]

    # The link again: used up, and the page says what to do.
    open_page(driver, link)
    wait_text(driver, say("link.used"))
    axe(driver, "embed-request-used")
    shot(driver, "embed-request-used")


def test_a_broken_connection_request_link_says_to_ask_for_a_new_one(page, world):
    open_page(page, f"{world.server.origin}/ui/request#requestToken=not-a-request")
    wait(page).until(lambda d: d.execute_script(
        "const app = document.getElementById('app'); return !app.getAttribute('aria-busy') && !!app.querySelector('h1')"))
    assert page.find_element(By.TAG_NAME, "h1").text == say("link.title"), app_text(page)
    assert say("link.expired") in app_text(page)
    axe(page, "embed-request-broken")
    shot(page, "embed-request-broken")


def test_the_ui_weighs_at_most_60_kb_and_loads_nothing_from_outside_the_deployment(page, world):
    driver = page
    as_customer(driver, world, "weigh")
    click_host(driver, "open-catalogue")
    enter_app(driver)
    wait_text(driver, "Hub Tasks")
    loaded = driver.execute_script("""
      const page = performance.getEntriesByType('navigation')[0];
      return [[page.name, page.initiatorType || 'navigation', page.encodedBodySize],
              ...performance.getEntriesByType('resource').map((e) => [e.name, e.initiatorType, e.encodedBodySize])];
    """)
    outside = [url for url, _, _ in loaded if not url.startswith(world.server.origin + "/")]
    assert not outside, f"the UI loaded from outside the deployment: {outside}"
    assets = [(url, size) for url, kind, size in loaded if kind != "fetch"]
    assert any("/assets/app.js" in url for url, _ in assets) and all(size > 0 for _, size in assets), assets
    status, sdk = http_text(world.server.origin + "/sdk.js")
    assert status == 200
    weight = sum(size for _, size in assets) + len(sdk.encode())
    assert weight <= 60 * 1024, f"the UI weighs {weight} bytes (SDK, shell, app.js, app.css, …): {assets}"


def catalogue_states(driver) -> dict[str, str]:
    """The catalogue's cards: name -> state badge."""
    return {card.find_element(By.CSS_SELECTOR, ".name").text: card.find_element(By.CSS_SELECTOR, ".badge").text
            for card in driver.find_elements(By.CSS_SELECTOR, ".cards li:not([hidden])")}


def test_the_catalogue_shows_each_integrations_state_and_closing_the_modal_resolves_null(page, world):
    driver = page
    tenant = "closer"
    connection_id = world.connect_by_api_key(tenant)
    as_customer(driver, world, tenant)
    click_host(driver, "open-catalogue")
    enter_app(driver)
    wait_text(driver, "Hub Tasks")
    assert driver.find_element(By.TAG_NAME, "h1").text == say("catalogue.title")
    assert catalogue_states(driver) == {"Hub Tasks": say("state.none"), "Vault": say("state.connected")}, catalogue_states(driver)
    # Logos: Vault's data: URI is drawn; Hub's, on another host, is not loaded: a letter stands in.
    vault_logo = driver.find_element(By.XPATH, "//li[.//*[@class='name' and .='Vault']]//img[contains(@class, 'logo')]")
    assert vault_logo.get_attribute("src") == VAULT_LOGO and vault_logo.get_attribute("alt") == ""
    hub_logo = driver.find_element(By.XPATH, "//li[.//*[@class='name' and .='Hub Tasks']]//*[contains(@class, 'logo')]")
    assert hub_logo.tag_name == "span" and hub_logo.text == "H", hub_logo.get_attribute("outerHTML")
    axe(driver, "embed-catalogue")
    shot(driver, "embed-catalogue")
    # The search narrows the list.
    driver.find_element(By.ID, "search").send_keys("vau")
    wait(driver).until(lambda d: list(catalogue_states(d)) == ["Vault"], "the search leaves Vault alone")
    button(driver, say("nav.close")).click()
    outcome = settled(driver)
    assert outcome == {"call": outcome["call"], "action": "open", "status": "resolved", "value": None}, outcome
    assert not modal_open(driver), "the modal is gone"

    # A disconnected connection needs attention.
    status, answer = world.as_tenant(tenant, "POST", f"/connections/{connection_id}/disconnect")
    assert status == 200, answer
    click_host(driver, "open-catalogue")
    enter_app(driver)
    wait_text(driver, "Hub Tasks")
    assert catalogue_states(driver)["Vault"] == say("state.attention"), catalogue_states(driver)
    button(driver, say("nav.close")).click()
    assert settled(driver)["value"] is None

    # Escape closes it too, and the focus had moved into the frame.
    click_host(driver, "connect")
    enter_app(driver)
    driver.switch_to.default_content()
    focused = driver.execute_script("return document.activeElement && document.activeElement.tagName")
    assert focused == "IFRAME", f"the focus stays on the host page ({focused}), not in the modal"
    driver.switch_to.frame(modal_frame(driver))
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    outcome = settled(driver)
    assert outcome["status"] == "resolved" and outcome["value"] is None and outcome["action"] == "connect", outcome
    assert not modal_open(driver)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_light_and_dark_themes_render_with_the_accent_colour(page, world, theme):
    driver = page
    accent = "#c2410c"
    as_customer(driver, world, "themes")
    set_field(driver, "theme", theme)
    set_field(driver, "accent", accent)
    # The page's own preference is the opposite one: the option wins over prefers-color-scheme.
    dark_mode(driver, theme == "light")
    try:
        start_connect(driver, "hub")
        enter_app(driver)
        wait_text(driver, say("connect.title", name="Hub Tasks"))
        colours = driver.execute_script("""
          const primary = [...document.querySelectorAll('button.primary')][0];
          return {accent: getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(),
                  background: getComputedStyle(document.body).backgroundColor,
                  button: primary ? getComputedStyle(primary).backgroundColor : null};
        """)
        assert colours["accent"].lower() == accent, f"the accent is not applied: {colours}"
        assert colours["button"] == "rgb(194, 65, 12)", f"the primary button does not wear the accent: {colours}"
        luminance = brightness(colours["background"])
        if theme == "dark":
            assert luminance < 0.3, f"the dark theme has a light background: {colours}"
        else:
            assert luminance > 0.7, f"the light theme has a dark background: {colours}"
        axe(driver, f"embed-theme-{theme}")
        shot(driver, f"embed-theme-{theme}")
        button(driver, say("nav.close")).click()
        assert settled(driver)["value"] is None
    finally:
        dark_mode(driver, False)


def brightness(css_colour: str) -> float:
    """0 (black) to 1 (white) from a computed rgb()/rgba() colour."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", css_colour)[:3]]
    assert len(numbers) == 3, f"not an rgb colour: {css_colour!r}"
    return sum(numbers) / (3 * 255)
