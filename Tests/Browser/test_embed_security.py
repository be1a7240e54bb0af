"""The embedded UI's locks and its bad-input pages: a page on an origin the workspace does not
allow cannot frame the UI and hears nothing from it; messages from a window that is not the
embedding page are ignored by the app, and messages from a frame that is not the UI are ignored
by the SDK; the tenant token reaches no Switchyard log line (at debug level) and no URL or
Referer the provider sees; a missing, expired or foreign-workspace token, an unknown
integration and another tenant's connection each get a clear page and a rejected promise; a
provider that fails after the consent gets an error with Retry, and no half-made connection.

One world of processes (embed_world.py) for the whole file, Switchyard logging at debug level."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from console_browser import PAGE_WAIT, api, axe, shot, wait
from embed_world import (
    SDK_READY_LIMIT, EmbedWorld, app_text, button, click_host, consent, enter_app, frame_resource_urls, modal_frame, modal_open,
    open_host, popup_handle, result, set_field, settled, start_world, stop_world, wait_text)


@pytest.fixture(scope="module")
def world():
    started = start_world("security", DEBUG_ALL="1")
    yield started
    stop_world(started)


@pytest.fixture
def page(browser, world):
    browser.switch_to.default_content()
    for handle in browser.window_handles[1:]:
        browser.switch_to.window(handle)
        browser.close()
    browser.switch_to.window(browser.window_handles[0])
    return browser


def ui_messages(driver, world: EmbedWorld) -> list[dict]:
    """The messages the host page received from Switchyard's origin."""
    driver.switch_to.default_content()
    return [m for m in driver.execute_script("return window.hostMessages") if m["origin"] == world.server.origin]


def track(driver, action: str, script: str, *arguments) -> None:
    """Runs an SDK call in the host page (`script` returns its promise; `sw` is hostApp.Switchyard)
    and shows its outcome in #result, as the page's buttons do."""
    driver.switch_to.default_content()
    driver.execute_script(
        f"const sw = window.hostApp.Switchyard; const args = arguments; window.hostApp.track({action!r}, () => {{ {script} }});", *arguments)


def test_a_page_on_a_non_allowed_origin_cannot_frame_the_ui_and_hears_nothing(page, world):
    driver = page
    open_host(driver, world.foreign.origin)
    click_host(driver, "open-catalogue")
    frame = modal_frame(driver)
    # The frame never says `ready`: the SDK gives up with `unavailable`, and no message came.
    outcome = settled(driver, timeout=SDK_READY_LIMIT)
    assert outcome["status"] == "rejected" and outcome["error"]["key"] == "unavailable", outcome
    assert outcome["error"]["message"], outcome
    assert ui_messages(driver, world) == [], "the UI posted to a non-allowed origin"
    # The frame's document is the browser's refusal, not the app (CSP frame-ancestors).
    if modal_open(driver):
        driver.switch_to.frame(frame)
        assert not driver.execute_script("return !!document.getElementById('app') && document.getElementById('app').textContent.length > 0")
        driver.switch_to.default_content()

    # A frame made by hand, with an `origin` the workspace allows (lying about who frames it):
    # refused all the same, and still silent.
    token = world.tenant_token("acme")
    driver.execute_script("""
      const frame = document.createElement('iframe');
      frame.id = 'forged-embed'; frame.title = 'forged';
      frame.src = arguments[0] + '/ui/embed/' + arguments[1] + '#token=' + arguments[2] + '&origin=' + encodeURIComponent(arguments[3]);
      document.body.append(frame);
    """, world.server.origin, world.workspace_key, token, world.host.origin)
    forged = driver.find_element(By.ID, "forged-embed")
    # The refusal is final once the frame's load ends; a page that rendered would say ready.
    wait(driver).until(lambda d: d.execute_script("return document.getElementById('forged-embed').dataset.loaded === '1'") or True)
    driver.switch_to.frame(forged)
    wait(driver).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert not driver.execute_script("return !!document.getElementById('app') && document.getElementById('app').textContent.length > 0"), \
        "a non-allowed origin framed the app"
    driver.switch_to.default_content()
    assert ui_messages(driver, world) == [], "the UI posted to a non-allowed origin"


