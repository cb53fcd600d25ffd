"""The `regulars` command: serve, migrate, manage users, API keys and application passwords, and import and
export customers."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from regulars.auth import app_passwords
from regulars.auth.passwords import hash_password
from regulars.domain.accounts import ROLES, is_email
from regulars.domain.errors import DomainError
from regulars.services import credentials
from regulars.services.clock import now
from regulars.settings import DEFAULT_DATABASE_URL
from regulars.store import migrate as migrations
from regulars.store.unit import Store

app = typer.Typer(help="Regulars: WooCommerce- and FluentCart-compatible customers, without WordPress.")
users = typer.Typer(help="Accounts (WordPress users).")
keys = typer.Typer(help="WooCommerce REST API keys.")
app_pw = typer.Typer(help="WordPress application passwords.")
app.add_typer(users, name="users")
app.add_typer(keys, name="keys")
app.add_typer(app_pw, name="app-passwords")
console = Console(stderr=True)

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="Database URL (default: REGULARS_DATABASE_URL or SQLite file)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object")]


def _database(url: str | None) -> str:
    return url or os.environ.get("REGULARS_DATABASE_URL") or DEFAULT_DATABASE_URL


def _store(url: str | None) -> Store:
    store = Store(_database(url))
    migrations.upgrade(store.engine)
    return store


def _fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(1)


@app.command()
def migrate(database: DatabaseOption = None) -> None:
    """Apply pending migrations, and build any indexes an interrupted import left deferred."""
    from regulars.services import transfer

    store = Store(_database(database))
    applied = migrations.upgrade(store.engine)
    console.print(f"applied {len(applied)} migration(s)" if applied else "database is up to date")
    built = transfer.build_deferred_indexes(store)
    if built:
        console.print(f"built {built} indexes an interrupted import had deferred")


def _create_account(store: Store, username: str, email: str, role: str, password: str | None) -> dict:
    if role not in ROLES:
        _fail(f"role must be one of {', '.join(ROLES)}")
    if not is_email(email):
        _fail(f"not a valid email address: {email}")
    with store.write() as unit:
        if unit.accounts.by_username(username) or unit.accounts.by_email(username):
            _fail(f"username already taken: {username}")
        if unit.accounts.by_email(email):
            _fail(f"email already registered: {email}")
        account_id = unit.accounts.insert(
            username=username,
            email=email,
            role=role,
            now=now(),
            password_hash=hash_password(password) if password else None,
            modified=False,
        )
    return {"id": account_id, "username": username, "email": email, "role": role}


@users.command("create")
def users_create(
    username: Annotated[str, typer.Option("--username")],
    email: Annotated[str, typer.Option("--email")],
    role: Annotated[str, typer.Option("--role")] = "customer",
    password: Annotated[str | None, typer.Option("--password")] = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an account (staff who call the API are accounts too)."""
    account = _create_account(_store(database), username, email, role, password)
    typer.echo(
        json.dumps(account) if as_json else f"created {account['role']} {username} (id {account['id']})"
    )


@keys.command("create")
def keys_create(
    user: Annotated[str, typer.Option("--user", help="Username, email or id of the key's owner")],
    permissions: Annotated[str, typer.Option("--permissions")] = "read_write",
    description: Annotated[str, typer.Option("--description")] = "",
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a consumer key and secret; the key is shown once and stored only as a digest."""
    store = _store(database)
    try:
        with store.write() as unit:
            issued = credentials.issue_key(
                unit, credentials.find_account(unit, user), permissions, description
            )
    except DomainError as exc:
        _fail(f"{exc.reason.replace('_', ' ')}: {user if exc.field == 'user' else permissions}")
        return
    out = {
        "key_id": issued.key_id,
        "user_id": issued.account.id,
        "consumer_key": issued.consumer_key,
        "consumer_secret": issued.consumer_secret,
        "permissions": issued.permissions,
    }
    typer.echo(json.dumps(out) if as_json else "\n".join(f"{k}: {v}" for k, v in out.items()))


@app_pw.command("create")
def app_passwords_create(
    user: Annotated[str, typer.Option("--user", help="Username, email or id")],
    name: Annotated[str, typer.Option("--name")] = "regulars",
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an application password for Basic auth on every /wp-json route (HTTPS only)."""
    store = _store(database)
    try:
        with store.write() as unit:
            secret = credentials.site_secret(unit)
            issued = credentials.issue_app_password(unit, credentials.find_account(unit, user), name, secret)
    except DomainError:
        _fail(f"no such user: {user}")
        return
    out = {"user_id": issued.account.id, "username": issued.account.username, "password": issued.password}
    typer.echo(json.dumps(out) if as_json else f"{out['username']}: {app_passwords.chunked(issued.password)}")


FormatOption = Annotated[
    str | None, typer.Option("--format", help="jsonl or csv (default: from the file's extension)")
]


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[customers]:,} customers"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


