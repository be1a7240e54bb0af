"""The embedded UI's locks and its bad-input pages: a page on an origin the workspace does not
allow cannot frame the UI and hears nothing from it; messages from a window that is not the
embedding page are ignored by the app, and messages from a frame that is not the UI are ignored
by the SDK; the tenant token reaches no Switchyard log line (at debug level) and no URL or
Referer the provider sees; a missing, expired, badly signed or foreign-workspace token, an
unknown integration and another tenant's connection each get a clear page and a rejected
promise; a provider window closed half-way, a refused consent and a provider that fails after the
consent each get a page with Try again, and no half-made connection.

One world of processes (embed_world.py) for the whole file, Switchyard logging at debug level."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

from console_browser import api, axe, shot, wait
from embed_world import (
    SDK_READY_LIMIT, EmbedWorld, app_text, button, click_host, consent, enter_app, frame_resource_urls, modal_frame, modal_open,
    open_host, popup_handle, result, say, set_field, settled, start_world, still_pending, stop_world, wait_text)


@pytest.fixture(scope="module")
def world():
    started = start_world("security", DEBUG_ALL="1")
    yield started
    stop_world(started)


def ui_messages(driver, world: EmbedWorld) -> list[dict]:
    """The messages the host page received from Switchyard's origin."""
    driver.switch_to.default_content()
    return [m for m in driver.execute_script("return window.hostMessages") if m["origin"] == world.server.origin]


def track(driver, action: str, script: str, *arguments) -> None:
    """Runs an SDK call in the host page and shows its outcome in #result, as the page's buttons
    do. `script` returns the call's promise; in it `sw(options)` is the SDK's Switchyard(options)
    (only these options: no page fetchToken) and `args` the `arguments`."""
    driver.switch_to.default_content()
    driver.execute_script(
        f"const sw = window.hostApp.Switchyard; const args = arguments; window.hostApp.track({action!r}, () => {{ {script} }});",
        *arguments)


def add_frame(driver, frame_id: str, url: str) -> None:
    """Adds an iframe to the host page and waits until it loaded (a refused frame loads too: the browser's error page)."""
    driver.switch_to.default_content()
    driver.execute_script("""
      const frame = document.createElement('iframe');
      frame.id = arguments[0]; frame.title = arguments[0]; frame.src = arguments[1];
      frame.onload = () => { frame.dataset.loaded = '1'; };
      document.body.append(frame);
    """, frame_id, url)
    wait(driver).until(lambda d: d.execute_script("return document.getElementById(arguments[0]).dataset.loaded === '1'", frame_id),
                       f"the frame {frame_id} loaded")


def app_rendered(driver) -> bool:
    """Whether the current frame shows the app (its #app has content). A browser error page in its
    place cannot always be scripted: that is no app either."""
    try:
        return bool(driver.execute_script("const app = document.getElementById('app'); return !!app && app.textContent.trim().length > 0"))
    except WebDriverException:
        return False


def frame_loaded(driver) -> bool:
    """Whether the current frame left its initial about:blank and finished loading (the app, or
    the browser's page for a refused frame)."""
    try:
        return bool(driver.execute_script("return location.href !== 'about:blank' && document.readyState === 'complete'"))
    except WebDriverException:
        return False


def embed_url(world: EmbedWorld, fragment: str) -> str:
    return f"{world.server.origin}/ui/embed/{world.workspace_key}#{fragment}"


