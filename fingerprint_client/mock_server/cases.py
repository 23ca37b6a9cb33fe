"""Case logic of the mock service: create, add, withdraw, view and the status simulation.

Every function runs inside a `MockStore.transaction()`; none commits on its own.
"""

from __future__ import annotations

import json
import random
import secrets
import sqlite3
import string
import time
from datetime import UTC, datetime
from typing import Any, Final

from fingerprint_client.mock_server.pins import PinHash
from fingerprint_client.mock_server.problems import ProblemError
from fingerprint_client.mock_server.state import answers_of_case, replace_answer_body
from fingerprint_client.service.models import (
    CreateCaseRequest,
    HashIn,
    canonical_json_from_data,
)
from fingerprint_client.service.protocol_constants import (
    MIN_RELIABLE_PDQ_QUALITY,
    PLATFORM_ACTIONS,
    CaseStatus,
)

#: Fictional platforms whose "feedback" the mock invents.
FICTIONAL_PLATFORMS: Final = ("ExamplePics", "DemoChat", "SampleTube", "TestForum")
_OPEN: Final = ("received", "active")
_CLOSED_VALUES: Final = ("withdrawn", "deleted")


def now_iso(ts: float | None = None) -> str:
    """An RFC 3339 UTC timestamp with seconds."""
    moment = datetime.fromtimestamp(time.time() if ts is None else ts, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


_FIRST_CHARACTERS = string.ascii_letters + string.digits


def new_case_id() -> str:
    """A random, non-sequential case id: 23 URL-safe characters, never beginning with "-" (so
    it is never taken for an option on a command line; clients still accept any opaque id)."""
    return secrets.choice(_FIRST_CHARACTERS) + secrets.token_urlsafe(16)


def _new_hash_id() -> str:
    return "h_" + secrets.token_urlsafe(9)


def add_event(
    conn: sqlite3.Connection,
    case_id: str,
    status: str,
    detail: str,
    platform: str | None = None,
    action: str | None = None,
) -> None:
    """Append an event and touch the case's `updated_at`."""
    at = now_iso()
    conn.execute(
        "INSERT INTO events (case_id, at, status, detail, platform, action) VALUES (?,?,?,?,?,?)",
        (case_id, at, status, detail, platform, action),
    )
    conn.execute("UPDATE cases SET updated_at = ? WHERE case_id = ?", (at, case_id))


def _low_quality(h: HashIn) -> bool:
    return h.algorithm == "pdq" and h.quality is not None and h.quality < MIN_RELIABLE_PDQ_QUALITY


def _insert_hashes(
    conn: sqlite3.Connection, case_id: str, hashes: list[HashIn], status: str
) -> list[tuple[str, HashIn]]:
    start = conn.execute(
        "SELECT COALESCE(MAX(seq), -1) + 1 FROM hashes WHERE case_id = ?", (case_id,)
    ).fetchone()[0]
    out = []
    for i, h in enumerate(hashes):
        hash_id = _new_hash_id()
        frames = (
            canonical_json_from_data([f.model_dump(mode="json") for f in h.frames])
            if h.frames is not None
            else None
        )
        conn.execute(
            "INSERT INTO hashes (hash_id, case_id, seq, algorithm, value, frames, quality, media,"
            " status) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                hash_id,
                case_id,
                start + i,
                h.algorithm,
                h.value,
                frames.decode() if frames else None,
                h.quality,
                h.media,
                status,
            ),
        )
        out.append((hash_id, h))
    return out


def create_case(conn: sqlite3.Connection, req: CreateCaseRequest, pin: PinHash) -> str:
    """Create a case; a PDQ hash of quality < 50 makes it `rejected` with the reason."""
    case_id = new_case_id()
    ts = time.time()
    at = now_iso(ts)
    rejected = [h for h in req.hashes if _low_quality(h)]
    status: CaseStatus = "rejected" if rejected else "received"
    conn.execute(
        "INSERT INTO cases (case_id, program, status, created_at, updated_at, created_ts, "
        "pin_salt, pin_n, pin_digest, client_name, client_version) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            case_id,
            req.program,
            status,
            at,
            at,
            ts,
            pin.salt,
            pin.n,
            pin.digest,
            req.client.name,
            req.client.version,
        ),
    )
    _insert_hashes(conn, case_id, list(req.hashes), status)
    add_event(conn, case_id, "received", "Case received.")
    if rejected:
        worst = min(h.quality or 0 for h in rejected)
        add_event(
            conn,
            case_id,
            "rejected",
            f"Rejected: a PDQ hash has quality {worst} (below {MIN_RELIABLE_PDQ_QUALITY}), "
            "too unreliable to match.",
        )
    return case_id


def add_hashes(conn: sqlite3.Connection, case_id: str, hashes: list[HashIn]) -> None:
    """Add hashes to an open case (low-quality PDQ hashes are rejected one by one)."""
    status = case_status(conn, case_id)
    if status not in _OPEN:
        raise ProblemError(409, "case-closed", f"The case is {status}; it accepts no new hashes.")
    good = [h for h in hashes if not _low_quality(h)]
    bad = [h for h in hashes if _low_quality(h)]
    _insert_hashes(conn, case_id, good, status)
    for hash_id, _h in _insert_hashes(conn, case_id, bad, "rejected"):
        add_event(
            conn,
            case_id,
            status,
            f"Hash {hash_id} rejected: PDQ quality below {MIN_RELIABLE_PDQ_QUALITY}.",
        )
    add_event(conn, case_id, status, f"{len(hashes)} hash(es) added.")


