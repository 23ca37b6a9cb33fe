"""`sync`: deliver everything queued, then refresh every case that is not final."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from fingerprint_client.casework.clients import ClientPool
from fingerprint_client.casework.deliver import (
    DeliveryReport,
    Progress,
    RefreshReport,
    deliver,
    refresh,
)
from fingerprint_client.store import Store

__all__ = ["SyncReport", "sync"]


@dataclass
class SyncReport:
    """Both halves of a sync; `counts()` is the `sync --json` object."""

    delivery: DeliveryReport
    refresh: RefreshReport

    def counts(self) -> dict[str, int]:
        """`{"delivered", "queued", "failed", "refreshed"}`, counted in cases."""
        return {
            "delivered": len(self.delivery.delivered),
            "queued": len(self.delivery.queued),
            "failed": len(self.delivery.failed),
            "refreshed": len(self.refresh.refreshed),
        }


def sync(
    store: Store,
    clients: ClientPool,
    *,
    pins: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> SyncReport:
    """Deliver the outbox, then refresh statuses (skipped when cancelled)."""
    delivery = deliver(store, clients, pins=pins, progress=progress, cancel=cancel)
    if cancel is not None and cancel.is_set():
        return SyncReport(delivery, RefreshReport(cancelled=True))
    return SyncReport(
        delivery, refresh(store, clients, pins=pins, progress=progress, cancel=cancel)
    )
