"""Built-in sign-in and sign-out, a wrong password, the sign-in rate limit, and CSRF refusal."""

from selenium.webdriver.common.by import By

from console_browser import (
    ADMIN_EMAIL, ADMIN_PASSWORD, SESSION_COOKIE, alert_text, assert_signed_in, assert_signed_out, axe, heading, open_page, shot, sign_in,
    sign_out, submit)


def test_an_admin_signs_in_and_out(browser, signed_in_admin):
    console = signed_in_admin.console_url
    sign_out(browser, console)
    assert_signed_out(browser, console)
    sign_in(browser, console)
    assert_signed_in(browser, console)
    # The cookie is the server's to expire: HttpOnly, scoped to the console's path.
    cookie = browser.get_cookie(SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["path"] == "/console" and cookie["sameSite"] == "Lax"
    sign_out(browser, console)
    assert_signed_out(browser, console)


def test_a_wrong_password_shows_the_error_page_and_opens_no_session(browser, signed_in_admin):
    console = signed_in_admin.console_url
    sign_out(browser, console)
    sign_in(browser, console, password="not the password at all")
    assert browser.current_url == console + "login"
    assert heading(browser) == "Sign in"
    assert alert_text(browser) == "The email or the password is wrong."
    assert browser.find_element(By.ID, "email").get_attribute("value") == ADMIN_EMAIL, "the email is kept"
    assert browser.get_cookie(SESSION_COOKIE) is None
    shot(browser, "login-wrong-password")
    axe(browser, "login-wrong-password")
    assert_signed_out(browser, console)


def test_the_sixth_sign_in_within_the_window_is_refused_even_with_the_right_password(browser, signed_in_admin):
    console = signed_in_admin.console_url
    sign_out(browser, console)
    for attempt in range(1, 6):
        sign_in(browser, console, password=f"wrong password number {attempt}")
        assert alert_text(browser) == "The email or the password is wrong.", f"attempt {attempt}"
    sign_in(browser, console, password=ADMIN_PASSWORD)
    assert alert_text(browser).startswith("Too many failed sign-ins for this account or from this address."), alert_text(browser)
    assert browser.get_cookie(SESSION_COOKIE) is None
    shot(browser, "login-rate-limited")
    axe(browser, "login-rate-limited")
    assert_signed_out(browser, console)


def forge(browser, script: str) -> None:
    """Changes the sign-out form's CSRF field in the page (the page's CSP forbids inline script,
    WebDriver's script is not inline), then submits the form."""
    browser.execute_script(script)
    submit(browser, browser.find_element(By.CSS_SELECTOR, "header form.logout button[type=submit]"))


def test_a_form_with_an_altered_or_missing_csrf_token_is_refused_and_changes_nothing(browser, signed_in_admin):
    console = signed_in_admin.console_url
    token = browser.find_element(By.CSS_SELECTOR, "header form.logout input[name=csrf]").get_attribute("value")
    assert len(token) >= 32
    forge(browser, "const f = document.querySelector('header form.logout input[name=csrf]'); f.value = f.value.slice(0, -2) + 'xx';")
    assert heading(browser) == "Request refused"
    assert "CSRF" in alert_text(browser) and "Nothing was changed." in alert_text(browser)
    shot(browser, "csrf-refused")
    axe(browser, "csrf-refused")
    # Sign-out was refused: the session is still open.
    open_page(browser, console)
    assert_signed_in(browser, console)

    forge(browser, "document.querySelector('header form.logout input[name=csrf]').remove();")
    assert heading(browser) == "Request refused"
    open_page(browser, console)
    assert_signed_in(browser, console)
    # The same form with its own token works.
    sign_out(browser, console)
