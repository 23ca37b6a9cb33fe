"""Submitting a case: plan it (what exactly will be sent, and what that reveals), then commit
it to the outbox in one transaction before anything touches the network.

    target = resolve_target(store, clients, "my-profile")
    plan = plan_submission(target, entries, "adult", labels=paths)
    ...show plan.shown_requests() and plan.reveal_lines(), ask...
    case = commit_submission(store, plan, label="for Sam")
    report = deliver(store, clients, local_id=case.local_id)

The PIN is generated in the plan, stored in the keyring inside the commit's transaction, and
never written anywhere else (not in the outbox, not in the database).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fingerprint_client.casework._testhooks import pause_point
from fingerprint_client.casework.capabilities import CapabilitiesCache
from fingerprint_client.casework.clients import ClientPool
from fingerprint_client.casework.errors import CaseworkError
from fingerprint_client.casework.prepare import PreparedCase, prepare_case
from fingerprint_client.keystore import generate_pin
from fingerprint_client.service.client import ServiceClient
from fingerprint_client.service.models import Capabilities
from fingerprint_client.store import CaseRecord, NewCase, NewOutboxItem, ProfileRecord, Store

__all__ = [
    "ServiceTarget",
    "ShownRequest",
    "SubmitPlan",
    "commit_submission",
    "plan_submission",
    "resolve_target",
]

IDEMPOTENCY_PLACEHOLDER = "<a random id, fixed when the request is queued>"


@dataclass(frozen=True)
class ShownRequest:
    """One request as the person sees it before consenting: secrets masked, body verbatim."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class SubmitPlan:
    """A case ready to be shown and committed."""

    profile: ProfileRecord
    prepared: PreparedCase
    capabilities: Capabilities
    capabilities_source: str  # service | remembered | guess
    pin: str
    client: ServiceClient

    def shown_requests(self) -> list[ShownRequest]:
        """Every request exactly as it will be sent (PIN and API key masked)."""
        headers = {"Host": urlsplit(self.client.base_url).netloc}
        headers.update(
            self.client.shown_headers(idempotency_key=IDEMPOTENCY_PLACEHOLDER, with_pin=True)
        )
        return [
            ShownRequest(
                "POST", r.path_template, {**headers, "Content-Length": str(len(r.body))}, r.body
            )
            for r in self.prepared.requests
        ]

    def _also_sent(self) -> str:
        return (
            "Also sent: the program you chose, this program's name and version, and a PIN "
            "for the case (the service keeps only a scrambled form of it)."
        )

    def reveal_lines(self) -> list[str]:
        """What these requests reveal, in plain words (DESIGN.md principle 7)."""
        p = self.prepared
        algos = set(p.algorithms)
        lines = [
            f"Sent to {self.profile.url} (profile {self.profile.name}): "
            f"{len(p.hashes)} fingerprint(s) of {p.files_used} file(s), in "
            f"{len(p.requests)} request(s) of {p.body_bytes} bytes in all.",
            "Not sent: the images, their names, folders or paths, dates or EXIF data.",
            self._also_sent(),
        ]
        if algos & {"md5", "sha256"}:
            lines.append(
                "MD5/SHA-256: someone who has the very same file can check that it was reported."
            )
        if algos & {"pdq", "pdq_frames", "phash", "dhash", "whash"}:
            lines.append(
                "PDQ and other perceptual fingerprints can be partly turned back into a very "
                "blurry likeness of the picture."
            )
        lines.append(
            "The service sees your internet (IP) address. A proxy or Tor set in your "
            "environment (HTTPS_PROXY / ALL_PROXY) hides it."
        )
        if self.capabilities_source != "service":
            lines.append(
                "The service could not be reached just now, so the request was built from "
                + (
                    "what it accepted last time."
                    if self.capabilities_source == "remembered"
                    else "a safe guess (PDQ, MD5 and SHA-256, one per request)."
                )
            )
        return lines + p.notes


@dataclass(frozen=True)
class ServiceTarget:
    """The profile a case goes to, its client, and what that service accepts."""

    profile: ProfileRecord
    client: ServiceClient
    capabilities: Capabilities
    source: str  # service | remembered | guess


def resolve_target(store: Store, clients: ClientPool, profile_name: str) -> ServiceTarget:
    """Look up the profile and ask its service what it accepts (or use what it accepted last
    time, or a safe guess when it was never reached)."""
    profile = store.get_profile(profile_name)
    if profile is None:
        raise CaseworkError(
            "unknown-profile", f"There is no profile called {profile_name!r}.", usage=True
        )
    client = clients.for_profile(profile.name, profile.url)
    caps, source = CapabilitiesCache(store.path.parent).fetch(client)
    return ServiceTarget(profile, client, caps, source)


def plan_submission(
    target: ServiceTarget,
    entries: Sequence[Mapping[str, Any]],
    program: str,
    *,
    labels: Sequence[str] | None = None,
) -> SubmitPlan:
    """Build the requests of one case from `hash --json`-shaped `entries` for `target`."""
    prepared = prepare_case(entries, program, target.capabilities, labels=labels)
    return SubmitPlan(
        target.profile, prepared, target.capabilities, target.source, generate_pin(), target.client
    )


def commit_submission(
    store: Store,
    plan: SubmitPlan,
    *,
    label: str | None = None,
    remember_paths: bool = False,
    keep_pin: bool = True,
) -> CaseRecord:
    """Commit the case, its hashes and every request to the outbox in ONE transaction (with the
    PIN into the keyring inside it, unless `keep_pin` is false: `--show-pin` without a safe
    keyring). Nothing has been sent when this returns."""
    pause_point("before-commit")
    case = store.create_case_with_outbox(
        NewCase(profile=plan.profile.name, program=plan.prepared.program, label=label or None),
        plan.prepared.hashes,
        [NewOutboxItem(kind=r.kind, body=r.body) for r in plan.prepared.requests],
        pin=plan.pin if keep_pin else None,
        remember_paths=remember_paths,
    )
    pause_point("after-commit")
    return case
