"""`submit`: fingerprint, show exactly what will be sent, ask, queue, deliver.

Exit statuses (DESIGN.md): 0 delivered, 3 queued (`sync` sends it), 1 refused or failed,
2 usage. `--json` prints the local case object on stdout; the consent view then goes to stderr.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import click

from fingerprint_client.casework import (
    CaseworkError,
    ClientPool,
    commit_submission,
    deliver,
    hash_files_for,
    plan_submission,
    read_hashes_file,
    resolve_target,
)
from fingerprint_client.cli.case_render import consent_view, echo_failures, progress_bar
from fingerprint_client.cli.context import CliContext
from fingerprint_client.cli.local_cmds import fail, open_local, settings_for
from fingerprint_client.config import NO_SERVICE_MESSAGE, Settings
from fingerprint_client.keystore import KeystoreError
from fingerprint_client.service.client import ClientSettings
from fingerprint_client.service.errors import ServiceError
from fingerprint_client.store import CaseRecord, Store, StoreError

__all__ = ["EXIT_DELIVERED", "EXIT_QUEUED", "EXIT_REFUSED", "EXIT_USAGE", "run_submit"]

EXIT_DELIVERED, EXIT_REFUSED, EXIT_USAGE, EXIT_QUEUED = 0, 1, 2, 3
_INSECURE = (
    "There is no safe keyring on this device to keep the case PIN, so nothing was queued or "
    "sent. Set up a keyring (for example GNOME Keyring or KWallet), or run again with "
    "--show-pin: the PIN is then shown once for you to write down, the request is sent at once, "
    "and nothing is kept for later."
)


def interactive() -> bool:
    """True when a person can answer questions (stdin and stdout are terminals)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def choose_profile(store: Store, settings: Settings, wanted: str | None) -> str:
    """`--profile`, else the default profile, else the only profile; none: NO_SERVICE_MESSAGE."""
    if wanted:
        if store.get_profile(wanted) is None:
            fail(f"There is no profile called {wanted!r}. `profiles list` shows them.", 2)
        return wanted
    profiles = store.list_profiles()
    if not profiles:
        fail(NO_SERVICE_MESSAGE)
    names = [p.name for p in profiles]
    if settings.default_profile in names:
        return settings.default_profile
    if len(profiles) == 1:
        return names[0]
    fail(
        "Several profiles exist; choose one with --profile or set a default with "
        "`profiles default NAME`.",
        2,
    )


def choose_program(program: str | None) -> str:
    """`--program`, or ask a person; never guessed."""
    if program:
        return program
    if not interactive():
        fail(
            "Choose the program with --program adult (18 or over when the image was taken) or "
            "--program under18 (under 18). It is never guessed.",
            2,
        )
    return str(
        click.prompt(
            "Was the person 18 or over when the image was taken? Program",
            type=click.Choice(["adult", "under18"]),
        )
    )


def run_submit(
    ctx: CliContext,
    *,
    paths: tuple[Path, ...],
    from_hashes: Path | None,
    program: str | None,
    profile: str | None,
    label: str | None,
    yes: bool,
    dry_run: bool,
    as_json: bool,
    show_pin: bool,
) -> int:
    """The whole `submit` command; returns the exit status."""
    if bool(paths) == bool(from_hashes):
        fail("Give the images (files or folders) or --from-hashes FILE, not both.", 2)
    program = choose_program(program)
    settings = settings_for(ctx).settings
    with open_local(ctx) as store:
        profile_name = choose_profile(store, settings, profile)
        secure = store.keystore.is_secure
        if not secure and not show_pin and not dry_run:
            fail(_INSECURE)
        if not secure and label:
            click.echo("The label is left out: it can only be kept with a safe keyring.", err=True)
            label = None
        # delivery right after submit: a few quick retries, `sync` does the patient part
        client_settings = ClientSettings.from_environ()
        client_settings = replace(client_settings, retries=min(client_settings.retries, 3))
        with ClientPool(store, settings=client_settings) as clients:
            try:
                return _submit(
                    ctx, store, clients, profile_name, paths, from_hashes, program, label,
                    yes=yes, dry_run=dry_run, as_json=as_json, show_pin=show_pin,
                    secure=secure, settings=settings,
                )  # fmt: skip
            except CaseworkError as exc:
                fail(exc.message, EXIT_USAGE if exc.usage else EXIT_REFUSED)
            except (ServiceError, StoreError, KeystoreError) as exc:
                fail(exc.message)