def test_messages_from_windows_that_are_not_the_embedding_page_or_the_ui_are_ignored(page, world):
    driver = page
    expired = world.tenant_token("acme", lifetime=-120)
    good = world.tenant_token("acme")
    forged = world.tenant_token("mallory")
    open_host(driver, world.host.origin)
    # The first token is expired: the app asks the SDK for a new one (token-request), and the
    # page's fetchToken holds the answer until the test releases it.
    driver.execute_script("""
      window.tokenCalls = 0;
      window.fetchTokenForTest = () => (++window.tokenCalls === 1) ? Promise.resolve(arguments[0])
        : new Promise((resolve) => { window.releaseToken = resolve; });
    """, expired)
    track(driver, "open", "return sw({ fetchToken: () => window.fetchTokenForTest() }).open();")
    wait(driver).until(lambda d: d.execute_script("return typeof window.releaseToken === 'function'"),
                       "the app asks for a new token after the expired one")

    # A frame of another origin inside the host page posts to the UI frame (as if it were the
    # host answering) and to the host page (as if it were the UI finishing).
    driver.execute_script("""
      const frame = document.createElement('iframe');
      frame.id = 'intruder'; frame.title = 'intruder'; frame.src = arguments[0] + '/';
      frame.onload = () => { frame.dataset.loaded = '1'; };
      document.body.append(frame);
    """, world.foreign.origin)
    wait(driver).until(lambda d: d.execute_script("return document.getElementById('intruder').dataset.loaded === '1'"))
    driver.switch_to.frame(driver.find_element(By.ID, "intruder"))
    posted = driver.execute_script("""
      let count = 0;
      for (let i = 0; i < parent.frames.length; i++) {
        if (parent.frames[i] === window) continue;
        parent.frames[i].postMessage({ source: 'switchyard-host', type: 'token', token: arguments[0] }, '*');
        count++;
      }
      parent.postMessage({ source: 'switchyard', type: 'result', value: { connectionId: 'forged-connection' } }, '*');
      parent.postMessage({ source: 'switchyard', type: 'close' }, '*');
      return count;
    """, forged)
    assert posted >= 1, "the intruder found the UI frame"
    driver.switch_to.default_content()
    # The SDK ignored the forged result and close: the promise is still pending, the modal open.
    wait(driver).until(lambda d: len(d.execute_script("return window.hostMessages")) >= 2, "the forged messages arrived at the host page")
    assert result(driver)["status"] == "pending", result(driver)
    assert modal_open(driver)

    # The real answer: the app goes on with acme's token, the catalogue shows.
    driver.execute_script("window.releaseToken(arguments[0]);", good)
    enter_app(driver)
    wait_text(driver, "Hub Tasks")
    # The forged token was never used: Switchyard never saw tenant mallory (a tenant is created
    # on first sight of its token).
    status, customers = api(world.server, "GET", "/customers?limit=100")
    assert status == 200, customers
    names = [customer.get("internalId") or customer.get("key") for customer in customers["items"]]
    assert "acme" in names, f"the test's own tenant should be known: {names}"
    assert "mallory" not in names, "the app used a token posted by a window that is not its parent"
    button(driver, "Close").click()
    outcome = settled(driver)
    assert outcome["status"] == "resolved" and outcome["value"] is None, f"the SDK took the forged result: {outcome}"


