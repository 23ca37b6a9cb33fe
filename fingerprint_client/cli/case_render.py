"""How `submit`, `sync`, `cases`, `status` and `withdraw` show things: the consent view, case
tables, the timeline and progress bars. Everything from files or the service is shown as plain
text (rich `Text`, `markup=False`), never as markup.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from fingerprint_client.casework import FailedItem, SubmitPlan
from fingerprint_client.store import CaseRecord, EventRecord

__all__ = [
    "case_table",
    "consent_view",
    "echo_failures",
    "progress_bar",
    "timeline",
]


def _console(err: bool) -> Console:
    return Console(stderr=err, markup=False, highlight=False, emoji=False, soft_wrap=True)


def consent_view(plan: SubmitPlan, *, err: bool = False) -> None:
    """Print every request exactly as it will be sent (PIN and key masked), then what it
    reveals. Each body is printed alone on the line after `Body (N bytes):`, byte for byte."""

    def echo(text: str = "") -> None:
        click.echo(text, err=err)

    shown = plan.shown_requests()
    echo(f"This is exactly what will be sent ({len(shown)} request(s)):")
    for n, req in enumerate(shown, 1):
        echo()
        path = req.path.replace("{case_id}", "<case id from the service>")
        echo(f"Request {n} of {len(shown)}: {req.method} {path}")
        for name, value in req.headers.items():
            echo(f"  {name}: {value}")
        echo(f"Body ({len(req.body)} bytes):")
        echo(req.body.decode("utf-8"))
    echo()
    echo("What this reveals:")
    for line in plan.reveal_lines():
        echo(f"  - {line}")


def echo_failures(failed: list[FailedItem]) -> None:
    """List files that failed on stderr: the path (or item n) beside the message."""
    if not failed:
        return
    click.echo(f"{len(failed)} file(s) could not be fingerprinted and are left out:", err=True)
    for item in failed:
        click.echo(f"  {item.label}: {item.message} [{item.code}]", err=True)


def case_table(cases: list[CaseRecord]) -> None:
    """The `cases` table on stdout."""
    table = Table(show_edge=False, header_style="bold")
    for col in (
        "local id",
        "case id",
        "status",
        "program",
        "profile",
        "label",
        "hashes",
        "created",
    ):
        table.add_column(col)
    for c in cases:
        table.add_row(
            Text(c.local_id),
            Text(c.case_id or "-"),
            Text(c.status),
            Text(c.program),
            Text(c.profile),
            Text(c.display_label),
            Text(str(len(c.hashes))),
            Text(c.created_at),
        )
    _console(False).print(table)


def timeline(case: CaseRecord, events: list[EventRecord]) -> None:
    """A readable status page: the case, its fingerprints and its timeline."""
    out = _console(False)
    out.print(
        Text(
            f"Case {case.local_id}"
            + (f"  (service case id {case.case_id})" if case.case_id else "")
        )
    )
    out.print(Text(f"Status: {case.status}    Program: {case.program}    Profile: {case.profile}"))
    if case.display_label:
        out.print(Text(f"Label: {case.display_label}"))
    out.print(Text(f"Fingerprints: {len(case.hashes)}"))
    for h in case.hashes:
        value = (
            f"{len(h.frames or [])} frames"
            if h.algorithm == "pdq_frames"
            else (h.value or "(removed)")
        )
        out.print(Text(f"  {h.hash_id or '-':<14} {h.algorithm:<10} {h.status:<15} {value}"))
    out.print(Text("Timeline:"))
    for ev in events:
        extra = f" [{ev.platform}: {ev.action}]" if ev.platform else ""
        who = "service" if ev.source == "service" else "this device"
        out.print(Text(f"  {ev.at}  {ev.status:<15} {ev.detail}{extra}  ({who})"))


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A rich progress bar on stderr when it is a terminal; otherwise a silent callback."""
    if not sys.stderr.isatty():
        yield lambda done, total, what: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_console(True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=max(total, 1), description=what or label)

        yield update
