"""`fingerprint-client mock-server`: run the mock takedown service in the foreground."""

from __future__ import annotations

from pathlib import Path

import click

from fingerprint_client.cli.context import CliContext


@click.command("mock-server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--memory", is_flag=True, help="Keep nothing: state lives in memory only.")
@click.option(
    "--record",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append every request as a JSON line to FILE (created 0600; PINs and keys masked).",
)
@click.option(
    "--faults",
    metavar="SPEC",
    help='Inject faults on /v1/*, e.g. "500:0.1,503:0.05,429:0.05,timeout:0.05,reset:0.05,'
    'drop-response:0.05".',
)
@click.option("--seed", type=int, help="Seed for faults and simulated platform feedback.")
@click.option(
    "--advance-after",
    type=click.FloatRange(min=0),
    metavar="S",
    help="Cases move from received to active after S seconds.",
)
@click.option(
    "--feedback",
    type=click.FloatRange(0, 1),
    default=0.0,
    metavar="RATE",
    help="Chance that each fictional platform reports back on an active case.",
)
@click.option(
    "--timeout-delay",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    metavar="S",
    help="How long a 'timeout' fault holds the answer.",
)
@click.option("--api-key", metavar="KEY", help="Require Authorization: Bearer KEY on /v1/*.")
@click.option("--allow-remote", is_flag=True, help="Allow a non-loopback --host.")
@click.option("--admin-token", metavar="TOKEN", help="Required on /_mock/* (X-Admin-Token).")
@click.pass_obj
def mock_server(
    obj: CliContext,
    host: str,
    port: int,
    memory: bool,
    record: Path | None,
    faults: str | None,
    seed: int | None,
    advance_after: float | None,
    feedback: float,
    timeout_delay: float,
    api_key: str | None,
    allow_remote: bool,
    admin_token: str | None,
) -> None:
    """Run the mock takedown service (protocol v1) for tests and demos.

    State is kept in DATA-DIR/mock-service.sqlite3 unless --memory. Docs: /docs.
    """
    from fingerprint_client.mock_server.config import FaultSpecError
    from fingerprint_client.mock_server.embedded import (
        MockRunner,
        RemoteBindRefused,
        build_config,
        check_bind,
        serve_in_foreground,
    )

    try:
        check_bind(host, allow_remote, admin_token)
    except RemoteBindRefused as exc:
        raise click.UsageError(str(exc)) from None
    try:
        config = build_config(
            data_dir=None if memory else obj.dirs.data,
            memory=memory,
            faults=faults,
            seed=seed,
            advance_after=advance_after,
            feedback=feedback,
            timeout_delay=timeout_delay,
            api_key=api_key,
            admin_token=admin_token,
            record=record,
        )
    except FaultSpecError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    try:
        runner = MockRunner(config, host, port)
    except OSError as exc:
        raise click.ClickException(
            f"Cannot listen on {host}:{port} ({exc.strerror or 'address unavailable'}). "
            "Is another server using that port? Try --port 0 for a free one."
        ) from None

    def ready(url: str) -> None:
        where = "memory (nothing is kept)" if memory else "the data directory"
        click.echo(f"Mock takedown service on {url}  (docs: {url}/docs)", err=True)
        click.echo(f"State: {where}. Press Ctrl-C to stop.", err=True)

    serve_in_foreground(runner, ready)
    click.echo("Mock service stopped.", err=True)