def test_a_page_on_a_non_allowed_origin_cannot_frame_the_ui_and_hears_nothing(page, world):
    driver = page
    open_host(driver, world.foreign.origin)
    foreign_tab = driver.current_window_handle
    click_host(driver, "open-catalogue")
    driver.switch_to.frame(modal_frame(driver))
    wait(driver).until(frame_loaded, "the SDK's frame loaded (or was refused)")
    assert not app_rendered(driver), "a non-allowed origin framed the app"

    # A frame made by hand, claiming in its fragment the origin the workspace allows: the browser
    # refuses it all the same (frame-ancestors).
    add_frame(driver, "forged-embed", embed_url(world, f"token={world.tenant_token('acme')}&origin={world.host.origin}&route=catalogue"))
    driver.switch_to.frame(driver.find_element(By.ID, "forged-embed"))
    assert not app_rendered(driver), "a non-allowed origin framed the app"

    # Meanwhile (the SDK waits 15 s for a frame that never answers), in another tab: the SDK on
    # the allowed page with a token of a workspace Switchyard does not know frames that
    # workspace's page, a 404 that says so in the frame and tells the SDK at once.
    driver.switch_to.new_window("tab")
    open_host(driver, world.host.origin)
    foreign = world.tenant_token("acme", workspace_key="another-workspace", secret="another-secret")
    track(driver, "open", "return sw({ token: args[0] }).open();", foreign)
    driver.switch_to.frame(modal_frame(driver))
    wait_text(driver, say("auth.unknownWorkspace"))
    assert "Hub Tasks" not in app_text(driver)
    axe(driver, "embed-token-unknown-workspace")
    shot(driver, "embed-token-unknown-workspace")
    outcome = settled(driver)
    assert outcome["status"] == "rejected" and outcome["error"]["key"] == "not_authenticated", outcome
    assert outcome["error"]["message"] == say("auth.unknownWorkspace"), outcome

    # The app's own lock, in a third tab: framed by the allowed page but told another origin, it
    # shows why it stops and posts nothing.
    driver.switch_to.new_window("tab")
    open_host(driver, world.host.origin)
    add_frame(driver, "wrong-origin", embed_url(world, f"token={world.tenant_token('acme')}&origin={world.foreign.origin}&route=catalogue"))
    driver.switch_to.frame(driver.find_element(By.ID, "wrong-origin"))
    wait_text(driver, say("embed.text"))
    assert "Hub Tasks" not in app_text(driver)
    axe(driver, "embed-not-allowed")
    shot(driver, "embed-not-allowed")
    assert ui_messages(driver, world) == [], "the UI posted although the origin it was given is not allowed"

    # The SDK on the non-allowed page gave up with `unavailable`, having heard nothing from the UI.
    driver.switch_to.window(foreign_tab)
    outcome = settled(driver, timeout=SDK_READY_LIMIT)
    assert outcome["status"] == "rejected" and outcome["error"]["key"] == "unavailable" and outcome["error"]["message"], outcome
    assert not modal_open(driver), "the SDK removes the modal it gave up on"
    assert ui_messages(driver, world) == [], "the UI posted to a page it may not talk to"


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
    add_frame(driver, "intruder", world.foreign.origin + "/")
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
    wait(driver).until(lambda d: [m for m in d.execute_script("return window.hostMessages") if m["data"].get("type") == "close"],
                       "the forged messages arrived at the host page")
    # The SDK ignored the forged result and close: the promise is pending, the modal open.
    assert still_pending(driver), result(driver)
    assert modal_open(driver)

    # The real answer: the app goes on with acme's token, and the catalogue shows.
    driver.execute_script("window.releaseToken(arguments[0]);", good)
    enter_app(driver)
    wait_text(driver, "Hub Tasks")
    # The forged token was never used: Switchyard never saw tenant mallory (a tenant is created
    # on first sight of its token).
    status, customers = api(world.server, "GET", "/customers?limit=100")
    assert status == 200, customers
    names = [customer.get("internalId") for customer in customers["items"]]
    assert "mallory" not in names, "the app used a token posted by a window that is not its parent"
    assert "acme" in names, f"the test's own tenant should be known: {names}"
    button(driver, say("nav.close")).click()
    outcome = settled(driver)
    assert outcome["status"] == "resolved" and outcome["value"] is None, f"the SDK took the forged result: {outcome}"


def test_the_tenant_token_is_in_no_server_log_line_and_no_url_or_referer_the_provider_sees(page, world):
    driver = page
    token = world.tenant_token("leak-check")
    signature = token.rsplit(".", 1)[1]
    world.oauth_control(reset_stats=True)
    open_host(driver, world.host.origin)
    main = driver.current_window_handle
    track(driver, "connect", "return sw({ token: args[0] }).integration('hub').openNewConnection();", token)
    enter_app(driver)
    wait_text(driver, say("connect.title", name="Hub Tasks"))
    # What the app fetched (its page, scripts, API calls): the token in no URL but the page's own
    # fragment, which never leaves the browser.
    fetched = frame_resource_urls(driver)
    assert any("/integrations/hub" in url for url in fetched), f"the app's API calls are visible to the check: {fetched}"
    leaks = [url for url in fetched if signature in url.split("#", 1)[0]]
    assert not leaks, f"URLs the app fetched carry the token: {leaks}"
    assert signature not in driver.execute_script("return location.href"), "the app left the token in its address"

    known = set(driver.window_handles)
    button(driver, say("connect.button", name="Hub Tasks")).click()
    popup = popup_handle(driver, known)
    consent(driver, main, popup)
    outcome = settled(driver)
    assert outcome["status"] == "resolved" and outcome["value"]["connectionId"], outcome

    # The provider got the authorization request, and the token in no URL or Referer.
    requests = world.oauth_requests()
    authorizations = [r for r in requests if r["path"] == "/authorize"]
    assert authorizations, f"the provider saw no authorization request: {requests}"
    for request in requests:
        for part in (request["query"], request["referer"] or ""):
            assert signature not in part, f"the provider received the tenant token: {request}"
    assert all(not (r["referer"] or "").startswith(world.server.origin + "/ui/embed") for r in authorizations), authorizations

    # Switchyard's own log, at debug level, with access lines: none carries the token.
    log = world.server.child.output.text
    assert "/connect" in log and "/integrations/hub" in log, "the log has the UI's requests to check"
    carrying = [line for line in log.splitlines() if signature in line]
    assert not carrying, f"Switchyard log lines carry the tenant token: {carrying[:3]}"


