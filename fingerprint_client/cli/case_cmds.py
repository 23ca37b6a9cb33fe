"""`submit`, `sync`, `cases`, `status` and `withdraw`: cases at a takedown service.

The work itself is in `fingerprint_client.casework` (shared with the TUI); this module parses
options, asks, prints and chooses the exit status. IDs are a local id (`C-XXXXXX`) or the
service's case id.
"""

from __future__ import annotations

import json
import sys
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from fingerprint_client.casework import (
    CaseworkError,
    ClientPool,
    deliver,
    refresh,
    sync,
    withdraw_case,
    withdraw_hash,
)
from fingerprint_client.cli.case_render import case_table, progress_bar, timeline
from fingerprint_client.cli.case_submit import interactive, run_submit
from fingerprint_client.cli.context import CliContext
from fingerprint_client.cli.ids import case_or_fail, id_command
from fingerprint_client.cli.local_cmds import fail, open_local
from fingerprint_client.keystore import KeystoreError
from fingerprint_client.service.client import ClientSettings
from fingerprint_client.service.errors import ServiceError
from fingerprint_client.service.protocol_constants import normalize_pin
from fingerprint_client.store import Store, StoreError

__all__ = ["cases_cmd", "status_cmd", "submit_cmd", "sync_cmd", "withdraw_cmd"]


def _quick_clients(store: Store) -> ClientPool:
    """Clients for a quick look (status, cases): one retry, so being offline costs little."""
    settings = ClientSettings.from_environ()
    return ClientPool(store, settings=replace(settings, retries=min(settings.retries, 1)))


def _pin_from_stdin(local_id: str) -> dict[str, str]:
    pin = normalize_pin(sys.stdin.readline().strip())
    if pin is None:
        fail("That is not a case PIN (12 letters and digits, like 7KQ2-M9XD-4TA0).", 2)
    return {local_id: pin}


@click.command("submit")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--from-hashes",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Submit from a `hash --json --no-paths` file made on the person's own device.",
)
@click.option("--program", type=click.Choice(["adult", "under18"]), help="Which program.")
@click.option("--profile", help="The service profile (default: the default profile).")
@click.option("--label", help="A private note for this device (kept encrypted, never sent).")
@click.option("--yes", is_flag=True, help="Send without asking (the requests are still shown).")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; store and send nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the local case object.")
@click.option("--show-pin", is_flag=True, help="Print the case PIN (needed without a keyring).")
@click.pass_obj
def submit_cmd(ctx: CliContext, /, **options: Any) -> None:
    """Fingerprint PATH... (files and folders) and ask the service to block them, as one case.

    Only fingerprints are sent - you see every byte first. Exit: 0 delivered, 3 queued
    (`sync` sends it later), 1 refused, 2 usage.
    """
    sys.exit(run_submit(ctx, **options))  # the options are run_submit's keyword parameters


@click.command("sync")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_obj
def sync_cmd(ctx: CliContext, as_json: bool) -> None:
    """Send everything queued, then check every open case for news."""
    with open_local(ctx) as store, ClientPool(store) as clients:
        try:
            with progress_bar("Syncing") as bar:
                report = sync(store, clients, progress=bar)
        except (ServiceError, StoreError, KeystoreError, CaseworkError) as exc:
            fail(exc.message)
    counts = report.counts()
    if as_json:
        click.echo(json.dumps(counts))
        return
    click.echo(
        "Delivered: {delivered}, still queued: {queued}, refused: {failed}, "
        "checked for news: {refreshed}.".format(**counts)
    )
    for lid, message in {**report.delivery.errors, **report.refresh.errors}.items():
        click.echo(f"  {lid}: {message}", err=True)


@click.command("cases")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of cases.")
@click.pass_obj
def cases_cmd(ctx: CliContext, as_json: bool) -> None:
    """List the cases on this device (checked for news when the service can be reached)."""
    with open_local(ctx) as store:
        # offline, the local view is still right
        with _quick_clients(store) as clients, suppress(ServiceError, CaseworkError, KeystoreError):
            refresh(store, clients)
        cases = store.list_cases()
    if as_json:
        click.echo(json.dumps([c.to_json() for c in cases], ensure_ascii=False))
    elif not cases:
        click.echo("No cases on this device yet. `submit --help` shows how to make one.")
    else:
        case_table(cases)


