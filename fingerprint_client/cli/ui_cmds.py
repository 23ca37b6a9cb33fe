"""`fingerprint-client` (the TUI) and `fingerprint-client demo`. Textual is imported lazily."""

from __future__ import annotations

from pathlib import Path

import click

from fingerprint_client.cli.context import CliContext


def run_tui(ctx: CliContext) -> None:
    """Start the TUI on the person's own data and keyring."""
    from fingerprint_client import config
    from fingerprint_client.keystore import open_keystore
    from fingerprint_client.tui.app import make_app
    from fingerprint_client.tui.core_backend import CoreBackend
    from fingerprint_client.tui.themes import SETTING_TO_THEME

    dirs = ctx.dirs
    backend = CoreBackend(dirs, open_keystore())
    theme = SETTING_TO_THEME.get(config.load_settings(dirs).settings.theme)
    app = make_app(backend, hard_exit=True, theme=theme, start_dir=Path.home())
    try:
        app.run()
    finally:
        backend.close()


def run_demo() -> None:
    """Start the TUI in demo mode; say on a normal exit that nothing real was contacted."""
    from fingerprint_client.tui.app import make_app
    from fingerprint_client.tui.demo import GOODBYE, DemoSession

    session = DemoSession.start()
    try:
        app = make_app(
            session.backend,
            demo=True,
            start_dir=session.pictures,
            on_quick_exit=session.cleanup,
            hard_exit=True,
            export_dir=session.root / "receipts",
        )
        app.run()
    finally:
        session.close()
    if not app.quick_exited:
        click.echo(GOODBYE)


@click.command("demo")
def demo_cmd() -> None:
    """Try the app safely: a practice service on this computer, generated pictures, and
    nothing kept afterwards. Nothing is sent to a real service."""
    run_demo()


@click.command("guidance")
def guidance_cmd() -> None:
    """What to do now, where to get help, and what a fingerprint (hash) is and is not - the
    same guidance the app shows with F1."""
    from fingerprint_client.guidance import render_plain

    click.echo(render_plain(), nl=False)
