"""`--record`, restarts, `--memory` and the loopback-only rule."""

from __future__ import annotations

import stat
from typing import Any

import requests
from click.testing import CliRunner

from fingerprint_client.cli import cli
from fingerprint_client.mock_server.config import DB_FILE_NAME
from tests.fixtures.mock_service import MockServiceHandle

from .protocol_helpers import PIN, create_body, create_case, get_case, post


def test_record_masks_secrets_and_keeps_bodies(mock_service_factory: Any) -> None:
    service = mock_service_factory(api_key="top-secret-key")
    auth = {"Authorization": "Bearer top-secret-key"}
    body = create_body()
    post(service.url, "/v1/cases", body, key="rec-1", headers=auth)
    post(service.url, "/v1/cases", b"\xff\x00binary", key="rec-2", headers=auth)
    assert service.record_path is not None
    assert stat.S_IMODE(service.record_path.stat().st_mode) == 0o600
    text = service.record_path.read_text()
    assert PIN not in text and "top-secret-key" not in text
    first, second = service.requests_to("/v1/cases")
    assert first["method"] == "POST" and first["path"] == "/v1/cases"
    assert first["headers"]["x-case-pin"] == "***"
    assert first["headers"]["authorization"] == "***"
    assert first["headers"]["idempotency-key"] == "rec-1"
    assert first["body"] == body.decode() and "body_base64" not in first
    assert second["body_base64"] is True and second["body"] == "/wBiaW5hcnk="


def test_admin_token_protects_mock_endpoints(mock_service_factory: Any) -> None:
    service = mock_service_factory(admin_token="adm")
    assert requests.get(f"{service.url}/_mock/cases", timeout=10).status_code == 401
    ok = requests.get(f"{service.url}/_mock/cases", headers={"X-Admin-Token": "adm"}, timeout=10)
    assert ok.status_code == 200
    text = service.record_path.read_text()
    assert '"adm"' not in text


def test_state_survives_a_restart_and_a_kill(mock_service_process: Any) -> None:
    process = mock_service_process("--seed", "1")
    case = create_case(process.url)
    assert (process.data_dir / DB_FILE_NAME).exists()
    process.restart()
    assert get_case(process.url, case["case_id"]).status_code == 200
    process.kill()
    process.start()
    again = get_case(process.url, case["case_id"])
    assert again.status_code == 200 and again.json()["hashes"] == case["hashes"]


def test_memory_keeps_nothing(mock_service_process: Any) -> None:
    process = mock_service_process("--memory")
    case = create_case(process.url)
    assert get_case(process.url, case["case_id"]).status_code == 200
    process.stop()
    assert list(process.data_dir.glob(DB_FILE_NAME + "*")) == []


def test_remote_bind_is_refused_without_allow_remote_and_token(tmp_path: Any) -> None:
    for extra in ([], ["--allow-remote"], ["--admin-token", "t"]):
        args = ["--data-dir", str(tmp_path), "mock-server", "--host", "0.0.0.0", *extra]
        refused = CliRunner().invoke(cli, args)
        assert refused.exit_code == 2, refused.output
        assert "--allow-remote" in refused.output and "--admin-token" in refused.output
        assert refused.exception is None or isinstance(refused.exception, SystemExit)


def test_bad_faults_option_is_a_usage_error(tmp_path: Any) -> None:
    args = ["--data-dir", str(tmp_path), "mock-server", "--faults", "boom:1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "boom" in result.output


def test_memory_service_in_process(mock_service_factory: Any) -> None:
    service: MockServiceHandle = mock_service_factory(memory=True)
    assert create_case(service.url)["status"] == "received"
    assert service.data_dir is None
