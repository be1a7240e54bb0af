"""The suite's own checks can fail: axe and the crawler against pages made to be wrong, served by
a small HTTP server in the test process on loopback."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from console_browser import axe, crawl, open_page

PAGES = {
    # A page that reads badly: grey on white, and an input without a label.
    "/bad/": """<!DOCTYPE html><html lang="en"><head><title>Bad</title></head><body><main><h1>Bad</h1>
        <p style="color:#cccccc;background:#ffffff">hard to read</p><form><input name="q"></form></main></body></html>""",
    # A clean page whose links go wrong: one answers 404, one leaves the prefix, and a form posts
    # outside it.
    "/site/": """<!DOCTYPE html><html lang="en"><head><title>Site</title></head><body><main><h1>Site</h1>
        <p><a href="/site/missing">missing</a> <a href="/elsewhere/">elsewhere</a></p>
        <form method="post" action="/elsewhere/post"><p><button type="submit">Send</button></p></form>
        <form method="post" action="/site/save"><input type="hidden" name="csrf" value="t"><p><label for="n">Name</label>
        <input id="n" name="name" value="x"> <button type="submit">Save</button></p></form>
        <p><a href="/site/leak">leak</a></p></main></body></html>""",
    # A page where a Swift optional reached the template.
    "/site/leak": """<!DOCTYPE html><html lang="en"><head><title>Leak</title></head><body><main><h1>Leak</h1>
        <p class="error">nil</p></main></body></html>""",
}


class Pages(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = PAGES.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "<!DOCTYPE html><title>Not found</title><h1>Not found</h1>").encode())

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_axe_fails_on_low_contrast_and_a_missing_label(browser, site):
    open_page(browser, site + "/bad/")
    with pytest.raises(pytest.fail.Exception) as failure:
        axe(browser, "checks-bad")
    assert "color-contrast (serious)" in str(failure.value) and "label (critical)" in str(failure.value), str(failure.value)


def test_the_crawler_reports_an_error_page_and_everything_outside_the_prefix(browser, site):
    seen = crawl(browser, site + "/site/", prefix="/site/", name="checks-site", strict_prefix=True)
    assert seen.pages == [site + "/site/", site + "/site/leak"]
    assert f"{site}/site/missing answers 404" in seen.problems
    assert f"{site}/site/leak shows 'nil': a Swift optional reached its template" in seen.problems
    assert f"{site}/site/: link outside /site/: {site}/elsewhere/" in seen.problems
    assert f"{site}/site/: form outside /site/: {site}/elsewhere/post" in seen.problems
    assert len(seen.problems) == 4, seen.problems
    assert seen.forms == {f"{site}/site/save": [("csrf", "t"), ("name", "x")]}, "the state-changing form under the prefix"


def test_the_crawler_accepts_a_404_only_from_a_section_not_built_yet_and_only_while_it_is_missing(browser, site):
    seen = crawl(browser, site + "/site/", prefix="/site/", name="checks-pending", not_built_yet={"missing"})
    assert [problem for problem in seen.problems if "/site/missing" in problem] == [], seen.problems
    built = crawl(browser, site + "/site/", prefix="/site/", name="checks-built", not_built_yet={""})
    assert built.problems == [f"{site}/site/ answers 200: remove '' from SECTIONS_NOT_BUILT_YET"]
