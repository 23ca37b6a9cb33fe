"""`submit` at a terminal: the program is asked (never guessed), then consent; answering no
sends nothing. Runs the real program in a pseudo-terminal under the real Secret Service."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.cli_runs import FAST_NET, secret_service_available
from tests.fixtures.environment import require_component
from tests.fixtures.images import photo_like
from tests.fixtures.mock_service import MockServiceHandle


class Terminal:
    """A child process on a pseudo-terminal; `expect` waits for text, `send` types."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env)
        os.close(slave)
        self.seen = ""

    def expect(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"never saw {text!r}; output was:\n{self.seen}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    pytest.fail(f"ended before {text!r}; output was:\n{self.seen}")
                self.seen += chunk.decode("utf-8", "replace")

    def send(self, text: str) -> None:
        os.write(self.master, text.encode())

    def wait(self) -> int:
        code = self.proc.wait(30)
        os.close(self.master)
        return code


@pytest.mark.keyring
@pytest.mark.parametrize("answer", ["y", "n"])
def test_interactive_submit_asks_program_then_consent(
    mock_service_factory: Callable[..., MockServiceHandle], tmp_path: Path, answer: str
) -> None:
    require_component(secret_service_available(), "the Secret Service (tests/with-secret-service)")
    service = mock_service_factory()
    data = tmp_path / "client"
    env = {**os.environ, **FAST_NET, "FINGERPRINT_CLIENT_HOME": str(data), "COLUMNS": "100"}
    cmd = [sys.executable, "-m", "fingerprint_client"]
    add = subprocess.run([*cmd, "profiles", "add", "mock", "--url", service.url], env=env,
                         capture_output=True, check=False, timeout=60)  # fmt: skip
    assert add.returncode == 0
    photo_like(160, 120, seed=5).save(tmp_path / "x.png")
    term = Terminal([*cmd, "submit", str(tmp_path / "x.png")], env)
    term.expect("Program")
    term.send("adult\r")
    term.expect("Send these fingerprints now?")
    assert '"program":"adult"' in term.seen
    term.send(answer + "\r")
    code = term.wait()
    if answer == "y":
        assert code == 0
        assert len(service.cases()) == 1
    else:
        assert code == 1
        assert service.requests_to("/v1/cases") == []
