"""Turning fingerprint results into the exact requests of one case.

Input is the `hash --json` shape (one dict per file; `FileResult.to_json(item=n)` or a line of a
`hash --json --no-paths` file), so a case prepared from images and one prepared from a helper's
hashes file go through the same code. Output is a `PreparedCase`: the hashes to keep locally, and
the request bodies, serialised once with `canonical_json` — the bytes shown for consent, stored
in the outbox and sent are these bytes.

Rules:
- only algorithms the service lists in its capabilities are sent (colorhash never exists here);
- a PDQ of quality below 50 is unreliable: it is left out (the file's exact digests still go);
- identical hashes are sent once;
- a `pdq_frames` hash holds at most 3,600 frames: longer videos become several hashes;
- a request holds at most `max_hashes_per_request` hashes and stays well under 1 MiB: the first
  chunk creates the case, the rest follow as `POST /v1/cases/{case_id}/hashes`, in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pydantic

from fingerprint_client import CLIENT_NAME, __version__
from fingerprint_client.casework.errors import CaseworkError
from fingerprint_client.service.models import (
    AddHashesRequest,
    Capabilities,
    ClientInfo,
    CreateCaseRequest,
    HashIn,
    canonical_json,
    canonical_json_from_data,
)
from fingerprint_client.service.protocol_constants import (
    MAX_FRAMES_PER_HASH,
    MIN_RELIABLE_PDQ_QUALITY,
    ProgramId,
)
from fingerprint_client.store_models import PATH_TEMPLATES, NewHash, OutboxKind

__all__ = [
    "BODY_BUDGET",
    "FailedItem",
    "PreparedCase",
    "PreparedRequest",
    "hash_key",
    "prepare_case",
]

#: Bodies are kept under this size (the protocol's limit is 1 MiB).
BODY_BUDGET = 900 * 1024
_SINGLE_ALGORITHMS = ("pdq", "md5", "sha256", "phash", "dhash", "whash")


@dataclass(frozen=True)
class FailedItem:
    """A file that could not be fingerprinted (or a malformed entry of a hashes file)."""

    label: str  # the path, or "item n" — shown beside the message, never inside it
    code: str
    message: str


@dataclass(frozen=True)
class PreparedRequest:
    """One request to queue: the outbox kind, its path template and the exact body bytes."""

    kind: OutboxKind
    path_template: str
    body: bytes
    hash_count: int


@dataclass
class PreparedCase:
    """Everything needed to show, commit and send one case."""

    program: str
    hashes: list[NewHash]
    requests: list[PreparedRequest]
    failed: list[FailedItem] = field(default_factory=list)
    files_used: int = 0
    notes: list[str] = field(default_factory=list)
    algorithms: list[str] = field(default_factory=list)

    @property
    def body_bytes(self) -> int:
        """Total size of every request body."""
        return sum(len(r.body) for r in self.requests)


def hash_key(
    algorithm: str, value: str | None, frames: Sequence[Mapping[str, Any]] | None
) -> tuple[str, str]:
    """What makes two hashes the same (identical ones are sent once): algorithm and value, or
    the frames of a `pdq_frames` hash."""
    if value is not None:
        return (algorithm, value.lower())
    return (algorithm, canonical_json_from_data(list(frames or [])).decode("utf-8"))


def _hash_in(h: NewHash) -> HashIn:
    if h.frames is not None:
        return HashIn.model_validate(
            {"algorithm": h.algorithm, "frames": h.frames, "media": h.media}, strict=False
        )
    data: dict[str, Any] = {"algorithm": h.algorithm, "value": h.value, "media": h.media}
    if h.quality is not None:
        data["quality"] = h.quality
    return HashIn.model_validate(data)


def _file_hashes(
    entry: Mapping[str, Any], accepted: set[str], notes: dict[str, int]
) -> list[NewHash]:
    media = "video" if entry.get("media") == "video" else "image"
    path = entry.get("path") if isinstance(entry.get("path"), str) else None
    values = entry.get("hashes")
    if not isinstance(values, Mapping):
        raise ValueError("no hashes")
    quality = entry.get("pdq_quality")
    quality = quality if isinstance(quality, int) and not isinstance(quality, bool) else None
    out: list[NewHash] = []
    for algorithm in _SINGLE_ALGORITHMS:
        value = values.get(algorithm)
        if value is None or algorithm not in accepted:
            continue
        if not isinstance(value, str):
            raise ValueError("bad value")
        if algorithm == "pdq":
            if quality is not None and quality < MIN_RELIABLE_PDQ_QUALITY:
                notes["low-quality"] = notes.get("low-quality", 0) + 1
                continue
            out.append(NewHash("pdq", value.lower(), quality=quality, media=media, path=path))
            stored = entry.get("pdq_stored_orientation")
            if isinstance(stored, str) and stored.lower() != value.lower():
                out.append(NewHash("pdq", stored.lower(), quality=quality, media=media, path=path))
        else:
            out.append(NewHash(algorithm, value.lower(), media=media, path=path))
    frames = entry.get("pdq_frames")
    if isinstance(frames, list) and frames and "pdq_frames" in accepted:
        good = [
            {"t": f["t"], "pdq": str(f["pdq"]).lower(), "quality": f["quality"]}
            for f in frames
            if isinstance(f, Mapping) and {"t", "pdq", "quality"} <= set(f)
        ]
        for start in range(0, len(good), MAX_FRAMES_PER_HASH):
            part = good[start : start + MAX_FRAMES_PER_HASH]
            out.append(NewHash("pdq_frames", frames=part, media="video", path=path))
    for h in out:
        _hash_in(h)  # raises pydantic.ValidationError on a malformed value
    return out


def _chunks(
    program: str, hashes: Sequence[NewHash], max_per_request: int, *, create: bool = True
) -> list[PreparedRequest]:
    client = ClientInfo(name=CLIENT_NAME, version=__version__)
    models = [_hash_in(h) for h in hashes]
    groups: list[list[HashIn]] = [[]]
    size = 0
    for model in models:
        one = len(canonical_json(model)) + 1
        current = groups[-1]
        if current and (len(current) >= max_per_request or size + one > BODY_BUDGET - 512):
            groups.append([])
            size = 0
        groups[-1].append(model)
        size += one
    requests: list[PreparedRequest] = []
    for n, group in enumerate(groups):
        if n == 0 and create:
            request = CreateCaseRequest(
                program=cast(ProgramId, program), hashes=group, client=client
            )
            body = canonical_json(request)
            kind: OutboxKind = "create_case"
        else:
            body = canonical_json(AddHashesRequest(hashes=group))
            kind = "add_hashes"
        requests.append(PreparedRequest(kind, PATH_TEMPLATES[kind], body, len(group)))
    return requests


def prepare_case(
    entries: Iterable[Mapping[str, Any]],
    program: str,
    capabilities: Capabilities,
    *,
    labels: Sequence[str] | None = None,
    existing: Iterable[tuple[str, str]] | None = None,
) -> PreparedCase:
    """Build the case from `hash --json`-shaped entries. `labels[i]` names entry i in the list of
    failures (a path or "item n"); failed entries are listed and left out. Raises
    `CaseworkError("nothing-to-send")` when no hash is left to send.

    With `existing` (the `hash_key`s of a case's hashes) the result ADDS to that case: hashes it
    already holds are left out with a note, and every request is a `POST .../hashes`."""
    offered = {p.id for p in capabilities.programs}
    if program not in offered:
        raise CaseworkError(
            "program-not-offered",
            f"This service does not run the {program!r} program.",
            usage=True,
        )
    accepted: set[str] = set(capabilities.algorithms)
    notes: dict[str, int] = {}
    hashes: list[NewHash] = []
    failed: list[FailedItem] = []
    known = set(existing or ())
    seen: set[tuple[str, str]] = set()
    used = 0
    for n, entry in enumerate(entries):
        label = labels[n] if labels is not None and n < len(labels) else f"item {n}"
        if not isinstance(entry, Mapping):
            failed.append(FailedItem(label, "invalid-entry", "This entry is not a hash result."))
            continue
        if entry.get("ok") is not True:
            error = entry.get("error")
            code = error.get("code") if isinstance(error, Mapping) else None
            message = error.get("message") if isinstance(error, Mapping) else None
            failed.append(
                FailedItem(
                    label,
                    code if isinstance(code, str) else "failed",
                    message if isinstance(message, str) else "This file was not fingerprinted.",
                )
            )
            continue
        try:
            file_hashes = _file_hashes(entry, accepted, notes)
        except (ValueError, KeyError, TypeError, pydantic.ValidationError):
            failed.append(
                FailedItem(label, "invalid-entry", "This entry holds a malformed fingerprint.")
            )
            continue
        fresh = []
        for h in file_hashes:
            key = hash_key(h.algorithm, h.value, h.frames)
            if key in known:
                notes["already"] = notes.get("already", 0) + 1
            elif key not in seen:
                seen.add(key)
                fresh.append(h)
        if file_hashes:
            used += 1
        hashes.extend(fresh)
    if not hashes and notes.get("already"):
        raise CaseworkError(
            "nothing-to-send",
            "Nothing new to send: this case already holds every fingerprint of these files.",
        )
    if not hashes:
        raise CaseworkError(
            "nothing-to-send",
            "No fingerprint is left to send: every file failed, or this service accepts none "
            "of the fingerprints that were made.",
        )
    prepared = PreparedCase(
        program=program,
        hashes=hashes,
        requests=_chunks(
            program, hashes, capabilities.max_hashes_per_request, create=existing is None
        ),
        failed=failed,
        files_used=used,
        algorithms=sorted({h.algorithm for h in hashes}),
    )
    if notes.get("low-quality"):
        prepared.notes.append(
            f"The PDQ fingerprint of {notes['low-quality']} file(s) was left out: its quality is "
            "below 50, so it would not match reliably. Their exact fingerprints are still sent."
        )
    if notes.get("already"):
        prepared.notes.append(
            f"{notes['already']} fingerprint(s) were left out: the case already holds them."
        )
    return prepared
