"""Adding more fingerprints to an existing case: plan it (the exact bytes, for consent), then
commit it to the outbox in one transaction, and deliver it like any other queued request.

    plan = plan_addition(store, clients, "C-4K7QXM", entries, labels=paths)
    ...show plan.shown_requests() and plan.reveal_lines(), ask...
    case = commit_addition(store, plan)
    report = deliver(store, clients, local_id=case.local_id)

Every request is `POST /v1/cases/{case_id}/hashes`, chunked like a new case's follow-ups
(`max_hashes_per_request`, `pdq_frames` split at 3,600 frames). Hashes the case already holds
are left out with a note. No new case number and no new PIN: the case's own PIN is read from the
keyring when the items are sent. When the case's create is still queued, the additions wait
behind it in the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fingerprint_client.casework.capabilities import CapabilitiesCache
from fingerprint_client.casework.clients import ClientPool
from fingerprint_client.casework.errors import CaseworkError
from fingerprint_client.casework.prepare import hash_key, prepare_case
from fingerprint_client.casework.submit import ShownRequest, SubmitPlan
from fingerprint_client.store import CaseRecord, NewOutboxItem, ProfileRecord, Store

__all__ = ["AdditionPlan", "commit_addition", "plan_addition"]

#: Statuses a case can take more fingerprints in.
OPEN_STATUSES = frozenset({"queued", "received", "active"})


@dataclass
class AdditionPlan(SubmitPlan):
    """Fingerprints ready to be shown and added to `case` (`pin` is unused: the case has one)."""

    case: CaseRecord | None = None

    @property
    def target(self) -> CaseRecord:
        """The case the fingerprints join."""
        assert self.case is not None
        return self.case

    @property
    def case_name(self) -> str:
        """The case as the person knows it: the service's case number, or the local id."""
        return self.target.case_id or self.target.local_id

    def shown_requests(self) -> list[ShownRequest]:
        """Every request exactly as it will be sent, with the case number in the path once the
        service has given one."""
        shown = super().shown_requests()
        case_id = self.target.case_id
        if case_id is None:
            return shown
        return [
            ShownRequest(s.method, s.path.replace("{case_id}", case_id), s.headers, s.body)
            for s in shown
        ]

    def _also_sent(self) -> str:
        return (
            f"These fingerprints join case {self.case_name}: no new case number, no new PIN "
            "(the case's PIN goes with each request, as before)."
        )


def _check_open(case: CaseRecord) -> None:
    if case.status not in OPEN_STATUSES:
        raise CaseworkError(
            "case-closed",
            f"This case is {case.status}: nothing can be added to it. Make a new request.",
        )


def plan_addition(
    store: Store,
    clients: ClientPool,
    case_ident: str,
    entries: Sequence[Mapping[str, Any]],
    *,
    labels: Sequence[str] | None = None,
) -> AdditionPlan:
    """Build the requests that add `entries` (`hash --json`-shaped) to an existing case, for
    the service and program of that case. Nothing is stored or sent."""
    case = store.get_case(case_ident)
    if case is None:
        raise CaseworkError("unknown-case", "There is no case with that id on this device.")
    _check_open(case)
    profile = store.get_profile(case.profile) or ProfileRecord(
        case.profile, case.profile_url or "", case.created_at
    )
    client = clients.for_case(case)
    caps, source = CapabilitiesCache(store.path.parent).fetch(client)
    existing = [hash_key(h.algorithm, h.value, h.frames) for h in case.hashes]
    prepared = prepare_case(entries, case.program, caps, labels=labels, existing=existing)
    return AdditionPlan(profile, prepared, caps, source, "", client, case=case)


def commit_addition(
    store: Store, plan: AdditionPlan, *, remember_paths: bool = False
) -> CaseRecord:
    """Commit the new hashes and their `POST .../hashes` items in ONE transaction, behind the
    case's other queued items. Nothing has been sent when this returns."""
    return store.add_hashes_with_outbox(
        plan.target.local_id,
        plan.prepared.hashes,
        [NewOutboxItem(kind=r.kind, body=r.body) for r in plan.prepared.requests],
        remember_paths=remember_paths,
    )
