"""OpenID Connect sign-in in a real browser against a real OpenID provider on loopback
(Tests/Servers/oidc_server.py): a good sign-in, and the refusals of a tampered ID token, a wrong
nonce and a replayed state, each with a page that says what happened and no session."""

import subprocess
import sys
import urllib.request

import pytest
from selenium.webdriver.common.by import By

from console_browser import (REPO, _NoRedirects, add_console_user, axe, free_port, heading, need, open_page, shot, start_switchyard,
                             switchyard_binary, wait)

CLIENT_ID = "console-client"
CLIENT_SECRET = "console-secret-for-browser-tests"


@pytest.fixture
def provider_and_console(scratch):
    """The provider, and a console whose callback it accepts, letting example.com in as viewers."""
    port = free_port()
    callback = f"http://127.0.0.1:{port}/console/login/oidc/callback"
    provider = subprocess.Popen(
        [sys.executable, str(REPO / "Tests" / "Servers" / "oidc_server.py"), "--client", f"{CLIENT_ID}:{CLIENT_SECRET}:{callback}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = provider.stdout.readline()
        need(line.startswith("PORT "), f"the OpenID provider did not start (authlib and flask in the test venv): {line!r}")
        issuer = f"http://127.0.0.1:{int(line.split()[1])}"
        add_console_user(scratch / "data", "root@example.org", "Root", "admin", "a long root password")
        server = start_switchyard(
            [switchyard_binary(), "serve"], "switchyard-oidc", scratch / "data", PORT=str(port), BASE_URI=f"http://127.0.0.1:{port}",
            OIDC_ISSUER=issuer, OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET, OIDC_PROVIDER_NAME="Test ID",
            CONSOLE_ALLOWED_EMAIL_DOMAINS="example.com")
        yield issuer, server
        server.child.stop()
    finally:
        provider.stdin.close()
        provider.wait(timeout=20)


def control(issuer: str, **modes) -> None:
    import json
    request = urllib.request.Request(issuer + "/_control", data=json.dumps(modes).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


def click_provider_sign_in(browser, console_url: str) -> None:
    open_page(browser, console_url + "login")
    link = browser.find_element(By.LINK_TEXT, "Sign in with Test ID")
    link.click()
    wait(browser).until(lambda d: d.current_url.startswith(console_url) and "/login/oidc" not in d.current_url
                        or d.find_elements(By.CSS_SELECTOR, "[role=alert]"))
    wait(browser).until(lambda d: d.execute_script("return document.readyState") == "complete")


def test_provider_sign_in_and_the_refusals_of_a_tampered_token_a_wrong_nonce_and_a_replayed_state(browser, provider_and_console):
    issuer, server = provider_and_console
    console = server.console_url

    # A good sign-in: example.com is let in as a viewer.
    click_provider_sign_in(browser, console)
    assert browser.current_url == console and heading(browser) == "Overview", browser.current_url
    assert "ada@example.com (viewer)" in browser.find_element(By.CSS_SELECTOR, "header form.logout span").text
    axe(browser, "oidc-signed-in")
    shot(browser, "oidc-signed-in")

    # The same state again: the provider answers once more for it, the console refuses the replay.
    browser.delete_all_cookies()
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        opener.open(console + "login/oidc", timeout=30)
        pytest.fail("the sign-in start should redirect to the provider")
    except urllib.error.HTTPError as redirect:
        authorize = redirect.headers["Location"]
        binding = redirect.headers["Set-Cookie"].split(";")[0]
    open_page(browser, console + "login")
    name, value = binding.split("=", 1)
    browser.add_cookie({"name": name, "value": value, "path": "/console/login/oidc"})
    open_page(browser, authorize)
    assert heading(browser) == "Overview", "the first answer for the state signs in"
    try:
        opener.open(authorize, timeout=30)
        pytest.fail("the provider should redirect to the callback")
    except urllib.error.HTTPError as redirect:
        replay = redirect.headers["Location"]
    assert "state=" in replay
    browser.delete_all_cookies()
    browser.add_cookie({"name": name, "value": value, "path": "/console/login/oidc"})
    open_page(browser, replay)
    assert heading(browser) == "Sign-in link not valid", heading(browser)
    assert "already used" in browser.find_element(By.TAG_NAME, "main").text
    assert browser.get_cookie("switchyard_console") is None, "a replay opens no session"
    axe(browser, "oidc-replayed")
    shot(browser, "oidc-replayed")

    # A tampered ID token and a wrong nonce: refused, nothing signed in.
    for mode in ("tampered_signature", "wrong_nonce"):
        control(issuer, id_token=mode)
        browser.delete_all_cookies()
        click_provider_sign_in(browser, console)
        assert heading(browser) == "Sign-in refused", f"{mode}: {heading(browser)}"
        assert "did not pass the console's checks" in browser.find_element(By.TAG_NAME, "main").text
        assert browser.get_cookie("switchyard_console") is None, f"{mode}: no session"
        shot(browser, f"oidc-{mode}")
    control(issuer, id_token="ok")
    open_page(browser, console)
    assert browser.current_url == console + "login", "still signed out"
