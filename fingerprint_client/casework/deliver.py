"""Delivering the outbox exactly once, and refreshing cases from the service.

Exactly once: every request was committed to the outbox (exact body, fixed idempotency key)
before any network call. `deliver` sends each pending item in order, per case; a create must be
delivered before the items that need its case id. Before each send the attempt is committed
(`begin_attempt`), after it the answer is committed with the item (`mark_delivered`). A crash
anywhere in between leaves the item pending; sending it again with the same key makes the
service replay its first answer, which is handled like a first answer. So every item takes
effect once at the service and is recorded once here.

Answers: a refusal (4xx problem) is final — the item is `failed` and the problem kept as an
event; a create refused makes the case `failed`. Anything transient (network, 5xx, 429, 409
in-progress, an untrustworthy answer) leaves the item pending for the next `sync`; a service
that is unreachable is not tried again in the same run.

Both functions take `progress(done, total, what)` and a `cancel` event checked between
requests, so the TUI can run them in a worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from fingerprint_client.casework._testhooks import pause_point
from fingerprint_client.casework.clients import ClientPool
from fingerprint_client.casework.errors import CaseworkError
from fingerprint_client.keystore import KeystoreError
from fingerprint_client.service.client import ServiceClient, case_path
from fingerprint_client.service.errors import (
    RequestInProgress,
    ServiceError,
    ServiceRefused,
    ServiceUnavailable,
)
from fingerprint_client.store import CaseRecord, OutboxItem, Store

__all__ = ["DeliveryReport", "Progress", "RefreshReport", "deliver", "refresh"]

#: progress(done, total, what): `what` is a short plain phrase without ids or paths.
Progress = Callable[[int, int, str], None]


@dataclass
class DeliveryReport:
    """What one delivery run achieved, counted in cases."""

    delivered: list[str] = field(default_factory=list)  # local ids now fully delivered
    queued: list[str] = field(default_factory=list)  # local ids with items still pending
    failed: list[str] = field(default_factory=list)  # local ids with an item refused now
    errors: dict[str, str] = field(default_factory=dict)  # local id -> last message
    cancelled: bool = False


@dataclass
class RefreshReport:
    """What one refresh run achieved."""

    refreshed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    cancelled: bool = False


def _group(items: list[OutboxItem]) -> dict[str, list[OutboxItem]]:
    groups: dict[str, list[OutboxItem]] = {}
    for item in items:
        groups.setdefault(item.local_id, []).append(item)
    return groups


def _read_pin(store: Store, local_id: str, pins: Mapping[str, str] | None) -> str | None:
    if pins and local_id in pins:
        return pins[local_id]
    try:
        return store.keystore.get_pin(local_id)
    except KeystoreError:
        return None


def _client_for(
    clients: ClientPool, case: CaseRecord, errors: dict[str, str]
) -> ServiceClient | None:
    """The client of `case`'s service, or None with the reason in `errors` (profile gone,
    address not acceptable): such a case is reported, not fatal to the run."""
    try:
        return clients.for_case(case)
    except (CaseworkError, ServiceError) as exc:
        errors[case.local_id] = exc.message
        return None


def deliver(
    store: Store,
    clients: ClientPool,
    *,
    local_id: str | None = None,
    pins: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> DeliveryReport:
    """Send every pending outbox item (of one case, or of all). `pins` supplies PINs that are
    not in the keyring (`--show-pin`, `--pin-stdin`)."""
    report = DeliveryReport()
    groups = _group(store.pending_outbox(local_id))
    total = sum(len(v) for v in groups.values())
    done = 0
    unreachable: set[str] = set()
    for lid, items in groups.items():
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            report.queued.append(lid)
            continue
        case = store.require_case(lid)
        pin = _read_pin(store, lid, pins)
        client = _client_for(clients, case, report.errors)
        if client is None:
            report.queued.append(lid)
            continue
        if pin is None:
            report.queued.append(lid)
            report.errors[lid] = "The case PIN could not be read from the keyring."
            continue
        if client.base_url in unreachable:
            report.queued.append(lid)
            continue
        case_id = case.case_id
        outcome = "delivered"
        for item in items:
            if progress is not None:
                progress(done, total, _WHAT.get(item.kind, "Sending"))
            if cancel is not None and cancel.is_set():
                report.cancelled = True
                outcome = "queued"
                break
            if item.kind != "create_case" and case_id is None:
                outcome = "queued"  # the create has not gone through yet
                break
            hash_id = store.hash_id_for(item) if item.kind == "withdraw_hash" else None
            if "{hash_id}" in item.path_template and hash_id is None:
                store.mark_failed(item.id, "The fingerprint was never accepted by the service.")
                outcome = "failed"
                break
            path = case_path(item.path_template, case_id, hash_id)
            store.begin_attempt(item.id)
            pause_point("after-attempt")
            try:
                status, answer = client.send(
                    path,
                    item.body,
                    idempotency_key=item.idempotency_key,
                    pin=pin,
                    on_answer=lambda: pause_point("request-reached"),
                )
            except ServiceRefused as exc:
                problem = exc.problem
                store.mark_failed(
                    item.id, exc.message, response_status=problem.status, permanent=True
                )
                report.errors[lid] = exc.message
                outcome = "failed"
                break
            except ServiceError as exc:
                store.mark_failed(item.id, exc.message, permanent=False)
                report.errors[lid] = exc.message
                if isinstance(exc, ServiceUnavailable) and not isinstance(exc, RequestInProgress):
                    unreachable.add(client.base_url)
                outcome = "queued"
                break
            pause_point("after-answer")
            record = store.mark_delivered(
                item.id, status, answer.model_dump(mode="json", exclude_none=True)
            )
            case_id = record.case_id
            done += 1
            pause_point("after-delivered")
        getattr(report, outcome).append(lid)
    if progress is not None:
        progress(done, total, "Done")
    return report


_WHAT = {
    "create_case": "Sending the case",
    "add_hashes": "Sending more fingerprints",
    "withdraw_case": "Withdrawing the case",
    "withdraw_hash": "Withdrawing a fingerprint",
}


def refresh(
    store: Store,
    clients: ClientPool,
    *,
    local_id: str | None = None,
    pins: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> RefreshReport:
    """Fetch every case that is delivered and not final (or just `local_id`) and store what
    changed, each change as an event."""
    report = RefreshReport()
    cases = [store.require_case(local_id)] if local_id else store.list_cases()
    todo = [c for c in cases if c.case_id is not None and not c.is_final]
    unreachable: set[str] = set()
    for n, case in enumerate(todo):
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            break
        if progress is not None:
            progress(n, len(todo), "Checking for news")
        pin = _read_pin(store, case.local_id, pins)
        client = _client_for(clients, case, report.errors)
        if client is None:
            continue
        if pin is None or client.base_url in unreachable or case.case_id is None:
            report.skipped.append(case.local_id)
            continue
        try:
            answer = client.get_case(case.case_id, pin)
        except ServiceError as exc:
            report.errors[case.local_id] = exc.message
            if isinstance(exc, ServiceUnavailable):
                unreachable.add(client.base_url)
            continue
        store.apply_service_case(case.local_id, answer.model_dump(mode="json", exclude_none=True))
        report.refreshed.append(case.local_id)
    if progress is not None:
        progress(len(todo), len(todo), "Done")
    return report
