"""Request handling of the mock service, independent of the web framework.

`MockService` owns the store, the seeded random source, the in-flight registry and the rate
limits. Its methods are synchronous (SQLite and scrypt block) and are called from a worker
thread; each returns an `Answer` or raises `ProblemError`.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from fingerprint_client.mock_server import cases
from fingerprint_client.mock_server.config import MockConfig
from fingerprint_client.mock_server.pins import PinHash, hash_pin, verify_pin
from fingerprint_client.mock_server.problems import ProblemError
from fingerprint_client.mock_server.state import MockStore, StoredAnswer, get_answer, put_answer
from fingerprint_client.service.models import (
    AddHashesRequest,
    CreateCaseRequest,
    EmptyRequest,
    canonical_json_from_data,
)
from fingerprint_client.service.protocol_constants import (
    ALGORITHMS,
    IDEMPOTENCY_KEY_RE,
    JSON_CONTENT_TYPE,
    PROBLEM_CONTENT_TYPE,
    PROTOCOL_VERSION,
    is_valid_pin,
)

PostKind = Literal["create", "add", "withdraw_hash", "withdraw_case"]
_MODELS: dict[PostKind, type[BaseModel]] = {
    "create": CreateCaseRequest,
    "add": AddHashesRequest,
    "withdraw_hash": EmptyRequest,
    "withdraw_case": EmptyRequest,
}
PROGRAM_DESCRIPTIONS = {
    "adult": "For images of people who were 18 or over when the image was taken (StopNCII-like).",
    "under18": "For images taken when the person was under 18 (Take It Down-like).",
}


@dataclass(frozen=True)
class Answer:
    """A complete HTTP answer."""

    status: int
    body: bytes
    content_type: str = JSON_CONTENT_TYPE
    headers: dict[str, str] = field(default_factory=dict)


def problem_answer(err: ProblemError) -> Answer:
    """The problem+json answer of an error."""
    return Answer(err.status, err.body(), PROBLEM_CONTENT_TYPE, dict(err.headers))


def _json(status: int, data: Any) -> Answer:
    return Answer(status, canonical_json_from_data(data))


def _validation_detail(exc: ValidationError) -> str:
    """Which fields are wrong and why — never the submitted values."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False)[:10]:
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