@app.command("import")
def import_customers(
    file: Annotated[Path, typer.Argument(help="A .jsonl/.ndjson or .csv file", exists=True, dir_okay=False)],
    fmt: FormatOption = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Lines per transaction")] = 10_000,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import customers as WooCommerce's REST create stores them. Lines whose email is already registered
    are skipped, so running the same file again finishes an interrupted import without duplicates."""
    import orjson

    from regulars.dialects import wc_file
    from regulars.services import transfer

    try:
        kind = wc_file.format_of(file, fmt)
    except wc_file.FileError as exc:
        _fail(str(exc))
    store = _store(database)
    rejects_path = file.with_name(file.name + ".rejects.jsonl")
    totals = {"lines": 0, "imported": 0, "existing": 0, "rejected": 0}
    raws: dict[int, Any] = {}  # what the lines of the current batch held, for the rejects file
    done_through = 0  # the last line of the batches done
    started = time.perf_counter()
    stopped: str | None = None
    with file.open("rb") as stream, rejects_path.open("wb") as rejects, _progress() as progress:
        task = progress.add_task("importing", total=file.stat().st_size, customers=0)

        def lines() -> Iterator[tuple[int, Any]]:
            for line in wc_file.read(stream, kind):
                raws[line.number] = line.raw
                yield line.number, line.item

        def indexing(count: int) -> None:
            progress.update(task, description=f"building {count} indexes")

        importer = transfer.Importer(
            store, batch_size, expected=wc_file.expected_lines(file, kind), on_indexing=indexing
        )
        try:
            for outcome in importer.run(lines()):
                rejects.write(
                    b"".join(
                        orjson.dumps(wc_file.rejection(n, e, raws[n])) + b"\n" for n, e in outcome.rejected
                    )
                )
                rejects.flush()
                for number in range(done_through + 1, outcome.last_line + 1):
                    raws.pop(number, None)  # not clear(): the next batch's lines may be read already
                done_through = outcome.last_line
                for name, count in zip(
                    totals,
                    (outcome.lines, outcome.imported, outcome.existing, len(outcome.rejected)),
                    strict=True,
                ):
                    totals[name] += count
                progress.update(task, completed=stream.tell(), customers=totals["imported"])
        except wc_file.FileError as exc:
            stopped = str(exc)
        except KeyboardInterrupt:
            stopped = "interrupted"
    store.dispose()
    if not totals["rejected"]:
        rejects_path.unlink()
    if stopped:
        _fail(
            f"{stopped}. The {totals['imported']:,} customers imported before are stored; "
            "run the same command again to import the rest."
        )
    seconds = time.perf_counter() - started
    summary = {
        **totals,
        "rejects_file": str(rejects_path) if totals["rejected"] else None,
        "seconds": round(seconds, 3),
    }
    if as_json:
        typer.echo(json.dumps(summary))
        return
    typer.echo(
        f"imported {totals['imported']:,} customers, {totals['existing']:,} already there, "
        f"{totals['rejected']:,} rejected ({totals['lines'] / max(seconds, 1e-9):,.0f} lines/s)"
    )
    if totals["rejected"]:
        typer.echo(f"rejected lines and why: {rejects_path}")


@app.command("export")
def export_customers(
    file: Annotated[Path, typer.Argument(help="A .jsonl/.ndjson or .csv file to write", dir_okay=False)],
    fmt: FormatOption = None,
    role: Annotated[str, typer.Option("--role", help="customer, all, or another role")] = "customer",
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export customers as GET /wp-json/wc/v3/customers shows them (never passwords), in id order."""
    from zoneinfo import ZoneInfo

    from regulars.dialects import wc_file
    from regulars.services import transfer
    from regulars.settings import Settings

    try:
        kind = wc_file.format_of(file, fmt)
    except wc_file.FileError as exc:
        _fail(str(exc))
    if role != "all" and role not in ROLES:
        _fail(f"role must be all or one of {', '.join(ROLES)}")
    store = _store(database)
    wanted = None if role == "all" else role
    timezone = Settings.from_env().timezone
    zone = None if timezone == "UTC" else ZoneInfo(timezone)
    partial = file.with_name(file.name + ".partial")  # the file appears only once complete
    exported = 0
    started = time.perf_counter()
    with partial.open("wb") as stream, _progress() as progress:
        task = progress.add_task("exporting", total=transfer.export_count(store, wanted), customers=0)
        writer = wc_file.Writer(stream, kind, zone)
        for page in transfer.export_pages(store, wanted):
            writer.write(page)
            exported += len(page)
            progress.update(task, completed=exported, customers=exported)
        writer.close()
    store.dispose()
    partial.replace(file)
    seconds = time.perf_counter() - started
    if as_json:
        typer.echo(json.dumps({"exported": exported, "file": str(file), "seconds": round(seconds, 3)}))
        return
    typer.echo(
        f"exported {exported:,} customers to {file} ({exported / max(seconds, 1e-9):,.0f} customers/s)"
    )


def bootstrap(store: Store) -> dict | None:
    """On an empty store, an administrator with a key and an application password, shown once."""
    with store.read() as unit:
        if unit.accounts.count():
            return None
    email = os.environ.get("REGULARS_ADMIN_EMAIL", "admin@example.com")
    account = _create_account(store, "admin", email, "administrator", None)
    with store.write() as unit:
        owner = unit.accounts.get(account["id"])
        assert owner is not None
        key = credentials.issue_key(unit, owner, "read_write", "created by regulars serve")
        password = credentials.issue_app_password(
            unit, owner, "regulars serve", credentials.site_secret(unit)
        )
    return {
        "username": "admin",
        "consumer_key": key.consumer_key,
        "consumer_secret": key.consumer_secret,
        "application_password": password.password,
    }


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8080,
    database: DatabaseOption = None,
    workers: Annotated[int, typer.Option("--workers")] = 1,
    ssl_certfile: Annotated[str | None, typer.Option("--ssl-certfile")] = None,
    ssl_keyfile: Annotated[str | None, typer.Option("--ssl-keyfile")] = None,
    log_level: Annotated[str, typer.Option("--log-level")] = "warning",
) -> None:
    """Run the server (applies pending migrations first)."""
    import uvicorn

    from regulars.services import transfer

    url = _database(database)
    os.environ["REGULARS_DATABASE_URL"] = url
    store = _store(url)
    created = bootstrap(store)
    deferred = transfer.deferred_indexes(store)
    store.dispose()
    if deferred:
        console.print(
            f"[yellow]warning:[/yellow] {deferred} indexes are deferred by an import that is running or "
            "was interrupted: lists and searches are slow until it ends (`regulars migrate` builds them)"
        )
    if created:
        console.print("[bold]A new store: an administrator was created. These are shown only once:[/bold]")
        for name, value in created.items():
            console.print(f"  {name}: {value}")
    scheme = "https" if ssl_certfile else "http"
    console.print(f"Regulars listening on {scheme}://{host}:{port} (database {url})")
    uvicorn.run(
        "regulars.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
        log_level=log_level,
        access_log=False,
        proxy_headers=False,
    )


def main() -> None:
    app()