def case_status(conn: sqlite3.Connection, case_id: str) -> str:
    """The case's current status."""
    return str(conn.execute("SELECT status FROM cases WHERE case_id = ?", (case_id,)).fetchone()[0])


def _redact_answers(conn: sqlite3.Connection, case_id: str, hash_ids: set[str] | None) -> None:
    """Remove withdrawn values from stored replay answers of the case."""
    for row in answers_of_case(conn, case_id):
        try:
            doc = json.loads(bytes(row["response"]))
        except ValueError:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("hashes"), list):
            continue
        changed = False
        for h in doc["hashes"]:
            if isinstance(h, dict) and (hash_ids is None or h.get("hash_id") in hash_ids):
                changed |= h.pop("value", None) is not None
                changed |= h.pop("frames", None) is not None
        if changed:
            replace_answer_body(conn, row["rowid"], canonical_json_from_data(doc))


def withdraw_hash(conn: sqlite3.Connection, case_id: str, hash_id: str) -> None:
    """Withdraw one hash: its value is deleted everywhere the service keeps it."""
    row = conn.execute(
        "SELECT status FROM hashes WHERE case_id = ? AND hash_id = ?", (case_id, hash_id)
    ).fetchone()
    if row is None:
        raise ProblemError(404, "not-found", "This case has no hash with that id.")
    if row["status"] in _CLOSED_VALUES:
        return
    conn.execute(
        "UPDATE hashes SET value = NULL, frames = NULL, status = 'withdrawn' WHERE hash_id = ?",
        (hash_id,),
    )
    _redact_answers(conn, case_id, {hash_id})
    add_event(conn, case_id, case_status(conn, case_id), f"Hash {hash_id} withdrawn.")


def close_case(conn: sqlite3.Connection, case_id: str, status: CaseStatus, detail: str) -> None:
    """Withdraw (or delete) a whole case: every hash value is deleted."""
    if case_status(conn, case_id) in _CLOSED_VALUES:
        return
    conn.execute(
        "UPDATE hashes SET value = NULL, frames = NULL, status = ? WHERE case_id = ?",
        (status, case_id),
    )
    conn.execute("UPDATE cases SET status = ? WHERE case_id = ?", (status, case_id))
    _redact_answers(conn, case_id, None)
    add_event(conn, case_id, status, detail)


def activate(conn: sqlite3.Connection, case_id: str, rng: random.Random, feedback: float) -> bool:
    """received → active (shared with platforms); then maybe platform feedback. True if moved."""
    if case_status(conn, case_id) != "received":
        return False
    conn.execute("UPDATE cases SET status = 'active' WHERE case_id = ?", (case_id,))
    conn.execute(
        "UPDATE hashes SET status = 'active' WHERE case_id = ? AND status = 'received'", (case_id,)
    )
    add_event(conn, case_id, "active", "Shared with participating platforms.")
    give_feedback(conn, case_id, rng, feedback)
    return True


def give_feedback(
    conn: sqlite3.Connection, case_id: str, rng: random.Random, feedback: float
) -> None:
    """Each fictional platform reports back with probability `feedback` (active cases only)."""
    if feedback <= 0 or case_status(conn, case_id) != "active":
        return
    for platform in FICTIONAL_PLATFORMS:
        if rng.random() < feedback:
            action = rng.choice(PLATFORM_ACTIONS)
            add_event(
                conn,
                case_id,
                "active",
                f"{platform} (a fictional platform) reports: {action.replace('_', ' ')}.",
                platform=platform,
                action=action,
            )


def auto_advance(
    conn: sqlite3.Connection, advance_after: float | None, rng: random.Random, feedback: float
) -> None:
    """`--advance-after S`: activate every received case older than S seconds."""
    if advance_after is None:
        return
    due = conn.execute(
        "SELECT case_id FROM cases WHERE status = 'received' AND created_ts <= ?",
        (time.time() - advance_after,),
    ).fetchall()
    for row in due:
        activate(conn, row["case_id"], rng, feedback)


def case_view(conn: sqlite3.Connection, case_id: str) -> dict[str, Any]:
    """The case as the protocol shows it (values absent once withdrawn)."""
    c = conn.execute("SELECT * FROM cases WHERE case_id = ?", (case_id,)).fetchone()
    hashes = []
    for h in conn.execute("SELECT * FROM hashes WHERE case_id = ? ORDER BY seq", (case_id,)):
        item: dict[str, Any] = {
            "hash_id": h["hash_id"],
            "algorithm": h["algorithm"],
            "media": h["media"],
            "status": h["status"],
        }
        if h["value"] is not None:
            item["value"] = h["value"]
        if h["frames"] is not None:
            item["frames"] = json.loads(h["frames"])
        if h["quality"] is not None:
            item["quality"] = h["quality"]
        hashes.append(item)
    events = []
    for e in conn.execute("SELECT * FROM events WHERE case_id = ? ORDER BY id", (case_id,)):
        ev = {"at": e["at"], "status": e["status"], "detail": e["detail"]}
        if e["platform"] is not None:
            ev["platform"] = e["platform"]
            ev["action"] = e["action"]
        events.append(ev)
    return {
        "case_id": c["case_id"],
        "status": c["status"],
        "program": c["program"],
        "created_at": c["created_at"],
        "updated_at": c["updated_at"],
        "hashes": hashes,
        "events": events,
    }


def all_case_ids(conn: sqlite3.Connection) -> list[str]:
    """Every case id, oldest first."""
    return [r[0] for r in conn.execute("SELECT case_id FROM cases ORDER BY created_ts, rowid")]