@id_command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the case with its events as JSON.")
@click.option("--pin-stdin", is_flag=True, help="Read the case PIN from stdin (no keyring).")
@click.pass_obj
def status_cmd(ctx: CliContext, ident: str, as_json: bool, pin_stdin: bool) -> None:
    """Show case ID (local id or case id) and its timeline, checked for news first."""
    with open_local(ctx) as store:
        case = case_or_fail(store, ident)
        pins = _pin_from_stdin(case.local_id) if pin_stdin else None
        with _quick_clients(store) as clients:
            try:
                result = refresh(store, clients, local_id=case.local_id, pins=pins)
            except (ServiceError, CaseworkError, KeystoreError) as exc:
                result = None
                click.echo(f"Not checked for news: {exc}", err=True)
        if result is not None and case.local_id in result.errors:
            click.echo(f"Not checked for news: {result.errors[case.local_id]}", err=True)
        elif result is not None and case.local_id in result.skipped and pins is None:
            click.echo(
                "Not checked for news: the case PIN is not in the keyring (or the service "
                "cannot be reached). With the PIN at hand: `status ID --pin-stdin`.",
                err=True,
            )
        case = store.require_case(case.local_id)
        events = store.events(case.local_id)
    if as_json:
        out = case.to_json()
        out["events"] = [e.to_json() for e in events]
        click.echo(json.dumps(out, ensure_ascii=False))
    else:
        timeline(case, events)


@id_command("withdraw")
@click.option("--hash", "hash_id", metavar="HASH_ID", help="Withdraw only this fingerprint.")
@click.option("--forget", is_flag=True, help="Also delete the fingerprints from this device.")
@click.option("--yes", is_flag=True, help="Do not ask first.")
@click.option("--pin-stdin", is_flag=True, help="Read the case PIN from stdin (no keyring).")
@click.pass_obj
def withdraw_cmd(
    ctx: CliContext, ident: str, hash_id: str | None, forget: bool, yes: bool, pin_stdin: bool
) -> None:
    """Withdraw case ID, or one of its fingerprints. A case never sent is cancelled here.

    Exit: 0 withdrawn or cancelled, 3 queued (`sync` sends it), 1 refused, 2 usage.
    """
    with open_local(ctx) as store:
        case = case_or_fail(store, ident)
        pins = _pin_from_stdin(case.local_id) if pin_stdin else None
        what = "this fingerprint" if hash_id else f"case {case.local_id}"
        if not yes:
            if not interactive():
                fail("Nothing was withdrawn. Add --yes to withdraw without being asked.", 2)
            if not click.confirm(f"Withdraw {what}? Platforms will stop blocking it.", False):
                fail("Nothing was withdrawn.")
        try:
            outcome = (
                withdraw_hash(store, case.local_id, hash_id)
                if hash_id
                else withdraw_case(store, case.local_id)
            )
            report = None
            if outcome.outcome == "queued":
                with ClientPool(store) as clients, progress_bar("Withdrawing") as bar:
                    report = deliver(
                        store, clients, local_id=case.local_id, pins=pins, progress=bar
                    )
            if forget:
                store.forget_case_hashes(case.local_id)
        except CaseworkError as exc:
            fail(exc.message, 2 if exc.usage else 1)
        except (ServiceError, StoreError, KeystoreError) as exc:
            fail(exc.message)
        case = store.require_case(case.local_id)
    if outcome.outcome == "cancelled":
        click.echo(f"Case {case.local_id} was never sent; it is cancelled on this device.")
    elif outcome.outcome == "already":
        click.echo(f"Nothing to do: {what} is already {case.status}.")
    elif report is not None and case.local_id in report.failed:
        fail(f"The service refused: {report.errors.get(case.local_id, '')}")
    elif report is not None and case.local_id in report.queued:
        click.echo(f"The withdrawal of {what} is queued; `sync` sends it.", err=True)
        sys.exit(3)
    else:
        click.echo(f"Withdrawn: {what}. Status now: {case.status}.")
    if forget:
        click.echo("The fingerprints were deleted from this device.")
