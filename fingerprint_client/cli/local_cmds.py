"""Commands that only use this device: `pin`, `check`, `export`, `forget` and `profiles`.

Also the helpers other command modules may share: `open_local(ctx)` (settings, logging, keystore,
store for this run), `fail(message)` and `plain_console()`. Exit codes: 0 ok, 1 failure, 2 usage.
Tables use rich with every cell as plain `Text` (file names and server text are never markup).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console

from fingerprint_client.cli.context import CliContext, fail
from fingerprint_client.cli.ids import case_or_fail, id_command
from fingerprint_client.config import LoadedSettings, load_settings
from fingerprint_client.forget import forget_everything
from fingerprint_client.keystore import KeystoreError, open_keystore
from fingerprint_client.logs import setup_logging
from fingerprint_client.receipt import build_receipt, receipt_text
from fingerprint_client.service.sanitize import clean_text
from fingerprint_client.store import Store, StoreError, now


def shown(value: object) -> str:
    """Text safe to print: undecodable bytes of file names as backslash escapes, no terminal
    escape sequences or control characters (file names and server text are never trusted)."""
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return clean_text(text, 4000)


def plain_console(stderr: bool = False) -> Console:
    """A rich console that never interprets markup or highlights."""
    return Console(stderr=stderr, markup=False, highlight=False, emoji=False, soft_wrap=False)


def settings_for(ctx: CliContext) -> LoadedSettings:
    """This run's settings; a problem with the file is reported once on stderr."""
    loaded = load_settings(ctx.dirs)
    if loaded.problem:
        click.echo(loaded.problem, err=True)
    return loaded


def open_local(ctx: CliContext) -> Store:
    """Settings, logging, keystore and store of this run; a clear message and exit 1 when the
    store cannot be opened."""
    settings = settings_for(ctx).settings
    setup_logging(ctx.dirs, settings.debug_logging)
    try:
        return Store.open(ctx.dirs, open_keystore())
    except StoreError as exc:
        fail(exc.message)


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path`, created or replaced with mode 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(data)


@id_command("pin")
@click.option("--json", "as_json", is_flag=True, help='Print {"pin": "..."}.')
@click.pass_obj
def pin_cmd(ctx: CliContext, ident: str, as_json: bool) -> None:
    """Show the PIN of case ID (a local id or a case id) again, from the keyring."""
    with open_local(ctx) as store:
        case = case_or_fail(store, ident, code=1)
        try:
            pin = store.keystore.get_pin(case.local_id)
        except KeystoreError as exc:
            fail(exc.message)
    if pin is None:
        fail(
            "The PIN of this case is not in the keyring. It was shown when the request was made; "
            "without it the service cannot be asked about this case."
        )
    if as_json:
        click.echo(json.dumps({"pin": pin}))
    else:
        click.echo(f"PIN of case {case.local_id}: {pin}")
        click.echo("Keep it private: with the case number it lets anyone withdraw the request.")


@id_command("export")
@click.option(
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write FILE.txt (readable) and FILE.json (for software), both private (0600).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON receipt instead of text.")
@click.pass_obj
def export_cmd(ctx: CliContext, ident: str, output: Path | None, as_json: bool) -> None:
    """A receipt of case ID for the police or a helpline: case ids, service, fingerprints,
    times and statuses. No images, file names, paths, PIN or label."""
    with open_local(ctx) as store:
        case = case_or_fail(store, ident, code=1)
        receipt = build_receipt(case, store.events(case.local_id), now())
    data_json = json.dumps(receipt, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    text = receipt_text(receipt)
    if output is None:
        if as_json:
            click.echo(data_json.decode("utf-8"), nl=False)
        else:
            click.echo(text, nl=False)
        return
    stem = output.with_suffix("") if output.suffix in (".txt", ".json") else output
    targets = [stem.with_name(stem.name + ".txt"), stem.with_name(stem.name + ".json")]
    try:
        write_private(targets[0], text.encode("utf-8"))
        write_private(targets[1], data_json)
    except OSError as exc:
        fail(f"The receipt could not be written ({exc.strerror or type(exc).__name__}).")
    click.echo("Receipt written (readable text, then JSON):")
    for t in targets:
        click.echo(f"  {shown(t)}")


def _confirm_forget() -> bool:
    click.echo(
        "This deletes everything fingerprint-client keeps on this device for this data folder:\n"
        "  - every case, fingerprint and queued request in the local database\n"
        "  - the settings and the log files\n"
        "  - this app's PINs, API keys and label key in the system keyring\n"
        "Requests already sent stay at the service; without the PINs you cannot withdraw them "
        "from here any more."
    )
    try:
        return click.confirm("Delete all of it now?", default=False)
    except click.Abort:
        return False


@click.command("forget")
@click.option("--all", "forget_all", is_flag=True, help="Forget everything (required).")
@click.option("--yes", is_flag=True, help="Do not ask first.")
@click.pass_obj
def forget_cmd(ctx: CliContext, forget_all: bool, yes: bool) -> None:
    """Wipe the database, settings, logs and this app's keyring entries."""
    if not forget_all:
        fail("`forget` needs --all: it deletes everything this app keeps. See --help.", 2)
    if not yes and not _confirm_forget():
        fail("Nothing was deleted.")
    report = forget_everything(ctx.dirs, open_keystore())
    for line in report.lines():
        click.echo(line)
    if report.problems:
        for problem in report.problems:
            click.echo(problem, err=True)
        sys.exit(1)


__all__ = ["fail", "open_local", "plain_console", "shown", "write_private"]