def test_a_missing_token_shows_a_clear_page_in_the_frame_and_rejects(page, world):
    driver = page
    open_host(driver, world.host.origin)
    # fetchToken fails (the SaaS session is gone): the promise rejects with {key, message}.
    track(driver, "open", "return sw({ fetchToken: async () => { throw new Error('signed out of the SaaS'); } }).open();")
    outcome = settled(driver)
    assert outcome["status"] == "rejected" and outcome["error"]["key"] == "not_authenticated", outcome
    assert "signed out of the SaaS" in outcome["error"]["message"], outcome

    # The app framed with no token at all (as a broken embedding would): a clear page, and the
    # error posted to the host, which is what makes the SDK reject.
    add_frame(driver, "no-token", embed_url(world, f"origin={world.host.origin}&route=catalogue"))
    driver.switch_to.frame(driver.find_element(By.ID, "no-token"))
    wait_text(driver, say("auth.missing"))
    assert driver.find_element(By.TAG_NAME, "h1").text == say("auth.title")
    axe(driver, "embed-token-missing")
    shot(driver, "embed-token-missing")
    wait(driver).until(lambda d: [m for m in ui_messages(d, world) if m["data"].get("type") == "error"],
                       "the app tells the host it cannot go on")
    error = next(m for m in ui_messages(driver, world) if m["data"].get("type") == "error")["data"]["error"]
    assert error == {"key": "not_authenticated", "message": say("auth.missing")}, error


def test_a_token_of_another_workspace_shows_a_clear_page_in_the_frame(page, world):
    driver = page
    open_host(driver, world.host.origin)
    foreign = world.tenant_token("acme", workspace_key="another-workspace", secret="another-secret")
    add_frame(driver, "foreign-token", embed_url(world, f"token={foreign}&origin={world.host.origin}&route=catalogue"))
    driver.switch_to.frame(driver.find_element(By.ID, "foreign-token"))
    wait_text(driver, say("auth.foreign"))
    assert "Hub Tasks" not in app_text(driver)
    axe(driver, "embed-token-foreign")
    shot(driver, "embed-token-foreign")
    wait(driver).until(lambda d: [m for m in ui_messages(d, world) if m["data"].get("type") == "error"], "the app posts the error")
    error = next(m for m in ui_messages(driver, world) if m["data"].get("type") == "error")["data"]["error"]
    assert error["key"] == "not_authenticated" and error["message"] == say("auth.foreign"), error
    # (The SDK itself frames the token's own workspace: see the non-allowed origin test for an unknown one.)


