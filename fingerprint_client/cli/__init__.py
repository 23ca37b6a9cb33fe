"""The `fingerprint-client` command line.

Each group of commands lives in its own module; this module only holds the root group, the
global options and the last-resort error handler (no traceback ever reaches a person). Commands
are loaded lazily (`LazyGroup`): `hash` never imports the store, the service client or Textual,
so it starts fast; Textual is imported only by the commands that start the TUI.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from fingerprint_client.cli import ui_cmds
from fingerprint_client.cli.context import CliContext

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: Every command: its name and where it lives ("module:attribute" under fingerprint_client.cli).
COMMANDS: dict[str, str] = {
    "hash": "hash_cmd:hash_command",
    "submit": "case_cmds:submit_cmd",
    "sync": "case_cmds:sync_cmd",
    "cases": "case_cmds:cases_cmd",
    "status": "case_cmds:status_cmd",
    "withdraw": "case_cmds:withdraw_cmd",
    "pin": "local_cmds:pin_cmd",
    "check": "local_check:check_cmd",
    "export": "local_cmds:export_cmd",
    "forget": "local_cmds:forget_cmd",
    "profiles": "local_profiles:profiles_group",
    "demo": "ui_cmds:demo_cmd",
    "guidance": "ui_cmds:guidance_cmd",
    "mock-server": "mock_cmd:mock_server",
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command is used
    (click's documented lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = COMMANDS[cmd_name].split(":")
        module = importlib.import_module(f"fingerprint_client.cli.{module_name}")
        command = getattr(module, attribute)
        if not isinstance(command, click.Command):  # pragma: no cover - a wiring mistake
            raise TypeError(f"{COMMANDS[cmd_name]} is not a click command")
        return command


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """`--version`: the installed version, looked up only when asked (importlib.metadata
    costs ~20 ms, which every command would otherwise pay at start)."""
    if not value or ctx.resilient_parsing:
        return
    from fingerprint_client import __version__

    click.echo(f"fingerprint-client, version {__version__}")
    ctx.exit()


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="FINGERPRINT_CLIENT_HOME",
    help="Keep the database, settings and logs of this run in DIR.",
)
@click.option("--debug", is_flag=True, hidden=True, help="Show internal details on errors.")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, debug: bool) -> None:
    """Fingerprint images on this device and ask a takedown service to block them.

    Only fingerprints (hashes) ever leave this device - never the images, their names or paths.
    Run without a command to open the app.
    """
    ctx.obj = CliContext(data_dir=data_dir, debug=debug)
    if ctx.invoked_subcommand is None:
        ui_cmds.run_tui(ctx.obj)


def main() -> None:
    """Console entry point: runs the CLI; an unexpected error gets a calm message, no traceback."""
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("Stopped. Nothing more was done.", err=True)
        sys.exit(130)
    except Exception as exc:  # last resort: never a traceback for a person
        if "--debug" in sys.argv:
            raise
        click.echo(
            f"Something went wrong inside fingerprint-client ({type(exc).__name__}). "
            "Nothing was sent that you did not confirm. Please try again; "
            "run with --debug to see details.",
            err=True,
        )
        sys.exit(1)
