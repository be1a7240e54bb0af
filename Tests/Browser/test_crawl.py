"""Every console page an admin can reach from the overview: answers, axe, screenshots."""

from console_browser import crawl


def test_every_page_reachable_from_the_overview_answers_and_passes_axe(browser, signed_in_admin):
    console = signed_in_admin.console_url
    seen = crawl(browser, console, prefix=signed_in_admin.base_path, name="console", dark_too=True)
    assert not seen.problems, "\n".join(seen.problems)
    assert console in seen.pages
    print(f"crawled {len(seen.pages)} page(s): {seen.pages}")