@pytest.mark.parametrize("case", ["expired", "wrong-signature"])
def test_an_expired_or_badly_signed_token_shows_a_clear_page_and_rejects_with_key_and_message(page, world, case):
    driver = page
    token = {
        "expired": lambda: world.tenant_token("acme", lifetime=-120),
        "wrong-signature": lambda: world.tenant_token("acme", secret="not-the-workspace-secret"),
    }[case]()
    open_host(driver, world.host.origin)
    track(driver, "open", "return sw({ token: args[0] }).open();", token)
    outcome = settled(driver)
    assert outcome["status"] == "rejected", outcome
    assert outcome["error"]["key"] == "not_authenticated" and outcome["error"]["message"], outcome
    assert modal_open(driver), "the frame keeps showing the error page until the user closes it"
    enter_app(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text == say("auth.title")
    assert outcome["error"]["message"] in app_text(driver), "the page says what the promise says"
    assert "Hub Tasks" not in app_text(driver), "nothing of the workspace shows without a valid token"
    axe(driver, f"embed-token-{case}")
    shot(driver, f"embed-token-{case}")
    button(driver, say("nav.close")).click()
    wait(driver).until(lambda d: not modal_open(d), "Close removes the modal")


def test_a_badly_signed_token_is_called_not_valid_rather_than_expired(page, world):
    driver = page
    open_host(driver, world.host.origin)
    track(driver, "open", "return sw({ token: args[0] }).open();", world.tenant_token("acme", secret="not-the-workspace-secret"))
    outcome = settled(driver)
    assert outcome["status"] == "rejected", outcome
    assert outcome["error"]["message"] == say("auth.invalid"), outcome


def test_an_unknown_integration_and_another_tenants_connection_are_not_found(page, world):
    driver = page
    secret_name = "Globex Payroll Vault"
    other = world.connect_by_api_key("globex", name=secret_name)
    open_host(driver, world.host.origin)
    set_field(driver, "tenant-id", "acme")

    set_field(driver, "integration-key", "no-such-integration")
    click_host(driver, "connect")
    outcome = settled(driver)
    assert outcome["status"] == "rejected" and outcome["error"]["key"] == "not_found" and outcome["error"]["message"], outcome
    enter_app(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text == say("notfound.title")
    wait_text(driver, say("notfound.text"))
    axe(driver, "embed-not-found")
    shot(driver, "embed-not-found")
    button(driver, say("nav.close")).click()
    wait(driver).until(lambda d: not modal_open(d))

    set_field(driver, "connection-id", other)
    click_host(driver, "open-connection")
    outcome = settled(driver)
    assert outcome["status"] == "rejected" and outcome["error"]["key"] == "not_found", outcome
    enter_app(driver)
    text = wait_text(driver, say("notfound.text"))
    for leaked in ("globex", "payroll"):
        assert leaked not in outcome["error"]["message"].lower(), outcome
        assert leaked not in text.lower(), f"the page tells about the other tenant: {text}"
    shot(driver, "embed-other-tenants-connection")
    button(driver, say("nav.close")).click()
    wait(driver).until(lambda d: not modal_open(d))


def test_a_closed_provider_window_a_refused_consent_and_a_failing_provider_get_try_again_and_no_half_made_connection(page, world):
    driver = page
    tenant = "unlucky"
    name = "Hub Tasks"
    open_host(driver, world.host.origin)
    set_field(driver, "tenant-id", tenant)
    set_field(driver, "integration-key", "hub")
    main = driver.current_window_handle

    # The user closes the provider's window half-way: the app notices, nothing is stored.
    click_host(driver, "connect")
    enter_app(driver)
    known = set(driver.window_handles)
    button(driver, say("connect.button", name=name)).click()
    popup = popup_handle(driver, known)
    driver.switch_to.window(popup)
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "button[name=confirm]"))
    driver.close()
    driver.switch_to.window(main)
    enter_app(driver)
    wait_text(driver, say("popup.closedTitle"))
    axe(driver, "embed-popup-closed")
    shot(driver, "embed-popup-closed")
    assert world.connections(tenant, "hub") == []

    # Try again; the user denies the consent: a page that says so and what to do; nothing is stored.
    known = set(driver.window_handles)
    button(driver, say("common.retry")).click()
    consent(driver, main, popup_handle(driver, known), allow=False)
    enter_app(driver)
    wait_text(driver, say("consent.title", name=name))
    axe(driver, "embed-consent-denied")
    shot(driver, "embed-consent-denied")
    assert world.connections(tenant, "hub") == []
    assert still_pending(driver)

    # Try again; the provider's token endpoint fails once after the consent: an error with Try again.
    world.oauth_control(code_exchange="503", times=1)
    enter_app(driver)
    known = set(driver.window_handles)
    button(driver, say("common.retry")).click()
    consent(driver, main, popup_handle(driver, known))
    enter_app(driver)
    wait_text(driver, say("provider.title", name=name))
    axe(driver, "embed-provider-error")
    shot(driver, "embed-provider-error")
    assert world.connections(tenant, "hub") == [], "a failed exchange leaves no half-made connection"
    assert still_pending(driver)

    # Try again, the provider healthy again: connected.
    enter_app(driver)
    known = set(driver.window_handles)
    button(driver, say("common.retry")).click()
    consent(driver, main, popup_handle(driver, known))
    outcome = settled(driver)
    assert outcome["status"] == "resolved" and outcome["value"]["connectionId"], outcome
    assert [c["id"] for c in world.connections(tenant, "hub")] == [outcome["value"]["connectionId"]]
