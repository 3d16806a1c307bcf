"""User management in real headless Chromium: an admin adds, changes and disables a user."""

from __future__ import annotations

from typing import Any

from conftest import Served
from mailfleet.core.dashboard.access import Role
from web_support import PASSWORD, email_of


def _sign_in(browser: Any, served: Served, email: str, password: str) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{served.base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{served.base_url}/")
    return page


def test_admin_adds_a_user_who_signs_in_then_is_changed_and_disabled(
    browser: Any, served: Served
) -> None:
    """The generated password is shown once and works; role change and disabling go through
    confirmation pages and take effect on the user's open session."""
    admin = _sign_in(browser, served, email_of(Role.ADMIN), PASSWORD)
    admin.click("nav a[href='/users']")
    admin.wait_for_url("**/users")
    assert admin.locator("table.users tbody tr").count() == 3
    admin.fill("form[aria-label='add a user'] input[name=email]", "carol@example.com")
    admin.select_option("form[aria-label='add a user'] select[name=role]", "operator")
    admin.click("#add-user")
    password = admin.locator("#new-password").inner_text()
    assert len(password) >= 20
    admin.click("a[href='/users']")
    admin.wait_for_url("**/users")
    assert password not in admin.content()
    row = admin.locator("tr[data-user='carol@example.com']")
    assert row.locator(".role").text_content() == "operator"
    admin.screenshot(path=str(served.shots / "users.png"))

    carol = _sign_in(browser, served, "carol@example.com", password)
    assert carol.locator("nav a[href='/users']").count() == 0
    assert carol.goto(f"{served.base_url}/users").status == 403

    row.locator("a:has-text('Change role')").click()
    admin.wait_for_url("**/confirm/role")
    admin.select_option("select[name=role]", "viewer")
    admin.click("#confirm")
    admin.wait_for_url("**/users")
    assert admin.locator(".flash").inner_text() == "carol@example.com is now viewer."
    carol.goto(f"{served.base_url}/")
    assert carol.locator("header .role").text_content() == "viewer"

    admin.locator("tr[data-user='carol@example.com'] a:has-text('Disable')").click()
    admin.wait_for_url("**/confirm/disable")
    admin.click("#confirm")
    admin.wait_for_url("**/users")
    assert "disabled" in admin.locator("tr[data-user='carol@example.com'] .status").inner_text()
    carol.goto(f"{served.base_url}/")
    assert carol.url.startswith(f"{served.base_url}/login")
    carol.context.close()
    admin.context.close()


def test_admin_revokes_tokens_and_cannot_disable_themselves(browser: Any, served: Served) -> None:
    """Revoking asks first and empties the token count; disabling oneself is refused."""
    admin = _sign_in(browser, served, email_of(Role.ADMIN), PASSWORD)
    admin.goto(f"{served.base_url}/users")
    viewer = admin.locator(f"tr[data-user='{email_of(Role.VIEWER)}']")
    assert viewer.locator(".tokens").inner_text().startswith("1")
    viewer.locator("a:has-text('Revoke tokens')").click()
    admin.wait_for_url("**/confirm/revoke-tokens")
    admin.click("#confirm")
    admin.wait_for_url("**/users")
    assert admin.locator(".flash").inner_text().startswith("1 API token of viewer@example.com")
    assert viewer.locator(".tokens").inner_text().startswith("0")
    admin.locator(f"tr[data-user='{email_of(Role.ADMIN)}'] a:has-text('Disable')").click()
    admin.wait_for_url("**/confirm/disable")
    response = admin.expect_response("**/actions/disable")
    with response as info:
        admin.click("#confirm")
    assert info.value.status == 409
    assert "own account" in admin.content()
    admin.context.close()


def test_operator_has_no_user_management(browser: Any, served: Served) -> None:
    """No nav link, and the page answers 403."""
    operator = _sign_in(browser, served, email_of(Role.OPERATOR), PASSWORD)
    assert operator.locator("nav a[href='/users']").count() == 0
    assert operator.goto(f"{served.base_url}/users").status == 403
    operator.context.close()
