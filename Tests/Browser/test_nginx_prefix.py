"""The console behind Debian's nginx under /admin/: sign-in and every page, nothing escapes the prefix."""

import pytest

from console_browser import Nginx, assert_signed_in, crawl, fetch, first_run_setup, sign_out, sign_in


@pytest.fixture
def proxied(switchyard, scratch):
    """switchyard with CONSOLE_BASE_PATH=/admin behind nginx, which serves only /admin/."""
    server = switchyard(CONSOLE_BASE_PATH="/admin")
    assert server.base_path == "/admin/"
    nginx = Nginx(scratch / "nginx", "/admin/", f"http://127.0.0.1:{server.port}", "nginx")
    yield server, nginx
    nginx.stop()


def test_behind_nginx_under_a_prefix_every_link_form_redirect_and_asset_stays_under_it(browser, proxied):
    server, nginx = proxied
    console = nginx.origin + "/admin/"
    # Outside the prefix nginx has nothing: a link that escaped it would fail.
    assert fetch(browser, nginx.origin + "/console/").status == 404
    first_run_setup(browser, console, server.setup_code())
    sign_out(browser, console)
    sign_in(browser, console)
    assert_signed_in(browser, console)
    stylesheet = fetch(browser, console + "assets/console.css")
    assert stylesheet.status == 200 and stylesheet.content_type.startswith("text/css")
    rules = browser.execute_script("return [...document.styleSheets].map(s => [s.href, s.cssRules.length]);")
    assert rules == [[console + "assets/console.css", rules[0][1]]] and rules[0][1] > 0, rules
    seen = crawl(browser, console, prefix="/admin/", name="nginx", strict_prefix=True)
    assert not seen.problems, "\n".join(seen.problems)
    assert not seen.outside and console in seen.pages
