"""After a whole session under the real Secret Service, no PIN, API key or plain label is in
any file under HOME or the data dir (the keyring's own files live elsewhere), and the data dir
is 0700 with every file 0600."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.cli_runs import FAST_NET, secret_service_available
from tests.fixtures.environment import require_component
from tests.fixtures.images import photo_like
from tests.fixtures.mock_service import MockServiceHandle

API_KEY = "zqkeyMARK-4471-secret"
LABEL = "zqlabelMARK-Robin-Smith"


def _variants(pin: str) -> list[bytes]:
    plain = pin.replace("-", "")
    return [v.encode() for v in (pin, plain, plain.lower(), pin.lower())]


@pytest.mark.keyring
@pytest.mark.slow
@pytest.mark.timeout(180)
def test_no_secret_in_any_file(
    mock_service_factory: Callable[..., MockServiceHandle], tmp_path: Path
) -> None:
    require_component(secret_service_available(), "the Secret Service (tests/with-secret-service)")
    service = mock_service_factory(api_key=API_KEY, max_hashes_per_request=2)
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    data = home / "fc-data"
    env = {**os.environ, **FAST_NET, "HOME": str(home), "FINGERPRINT_CLIENT_HOME": str(data)}

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        res = subprocess.run(
            [sys.executable, "-m", "fingerprint_client", *args],
            env=env, input=stdin, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert res.returncode in (0, 3), (args, res.stderr)
        return res

    pics = home / "Pictures"
    pics.mkdir()
    for i in range(2):
        photo_like(160, 120, seed=90 + i).save(pics / f"{i}.png")
    run("profiles", "add", "mock", "--url", service.url, "--api-key-stdin", stdin=API_KEY)
    first = json.loads(
        run("submit", str(pics), "--program", "adult", "--yes", "--json", "--label", LABEL).stdout
    )
    second = json.loads(
        run("submit", str(pics / "0.png"), "--program", "under18", "--yes", "--json",
            "--label", LABEL + " two").stdout
    )  # fmt: skip
    run("sync")
    run("status", first["local_id"])
    run("withdraw", second["local_id"], "--yes")
    run("export", first["local_id"], "--output", str(home / "receipt"))
    run("cases")
    pins = [json.loads(run("pin", c["local_id"], "--json").stdout)["pin"] for c in (first, second)]
    assert json.loads(run("cases", "--json").stdout)[0]["label"] == LABEL  # decrypts fine

    secrets = [API_KEY.encode(), LABEL.encode(), b"zqlabelMARK"]
    for pin in pins:
        secrets += _variants(pin)
    files = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".sqlite3") for p in files)
    for path in files:
        content = path.read_bytes()
        for secret in secrets:
            assert secret not in content, f"{secret!r} found in {path.relative_to(home)}"

    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in data.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path.relative_to(data), oct(mode))
