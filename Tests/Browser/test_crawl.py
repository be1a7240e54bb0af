"""Every console page a user can reach from the overview: answers, axe, screenshots."""

import pytest
from selenium.webdriver.common.by import By

from console_browser import add_console_user, api, assert_signed_in, crawl, sign_in


def test_every_page_an_admin_reaches_from_the_overview_answers_and_passes_axe_in_both_themes(browser, signed_in_admin):
    console = signed_in_admin.console_url
    # Something to show, so that detail pages are reached too (names that need escaping).
    for internal_id, name in (("acme", 'Acme <"Tools"> & Co'), ("globex", "Globex")):
        status, answer = api(signed_in_admin, "POST", "/customers", {"internalId": internal_id, "name": name})
        assert status == 201, answer
    sections = [link.get_attribute("href") for link in browser.find_elements(By.CSS_SELECTOR, "nav[aria-label=Sections] a")]
    assert console in sections and console + "customers" in sections, f"the overview's navigation: {sections}"
    seen = crawl(browser, console, prefix=signed_in_admin.base_path, name="console", dark_too=True)
    assert not seen.problems, "\n".join(seen.problems)
    assert console in seen.pages and console + "customers" in seen.pages
    assert sum(page.startswith(console + "customers/") for page in seen.pages) == 2, "both customers' pages"
    print(f"crawled {len(seen.pages)} page(s): {seen.pages}")


# Add a role here when the console gets one (and `console users add --role` accepts it).
@pytest.mark.parametrize("role", ["member"])
def test_every_page_another_role_reaches_answers_and_passes_axe(browser, switchyard, scratch, role):
    email = f"{role}@example.com"
    add_console_user(scratch / "data", email, f"A {role}", role, "the member's own password")
    server = switchyard()
    sign_in(browser, server.console_url, email=email, password="the member's own password")
    assert_signed_in(browser, server.console_url, email=email)
    seen = crawl(browser, server.console_url, prefix=server.base_path, name=f"console-{role}")
    assert not seen.problems, "\n".join(seen.problems)
    assert server.console_url in seen.pages
