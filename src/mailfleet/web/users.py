"""User management pages (admins only): list, add, change role, disable or enable, remove,
reset a password, revoke API tokens. Every change is a CSRF-checked POST after a
confirmation page, like the domain actions.

A generated password is put in the response page once, never in the session (the session
cookie is signed, not encrypted) nor in a URL, and that page is not cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mailfleet.core.dashboard.access import Permission, Role
from mailfleet.core.secrets import Secret
from mailfleet.services import dashboard_users
from mailfleet.services.dashboard_users import PasswordRefused, UnknownUser, UserAdminError
from mailfleet.web.context import context
from mailfleet.web.security import Visitor, check_csrf, require
from mailfleet.web.views import page_visitor, render

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str, Form(alias="csrf_token")]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def admin_visitor(request: Request) -> Visitor:
    """The signed-in admin; anyone else gets 403."""
    visitor = page_visitor(request)
    require(visitor, Permission.ADMINISTER)
    return visitor


AdminDep = Annotated[Visitor, Depends(admin_visitor)]


@dataclass(frozen=True, slots=True)
class UserAction:
    """How a user action is offered and confirmed."""

    slug: str
    label: str
    explains: str
    danger: bool = False


USER_ACTIONS: dict[str, UserAction] = {
    a.slug: a
    for a in (
        UserAction(
            "role",
            "Change role",
            "Viewers read; operators also act on domains; admins also manage users.",
        ),
        UserAction(
            "disable",
            "Disable",
            "Signs the user out and stops their API tokens until they are enabled again.",
            True,
        ),
        UserAction("enable", "Enable", "Lets the user sign in and use their tokens again."),
        UserAction(
            "reset-password",
            "Reset password",
            "Sets a new password. Leave the field "
            "empty to generate one; it is shown once, on the next page.",
            True,
        ),
        UserAction(
            "revoke-tokens",
            "Revoke API tokens",
            "Deletes every API token of the user; programs using them get 401 from now on.",
            True,
        ),
        UserAction("remove", "Remove", "Deletes the user and their API tokens.", True),
    )
}


def _secret(value: str) -> Secret | None:
    return Secret(value) if value else None


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, visitor: AdminDep) -> Response:
    """Every user, and a form to add one."""
    listing = dashboard_users.list_users(context(request).app.user_admin())
    return render(
        request, "users.html", visitor, users=listing, roles=[r.value for r in Role], error=None
    )


@router.post("/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    visitor: AdminDep,
    csrf: CsrfField,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[Role, Form()],
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Create a user; a generated password is shown once on the response page."""
    check_csrf(request, csrf)
    app = context(request).app
    try:
        user, generated = dashboard_users.add_user(
            app.user_store(),
            app.password_hasher(),
            app.clock,
            visitor.email,
            email,
            role,
            _secret(password),
        )
    except UserAdminError as exc:
        listing = dashboard_users.list_users(app.user_admin())
        roles = [r.value for r in Role]
        return render(
            request, "users.html", visitor, 400, users=listing, roles=roles, error=str(exc)
        )
    if generated is None:
        request.session["flash"] = f"{user.email} was added as {user.role.value}."
        return RedirectResponse("/users", status_code=303)
    page = render(
        request, "user_password.html", visitor, email=user.email, password=generated, added=True
    )
    page.headers.update(NO_STORE)
    return page


@router.get("/users/{email}/confirm/{action}", response_class=HTMLResponse)
def confirm_user_action(request: Request, email: str, action: str, visitor: AdminDep) -> Response:
    """Ask before changing a user."""
    info = USER_ACTIONS.get(action)
    if info is None:
        raise HTTPException(404, f"no action {action}")
    found = [
        u for u in dashboard_users.list_users(context(request).app.user_admin()) if u.email == email
    ]
    if not found:
        raise HTTPException(404, f"no user {email}")
    return render(
        request,
        "user_confirm.html",
        visitor,
        user=found[0],
        info=info,
        roles=[r.value for r in Role],
    )


@router.post("/users/{email}/actions/{action}", response_class=HTMLResponse)
def run_user_action(
    request: Request,
    email: str,
    action: str,
    visitor: AdminDep,
    csrf: CsrfField,
    role: Annotated[Role | None, Form()] = None,
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Perform a confirmed change and go back to the list with a message."""
    check_csrf(request, csrf)
    if action not in USER_ACTIONS:
        raise HTTPException(404, f"no action {action}")
    app = context(request).app
    store = app.user_admin()
    try:
        if action == "role":
            if role is None:
                raise HTTPException(400, "choose a role")
            dashboard_users.change_role(store, app.clock, visitor.email, email, role)
            message = f"{email} is now {role.value}."
        elif action in ("disable", "enable"):
            disabled = action == "disable"
            dashboard_users.set_disabled(store, app.clock, visitor.email, email, disabled=disabled)
            message = f"{email} is {'disabled' if disabled else 'enabled'}."
        elif action == "remove":
            dashboard_users.remove_user(store, visitor.email, email)
            message = f"{email} was removed."
        elif action == "revoke-tokens":
            count = dashboard_users.revoke_tokens(store, visitor.email, email)
            message = f"{count} API token{'s' if count != 1 else ''} of {email} revoked."
        else:
            generated = dashboard_users.reset_password(
                app.user_store(),
                store,
                app.password_hasher(),
                app.clock,
                visitor.email,
                email,
                _secret(password),
            )
            if generated is not None:
                page = render(
                    request,
                    "user_password.html",
                    visitor,
                    email=email,
                    password=generated,
                    added=False,
                )
                page.headers.update(NO_STORE)
                return page
            message = f"The password of {email} was changed."
    except UnknownUser as exc:
        raise HTTPException(404, str(exc)) from None
    except PasswordRefused as exc:
        raise HTTPException(400, str(exc)) from None
    except UserAdminError as exc:
        raise HTTPException(409, str(exc)) from None
    request.session["flash"] = message
    return RedirectResponse("/users", status_code=303)
