"""The curl walk-through in docs/protocol.md works by copy-paste against a real mock service."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.fixtures.environment import require_component
from tests.fixtures.mock_service import MockServiceHandle

DOC = Path(__file__).resolve().parents[3] / "docs" / "protocol.md"


def test_curl_walk_through_runs(mock_service: MockServiceHandle, tmp_path: Path) -> None:
    require_component(shutil.which("curl") is not None, "curl")
    require_component(shutil.which("bash") is not None, "bash")
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Try it with curl") : text.index("## Endpoints")]
    blocks = [b for b in re.findall(r"```sh\n(.*?)```", section, re.S) if "mock-server" not in b]
    script = "\n".join(blocks).replace("http://127.0.0.1:8080", mock_service.url)
    script = script.replace("/tmp/case.json", str(tmp_path / "case.json"))
    result = subprocess.run(
        ["bash", "-e", "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert '"status":"ok"' in out
    for slug in (
        "idempotency-conflict",
        "wrong-pin",
        "missing-idempotency-key",
        "malformed-json",
        "validation-failed",
        "not-found",
    ):
        assert f"/problems/{slug}" in out, slug
    (case,) = mock_service.cases()
    assert case["status"] == "withdrawn"
    assert len(case["hashes"]) == 4 and all("value" not in h for h in case["hashes"])
