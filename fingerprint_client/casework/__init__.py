"""The operations the command line and the TUI share: prepare, show, commit, deliver, refresh
and withdraw cases. No Textual, no printing: long operations take a `progress(done, total, what)`
callback and a `threading.Event` to cancel, so the TUI can run them in a worker thread.

    clients = ClientPool(store)
    target = resolve_target(store, clients, "mock")
    plan = plan_submission(target, entries, "adult")
    case = commit_submission(store, plan, label=None)
    report = deliver(store, clients, local_id=case.local_id)
    sync_report = sync(store, clients)
    more = plan_addition(store, clients, case.local_id, more_entries)  # same case, same PIN
    commit_addition(store, more)

See docs/delivery.md for the exactly-once rules.
"""

from fingerprint_client.casework.addition import AdditionPlan, commit_addition, plan_addition
from fingerprint_client.casework.capabilities import FALLBACK_CAPABILITIES, CapabilitiesCache
from fingerprint_client.casework.clients import ClientFactory, ClientPool
from fingerprint_client.casework.deliver import (
    DeliveryReport,
    Progress,
    RefreshReport,
    deliver,
    refresh,
)
from fingerprint_client.casework.errors import CaseworkError
from fingerprint_client.casework.from_files import HashedFiles, choose_options, hash_files_for
from fingerprint_client.casework.hashes_file import read_hashes_file
from fingerprint_client.casework.prepare import (
    FailedItem,
    PreparedCase,
    PreparedRequest,
    prepare_case,
)
from fingerprint_client.casework.submit import (
    ServiceTarget,
    ShownRequest,
    SubmitPlan,
    commit_submission,
    plan_submission,
    resolve_target,
)
from fingerprint_client.casework.sync import SyncReport, sync
from fingerprint_client.casework.withdraw import (
    WithdrawOutcome,
    find_hash_position,
    withdraw_case,
    withdraw_hash,
)

__all__ = [
    "FALLBACK_CAPABILITIES",
    "AdditionPlan",
    "CapabilitiesCache",
    "CaseworkError",
    "ClientFactory",
    "ClientPool",
    "DeliveryReport",
    "FailedItem",
    "HashedFiles",
    "PreparedCase",
    "PreparedRequest",
    "Progress",
    "RefreshReport",
    "ServiceTarget",
    "ShownRequest",
    "SubmitPlan",
    "SyncReport",
    "WithdrawOutcome",
    "choose_options",
    "commit_addition",
    "commit_submission",
    "deliver",
    "find_hash_position",
    "hash_files_for",
    "plan_addition",
    "plan_submission",
    "prepare_case",
    "read_hashes_file",
    "refresh",
    "resolve_target",
    "sync",
    "withdraw_case",
    "withdraw_hash",
]
