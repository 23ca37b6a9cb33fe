"""`profiles list|add|remove|default`: the takedown services this device talks to.

A profile is a name and a URL (https, or http on loopback only). Its API key, if any, is read
from stdin (`--api-key-stdin`, never an argument: arguments show up in process lists and shell
history) and kept only in the keyring. `list` shows whether a key is stored, never the key.
The default profile is a setting (`default_profile` in config.toml).
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from fingerprint_client.cli.context import CliContext
from fingerprint_client.cli.local_cmds import (
    fail,
    open_local,
    plain_console,
    settings_for,
    shown,
)
from fingerprint_client.config import update_settings, validate_service_url
from fingerprint_client.keystore import KeystoreError
from fingerprint_client.store import StoreError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


@click.group("profiles")
def profiles_group() -> None:
    """The takedown services this device can send to (endpoint profiles)."""


@profiles_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_obj
def list_cmd(ctx: CliContext, as_json: bool) -> None:
    """List profiles, the default, and whether an API key is stored (never the key)."""
    default = settings_for(ctx).settings.default_profile
    rows: list[dict[str, Any]] = []
    with open_local(ctx) as store:
        for p in store.list_profiles():
            try:
                has_key: bool | None = store.keystore.get_api_key(p.name) is not None
            except KeystoreError:
                has_key = None
            rows.append(
                {"name": p.name, "url": p.url, "default": p.name == default, "api_key": has_key}
            )
    if as_json:
        click.echo(json.dumps(rows))
        return
    if not rows:
        click.echo("No profiles yet. Add one with: profiles add NAME --url URL")
        return
    table = Table("Name", "Address", "Default", "API key")
    for r in rows:
        key = {True: "stored", False: "none", None: "keyring unavailable"}[r["api_key"]]
        table.add_row(
            Text(shown(r["name"])),
            Text(shown(r["url"])),
            Text("yes" if r["default"] else ""),
            Text(key),
        )
    plain_console().print(table)


@profiles_group.command("add")
@click.argument("name")
@click.option("--url", required=True, help="The service's address (https://...).")
@click.option("--api-key-stdin", is_flag=True, help="Read the service's API key from stdin.")
@click.pass_obj
def add_cmd(ctx: CliContext, name: str, url: str, api_key_stdin: bool) -> None:
    """Add profile NAME for the service at URL."""
    if not _NAME.match(name):
        fail("A profile name is 1-40 letters, digits, '.', '_' or '-'.", 2)
    try:
        url = validate_service_url(url)
    except ValueError as exc:
        fail(str(exc), 2)
    api_key = None
    if api_key_stdin:
        if sys.stdin.isatty():
            api_key = click.prompt("API key", hide_input=True, err=True, default="").strip()
        else:
            api_key = sys.stdin.readline().strip()
        if not api_key:
            fail("No API key was given on stdin.", 2)
    settings = settings_for(ctx).settings
    with open_local(ctx) as store:
        if store.get_profile(name) is not None:
            fail(f"A profile named {name} exists already; remove it first to change it.")
        if api_key is not None:
            if not store.keystore.is_secure:
                fail(
                    "There is no safe system keyring on this device, so the API key cannot be "
                    "kept safely. The profile was not added."
                )
            try:
                store.keystore.set_api_key(name, api_key)
            except KeystoreError as exc:
                fail(f"{exc.message} The profile was not added.")
        try:
            store.add_profile(name, url)
        except StoreError as exc:
            if api_key is not None:
                store.keystore.delete_api_key(name)
            fail(exc.message)
    click.echo(
        f"Profile {name} added ({url})" + (", API key stored in the keyring." if api_key else ".")
    )
    if settings.default_profile is None:
        update_settings(ctx.dirs, default_profile=name)
        click.echo(f"{name} is now the default profile.")


@profiles_group.command("remove")
@click.argument("name")
@click.pass_obj
def remove_cmd(ctx: CliContext, name: str) -> None:
    """Remove profile NAME and its API key. Cases made with it keep its name and address."""
    with open_local(ctx) as store:
        if not store.remove_profile(name):
            fail(f"There is no profile named {name}.")
        try:
            store.keystore.delete_api_key(name)
        except KeystoreError as exc:
            click.echo(f"{exc.message} Its API key may remain in the keyring.", err=True)
    click.echo(f"Profile {name} removed.")
    if settings_for(ctx).settings.default_profile == name:
        update_settings(ctx.dirs, default_profile=None)
        click.echo("There is no default profile now.")


@profiles_group.command("default")
@click.argument("name", required=False)
@click.pass_obj
def default_cmd(ctx: CliContext, name: str | None) -> None:
    """Make NAME the default profile (without NAME: show the default)."""
    if name is None:
        current = settings_for(ctx).settings.default_profile
        click.echo(current if current else "No default profile is set.")
        return
    with open_local(ctx) as store:
        if store.get_profile(name) is None:
            fail(f"There is no profile named {name}. `profiles list` shows them.")
    update_settings(ctx.dirs, default_profile=name)
    click.echo(f"{name} is now the default profile.")