def _submit(
    ctx: CliContext,
    store: Store,
    clients: ClientPool,
    profile_name: str,
    paths: tuple[Path, ...],
    from_hashes: Path | None,
    program: str,
    label: str | None,
    *,
    yes: bool,
    dry_run: bool,
    as_json: bool,
    show_pin: bool,
    secure: bool,
    settings: Settings,
) -> int:
    wanted, workers = settings.default_algorithms, settings.hash_workers
    target = resolve_target(store, clients, profile_name)
    if from_hashes is not None:
        entries = read_hashes_file(from_hashes)
        labels = [f"item {e.get('item', n)}" for n, e in enumerate(entries)]
    else:
        with progress_bar("Fingerprinting") as bar:
            hashed = hash_files_for(
                paths,
                target.capabilities,
                wanted=wanted,
                workers=workers,
                progress=lambda done, total: bar(done, total, "Fingerprinting"),
            )
        entries, labels = hashed.entries, hashed.labels
        if hashed.skipped:
            click.echo(
                f"{hashed.skipped} file(s) in the folders are not images; skipped.", err=True
            )
    plan = plan_submission(target, entries, program, labels=labels)
    echo_failures(plan.prepared.failed)
    consent_view(plan, err=as_json)
    if dry_run:
        if as_json:
            shown = [
                {"method": r.method, "path": r.path, "headers": r.headers, "body": r.body.decode()}
                for r in plan.shown_requests()
            ]
            click.echo(json.dumps({"dry_run": True, "requests": shown}, ensure_ascii=False))
        click.echo("Dry run: nothing was stored or sent.", err=True)
        return EXIT_DELIVERED
    if not yes:
        if not interactive():
            fail("Nothing was sent. Add --yes to send without being asked.", EXIT_USAGE)
        if not click.confirm("Send these fingerprints now?", default=False):
            click.echo("Nothing was sent.", err=True)
            return EXIT_REFUSED
    if show_pin:
        click.echo(f"PIN for this case: {plan.pin}", err=as_json)
        click.echo(
            "Write it down and keep it private: with it you can check or withdraw the request.",
            err=as_json,
        )
    case = commit_submission(
        store, plan, label=label, remember_paths=settings.remember_paths, keep_pin=secure
    )
    with progress_bar("Sending") as bar:
        report = deliver(
            store,
            clients,
            local_id=case.local_id,
            pins=None if secure else {case.local_id: plan.pin},
            progress=bar,
        )
    error = report.errors.get(case.local_id)
    if not secure:
        # no safe place for the PIN: nothing may stay queued
        unsent = store.pending_outbox(case.local_id)
        maybe_sent = any(i.kind == "create_case" and i.attempts for i in unsent)
        if store.abandon_pending(case.local_id, _NOT_KEPT):
            case = store.require_case(case.local_id)
            if as_json:
                click.echo(json.dumps(case.to_json(), ensure_ascii=False))
            return _unfinished_without_keyring(case, maybe_sent, error)
    case = store.require_case(case.local_id)
    if as_json:
        click.echo(json.dumps(case.to_json(), ensure_ascii=False))
    outbox = store.outbox(case.local_id)
    queued = any(item.state == "pending" for item in outbox)
    refused = any(item.state == "failed" for item in outbox)
    return _summary(case, queued, refused, error)


_NOT_KEPT = "Not all of it could be sent now, and without a safe keyring nothing is kept for later."


def _unfinished_without_keyring(case: CaseRecord, maybe_sent: bool, error: str | None) -> int:
    """`--show-pin` without a safe keyring, when delivery did not finish at once."""
    lid, why = case.local_id, f" ({error})" if error else ""
    if case.case_id is not None:
        sent = sum(1 for h in case.hashes if h.hash_id is not None)
        click.echo(
            f"Case {lid} reached the service: its case id is {case.case_id}. {sent} of "
            f"{len(case.hashes)} fingerprints were delivered; the others could not be sent now"
            f"{why} and are not kept for later without a safe keyring. With the case id and the "
            f"PIN shown above you can still check it (`status {case.case_id} --pin-stdin`) or "
            "withdraw it. Submit the missing images again once a safe keyring is available.",
            err=True,
        )
    else:
        click.echo(
            f"Case {lid} could not be delivered now{why}; without a safe keyring nothing is kept "
            "for later, so it is marked failed here."
            + (
                " The request may have reached the service without an answer; without its case "
                "number it cannot be checked from here. If in doubt, submit again later."
                if maybe_sent
                else " Nothing was received by the service."
            ),
            err=True,
        )
    return EXIT_REFUSED


def _summary(case: CaseRecord, queued: bool, refused: bool, error: str | None) -> int:
    lid = case.local_id
    if queued:
        click.echo(
            f"Case {lid} is saved on this device and queued"
            + (f" ({error})" if error else "")
            + ". Run `fingerprint-client sync` to send it when the service can be reached.",
            err=True,
        )
        return EXIT_QUEUED
    if case.status in {"failed", "rejected", "cancelled"}:
        click.echo(f"Case {lid} was not accepted" + (f": {error}" if error else "."), err=True)
        return EXIT_REFUSED
    if refused:
        click.echo(
            f"Case {lid} was delivered (case id {case.case_id}), but part of it was refused"
            + (f": {error}" if error else ".")
            + f" `fingerprint-client status {lid}` shows what happened.",
            err=True,
        )
        return EXIT_REFUSED
    click.echo(
        f"Case {lid} was delivered. The service's case id is {case.case_id}; status: "
        f"{case.status}. `fingerprint-client status {lid}` shows its progress.",
        err=True,
    )
    return EXIT_DELIVERED
