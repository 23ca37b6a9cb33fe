"""The mock takedown service: protocol v1 for tests and demos (`fingerprint-client mock-server`).

Start one in a background thread with `start_mock_service(...)` (see `embedded`).
"""

from __future__ import annotations

from fingerprint_client.mock_server.embedded import RunningMockService, start_mock_service

__all__ = ["RunningMockService", "start_mock_service"]
