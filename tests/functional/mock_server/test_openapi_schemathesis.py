"""Property-based run of schemathesis against the mock service's own /openapi.json."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from fingerprint_client.service.models import CreateCaseRequest
from tests.fixtures.mock_service import MockServiceHandle


@pytest.fixture
def api_schema(mock_service: MockServiceHandle) -> Any:
    """The live schema of a fresh mock service."""
    return schemathesis.openapi.from_url(f"{mock_service.url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_every_answer_is_documented(case: Any) -> None:
    case.call_and_validate(
        checks=[not_a_server_error, response_schema_conformance, status_code_conformance]
    )


def test_openapi_documents_the_problem_answers(mock_service: MockServiceHandle) -> None:
    doc = requests.get(f"{mock_service.url}/openapi.json", timeout=10).json()
    create = doc["paths"]["/v1/cases"]["post"]
    assert set(create["responses"]) == {"201", "400", "401", "409", "413", "422", "429"}
    assert "application/problem+json" in create["responses"]["400"]["content"]
    assert "Retry-After" in create["responses"]["429"]["headers"]
    params = {p["name"]: p for p in create["parameters"]}
    assert params["Idempotency-Key"]["required"] is True
    assert "HTTPValidationError" not in str(doc)
    assert not any(p.startswith("/_mock") for p in doc["paths"])
    example = create["requestBody"]["content"]["application/json"]["example"]
    assert CreateCaseRequest.model_validate(example).program == "adult"


def test_docs_are_served_without_a_cdn(mock_service: MockServiceHandle) -> None:
    page = requests.get(f"{mock_service.url}/docs", timeout=10)
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text.split("<body")[0]
    assert "/static-offline-docs/swagger-ui-bundle.js" in page.text
    asset = requests.get(f"{mock_service.url}/static-offline-docs/swagger-ui-bundle.js", timeout=10)
    assert asset.status_code == 200 and len(asset.content) > 100_000
