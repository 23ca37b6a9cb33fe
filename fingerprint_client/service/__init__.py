"""Talking to a takedown service (protocol v1): models, the HTTP client and its errors.

    from fingerprint_client.service import ServiceClient, ServiceError, canonical_json

See `client.py` for the client, `errors.py` for the exception hierarchy and `models.py` for the
protocol's request and response models.
"""

from fingerprint_client.service.client import ClientSettings, ServiceClient, case_path, mask_headers
from fingerprint_client.service.errors import (
    CaseNotFound,
    HostileResponse,
    IdempotencyConflict,
    InsecureEndpoint,
    PinRejected,
    Problem,
    RateLimited,
    RequestInProgress,
    ServiceError,
    ServiceRefused,
    ServiceUnavailable,
    Unauthorized,
)
from fingerprint_client.service.models import (
    AddHashesRequest,
    Capabilities,
    Case,
    CaseEvent,
    CaseHash,
    ClientInfo,
    CreateCaseRequest,
    EmptyRequest,
    Frame,
    HashIn,
    canonical_json,
    canonical_json_from_data,
)
from fingerprint_client.service.sanitize import clean_text

__all__ = [
    "AddHashesRequest",
    "Capabilities",
    "Case",
    "CaseEvent",
    "CaseHash",
    "CaseNotFound",
    "ClientInfo",
    "ClientSettings",
    "CreateCaseRequest",
    "EmptyRequest",
    "Frame",
    "HashIn",
    "HostileResponse",
    "IdempotencyConflict",
    "InsecureEndpoint",
    "PinRejected",
    "Problem",
    "RateLimited",
    "RequestInProgress",
    "ServiceClient",
    "ServiceError",
    "ServiceRefused",
    "ServiceUnavailable",
    "Unauthorized",
    "canonical_json",
    "canonical_json_from_data",
    "case_path",
    "clean_text",
    "mask_headers",
]
