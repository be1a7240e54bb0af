"""A viewer reads every page and changes nothing: each state-changing form an admin's crawl finds
is refused to a viewer, whatever its fields."""

from selenium.webdriver.common.by import By

from console_browser import (
    ADMIN_EMAIL, ADMIN_PASSWORD, add_console_user, api, assert_signed_in, crawl, open_page, post_form, sign_in, sign_out)

VIEWER = "viewer@example.com"
VIEWER_PASSWORD = "the viewer's own password"


def test_a_viewer_reads_every_page_and_every_form_an_admin_sees_is_refused_to_them(browser, switchyard, scratch):
    add_console_user(scratch / "data", ADMIN_EMAIL, "Ada Admin", "admin", ADMIN_PASSWORD)
    add_console_user(scratch / "data", VIEWER, "Vic Viewer", "viewer", VIEWER_PASSWORD)
    server = switchyard()
    console = server.console_url
    status, answer = api(server, "POST", "/customers", {"internalId": "initech", "name": "Initech"})
    assert status == 201, answer

    sign_in(browser, console)
    assert_signed_in(browser, console)
    admin = crawl(browser, console, prefix=server.base_path, name="viewer-test-admin")
    assert not admin.problems, "\n".join(admin.problems)
    sign_out(browser, console)

    sign_in(browser, console, email=VIEWER, password=VIEWER_PASSWORD)
    assert_signed_in(browser, console, email=VIEWER)
    assert browser.find_element(By.CSS_SELECTOR, "header form.logout span").text == f"{VIEWER} (viewer)"
    sections = [link.text for link in browser.find_elements(By.CSS_SELECTOR, "nav[aria-label=Sections] a")]
    assert "Customers" in sections and "Users" not in sections, sections
    viewer = crawl(browser, console, prefix=server.base_path, name="console-viewer")
    assert not viewer.problems, "\n".join(viewer.problems)
    assert console + "customers" in viewer.pages

    token = browser.find_element(By.CSS_SELECTOR, "header form.logout input[name=csrf]").get_attribute("value")
    refused = []
    for action, fields in admin.forms.items():
        fields = [(name, token if name == "csrf" else value) for name, value in fields]
        status, body = post_form(browser, action, fields)
        if status != 403 or "Viewers cannot change anything" not in body:
            refused.append(f"{action} answered {status} to a viewer")
    assert not refused, "\n".join(refused)
    # Nothing changed: among those forms are the admin's ones on the viewer's own account (role,
    # password, remove); the viewer is still here, with the same role.
    open_page(browser, console)
    assert_signed_in(browser, console, email=VIEWER)
    assert browser.find_element(By.CSS_SELECTOR, "header form.logout span").text == f"{VIEWER} (viewer)"
    # The viewer may still sign out (its own session, nothing of the workspace).
    sign_out(browser, console)
    print(f"viewer refused on {len(admin.forms)} form(s): {sorted(admin.forms)}")
