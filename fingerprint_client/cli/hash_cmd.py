"""`fingerprint-client hash`: fingerprints of files and folders, computed here, sent nowhere.

Output: `--json` prints one JSON object per line, in input order (folders that could not be
read come first); otherwise a readable table. Progress goes to stderr only when it is a
terminal. Exit 0 when every file was fingerprinted, 1 when some could not be, 2 for usage.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from fingerprint_client.hashing import (
    DEFAULT_ALGORITHMS,
    SUPPORTED_ALGORITHMS,
    FileResult,
    HashOptions,
    InputHashing,
    InputOutcome,
    InputSet,
)

if TYPE_CHECKING:
    from rich.progress import Progress as ProgressBar


def _parse_algorithms(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_ALGORITHMS
    names = tuple(dict.fromkeys(n.strip().lower() for n in value.split(",") if n.strip()))
    if not names:
        raise click.BadParameter("name at least one algorithm.")
    unknown = [n for n in names if n not in SUPPORTED_ALGORITHMS]
    if unknown:
        why = (
            " (colorhash is never computed: it tracks skin colour)"
            if "colorhash" in unknown
            else ""
        )
        raise click.BadParameter(
            f"unknown: {', '.join(unknown)}{why}. Choose from {', '.join(SUPPORTED_ALGORITHMS)}."
        )
    return names


@click.command("hash")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file.")
@click.option("--no-paths", is_flag=True, help='Number the files ("item": n) instead of naming.')
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@click.option(
    "--algorithms",
    callback=_parse_algorithms,
    metavar="LIST",
    help=f"Comma-separated, from {','.join(SUPPORTED_ALGORITHMS)} "
    f"(default {','.join(DEFAULT_ALGORITHMS)}).",
)
@click.option("--variants", is_flag=True, help="Also the PDQ of the 8 rotations/mirrorings.")
@click.option("--recursive", "-r", is_flag=True, help="Walk into sub-folders of folders.")
@click.option("--frames", is_flag=True, help="PDQ of frames of animated GIF/WebP images too.")
def hash_command(
    paths: tuple[Path, ...],
    as_json: bool,
    no_paths: bool,
    workers: int | None,
    algorithms: tuple[str, ...],
    variants: bool,
    recursive: bool,
    frames: bool,
) -> None:
    """Fingerprint images (and videos) on this device. Nothing is sent anywhere.

    PATH may be a file or a folder (folders: the images directly inside; with --recursive,
    also those in sub-folders).
    """
    options = HashOptions(algorithms=algorithms, variants=variants, frames=frames)
    run = InputHashing(paths, options, workers=workers, recursive=recursive)
    inputs = run.inputs
    err = Console(stderr=True, highlight=False)
    show_progress = sys.stderr.isatty() and bool(inputs.files)
    failed = 0
    rows: list[tuple[int, FileResult]] = []
    for item, result in enumerate(_results(run, err, show_progress), 1):
        failed += 0 if result.ok else 1
        if as_json:
            _print_json(result.to_json(item if no_paths else None))
        else:
            rows.append((item, result))
    if not as_json:
        _print_table(rows, no_paths, algorithms)
    _print_summary(err if as_json else Console(highlight=False), inputs, failed, as_json)
    sys.exit(1 if failed else 0)


def _results(run: InputHashing, err: Console, show_progress: bool) -> Iterator[FileResult]:
    """Each input's result in order, with a progress bar on a terminal."""
    with ExitStack() as stack:
        bar: ProgressBar | None = None
        task = None
        if show_progress:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as ProgressBar  # only on a terminal

            bar = stack.enter_context(
                ProgressBar(
                    TextColumn("Fingerprinting"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeRemainingColumn(),
                    console=err,
                    transient=True,
                )
            )
            task = bar.add_task("hash", total=run.files)
        for event in run:
            if isinstance(event, InputOutcome):
                yield event.result
            elif bar is not None and task is not None:
                bar.update(task, completed=event.done)


def _print_json(obj: dict[str, Any]) -> None:
    try:
        line = json.dumps(obj, ensure_ascii=False)
        line.encode(sys.stdout.encoding or "utf-8")
    except UnicodeError:  # an undecodable file name: escape it instead
        line = json.dumps(obj, ensure_ascii=True)
    click.echo(line)


def _plain(text: str) -> Text:
    """A file name as plain text: never markup, control characters made visible."""
    cleaned = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return Text(cleaned.encode("utf-8", "backslashreplace").decode("utf-8"))


def _print_table(
    rows: list[tuple[int, FileResult]], no_paths: bool, algorithms: tuple[str, ...]
) -> None:
    if not rows:
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#" if no_paths else "File", overflow="fold", ratio=1)
    table.add_column("What", no_wrap=True)
    table.add_column("Fingerprint", overflow="fold", min_width=16)
    for item, result in rows:
        cells = _cells(result, algorithms)
        name = Text(f"item {item}") if no_paths else _plain(str(result.path))
        name.append_text(_describe(result))
        for number, (what, value) in enumerate(cells):
            last = number == len(cells) - 1
            table.add_row(name if number == 0 else "", what, value, end_section=last)
    Console(highlight=False).print(table)


def _describe(result: FileResult) -> Text:
    if not result.ok:
        return Text("\ncould not be read", style="red")
    text = Text(f"\n{result.format} {result.media}, {result.width}×{result.height}", style="dim")
    if result.pdq_quality is not None:
        text.append(f", PDQ quality {result.pdq_quality}", style="dim")
    return text


def _cells(result: FileResult, algorithms: tuple[str, ...]) -> list[tuple[str, Text]]:
    if not result.ok:
        error = result.error
        message = f"{error.message} ({error.code})" if error else "Could not be read."
        return [("error", Text(message, style="red"))]
    cells = [(name, Text(result.hashes[name])) for name in algorithms if name in result.hashes]
    if result.pdq_stored_orientation:
        cells.append(("pdq as stored", Text(result.pdq_stored_orientation, style="dim")))
    for name, value in (result.pdq_variants or {}).items():
        cells.append((f"pdq {name}", Text(value, style="dim")))
    if result.pdq_frames is not None:
        cells.append(("pdq frames", Text(f"{len(result.pdq_frames)} frame(s) (see --json)")))
    for warning in result.warnings:
        cells.append(("note", Text(warning, style="yellow")))
    return cells or [("", Text(""))]


def _print_summary(console: Console, inputs: InputSet, failed: int, as_json: bool) -> None:
    quiet = not (inputs.skipped or inputs.subfolders_not_entered)
    if as_json and not sys.stderr.isatty() and quiet:
        return
    total = len(inputs.files) + len(inputs.problems)
    parts = [f"{total - failed} of {total} file(s) fingerprinted"]
    if failed:
        parts.append(f"{failed} could not be read")
    if inputs.skipped:
        parts.append(f"{inputs.skipped} file(s) in folders skipped (not images or videos)")
    if inputs.subfolders_not_entered:
        parts.append(f"{inputs.subfolders_not_entered} sub-folder(s) not entered (add --recursive)")
    if total == 0 and not inputs.skipped:
        parts = ["No files to fingerprint were found"]
    console.print(Text("; ".join(parts) + ". Nothing was sent anywhere."))
