"""The embedded default as the README tells it: `scripts/serve`, then the console URL it prints."""

from console_browser import (
    REPO, assert_signed_in, assert_signed_out, axe, first_run_setup, heading, open_page, shot, sign_in, sign_out, start_switchyard)


def test_scripts_serve_prints_the_console_url_where_first_run_setup_signs_the_admin_in(browser, scratch):
    # scripts/serve builds with `swift run` (already built by scripts/test: only a check), so its
    # start may take longer than the binary's.
    server = start_switchyard([str(REPO / "scripts" / "serve")], "scripts-serve", scratch / "data", timeout=300)
    try:
        assert server.base_path == "/console/"
        code = server.setup_code()
        # An install with no account sends the browser from the printed URL to first-run setup.
        open_page(browser, server.console_url)
        assert heading(browser) == "First-run setup"
        shot(browser, "setup")
        axe(browser, "setup")
        first_run_setup(browser, server.console_url, code)
        shot(browser, "overview-after-setup")
        sign_out(browser, server.console_url)
        shot(browser, "login")
        axe(browser, "login")
        assert_signed_out(browser, server.console_url)
        sign_in(browser, server.console_url)
        assert_signed_in(browser, server.console_url)
    finally:
        status = server.child.stop()
    assert status == 0, f"scripts/serve did not stop cleanly (exit {status}); see {server.child.output.log_path}"
