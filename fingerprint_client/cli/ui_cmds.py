"""`fingerprint-client` (the TUI) and `fingerprint-client demo`. Textual is imported lazily."""

from __future__ import annotations

import click

from fingerprint_client.cli.context import CliContext


def run_tui(ctx: CliContext) -> None:
    """Start the TUI (placeholder until the TUI issue lands)."""
    click.echo("The terminal app is not built yet. Try: fingerprint-client hash --help")


def register(group: click.Group) -> None:
    """Add this module's commands to the root group."""
