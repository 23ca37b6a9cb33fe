"""Withdrawing a case or one of its fingerprints, and cancelling what was never sent.

- A case no request of which ever left this device is cancelled here: status `cancelled`, its
  queued requests cancelled, hash values and request bodies removed, PIN deleted.
- Otherwise a withdrawal is queued (status `withdraw-queued`, or the hash's status) behind the
  case's other requests and delivered like any request (`deliver`), exactly once.
- A case the service refused to create exists only here: it is marked `cancelled`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fingerprint_client.casework.errors import CaseworkError
from fingerprint_client.service.models import EmptyRequest, canonical_json
from fingerprint_client.store import CaseRecord, NewOutboxItem, Store

__all__ = ["WithdrawOutcome", "find_hash_position", "withdraw_case", "withdraw_hash"]

Outcome = Literal["cancelled", "queued", "already"]
_GONE = {"withdrawn", "deleted", "cancelled"}


@dataclass(frozen=True)
class WithdrawOutcome:
    """What `withdraw_*` did: `cancelled` locally, withdrawal `queued`, or `already` done/queued."""

    outcome: Outcome
    case: CaseRecord


def withdraw_case(store: Store, ident: str) -> WithdrawOutcome:
    """Withdraw case `ident` (local id or case id)."""
    case = store.require_case(ident)
    lid = case.local_id
    if case.status in _GONE or case.status == "withdraw-queued":
        return WithdrawOutcome("already", case)
    if store.cancel_case_locally(lid):
        return WithdrawOutcome("cancelled", store.require_case(lid))
    if case.case_id is None and case.status in {"failed", "rejected"}:
        store.set_case_status(
            lid, "cancelled", "Cancelled on this device; the service never kept it."
        )
        store.forget_case_hashes(lid)
        return WithdrawOutcome("cancelled", store.require_case(lid))
    store.enqueue(
        lid,
        NewOutboxItem(kind="withdraw_case", body=canonical_json(EmptyRequest())),
        case_status="withdraw-queued",
        detail="Withdrawal queued on this device.",
    )
    return WithdrawOutcome("queued", store.require_case(lid))


def find_hash_position(case: CaseRecord, hash_ident: str) -> int:
    """The position of the hash called `hash_ident` (the service's hash id) in `case`."""
    for h in case.hashes:
        if h.hash_id is not None and h.hash_id == hash_ident.strip():
            return h.position
    raise CaseworkError(
        "unknown-hash",
        "This case has no fingerprint with that id (hash ids come from the service once the "
        "case is delivered; see `status`).",
        usage=True,
    )


def withdraw_hash(store: Store, ident: str, hash_ident: str) -> WithdrawOutcome:
    """Withdraw one fingerprint of a delivered case."""
    case = store.require_case(ident)
    position = find_hash_position(case, hash_ident)
    record = case.hashes[position]
    if case.status in _GONE or record.status in _GONE | {"withdraw-queued"}:
        return WithdrawOutcome("already", case)
    store.enqueue(
        case.local_id,
        NewOutboxItem(
            kind="withdraw_hash", body=canonical_json(EmptyRequest()), hash_position=position
        ),
        hash_status="withdraw-queued",
    )
    store.add_event(case.local_id, case.status, "Withdrawal of one fingerprint queued.")
    return WithdrawOutcome("queued", store.require_case(case.local_id))