def test_the_tenant_token_is_in_no_server_log_line_and_no_url_or_referer_the_provider_sees(page, world):
    driver = page
    token = world.tenant_token("leak-check")
    world.oauth_control(reset_stats=True)
    open_host(driver, world.host.origin)
    main = driver.current_window_handle
    track(driver, "connect", "return sw({ token: args[0] }).integration('hub').openNewConnection();", token)
    enter_app(driver)
    wait_text(driver, "Hub Tasks")
    known = set(driver.window_handles)
    button(driver, "Connect").click()
    popup = popup_handle(driver, known)
    driver.switch_to.window(popup)
    popup_urls = [driver.current_url]
    consent(driver, main, popup)
    outcome = settled(driver)
    assert outcome["status"] == "resolved" and outcome["value"]["connectionId"], outcome

    # What the app's frame fetched: no URL with the token (it rides in the fragment and headers).
    driver.switch_to.frame(modal_frame(driver)) if modal_open(driver) else None
    driver.switch_to.default_content()
    signature = token.rsplit(".", 1)[1]
    host_urls = driver.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
    leaks = [url for url in host_urls + popup_urls if signature in url]
    assert not leaks, f"URLs carrying the token: {leaks}"

    # The provider: it got the authorization request, and no token in any URL or Referer.
    requests = world.oauth_requests()
    authorizations = [r for r in requests if r["path"] == "/authorize"]
    assert authorizations, f"the provider saw no authorization request: {requests}"
    for request in requests:
        for part in (request["query"], request["referer"] or ""):
            assert signature not in part, f"the provider received the tenant token: {request}"
    assert all(not (r["referer"] or "").startswith(world.server.origin + "/ui/embed") for r in authorizations), authorizations

    # Switchyard's own log, at debug level: no line carries the token, or its signature.
    log = world.server.child.output.text
    assert "request" in log, "the log has access lines to check"
    assert signature not in log, "a Switchyard log line carries the tenant token"


def test_a_missing_token_shows_a_clear_page_in_the_frame_and_rejects(page, world):
    driver = page
    open_host(driver, world.host.origin)
    # fetchToken fails (the SaaS session is gone): the promise rejects with {key, message}.
    track(driver, "open", "return sw({ fetchToken: async () => { throw new Error('signed out of the SaaS'); } }).open();")
    outcome = settled(driver, timeout=SDK_READY_LIMIT)
    assert outcome["status"] == "rejected" and outcome["error"]["key"] and outcome["error"]["message"], outcome
    if modal_open(driver):
        driver.find_element(By.TAG_NAME, "body")  # the page stays usable
    # The app framed with no token at all (as a broken SDK would): a clear page, and an error message to the host.
    driver.switch_to.default_content()
    driver.execute_script("""
      const frame = document.createElement('iframe');
      frame.id = 'no-token'; frame.title = 'Integrations';
      frame.src = arguments[0] + '/ui/embed/' + arguments[1] + '#origin=' + encodeURIComponent(location.origin) + '&route=catalogue';
      document.body.append(frame);
    """, world.server.origin, world.workspace_key)
    driver.switch_to.frame(driver.find_element(By.ID, "no-token"))
    text = wait_text(driver, "sign in", "signed in", "not authenticated", "token")
    assert "Hub Tasks" not in text
    axe(driver, "embed-no-token")
    shot(driver, "embed-no-token")
    driver.switch_to.default_content()
    wait(driver).until(lambda d: [m for m in ui_messages(d, world) if m["data"].get("type") == "error"],
                       "the app tells the host it cannot go on")
    error = next(m for m in ui_messages(driver, world) if m["data"].get("type") == "error")["data"]["error"]
    assert error["key"] == "not_authenticated" and error["message"], error


@pytest.mark.parametrize("case", ["expired", "foreign-workspace", "wrong-signature"])
def test_a_bad_token_shows_a_clear_page_in_the_frame_and_rejects_with_key_and_message(page, world, case):
    driver = page
    token = {
        "expired": lambda: world.tenant_token("acme", lifetime=-120),
        "foreign-workspace": lambda: world.tenant_token("acme", workspace_key="another-workspace", secret="another-secret"),
        "wrong-signature": lambda: world.tenant_token("acme", secret="not-the-workspace-secret"),
    }[case]()
    open_host(driver, world.host.origin)
    track(driver, "open", "return sw({ token: args[0] }).open();", token)
    outcome = settled(driver, timeout=SDK_READY_LIMIT)
    assert outcome["status"] == "rejected", outcome
    assert outcome["error"]["key"] == "not_authenticated" and outcome["error"]["message"], outcome
    assert modal_open(driver), "the frame keeps showing the error page until the user closes it"
    enter_app(driver)
    text = app_text(driver)
    assert "Hub Tasks" not in text, "nothing of the workspace shows without a valid token"
    assert button(driver, "Close")
    axe(driver, f"embed-token-{case}")
    shot(driver, f"embed-token-{case}")
    button(driver, "Close").click()
    wait(driver).until(lambda d: not modal_open(d), "Close removes the modal")


