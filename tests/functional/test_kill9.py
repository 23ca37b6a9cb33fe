"""kill -9 at every dangerous moment of `submit`, then `sync`: the service holds exactly the
local cases - none twice, none missing - and each case's PIN (from the real Secret Service)
works. `submit` runs as a real subprocess; named pause points (a test-only hook) let the test
kill it deterministically, and seeded random moments cover the rest."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from fingerprint_client.casework._testhooks import POINTS
from fingerprint_client.keystore import open_keystore
from fingerprint_client.paths import resolve_dirs
from fingerprint_client.store import Store
from tests.fixtures.cli_runs import FAST_NET, secret_service_available, synthetic_hashes_file
from tests.fixtures.environment import require_component
from tests.fixtures.mock_service import MockServiceHandle

RANDOM_KILLS = 20
SEED = 20261123


class Client:
    """Runs `python -m fingerprint_client` against one data dir."""

    def __init__(self, home: Path, data: Path) -> None:
        self.env = {
            **os.environ,
            **FAST_NET,
            "HOME": str(home),
            "FINGERPRINT_CLIENT_HOME": str(data),
        }
        self.data = data

    def cmd(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "fingerprint_client", *args]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.cmd(*args), env=self.env, capture_output=True, text=True, timeout=60, check=False
        )

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            self.cmd(*args),
            env={**self.env, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def _wait_for(path: Path, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return
        if proc.poll() is not None:
            pytest.fail(f"submit ended (code {proc.returncode}) before its pause point")
        time.sleep(0.01)
    pytest.fail("submit never reached its pause point")


@pytest.mark.keyring
@pytest.mark.slow
@pytest.mark.timeout(240)
def test_kill9_at_crash_points_and_random_moments_then_sync(
    mock_service_factory: Callable[..., MockServiceHandle], tmp_path: Path
) -> None:
    require_component(secret_service_available(), "the Secret Service (tests/with-secret-service)")
    service = mock_service_factory(max_hashes_per_request=2)
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    client = Client(home, tmp_path / "client")
    assert client.run("profiles", "add", "mock", "--url", service.url).returncode == 0
    hashes = synthetic_hashes_file(tmp_path / "h.jsonl", files=3, seed=5)  # 9 hashes, 5 requests
    submit = ("submit", "--from-hashes", str(hashes), "--program", "adult", "--yes")

    # one undisturbed run, also the yardstick for the random moments
    started = time.monotonic()
    assert client.run(*submit).returncode == 0
    span = time.monotonic() - started
    killed_at: list[str] = []

    for point in POINTS:
        marker = tmp_path / f"paused-{point}"
        proc = client.start(
            *submit,
            env={
                "FINGERPRINT_CLIENT_TEST_PAUSE_AT": point,
                "FINGERPRINT_CLIENT_TEST_PAUSE_FILE": str(marker),
            },
        )
        _wait_for(marker, proc)
        proc.kill()
        proc.wait(10)
        killed_at.append(point)

    rng = random.Random(SEED)
    for _ in range(RANDOM_KILLS):
        proc = client.start(*submit)
        delay = rng.uniform(0.05, span * 1.1)
        try:
            proc.wait(delay)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

    for _ in range(10):
        res = client.run("sync", "--json")
        assert res.returncode == 0, res.stderr
        if json.loads(res.stdout)["queued"] == 0:
            break
    else:
        pytest.fail("sync never emptied the outbox")

    local = json.loads(client.run("cases", "--json").stdout)
    remote = {c["case_id"]: c for c in service.cases()}
    delivered = [c for c in local if c["case_id"] is not None]
    assert sorted(c["case_id"] for c in delivered) == sorted(remote), "service != local cases"
    assert all(c["status"] in {"received", "active"} for c in local), [c["status"] for c in local]
    assert len(local) >= 1 + POINTS.index("after-commit")  # the paused-after-commit case exists
    for case in delivered:
        values = [h["value"] for h in remote[case["case_id"]]["hashes"]]
        assert len(values) == len(set(values)) == 9
        assert [h["hash_id"] for h in case["hashes"]] == [
            h["hash_id"] for h in remote[case["case_id"]]["hashes"]
        ]

    with Store.open(resolve_dirs(client.data), open_keystore()) as store:
        for case in delivered:
            pin = store.keystore.get_pin(case["local_id"])
            assert pin is not None
            answer = requests.get(
                f"{service.url}/v1/cases/{case['case_id']}", headers={"X-Case-PIN": pin}, timeout=10
            )
            assert answer.status_code == 200, case["local_id"]
