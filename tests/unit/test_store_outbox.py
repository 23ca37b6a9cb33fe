"""The outbox and merging service answers, on a real SQLite file."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fingerprint_client.store import NewCase, NewHash, NewOutboxItem, Store, StoreError
from fingerprint_client.store_models import CASE_STATUSES

PDQ = "0f" * 32
SHA = "cd" * 32


def _case(store: Store, extra_items: int = 0) -> str:
    items = [NewOutboxItem("create_case", b'{"n":0}')]
    items += [NewOutboxItem("add_hashes", b'{"n":%d}' % (i + 1)) for i in range(extra_items)]
    return store.create_case_with_outbox(
        NewCase("mock", "under18"),
        [NewHash("pdq", PDQ, quality=88), NewHash("sha256", SHA)],
        items,
        pin="AAAA-BBBB-CCCC",
    ).local_id


def _service_case(status: str = "received", **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "case_id": "case-123",
        "status": status,
        "program": "under18",
        "hashes": [
            {"hash_id": "h-a", "algorithm": "pdq", "value": PDQ, "quality": 88, "status": status},
            {"hash_id": "h-b", "algorithm": "sha256", "value": SHA, "status": status},
        ],
        "events": [{"at": "2026-01-01T00:00:00Z", "status": "received", "detail": "Received."}],
    }
    doc.update(extra)
    return doc


def test_items_are_ordered_per_case(store: Store) -> None:
    first = _case(store, extra_items=2)
    second = _case(store)
    pending = store.pending_outbox()
    assert [(i.local_id, i.seq) for i in pending] == [
        (first, 1),
        (first, 2),
        (first, 3),
        (second, 1),
    ]
    assert [i.path_template for i in pending[:2]] == ["/v1/cases", "/v1/cases/{case_id}/hashes"]
    assert pending[1].resolve_path("case-123") == "/v1/cases/case-123/hashes"
    assert len({i.idempotency_key for i in pending}) == 4
    assert [i.seq for i in store.pending_outbox(second)] == [1]


def test_delivery_sets_ids_and_imports_events_once(store: Store) -> None:
    local_id = _case(store)
    (item,) = store.pending_outbox()
    store.begin_attempt(item.id)
    case = store.mark_delivered(item.id, 201, _service_case())
    assert case.case_id == "case-123" and case.status == "received"
    assert [h.hash_id for h in case.hashes] == ["h-a", "h-b"]
    assert store.outbox_item(item.id).state == "delivered"
    assert store.outbox_item(item.id).attempts == 1
    assert store.pending_outbox() == []
    assert store.get_case("case-123") is not None

    before = store.events(local_id)
    store.apply_service_case(local_id, _service_case())  # nothing new
    assert store.events(local_id) == before

    feedback = {"at": "2026-01-02T00:00:00Z", "status": "active", "detail": "Shared."}
    platform = {
        "at": "2026-01-03T00:00:00Z",
        "status": "active",
        "detail": "Blocked \x1b[31mupload",
        "platform": "ExampleGram",
        "action": "blocked",
    }
    doc = _service_case("active", events=[*_service_case()["events"], feedback, platform])
    case = store.apply_service_case(local_id, doc)
    assert case.status == "active"
    events = store.events(local_id)
    assert [e.status for e in events] == ["queued", "received", "active", "active"]
    assert events[-1].platform == "ExampleGram" and events[-1].action == "blocked"
    assert "\x1b" not in events[-1].detail
    assert all(h.status == "active" for h in case.hashes)


def test_identical_events_are_each_kept_once(store: Store) -> None:
    local_id = _case(store)
    feedback = {
        "at": "2026-01-02T00:00:00Z",
        "status": "active",
        "detail": "Blocked an upload.",
        "platform": "ExampleGram",
        "action": "blocked",
    }
    first = [*_service_case()["events"], feedback, feedback]
    store.apply_service_case(local_id, _service_case("active", events=first))
    store.apply_service_case(local_id, _service_case("active", events=first))  # nothing new
    service = [e for e in store.events(local_id) if e.source == "service"]
    assert [e.action for e in service] == [None, "blocked", "blocked"]

    third = [*first, feedback]
    store.apply_service_case(local_id, _service_case("active", events=third))
    service = [e for e in store.events(local_id) if e.source == "service"]
    assert [e.action for e in service] == [None, "blocked", "blocked", "blocked"]


def test_unknown_service_status_keeps_the_local_status_and_is_noted_once(store: Store) -> None:
    local_id = _case(store)
    (item,) = store.pending_outbox()
    case = store.mark_delivered(item.id, 201, _service_case("escalated"))
    assert case.status == "received"  # delivered: the service holds it, whatever it calls it
    store.apply_service_case(local_id, _service_case("active"))
    for _ in range(2):
        case = store.apply_service_case(local_id, _service_case("escalated"))
    assert case.status == "active"
    notes = [e for e in store.events(local_id) if "escalated" in e.detail]
    assert len(notes) == 1 and notes[0].status == "received"
    case = store.apply_service_case(local_id, _service_case("failed"))  # a local-only name
    assert case.status == "active"


def test_transient_and_permanent_failures(store: Store) -> None:
    local_id = _case(store, extra_items=1)
    create, add = store.pending_outbox()
    store.begin_attempt(create.id)
    store.mark_failed(create.id, "timed out", permanent=False)
    item = store.outbox_item(create.id)
    assert item.state == "pending" and item.last_error == "timed out"
    store.begin_attempt(create.id)
    store.mark_failed(create.id, "quality too low", response_status=422)
    assert store.outbox_item(create.id).state == "failed"
    assert store.outbox_item(add.id).state == "cancelled"
    case = store.require_case(local_id)
    assert case.status == "failed"
    assert "quality too low" in store.events(local_id)[-1].detail


def test_cancel_locally_only_before_any_attempt(store: Store) -> None:
    never_sent = _case(store)
    attempted = _case(store)
    store.begin_attempt(store.pending_outbox(attempted)[0].id)

    assert not store.cancel_case_locally(attempted)
    assert store.require_case(attempted).status == "queued"

    assert store.cancel_case_locally(never_sent)
    case = store.require_case(never_sent)
    assert case.status == "cancelled"
    assert all(h.value is None for h in case.hashes)
    assert store.outbox(never_sent)[0].state == "cancelled"
    assert store.outbox(never_sent)[0].body == b""
    assert store.keystore.get_pin(never_sent) is None
    assert [i.local_id for i in store.pending_outbox()] == [attempted]


def test_withdraw_flow_removes_values(store: Store) -> None:
    local_id = _case(store)
    (create,) = store.pending_outbox()
    store.mark_delivered(create.id, 201, _service_case())
    item = store.enqueue(
        local_id, NewOutboxItem("withdraw_case", b"{}"), case_status="withdraw-queued"
    )
    assert item.seq == 2 and item.resolve_path("case-123") == "/v1/cases/case-123/withdraw"
    # a refresh while the withdrawal waits keeps the local intent
    assert store.apply_service_case(local_id, _service_case("active")).status == "withdraw-queued"
    gone = _service_case("withdrawn")
    for h in gone["hashes"]:
        del h["value"]
        h["status"] = "withdrawn"
    case = store.mark_delivered(item.id, 200, gone)
    assert case.status == "withdrawn"
    assert all(h.value is None and h.status == "withdrawn" for h in case.hashes)
    assert store.outbox(local_id)[0].body == b""


def test_withdraw_hash_resolves_hash_id_at_send_time(store: Store) -> None:
    local_id = _case(store)
    item = store.enqueue(
        local_id,
        NewOutboxItem("withdraw_hash", b"{}", hash_position=1),
        hash_status="withdraw-queued",
    )
    assert store.hash_id_for(item) is None
    assert store.require_case(local_id).hashes[1].status == "withdraw-queued"
    create = store.pending_outbox()[0]
    store.mark_delivered(create.id, 201, _service_case())
    assert store.hash_id_for(item) == "h-b"
    path = item.resolve_path("case-123", store.hash_id_for(item))
    assert path == "/v1/cases/case-123/hashes/h-b/withdraw"
    store.mark_failed(item.id, "not allowed", response_status=409)
    assert store.require_case(local_id).hashes[1].status == "received"


def test_refused_withdrawal_restores_earlier_status(store: Store) -> None:
    local_id = _case(store)
    (create,) = store.pending_outbox()
    store.mark_delivered(create.id, 201, _service_case("active"))
    item = store.enqueue(
        local_id, NewOutboxItem("withdraw_case", b"{}"), case_status="withdraw-queued"
    )
    store.mark_failed(item.id, "unknown case", response_status=404)
    assert store.require_case(local_id).status == "active"


def test_case_id_of_another_case_is_refused(store: Store) -> None:
    first, second = _case(store), _case(store)
    store.apply_service_case(first, _service_case())
    with pytest.raises(StoreError) as err:
        store.apply_service_case(second, _service_case())
    assert err.value.code == "case-id-conflict"
    assert store.require_case(second).case_id is None


def test_hostile_case_document_does_not_corrupt(store: Store) -> None:
    local_id = _case(store)
    hostile: dict[str, Any] = {
        "case_id": "x" * 500,
        "status": "pwned",
        "hashes": ["nope", {"hash_id": 5}, {"hash_id": "y" * 100}],
        "events": [None, {"at": 1}, {"at": "t", "detail": "\x1b]0;title\x07hi" * 1000}],
    }
    case = store.apply_service_case(local_id, hostile)
    assert case.case_id is None and case.status == "queued"
    detail = store.events(local_id)[-1].detail
    assert "\x1b" not in detail and len(detail) <= 2000


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_case_doc = st.fixed_dictionaries(
    {},
    optional={
        "case_id": _json | st.text(max_size=70),
        "status": _json | st.sampled_from(["received", "active", "withdrawn", "deleted"]),
        "hashes": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "hash_id": _json | st.text(min_size=1, max_size=70),
                    "algorithm": st.sampled_from(["pdq", "sha256", "md5"]) | _json,
                    "value": _json,
                    "status": _json,
                },
            )
            | _json,
            max_size=4,
        )
        | _json,
        "events": st.lists(
            st.fixed_dictionaries(
                {},
                optional={"at": _json, "status": _json, "detail": _json, "platform": _json},
            )
            | _json,
            max_size=4,
        )
        | _json,
    },
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_case_doc)
def test_any_case_document_merges_without_crashing(store: Store, doc: dict[str, Any]) -> None:
    local_id = _case(store)
    try:
        case = store.apply_service_case(local_id, doc)
    except StoreError as exc:  # the examples share one store: a case id may repeat
        assert exc.code == "case-id-conflict"
        assert store.require_case(local_id).case_id is None
        return
    assert case.status in CASE_STATUSES
    assert case.case_id is None or (isinstance(case.case_id, str) and len(case.case_id) <= 64)
    for event in store.events(local_id):
        assert "\x1b" not in event.detail
