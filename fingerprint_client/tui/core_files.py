"""File work for `CoreBackend`: fingerprinting chosen files with the batch engine (streamed,
cancellable) and writing receipts. Paths stay in memory; only the display name goes to screens."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fingerprint_client.hashing import HashOptions, InputHashing, InputOutcome
from fingerprint_client.tui.backend import BackendError, FileOutcome, HashProgress, ItemCallback


def outcome_of(index: int, name: str, entry: dict[str, Any]) -> FileOutcome:
    """A `hash --json`-shaped entry as the screens show it (payload kept for `prepare`)."""
    error = entry.get("error") or {}
    quality = entry.get("pdq_quality")
    return FileOutcome(
        index=index,
        name=name,
        ok=bool(entry.get("ok")),
        error_code=error.get("code") if isinstance(error, dict) else None,
        message=error.get("message") if isinstance(error, dict) else None,
        warnings=tuple(str(w) for w in entry.get("warnings") or ()),
        quality=quality if isinstance(quality, int) else None,
        media=str(entry.get("media") or "image"),
        payload=entry,
    )


def stream_hashes(
    paths: Sequence[Path],
    options: HashOptions,
    workers: int | None,
    cancel: threading.Event,
    on_item: ItemCallback,
) -> None:
    """Hash files and folders (walked recursively); progress and outcomes stream in input
    order. Setting `cancel` stops the batch within a fraction of a second."""
    for event in InputHashing(paths, options, workers=workers, cancel=cancel):
        if isinstance(event, InputOutcome):
            result = event.result
            on_item(outcome_of(event.position, result.path.name, result.to_json()))
        else:
            on_item(HashProgress(event.done, event.total))


def write_receipt(receipt: dict[str, Any], text: str, directory: Path, name: str) -> Path:
    """Write `<name>.txt` and `<name>.json` (0600) into `directory`; return the text file."""
    text_path = directory / f"{name}.txt"
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        for path, data in (
            (text_path, text.encode("utf-8")),
            (
                directory / f"{name}.json",
                json.dumps(receipt, indent=2, ensure_ascii=False).encode("utf-8") + b"\n",
            ),
        ):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
    except OSError as exc:
        raise BackendError(
            "export-failed",
            f"The receipt could not be written ({exc.strerror or type(exc).__name__}).",
        ) from exc
    return text_path
