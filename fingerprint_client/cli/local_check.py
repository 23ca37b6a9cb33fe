"""`check PATH... [--json]`: which files are already in a local case. Offline.

Each file is fingerprinted here (SHA-256 and PDQ, with frames for videos) and compared with the
fingerprints this device still keeps: an identical SHA-256 is a `sha256` match; otherwise a PDQ
within `PDQ_MATCH_DISTANCE` bits (the usual match threshold) of a kept PDQ value or video frame
is a `pdq` match. Folders are walked recursively. Nothing is sent and nothing is stored.

`--json` prints one object per file, in input order: `{"path", "submitted", "match", "cases":
[{"local_id", "case_id", "status"}]}`; a file that cannot be fingerprinted adds `"error":
{"code", "message"}`. `submitted` is true when a matching case was sent or is queued to be sent
(not cancelled or refused). Exit: 0 every file checked, 1 some could not be, 2 usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from fingerprint_client.cli.context import CliContext
from fingerprint_client.cli.local_cmds import open_local, plain_console, shown
from fingerprint_client.config import load_settings
from fingerprint_client.hashing import BatchHasher, FileResult, HashOptions, collect_inputs
from fingerprint_client.hashing import Progress as HashProgress
from fingerprint_client.store import CaseRef, Store

PDQ_MATCH_DISTANCE = 31
NOT_SUBMITTED = frozenset({"cancelled", "failed"})


class PdqIndex:
    """The PDQ values this device keeps, as a bit matrix for fast Hamming distances."""

    def __init__(self, entries: list[tuple[str, CaseRef]]) -> None:
        rows: list[bytes] = []
        self.cases: list[CaseRef] = []
        for value, case in entries:
            raw = _pdq_bytes(value)
            if raw is not None:
                rows.append(raw)
                self.cases.append(case)
        self.bits = np.unpackbits(
            np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), 32), axis=1
        )

    def near(self, value: str, max_distance: int = PDQ_MATCH_DISTANCE) -> list[CaseRef]:
        """Cases holding a PDQ within `max_distance` bits of `value`."""
        raw = _pdq_bytes(value)
        if raw is None or not self.cases:
            return []
        mine = np.unpackbits(np.frombuffer(raw, dtype=np.uint8))
        distances = np.count_nonzero(self.bits != mine, axis=1)
        return [self.cases[i] for i in np.flatnonzero(distances <= max_distance)]


def _pdq_bytes(value: str) -> bytes | None:
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        return None
    return raw if len(raw) == 32 else None


def match_file(
    result: FileResult, store: Store, pdq_index: PdqIndex
) -> tuple[str | None, list[CaseRef]]:
    """The kind of match (`sha256`, `pdq` or None) and the matching cases for one result."""
    sha = result.hashes.get("sha256")
    if sha:
        found = store.find_by_sha256(sha)
        if found:
            return "sha256", found
    mine = [result.hashes["pdq"]] if result.hashes.get("pdq") else []
    mine += [f["pdq"] for f in result.pdq_frames or [] if isinstance(f.get("pdq"), str)]
    cases: dict[str, CaseRef] = {}
    for value in mine:
        for case in pdq_index.near(value):
            cases.setdefault(case.local_id, case)
    return ("pdq", list(cases.values())) if cases else (None, [])


def _row(
    path: Path, result: FileResult | None, match: str | None, cases: list[CaseRef]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": str(path),
        "submitted": any(c.status not in NOT_SUBMITTED for c in cases),
        "match": match,
        "cases": [
            {"local_id": c.local_id, "case_id": c.case_id, "status": c.status} for c in cases
        ],
    }
    if result is not None and not result.ok and result.error is not None:
        out["error"] = result.error.to_json()
    return out


def _hash_all(paths: list[Path], show_progress: bool, workers: int | None) -> dict[int, FileResult]:
    results: dict[int, FileResult] = {}
    options = HashOptions(algorithms=("pdq", "sha256"), frames=True)
    progress = Progress(
        TextColumn("Checking"),
        BarColumn(),
        MofNCompleteColumn(),
        console=plain_console(stderr=True),
        transient=True,
        disable=not show_progress,
    )
    with progress, BatchHasher(paths, options, workers=workers) as batch:
        task = progress.add_task("check", total=len(paths))
        for event in batch:
            if isinstance(event, HashProgress):
                progress.update(task, completed=event.done, total=event.total)
            else:
                results[event.index] = event
    return results


@click.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file.")
@click.pass_obj
def check_cmd(ctx: CliContext, paths: tuple[Path, ...], as_json: bool) -> None:
    """Tell which files are already in a case on this device (offline; nothing is sent)."""
    inputs = collect_inputs(list(paths), recursive=True)
    with open_local(ctx) as store:
        pdq_index = PdqIndex(store.all_pdq_values())
        workers = load_settings(ctx.dirs).settings.hash_workers
        results = _hash_all(inputs.files, sys.stderr.isatty(), workers)
        rows = []
        for index, path in enumerate(inputs.files):
            result = results.get(index)
            match: str | None = None
            cases: list[CaseRef] = []
            if result is not None and result.ok:
                match, cases = match_file(result, store, pdq_index)
            rows.append(_row(path, result, match, cases))
    for problem in inputs.problems:
        rows.append(_row(problem.path, problem, None, []))
    failed = sum(1 for r in rows if "error" in r) + sum(
        1 for i in range(len(inputs.files)) if i not in results
    )
    if inputs.skipped:
        click.echo(
            f"{inputs.skipped} other file(s) in the folders are not images or videos.", err=True
        )
    if as_json:
        for r in rows:
            click.echo(json.dumps(r))
    else:
        _print_table(rows)
    sys.exit(1 if failed else 0)


def _print_table(rows: list[dict[str, Any]]) -> None:
    if not rows:
        click.echo("No image or video files were found there.")
        return
    table = Table("File", "Result", "Cases")
    for r in rows:
        if "error" in r:
            verdict = f"could not be checked: {r['error']['message']}"
        elif r["match"] == "sha256":
            verdict = "already in a case (identical file)"
        elif r["match"] == "pdq":
            verdict = "already in a case (looks the same)"
        else:
            verdict = "not in any case here"
        ids = ", ".join(f"{c['local_id']} ({c['status']})" for c in r["cases"])
        table.add_row(Text(shown(r["path"])), Text(shown(verdict)), Text(ids))
    plain_console().print(table)
