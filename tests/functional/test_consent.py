"""What `submit` shows before asking is byte for byte what the service receives."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.fixtures.cli_runs import Fc, add_profile, picture_folder
from tests.fixtures.images import photo_like
from tests.fixtures.mock_service import MockServiceHandle


def _shown(output: str) -> list[tuple[str, dict[str, str], bytes]]:
    """(request line, headers, body) of every request in the consent view."""
    lines = output.splitlines()
    shown = []
    for n, line in enumerate(lines):
        if line.startswith("Request ") and " of " in line:
            request_line = line.split(": ", 1)[1]
            headers: dict[str, str] = {}
            m = n + 1
            while lines[m].startswith("  "):
                name, value = lines[m].strip().split(": ", 1)
                headers[name.lower()] = value
                m += 1
            assert lines[m].startswith("Body (")
            body = lines[m + 1].encode("utf-8")
            assert lines[m] == f"Body ({len(body)} bytes):"
            shown.append((request_line, headers, body))
    return shown


def test_bytes_shown_equal_bytes_received(
    fc: Fc, mock_service_factory: Callable[..., MockServiceHandle], tmp_path: Path
) -> None:
    service = mock_service_factory(max_hashes_per_request=4)
    add_profile(fc, service.url)
    pics = picture_folder(tmp_path / "pics", 3, seed=70, size=(200, 150))
    res = fc("submit", str(pics), "--program", "under18", "--yes")
    assert res.code == 0, res.err
    shown = _shown(res.out)
    received = [r for r in service.records() if r["method"] == "POST"]
    assert len(shown) == len(received) == 3  # 9 hashes, 4 per request
    case_id = service.cases()[0]["case_id"]
    for (request_line, headers, body), record in zip(shown, received, strict=True):
        assert record["body"].encode("utf-8") == body
        method, path = request_line.split(" ", 1)
        assert method == record["method"]
        assert path.replace("<case id from the service>", case_id) == record["path"]
        assert set(headers) == set(record["headers"])  # every header shown, none hidden
        for name in ("host", "user-agent", "content-type", "content-length", "accept"):
            assert record["headers"][name] == headers[name]
        assert "x-case-pin" in headers and "x-case-pin" in record["headers"]
        assert "idempotency-key" in headers and record["headers"]["idempotency-key"]
    assert res.out.index("What this reveals:") < len(res.out)


def test_pin_is_never_shown_in_the_consent_view(
    fc: Fc, mock_service: MockServiceHandle, tmp_path: Path
) -> None:
    add_profile(fc, mock_service.url)
    photo_like(120, 90, seed=3).save(tmp_path / "x.png")
    res = fc("submit", str(tmp_path / "x.png"), "--program", "adult", "--yes", "--json")
    assert res.code == 0, res.err
    local_id = json.loads(res.out)["local_id"]
    secret = json.loads(fc("pin", local_id, "--json").out)["pin"]
    assert secret not in res.out and secret not in res.err
    assert "X-Case-PIN: ••••-••••-••••" in res.err
