"""The outbox half of the store: queueing requests and recording their delivery.

Rules (docs/store.md): an item's `body` and `idempotency_key` never change; items of a case are
sent in `seq` order; `begin_attempt` is committed before each network call, so a case whose items
were never attempted can be cancelled locally, and any other case must be withdrawn through the
service. `StoreCore` <- `OutboxStore` <- `store.Store`.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from fingerprint_client.keystore import KeystoreError
from fingerprint_client.store_core import StoreCore, now
from fingerprint_client.store_merge import clean_text, merge_service_case, scrub_case_values
from fingerprint_client.store_models import (
    CASE_STATUSES,
    PATH_TEMPLATES,
    CaseRecord,
    NewOutboxItem,
    OutboxItem,
    frames_to_text,
)
from fingerprint_client.store_schema import StoreError

log = logging.getLogger("fingerprint_client.store")


class OutboxStore(StoreCore):
    """Outbox operations; see `store.Store`."""

    @staticmethod
    def _insert_outbox(
        c: sqlite3.Connection, local_id: str, item: NewOutboxItem, row_ids: list[int], at: str
    ) -> int:
        seq = c.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox WHERE local_id = ?", (local_id,)
        ).fetchone()[0]
        hash_row = None
        if item.hash_position is not None:
            hash_row = row_ids[item.hash_position]
        cur = c.execute(
            "INSERT INTO outbox(local_id, seq, kind, method, path_template, body,"
            " idempotency_key, created_at, hash_row_id) VALUES (?, ?, ?, 'POST', ?, ?, ?, ?, ?)",
            (
                local_id,
                seq,
                item.kind,
                PATH_TEMPLATES.get(item.kind, "?"),
                bytes(item.body),
                str(uuid.uuid4()),
                at,
                hash_row,
            ),
        )
        return int(cur.lastrowid or 0)

    def enqueue(
        self,
        local_id: str,
        item: NewOutboxItem,
        *,
        case_status: str | None = None,
        hash_status: str | None = None,
        detail: str = "Queued on this device.",
    ) -> OutboxItem:
        """Queue one more request for a case (after its existing items). Optionally sets the
        case's status (e.g. `withdraw-queued`, with an event) and the named hash's status, in the
        same transaction."""
        with self._tx() as c:
            row_ids = [
                int(r[0])
                for r in c.execute(
                    "SELECT id FROM hashes WHERE local_id = ? ORDER BY position", (local_id,)
                )
            ]
            item_id = self._insert_outbox(c, local_id, item, row_ids, now())
            if case_status is not None:
                self._set_status(c, local_id, case_status, detail)
            if hash_status is not None and item.hash_position is not None:
                c.execute(
                    "UPDATE hashes SET status = ? WHERE id = ?",
                    (hash_status, row_ids[item.hash_position]),
                )
        return self.outbox_item(item_id)

    @staticmethod
    def _item(r: sqlite3.Row) -> OutboxItem:
        d = dict(r)
        d["body"] = bytes(d["body"])
        return OutboxItem(**d)

    def outbox_item(self, item_id: int) -> OutboxItem:
        """One outbox item by id."""
        rows = self._q("SELECT * FROM outbox WHERE id = ?", (item_id,))
        if not rows:
            raise StoreError("unknown-outbox-item", "That queued request no longer exists.")
        return self._item(rows[0])

    def outbox(self, local_id: str) -> list[OutboxItem]:
        """Every outbox item of a case, in order."""
        rows = self._q("SELECT * FROM outbox WHERE local_id = ? ORDER BY seq", (local_id,))
        return [self._item(r) for r in rows]

    def pending_outbox(self, local_id: str | None = None) -> list[OutboxItem]:
        """Items still to send, oldest case first, each case's items in `seq` order. Send them
        in this order and stop a case at its first undelivered item."""
        rows = self._q(
            "SELECT o.* FROM outbox o JOIN cases c USING (local_id) WHERE o.state = 'pending'"
            " AND (? IS NULL OR o.local_id = ?) ORDER BY c.created_at, c.rowid, o.seq",
            (local_id, local_id),
        )
        return [self._item(r) for r in rows]

    def hash_id_for(self, item: OutboxItem) -> str | None:
        """The service's hash id for a `withdraw_hash` item (None until the hash is delivered)."""
        if item.hash_row_id is None:
            return None
        rows = self._q("SELECT hash_id FROM hashes WHERE id = ?", (item.hash_row_id,))
        return rows[0][0] if rows else None

    def begin_attempt(self, item_id: int) -> None:
        """Count one more send attempt, committed BEFORE the network call: an item with
        attempts > 0 may have reached the service, so its case can no longer be cancelled
        locally."""
        with self._tx() as c:
            c.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (item_id,))

    def mark_delivered(
        self, item_id: int, response_status: int, service_case: Mapping[str, Any] | None = None
    ) -> CaseRecord:
        """Record that an item was delivered and merge the case the service answered (sets the
        case id after `create_case`), in one transaction. Returns the updated case."""
        item = self.outbox_item(item_id)
        with self._tx() as c:
            c.execute(
                "UPDATE outbox SET state = 'delivered', delivered_at = ?, response_status = ?,"
                " last_error = NULL WHERE id = ?",
                (now(), response_status, item_id),
            )
            removed = False
            if service_case is not None:
                removed = merge_service_case(c, item.local_id, service_case, now())[1]
        if removed:
            self.checkpoint()
        log.info("case %s: %s delivered (%d)", item.local_id, item.kind, response_status)
        return self.require_case(item.local_id)

    def mark_failed(
        self,
        item_id: int,
        error: str,
        *,
        response_status: int | None = None,
        permanent: bool = True,
    ) -> None:
        """Record a failed send. Transient (`permanent=False`): the item stays pending with
        `last_error`. Permanent (the service refused it): the item is `failed`; a refused
        `create_case` makes the case `failed` and cancels its other pending items; a refused
        withdrawal returns the case (or hash) to its earlier status. The problem is kept as an
        event either way when permanent."""
        item = self.outbox_item(item_id)
        error = clean_text(error)
        log.info(
            "case %s: %s %s failed (%s)",
            item.local_id,
            item.kind,
            "permanently" if permanent else "for now",
            response_status or "no answer",
        )
        with self._tx() as c:
            c.execute(
                "UPDATE outbox SET last_error = ?, response_status = ?,"
                " state = CASE WHEN ? THEN 'failed' ELSE state END WHERE id = ?",
                (error, response_status, permanent, item_id),
            )
            if not permanent:
                return
            if item.kind == "create_case":
                c.execute(
                    "UPDATE outbox SET state = 'cancelled', body = X''"
                    " WHERE local_id = ? AND state = 'pending'",
                    (item.local_id,),
                )
                c.execute(
                    "UPDATE hashes SET status = 'failed' WHERE local_id = ?", (item.local_id,)
                )
                self._set_status(c, item.local_id, "failed", f"The service refused it: {error}")
            elif item.kind == "withdraw_case":
                earlier = self._status_before_withdraw(c, item.local_id)
                self._set_status(c, item.local_id, earlier, f"Withdrawal refused: {error}")
            else:
                if item.kind == "add_hashes":
                    self._fail_added_hashes(c, item)
                if item.kind == "withdraw_hash" and item.hash_row_id is not None:
                    c.execute(
                        "UPDATE hashes SET status = 'received'"
                        " WHERE id = ? AND status = 'withdraw-queued'",
                        (item.hash_row_id,),
                    )
                status = c.execute(
                    "SELECT status FROM cases WHERE local_id = ?", (item.local_id,)
                ).fetchone()[0]
                what = "Withdrawing a fingerprint" if item.kind == "withdraw_hash" else "Adding"
                self._insert_event(c, item.local_id, status, f"{what} was refused: {error}")

    @staticmethod
    def _fail_added_hashes(c: sqlite3.Connection, item: OutboxItem) -> None:
        """The fingerprints of a refused `add_hashes` item become `failed` (matched by value,
        among the case's hashes the service never accepted)."""
        try:
            sent = json.loads(item.body)["hashes"]
        except (ValueError, KeyError, TypeError):
            return
        for h in sent if isinstance(sent, list) else []:
            if not isinstance(h, dict):
                continue
            value = h.get("value")
            frames = frames_to_text(h["frames"]) if isinstance(h.get("frames"), list) else None
            c.execute(
                "UPDATE hashes SET status = 'failed' WHERE id = (SELECT id FROM hashes"
                " WHERE local_id = ? AND hash_id IS NULL AND status = 'queued' AND algorithm = ?"
                " AND (value = ? OR frames = ?) ORDER BY position LIMIT 1)",
                (item.local_id, h.get("algorithm"), value, frames),
            )

    def abandon_pending(self, local_id: str, reason: str) -> int:
        """Give up the pending items of a case that cannot wait for later (no safe keyring for
        its PIN): they become `cancelled`, their bodies removed, and the fingerprints they
        carried `failed`. An abandoned create makes the case `failed`; a case the service
        already holds keeps its case id and status, with `reason` kept as an event. Returns
        how many items were abandoned."""
        with self._tx() as c:
            kinds = [
                r[0]
                for r in c.execute(
                    "SELECT kind FROM outbox WHERE local_id = ? AND state = 'pending'", (local_id,)
                )
            ]
            if not kinds:
                return 0
            c.execute(
                "UPDATE outbox SET state = 'cancelled', body = X'', last_error = ?"
                " WHERE local_id = ? AND state = 'pending'",
                (clean_text(reason), local_id),
            )
            c.execute(
                "UPDATE hashes SET status = 'failed' WHERE local_id = ? AND hash_id IS NULL",
                (local_id,),
            )
            if "create_case" in kinds:
                self._set_status(c, local_id, "failed", reason)
            else:
                status = c.execute(
                    "SELECT status FROM cases WHERE local_id = ?", (local_id,)
                ).fetchone()[0]
                self._insert_event(c, local_id, status, reason)
        return len(kinds)

    @staticmethod
    def _status_before_withdraw(c: sqlite3.Connection, local_id: str) -> str:
        rows = c.execute(
            "SELECT status FROM events WHERE local_id = ? AND id < (SELECT MAX(id) FROM events"
            " WHERE local_id = ? AND status = 'withdraw-queued') ORDER BY id DESC",
            (local_id, local_id),
        ).fetchall()
        for (status,) in rows:
            if status in CASE_STATUSES and status != "withdraw-queued":
                return str(status)
        return "received"

    def apply_service_case(self, local_id: str, case: Mapping[str, Any]) -> CaseRecord:
        """Merge a case document fetched from the service (statuses, hash ids, new events only;
        values the service removed are removed here too). Returns the updated case."""
        with self._tx() as c:
            removed = merge_service_case(c, local_id, case, now())[1]
        if removed:
            self.checkpoint()
        return self.require_case(local_id)

    def can_cancel_locally(self, local_id: str) -> bool:
        """True when no request of this case was ever attempted or delivered, so the service
        cannot know it."""
        rows = self._q(
            "SELECT 1 FROM cases WHERE local_id = ? AND case_id IS NULL AND NOT EXISTS"
            " (SELECT 1 FROM outbox WHERE local_id = ? AND (attempts > 0 OR state = 'delivered'))",
            (local_id, local_id),
        )
        return bool(rows)

    def cancel_case_locally(
        self, local_id: str, detail: str = "Cancelled on this device before it was sent."
    ) -> bool:
        """Cancel a case the service never saw: pending items cancelled, hash values and request
        bodies removed, status `cancelled`, its PIN deleted. Returns False (changing nothing)
        when any request may have reached the service: withdraw it through the service then."""
        with self._tx() as c:
            if not self.can_cancel_locally(local_id):
                return False
            c.execute(
                "UPDATE outbox SET state = 'cancelled' WHERE local_id = ? AND state = 'pending'",
                (local_id,),
            )
            scrub_case_values(c, local_id, include_pending=True)
            c.execute("UPDATE hashes SET status = 'cancelled' WHERE local_id = ?", (local_id,))
            self._set_status(c, local_id, "cancelled", detail)
        self.checkpoint()
        with suppress(KeystoreError):  # the PIN protects nothing now; forget --all removes it
            self.keystore.delete_pin(local_id)
        log.info("case %s cancelled locally", local_id)
        return True
