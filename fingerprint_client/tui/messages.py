"""Messages that thread workers post back to their screens (never touching widgets directly)."""

from __future__ import annotations

from textual.message import Message

from fingerprint_client.tui.backend import (
    CaseDetail,
    CaseSummary,
    Committed,
    Delivery,
    FileOutcome,
    HashProgress,
    PreparedRequest,
    SyncReport,
)


class HashingProgress(Message):
    """Files done so far."""

    def __init__(self, progress: HashProgress) -> None:
        super().__init__()
        self.progress = progress


class FileHashed(Message):
    """One file's outcome (ok, or its clear error)."""

    def __init__(self, outcome: FileOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class HashingFinished(Message):
    """The batch ended; `cancelled` when the person stopped it."""

    def __init__(self, cancelled: bool, problem: str | None = None) -> None:
        super().__init__()
        self.cancelled = cancelled
        self.problem = problem


class RequestPrepared(Message):
    """The exact request bytes are ready for review."""

    def __init__(self, prepared: PreparedRequest) -> None:
        super().__init__()
        self.prepared = prepared


class RequestCommitted(Message):
    """The request is safe in the outbox; the PIN is in the keyring."""

    def __init__(self, committed: Committed) -> None:
        super().__init__()
        self.committed = committed


class DeliveryTried(Message):
    """Sent, or still queued (offline)."""

    def __init__(self, delivery: Delivery) -> None:
        super().__init__()
        self.delivery = delivery


class CasesLoaded(Message):
    """The list of local cases."""

    def __init__(self, cases: list[CaseSummary], sync: SyncReport | None = None) -> None:
        super().__init__()
        self.cases = cases
        self.sync = sync


class CaseLoaded(Message):
    """One case with timeline."""

    def __init__(self, detail: CaseDetail, refreshed: bool) -> None:
        super().__init__()
        self.detail = detail
        self.refreshed = refreshed


class PinLoaded(Message):
    """A case PIN read from the keyring (None when it is not there)."""

    def __init__(self, pin: str | None) -> None:
        super().__init__()
        self.pin = pin


class WorkFailed(Message):
    """A background step failed; `message` is kind and has no path or secret."""

    def __init__(self, message: str, code: str = "error") -> None:
        super().__init__()
        self.message = message
        self.code = code


class WorkDone(Message):
    """A background step finished; `what` names it."""

    def __init__(self, what: str, detail: str = "") -> None:
        super().__init__()
        self.what = what
        self.detail = detail
