"""``serve`` and ``users``: run the dashboard and API, and manage who may use them."""

from __future__ import annotations

import socket
import sys
from typing import Annotated, NoReturn

import typer

from mailfleet.cli.context import state
from mailfleet.cli.output import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    console,
    err_console,
    print_json,
    reporting,
)
from mailfleet.core.dashboard.access import Role
from mailfleet.core.secrets import Secret
from mailfleet.services import users as user_service

users_app = typer.Typer(
    name="users",
    help="Dashboard and API users: `mailfleet users add ops@example.com --role operator`.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _split_bind(bind: str) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit():
        raise typer.BadParameter(f"{bind!r}: expected HOST:PORT, e.g. 127.0.0.1:8025")
    return host.strip("[]"), int(port)


def serve(
    ctx: typer.Context,
    bind: Annotated[
        str | None,
        typer.Option("--bind", help="HOST:PORT to listen on. [default: settings web_bind]"),
    ] = None,
) -> None:
    """Run the dashboard, the REST API (/api/v1), /metrics and /healthz.

    Example: `mailfleet serve --bind 127.0.0.1:8025`, then open http://127.0.0.1:8025/ and
    sign in with a user made by `mailfleet users add`. Cookies are marked Secure when the
    address is not loopback: put TLS in front of a public bind.
    """
    import uvicorn

    from mailfleet.web.app import create_app

    cli_state = state(ctx)
    with reporting(False):
        app = cli_state.app()
        host, port = _split_bind(bind or app.settings.web_bind)
        web = create_app(app)
    # uvicorn's access log would print query strings; nothing secret travels in them, but
    # the app's own metrics already record every request, so the log stays quiet.
    server = uvicorn.Server(
        uvicorn.Config(web, access_log=False, log_level="warning", lifespan="off")
    )
    sock = _listen(host, port)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"Serving on http://{shown}:{sock.getsockname()[1]}/ (Ctrl-C stops)")
    server.run(sockets=[sock])


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket with TCP_NODELAY, which accepted connections inherit: without it a
    response written in two parts (headers, then body) waits ~40 ms for a delayed ACK."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        err_console.print(f"[bold red]error:[/] cannot listen on {host}:{port}: {exc.strerror}")
        raise typer.Exit(EXIT_FAILED) from None
    sock.listen(2048)
    return sock


def _read_password(confirm: bool) -> Secret:
    """A password from standard input when piped, else from a hidden prompt."""
    if not sys.stdin.isatty():
        return Secret(sys.stdin.readline().rstrip("\r\n"))
    return Secret(typer.prompt("Password", hide_input=True, confirmation_prompt=confirm))


@users_app.command("add")
def add_user(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The user's email; it is their login.")],
    role: Annotated[
        Role, typer.Option("--role", help="viewer reads, operator also acts, admin also manages.")
    ] = Role.VIEWER,
    as_json: JsonOption = False,
) -> None:
    """Create a user. The password is read from standard input, or asked for.

    Example: `printf '%s\\n' "$PASSWORD" | mailfleet users add ops@example.com --role operator`
    """
    password = _read_password(confirm=True)
    with reporting(as_json):
        app = state(ctx).app()
        try:
            user = user_service.add_user(
                app.user_store(), app.password_hasher(), app.clock, email, role, password
            )
        except ValueError as exc:
            _fail(str(exc), as_json, EXIT_BAD_INPUT)
    if as_json:
        print_json({"ok": True, "email": user.email, "role": user.role.value})
    else:
        console.print(f"Added [bold]{user.email}[/] as {user.role.value}.")


@users_app.command("token")
def new_token(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The user the token acts for.")],
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Create an API token for a user and print it once; only its digest is kept.

    Example: `mailfleet users token ops@example.com --label grafana`, then
    `curl -H "Authorization: Bearer mft_..." http://127.0.0.1:8025/api/v1/status`
    """
    with reporting(as_json):
        app = state(ctx).app()
        token = user_service.issue_token(app.user_store(), app.clock, email, label[:100])
    if token is None:
        _fail(f"no user {email}; create one with mailfleet users add", as_json, EXIT_FAILED)
    if as_json:
        print_json({"ok": True, "email": email, "token": token.reveal()})
    else:
        console.print("New API token (shown once; store it now):")
        sys.stdout.write(token.reveal() + "\n")


def _fail(message: str, as_json: bool, code: int) -> NoReturn:
    if as_json:
        print_json({"ok": False, "error": message})
    else:
        err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command()(serve)
    app.add_typer(users_app, name="users")
