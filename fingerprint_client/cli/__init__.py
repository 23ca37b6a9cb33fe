"""The `fingerprint-client` command line.

Each group of commands lives in its own module and adds itself with `register(group)`; this module
only holds the root group, the global options and the last-resort error handler (no traceback
ever reaches a person). Textual is imported lazily, only by the commands that start the TUI.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fingerprint_client import __version__
from fingerprint_client.cli import case_cmds, hash_cmd, local_cmds, mock_cmd, ui_cmds
from fingerprint_client.cli.context import CliContext

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="FINGERPRINT_CLIENT_HOME",
    help="Keep the database, settings and logs of this run in DIR.",
)
@click.option("--debug", is_flag=True, hidden=True, help="Show internal details on errors.")
@click.version_option(__version__, prog_name="fingerprint-client")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, debug: bool) -> None:
    """Fingerprint images on this device and ask a takedown service to block them.

    Only fingerprints (hashes) ever leave this device - never the images, their names or paths.
    Run without a command to open the app.
    """
    ctx.obj = CliContext(data_dir=data_dir, debug=debug)
    if ctx.invoked_subcommand is None:
        ui_cmds.run_tui(ctx.obj)


for _module in (hash_cmd, mock_cmd, case_cmds, local_cmds, ui_cmds):
    _module.register(cli)


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