def test_an_unknown_integration_and_another_tenants_connection_are_not_found(page, world):
    driver = page
    secret_name = "Globex Payroll Vault"
    other = world.connect_by_api_key("globex", name=secret_name)
    open_host(driver, world.host.origin)
    set_field(driver, "tenant-id", "acme")

    set_field(driver, "integration-key", "no-such-integration")
    click_host(driver, "connect")
    outcome = settled(driver, timeout=SDK_READY_LIMIT)
    assert outcome["status"] == "rejected" and outcome["error"]["key"] == "not_found", outcome
    enter_app(driver)
    wait_text(driver, "not found", "no integration", "does not exist")
    axe(driver, "embed-unknown-integration")
    shot(driver, "embed-unknown-integration")
    button(driver, "Close").click()
    wait(driver).until(lambda d: not modal_open(d))

    set_field(driver, "connection-id", other)
    click_host(driver, "open-connection")
    outcome = settled(driver, timeout=SDK_READY_LIMIT)
    assert outcome["status"] == "rejected" and outcome["error"]["key"] == "not_found", outcome
    for leaked in ("globex", "payroll"):
        assert leaked not in outcome["error"]["message"].lower(), outcome
    enter_app(driver)
    text = wait_text(driver, "not found", "no connection", "does not exist")
    for leaked in ("globex", "payroll"):
        assert leaked not in text.lower(), f"the page tells about the other tenant: {text}"
    shot(driver, "embed-other-tenants-connection")
    button(driver, "Close").click()
    wait(driver).until(lambda d: not modal_open(d))


def test_a_provider_that_fails_gets_an_error_with_retry_and_no_half_made_connection(page, world):
    driver = page
    tenant = "unlucky"
    open_host(driver, world.host.origin)
    set_field(driver, "tenant-id", tenant)
    main = driver.current_window_handle
    set_field(driver, "integration-key", "hub")

    # The user denies the consent: a page that says so and what to do; nothing is stored.
    click_host(driver, "connect")
    enter_app(driver)
    wait_text(driver, "Hub Tasks")
    known = set(driver.window_handles)
    button(driver, "Connect").click()
    consent(driver, main, popup_handle(driver, known), allow=False)
    enter_app(driver)
    wait_text(driver, "denied", "declined", "did not allow", "cancel")
    assert button(driver, "Retry") or button(driver, "Try again")
    axe(driver, "embed-consent-denied")
    shot(driver, "embed-consent-denied")
    assert world.connections(tenant, "hub") == []

    # The provider's token endpoint fails once after the consent: an error with Retry.
    world.oauth_control(code_exchange="503", times=1)
    known = set(driver.window_handles)
    retry = next(iter(b for b in [retry_button(driver)] if b))
    retry.click()
    connect_again = driver.find_elements(By.XPATH, "//button[starts-with(normalize-space(.), 'Connect')]")
    if connect_again and set(driver.window_handles) == known:
        connect_again[0].click()
    consent(driver, main, popup_handle(driver, known))
    enter_app(driver)
    wait_text(driver, "error", "went wrong", "could not", "failed")
    assert retry_button(driver), f"no Retry on the provider error page:\n{app_text(driver)}"
    axe(driver, "embed-provider-error")
    shot(driver, "embed-provider-error")
    assert world.connections(tenant, "hub") == [], "a failed exchange leaves no half-made connection"
    assert result(driver)["status"] == "pending" if driver.switch_to.default_content() is None else True

    # Retry, with the provider healthy again: connected.
    enter_app(driver)
    known = set(driver.window_handles)
    retry_button(driver).click()
    connect_again = driver.find_elements(By.XPATH, "//button[starts-with(normalize-space(.), 'Connect')]")
    if connect_again and set(driver.window_handles) == known:
        connect_again[0].click()
    consent(driver, main, popup_handle(driver, known))
    outcome = settled(driver)
    assert outcome["status"] == "resolved" and outcome["value"]["connectionId"], outcome
    assert [c["id"] for c in world.connections(tenant, "hub")] == [outcome["value"]["connectionId"]]


def retry_button(driver):
    """The app's Retry (or Try again) button, or None."""
    return driver.execute_script("""
      return [...document.querySelectorAll('button')].find((b) => /^(retry|try again)/i.test(b.innerText.trim()) && !b.disabled) || null;
    """)
