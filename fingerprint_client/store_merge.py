"""Merging a case document from the service into the local rows (inside a transaction).

The service is the authority on its statuses, hash ids and events. Local hashes are matched to
the service's by `hash_id` once known, otherwise by algorithm and value in position order. Only
changes are written: an event the store already holds is not added again (events are
counted, so two identical events in one second are both kept). Server text is
stripped of control characters (no terminal escapes reach a screen later) and capped in length.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Mapping
from typing import Any

from fingerprint_client.store_schema import StoreError

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
MAX_TEXT = 2000
GONE_STATUSES = ("withdrawn", "deleted")
# The case statuses of protocol v1. Another value from a newer service keeps the local status.
SERVICE_STATUSES = ("received", "active", "rejected", "withdrawn", "deleted")


def clean_text(value: object, limit: int = MAX_TEXT) -> str:
    """Server text made safe to store and show: a string, no control characters, capped."""
    text = value if isinstance(value, str) else ""
    return _CONTROL.sub(" ", text)[:limit]


def _opt_text(value: object, limit: int = 200) -> str | None:
    return clean_text(value, limit) if isinstance(value, str) else None


def scrub_case_values(c: sqlite3.Connection, local_id: str, *, include_pending: bool) -> None:
    """Remove hash values, frames and paths of a case, and the bodies of its outbox items that
    will not be sent again (all of them when `include_pending`). With `secure_delete` on, the
    old bytes are zeroed in the database file; the caller checkpoints the WAL afterwards."""
    c.execute(
        "UPDATE hashes SET value = NULL, frames = NULL, path = NULL WHERE local_id = ?",
        (local_id,),
    )
    c.execute(
        "UPDATE outbox SET body = X'' WHERE local_id = ? AND (? OR state != 'pending')",
        (local_id, include_pending),
    )


def _insert_event(
    c: sqlite3.Connection, local_id: str, at: str, status: str, detail: str, **extra: str | None
) -> None:
    c.execute(
        "INSERT INTO events(local_id, at, status, detail, platform, action, source)"
        " VALUES (?, ?, ?, ?, ?, ?, 'service')",
        (local_id, at, status, detail, extra.get("platform"), extra.get("action")),
    )


def _note_unknown_status(
    c: sqlite3.Connection, local_id: str, local_status: str, remote: str, at: str
) -> bool:
    """A status this app does not know (from a newer service): the local status stays (a
    queued case becomes `received`: the service holds it), and the value is noted once as an
    event so the person sees what the service said."""
    detail = (
        f'The service reports the status "{clean_text(remote, 40)}", which this app does not '
        "know; the case is shown as before. An update of the app may know it."
    )
    if c.execute(
        "SELECT 1 FROM events WHERE local_id = ? AND detail = ?", (local_id, detail)
    ).fetchone():
        return False
    c.execute(
        "INSERT INTO events(local_id, at, status, detail, source) VALUES (?, ?, ?, ?, 'local')",
        (local_id, at, local_status, detail),
    )
    return True


def _merge_hashes(c: sqlite3.Connection, local_id: str, remote: list[Mapping[str, Any]]) -> bool:
    rows = c.execute(
        "SELECT id, hash_id, algorithm, value, status FROM hashes WHERE local_id = ?"
        " ORDER BY position",
        (local_id,),
    ).fetchall()
    by_hash_id = {r[1]: r for r in rows if r[1] is not None}
    unmatched = [r for r in rows if r[1] is None]
    changed = False
    for h in remote:
        hash_id = h.get("hash_id")
        if not isinstance(hash_id, str) or not hash_id or len(hash_id) > 64:
            continue
        row = by_hash_id.get(hash_id)
        if row is None:
            algorithm, value = h.get("algorithm"), h.get("value")
            same_alg = [r for r in unmatched if r[2] == algorithm]
            exact = [r for r in same_alg if value is not None and r[3] == value]
            candidates = exact or same_alg
            if not candidates:
                continue
            row = candidates[0]
            unmatched.remove(row)
            c.execute("UPDATE hashes SET hash_id = ? WHERE id = ?", (hash_id, row[0]))
            changed = True
        status = _opt_text(h.get("status"), 40)
        if status and status != row[4]:
            c.execute("UPDATE hashes SET status = ? WHERE id = ?", (status, row[0]))
            changed = True
        if status in GONE_STATUSES or ("value" not in h and "frames" not in h):
            cur = c.execute(
                "UPDATE hashes SET value = NULL, frames = NULL, path = NULL"
                " WHERE id = ? AND (value IS NOT NULL OR frames IS NOT NULL)",
                (row[0],),
            )
            changed = changed or cur.rowcount > 0
    return changed


def merge_service_case(
    c: sqlite3.Connection, local_id: str, case: Mapping[str, Any], at: str
) -> tuple[bool, bool]:
    """Apply `case` (the service's case document) to local case `local_id`. Returns (changed,
    values_removed); when values were removed the caller checkpoints the WAL."""
    row = c.execute("SELECT case_id, status FROM cases WHERE local_id = ?", (local_id,)).fetchone()
    if row is None:
        raise StoreError("unknown-case", "There is no case with that id on this device.")
    local_case_id, local_status = row
    changed = False
    case_id = case.get("case_id")
    if local_case_id is None and isinstance(case_id, str) and 0 < len(case_id) <= 64:
        if c.execute("SELECT 1 FROM cases WHERE case_id = ?", (case_id,)).fetchone():
            raise StoreError(
                "case-id-conflict",
                "The service answered with the case number of another case on this device; "
                "its answer was not stored.",
            )
        c.execute("UPDATE cases SET case_id = ? WHERE local_id = ?", (case_id, local_id))
        changed = True
    hashes = case.get("hashes")
    if isinstance(hashes, list):
        changed |= _merge_hashes(c, local_id, [h for h in hashes if isinstance(h, Mapping)])

    new_status = local_status
    remote_status = case.get("status")
    noted = False
    if isinstance(remote_status, str) and remote_status not in SERVICE_STATUSES:
        has_id = c.execute(
            "SELECT case_id IS NOT NULL FROM cases WHERE local_id = ?", (local_id,)
        ).fetchone()[0]
        if local_status == "queued" and has_id:  # the service holds it, whatever it calls it
            new_status = "received"
            c.execute("UPDATE cases SET status = ? WHERE local_id = ?", (new_status, local_id))
        noted = _note_unknown_status(c, local_id, new_status, remote_status, at)
        changed |= noted or new_status != local_status
    elif remote_status in SERVICE_STATUSES and remote_status != local_status:
        keep_local = local_status == "withdraw-queued" and remote_status not in GONE_STATUSES
        if not keep_local:
            new_status = remote_status
            c.execute("UPDATE cases SET status = ? WHERE local_id = ?", (new_status, local_id))
            changed = True

    # Events are a multiset: the same feedback may come twice within one second, and each is
    # kept. The n-th remote copy of an event is new when the store holds fewer than n copies.
    known = Counter(
        tuple(r)
        for r in c.execute(
            "SELECT at, status, detail, platform, action FROM events"
            " WHERE local_id = ? AND source = 'service'",
            (local_id,),
        )
    )
    seen: Counter[tuple[object, ...]] = Counter()
    added_statuses: set[str] = set()
    events = case.get("events")
    for ev in events if isinstance(events, list) else []:
        if not isinstance(ev, Mapping):
            continue
        key = (
            clean_text(ev.get("at"), 64),
            clean_text(ev.get("status"), 40),
            clean_text(ev.get("detail")),
            _opt_text(ev.get("platform")),
            _opt_text(ev.get("action"), 40),
        )
        if not key[0]:
            continue
        seen[key] += 1
        if seen[key] <= known[key]:
            continue
        _insert_event(c, local_id, key[0], key[1], key[2], platform=key[3], action=key[4])
        added_statuses.add(key[1])
        changed = True
    if new_status != local_status and new_status not in added_statuses and not noted:
        _insert_event(c, local_id, at, new_status, f"The service reports: {new_status}.")

    removed = False
    if new_status in GONE_STATUSES and new_status != local_status:
        scrub_case_values(c, local_id, include_pending=True)
        c.execute(
            "UPDATE outbox SET state = 'cancelled' WHERE local_id = ? AND state = 'pending'",
            (local_id,),
        )
        removed = True
    if changed:
        c.execute("UPDATE cases SET updated_at = ? WHERE local_id = ?", (at, local_id))
    return changed, removed