class _RateLimiter:
    """A token bucket per client address."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                wait = math.ceil((1 - tokens) / self.rate) if self.rate > 0 else 60
                raise ProblemError(
                    429, "rate-limited", "Please slow down.", {"Retry-After": str(max(1, wait))}
                )
            self._buckets[client] = (tokens - 1, now)


class MockService:
    """The protocol logic of the mock takedown service."""

    def __init__(self, config: MockConfig) -> None:
        self.config = config
        self.store = MockStore(config.db_path)
        self.rng = random.Random(config.seed)
        self._limiter = _RateLimiter(config.rate_limit_per_minute)
        self._in_flight: set[tuple[str, str, str]] = set()
        self._flight_lock = threading.Lock()

    # --- gates ----------------------------------------------------------------------------

    def check_api_key(self, authorization: str | None) -> None:
        """401 unless the configured API key is presented as a Bearer token."""
        if self.config.api_key is None:
            return
        if authorization != f"Bearer {self.config.api_key}":
            raise ProblemError(401, "unauthorized", "Send Authorization: Bearer <api key>.")

    def check_rate(self, client: str) -> None:
        """429 with Retry-After when a client sends too many requests."""
        self._limiter.take(client)

    @staticmethod
    def check_idempotency_key(key: str | None) -> str:
        """400 unless a usable Idempotency-Key is present."""
        if key is None or not IDEMPOTENCY_KEY_RE.fullmatch(key):
            raise ProblemError(
                400,
                "missing-idempotency-key",
                "Every POST under /v1 needs an Idempotency-Key header "
                "(1-200 visible ASCII characters, e.g. a UUID).",
            )
        return key

    def begin(self, scope: tuple[str, str, str]) -> None:
        """Mark (key, method, path) in flight; 409 in-progress if it already is."""
        with self._flight_lock:
            if scope in self._in_flight:
                raise ProblemError(409, "in-progress", "Retry when the first request has finished.")
            self._in_flight.add(scope)

    def end(self, scope: tuple[str, str, str]) -> None:
        """The request of (key, method, path) has finished."""
        with self._flight_lock:
            self._in_flight.discard(scope)

    def in_flight_count(self) -> int:
        """How many idempotent requests are being worked on right now."""
        with self._flight_lock:
            return len(self._in_flight)

    # --- case access ------------------------------------------------------------------------

    def _pin_of(self, conn: sqlite3.Connection, case_id: str) -> sqlite3.Row:
        row = conn.execute(
            "SELECT pin_salt, pin_n, pin_digest, wrong_pins, locked_until FROM cases "
            "WHERE case_id = ?",
            (case_id,),
        ).fetchone()
        if row is None:
            raise ProblemError(404, "not-found", "There is no case with this id.")
        assert isinstance(row, sqlite3.Row)
        return row

    def _check_pin(self, case_id: str, pin: str | None) -> None:
        """404 unknown case, 429 locked, 401 missing or wrong PIN (counted, committed)."""
        failure: ProblemError | None = None
        with self.store.transaction() as conn:
            row = self._pin_of(conn, case_id)
            now = time.time()
            if row["locked_until"] > now:
                wait = max(1, math.ceil(row["locked_until"] - now))
                raise ProblemError(
                    429,
                    "too-many-wrong-pins",
                    "Too many wrong PINs were tried for this case; try again later.",
                    {"Retry-After": str(wait)},
                )
            stored = PinHash(bytes(row["pin_salt"]), row["pin_n"], bytes(row["pin_digest"]))
            if pin is None:
                raise ProblemError(401, "pin-required", "Send the case PIN as X-Case-PIN.")
            if verify_pin(pin, stored):
                if row["wrong_pins"]:
                    conn.execute("UPDATE cases SET wrong_pins = 0 WHERE case_id = ?", (case_id,))
                return
            wrong = row["wrong_pins"] + 1
            locked = (
                now + self.config.pin_lockout_seconds if wrong >= self.config.max_wrong_pins else 0
            )
            conn.execute(
                "UPDATE cases SET wrong_pins = ?, locked_until = ? WHERE case_id = ?",
                (0 if locked else wrong, locked, case_id),
            )
            failure = ProblemError(401, "wrong-pin", "The PIN does not match this case.")
        raise failure

    def _simulate(self, conn: sqlite3.Connection) -> None:
        cases.auto_advance(conn, self.config.advance_after, self.rng, self.config.feedback)

    # --- endpoints ---------------------------------------------------------------------------

    def capabilities(self) -> Answer:
        """GET /v1/capabilities."""
        return _json(
            200,
            {
                "protocol": PROTOCOL_VERSION,
                "algorithms": list(ALGORITHMS),
                "programs": [{"id": k, "description": v} for k, v in PROGRAM_DESCRIPTIONS.items()],
                "max_hashes_per_request": self.config.max_hashes_per_request,
            },
        )

    def get_case(self, case_id: str, pin: str | None) -> Answer:
        """GET /v1/cases/{case_id}."""
        self._check_pin(case_id, pin)
        with self.store.transaction() as conn:
            self._simulate(conn)
            return _json(200, cases.case_view(conn, case_id))

    def post(
        self,
        kind: PostKind,
        key: str,
        path: str,
        body: bytes,
        pin: str | None,
        case_id: str | None = None,
        hash_id: str | None = None,
    ) -> Answer:
        """Every POST under /v1: PIN, replay or conflict, parse, validate, work — one transaction
        records the work and its answer."""
        if case_id is not None:
            self._check_pin(case_id, pin)
        body_sha = hashlib.sha256(body).hexdigest()
        with self.store.transaction() as conn:
            stored = get_answer(conn, key, "POST", path)
        if stored is not None:
            return self._replay(stored, body_sha, pin, kind)
        scrub = False
        with self.store.transaction() as conn:
            if get_answer(conn, key, "POST", path) is not None:  # defensive: begin() prevents it
                raise ProblemError(409, "in-progress", "Retry: the first request just finished.")
            try:
                answer, new_case, scrub = self._work(conn, kind, body, pin, case_id, hash_id)
            except ProblemError as err:
                if not err.storable:
                    raise
                answer, new_case = problem_answer(err), case_id
            put_answer(
                conn,
                key,
                "POST",
                path,
                StoredAnswer(body_sha, answer.status, answer.content_type, answer.body, new_case),
            )
        if scrub:
            self.store.scrub()
        return answer

    def _replay(self, stored: StoredAnswer, body_sha: str, pin: str | None, kind: str) -> Answer:
        if stored.body_sha256 != body_sha:
            raise ProblemError(
                409,
                "idempotency-conflict",
                "This Idempotency-Key was already used for a different request body.",
            )
        if kind == "create" and stored.case_id is not None:
            self._check_pin(stored.case_id, pin)  # a replayed case is shown only with its PIN
        return Answer(stored.status, stored.response, stored.content_type)

    def _work(
        self,
        conn: sqlite3.Connection,
        kind: PostKind,
        body: bytes,
        pin: str | None,
        case_id: str | None,
        hash_id: str | None,
    ) -> tuple[Answer, str | None, bool]:
        if kind == "create" and pin is None:
            raise ProblemError(401, "pin-required", "Choose a PIN and send it as X-Case-PIN.")
        try:
            json.loads(body)
        except (ValueError, RecursionError):
            raise ProblemError(400, "malformed-json", "The body must be one JSON value.") from None
        try:
            req = _MODELS[kind].model_validate_json(body)
        except ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors()):
                raise ProblemError(400, "malformed-json", "The body is not valid JSON.") from None
            raise ProblemError(422, "validation-failed", _validation_detail(exc)) from None
        if isinstance(req, CreateCaseRequest | AddHashesRequest):
            limit = self.config.max_hashes_per_request
            if len(req.hashes) > limit:
                raise ProblemError(422, "validation-failed", f"hashes: at most {limit} per request")
        self._simulate(conn)
        if isinstance(req, CreateCaseRequest):
            assert pin is not None
            if not is_valid_pin(pin):
                raise ProblemError(
                    422,
                    "validation-failed",
                    "X-Case-PIN: 12 Crockford base32 characters in groups of four, "
                    "e.g. 7KQ2-M9XD-4TA0",
                )
            new_id = cases.create_case(conn, req, hash_pin(pin, self.config.scrypt_n))
            return _json(201, cases.case_view(conn, new_id)), new_id, False
        assert case_id is not None
        if isinstance(req, AddHashesRequest):
            cases.add_hashes(conn, case_id, list(req.hashes))
            return _json(201, cases.case_view(conn, case_id)), case_id, False
        if kind == "withdraw_hash":
            assert hash_id is not None
            cases.withdraw_hash(conn, case_id, hash_id)
        else:
            cases.close_case(conn, case_id, "withdrawn", "Case withdrawn; every value deleted.")
        return _json(200, cases.case_view(conn, case_id)), case_id, True

    # --- mock administration --------------------------------------------------------------

    def mock_cases(self) -> Answer:
        """GET /_mock/cases."""
        with self.store.transaction() as conn:
            self._simulate(conn)
            return _json(
                200, {"cases": [cases.case_view(conn, c) for c in cases.all_case_ids(conn)]}
            )

    def mock_advance(self, case_id: str | None, status: str | None) -> Answer:
        """POST /_mock/advance: received → active (with feedback), or a chosen status."""
        scrub = False
        with self.store.transaction() as conn:
            ids = cases.all_case_ids(conn) if case_id is None else [case_id]
            if case_id is not None:
                self._pin_of(conn, case_id)  # 404 when unknown
            for cid in ids:
                if status == "deleted":
                    cases.close_case(conn, cid, "deleted", "Deleted by the service.")
                    scrub = True
                elif status == "rejected":
                    if cases.case_status(conn, cid) in ("received", "active"):
                        conn.execute("UPDATE cases SET status='rejected' WHERE case_id=?", (cid,))
                        cases.add_event(conn, cid, "rejected", "Rejected by the service (mock).")
                elif not cases.activate(conn, cid, self.rng, self.config.feedback):
                    cases.give_feedback(conn, cid, self.rng, self.config.feedback)
            answer = _json(200, {"cases": [cases.case_view(conn, c) for c in ids]})
        if scrub:
            self.store.scrub()
        return answer

    def close(self) -> None:
        """Close the database."""
        self.store.close()
