"""The dashboard in real headless Chromium: sign in, open each page, pause a domain."""

from __future__ import annotations

from typing import Any

from conftest import Served
from mailfleet.core.dashboard.access import Role
from web_support import PASSWORD, email_of


def _page(browser: Any, served: Served, role: Role) -> Any:
    """A new browser context signed in as ``role``."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{served.base_url}/")
    assert page.url.startswith(f"{served.base_url}/login")
    page.fill("input[name=email]", email_of(role))
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{served.base_url}/")
    return page


def test_login_page_renders(browser: Any, served: Served) -> None:
    """The sign-in form shows, styled by the local stylesheet."""
    page = browser.new_page(viewport={"width": 1000, "height": 600})
    page.goto(f"{served.base_url}/login")
    assert page.locator("h1").inner_text() == "Sign in"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(245, 247, 250)"  # from /static/style.css
    page.screenshot(path=str(served.shots / "login.png"))
    page.close()


def test_overview_lists_every_domain_by_segment(browser: Any, served: Served) -> None:
    """All 40 domains in five segment blocks; stored figures where recorded, else dashes."""
    page = _page(browser, served, Role.VIEWER)
    assert page.locator("section.segment").count() == 5
    assert page.locator("section.segment tbody tr").count() == 40
    seeded = page.locator("section.segment tbody tr", has_text="d000.example").inner_text()
    assert "2.44 %" in seeded  # 2 bounces of 82 sent, from the feedback store
    assert "week 2" in seeded  # from the warmup store
    assert "zen.spamhaus.org" in seeded  # its IP's listing, from the reputation store
    unseen = page.locator("section.segment tbody tr", has_text="d001.example").inner_text()
    assert "—" in unseen
    page.screenshot(path=str(served.shots / "overview.png"), full_page=False)
    page.select_option("select[name=segment]", "transactional")  # the script submits on change
    page.wait_for_url("**segment=transactional**")
    assert page.locator("section.segment").count() == 1
    assert page.locator("section.segment tbody tr").count() == 8
    page.context.close()


def test_operator_pauses_a_domain_through_the_confirmation(browser: Any, served: Served) -> None:
    """Pause asks first; after confirming, the page says so and the state badge is paused."""
    page = _page(browser, served, Role.OPERATOR)
    page.click("a[href='/domains/d001.example']")
    page.wait_for_url("**/domains/d001.example")
    assert page.locator("h1 .state").inner_text() == "warming"
    page.click("a.button:has-text('Pause')")
    page.wait_for_url("**/confirm/pause")
    page.screenshot(path=str(served.shots / "confirm-pause.png"))
    page.click("#confirm")
    page.wait_for_url("**/domains/d001.example")
    assert page.locator(".flash").inner_text() == "d001.example is paused."
    assert page.locator("h1 .state").inner_text() == "paused"
    page.click("a.button:has-text('Resume')")
    page.click("#confirm")
    page.wait_for_url("**/domains/d001.example")
    assert page.locator("h1 .state").inner_text() == "warming"
    page.context.close()


def test_domain_page_shows_stored_history_decisions_and_records(
    browser: Any, served: Served
) -> None:
    """The seeded domain's page charts its sends, lists decisions with evidence and records."""
    page = _page(browser, served, Role.VIEWER)
    page.goto(f"{served.base_url}/domains/d000.example")
    charts = page.locator("section.charts")
    assert "no sending yet" not in charts.inner_text()
    assert charts.locator("svg").count() >= 2
    main = page.locator("main").inner_text()
    assert "sent, " in main  # a decision's evidence
    assert "_dmarc.d000.example" in main
    assert "mf1 (failing)" in main
    page.screenshot(path=str(served.shots / "domain.png"), full_page=True)
    page.context.close()


def test_viewer_cannot_act(browser: Any, served: Served) -> None:
    """A viewer's action buttons are disabled."""
    page = _page(browser, served, Role.VIEWER)
    page.goto(f"{served.base_url}/domains/d000.example")
    buttons = page.locator("section.actions button")
    assert buttons.count() >= 4
    assert all(buttons.nth(i).is_disabled() for i in range(buttons.count()))
    page.context.close()


def test_mailbox_inventory_search(browser: Any, served: Served) -> None:
    """Searching the inventory narrows it to matching addresses, with last activity shown."""
    page = _page(browser, served, Role.VIEWER)
    page.goto(f"{served.base_url}/mailboxes")
    assert "120" in page.locator("h1").inner_text()
    page.screenshot(path=str(served.shots / "mailboxes.png"))
    page.fill("input[name=q]", "box01@d00")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**q=box01**")
    rows = page.locator("table.grid tbody tr")
    assert rows.count() == 10
    assert "h ago" in rows.first.inner_text()
    page.context.close()


def test_capability_pages_show_stored_rows(browser: Any, served: Served) -> None:
    """Alerts, blocklist lookups and the suppression list show what the stores hold."""
    page = _page(browser, served, Role.VIEWER)
    for path, text in (
        ("/alerts", "ses"),
        ("/blocklist", "zen.spamhaus.org"),
        ("/suppression", "complainer@mail.example"),
    ):
        page.goto(f"{served.base_url}{path}")
        assert text in page.locator("main").inner_text()
    page.screenshot(path=str(served.shots / "suppression.png"))
    page.context.close()


def test_sign_out(browser: Any, served: Served) -> None:
    """Signing out returns to the login form and the pages ask again."""
    page = _page(browser, served, Role.ADMIN)
    page.click("header .who button")
    page.wait_for_url("**/login")
    page.goto(f"{served.base_url}/mailboxes")
    assert "/login" in page.url
    page.context.close()
