"""End to end in a real terminal (tmux): `fingerprint-client demo` -> a new request with the
generated pictures -> the case becomes active -> withdraw -> Ctrl+Q, after which the pane shows
nothing of the app and the demo's temporary folder is gone.

Synchronisation is by polling `capture-pane` against a deadline, never by sleeping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fixtures.environment import require_component

pytestmark = [pytest.mark.tmux, pytest.mark.slow, pytest.mark.timeout(180)]

APP_TEXTS = ("Ctrl+Q quick exit", "DEMO", "Write this down", "My requests", "fingerprint(s)")


class Tmux:
    """One private tmux server with one 100x30 session."""

    def __init__(self, socket: str, session: str) -> None:
        self.socket = socket
        self.session = session

    def run(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True
        )
        return done.stdout

    def send(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def wait_for(self, predicate: Callable[[str], bool], what: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if predicate(text):
                return text
            time.sleep(0.1)  # polling interval of a condition with a deadline
        raise AssertionError(f"timed out waiting for {what}; the pane shows:\n{text}")

    def wait_text(self, needle: str, timeout: float = 60.0) -> str:
        return self.wait_for(lambda t: needle in t, repr(needle), timeout)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    require_component(shutil.which("tmux") is not None, "tmux")
    term = Tmux(f"fc-e2e-{uuid.uuid4().hex[:8]}", "e2e")
    home = tmp_path / "home"
    home.mkdir()
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = {
        "HOME": str(home),
        "TMPDIR": str(tmpdir),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "PS1": "$ ",
    }
    term.run(
        "new-session", "-d", "-x", "100", "-y", "30", "-s", term.session,
        "env", "-i", *[f"{k}={v}" for k, v in env.items()], "bash", "--norc", "--noprofile",
    )  # fmt: skip
    try:
        yield term
    finally:
        subprocess.run(["tmux", "-L", term.socket, "kill-server"], capture_output=True)


def test_demo_request_active_withdraw_quick_exit(tmux: Tmux, tmp_path: Path) -> None:
    command = f"{sys.executable} -m fingerprint_client demo"
    tmux.wait_text("$")
    tmux.send(command, "Enter")
    tmux.wait_text("Create a takedown request")
    assert "DEMO" in tmux.screen()

    tmux.send("n")
    tmux.wait_text("How old were you")
    tmux.wait_text("demo")  # the demo profile is offered
    tmux.send("Enter")  # Under 18
    tmux.wait_text("▐●▌ Under 18")
    tmux.send("C-n")
    tmux.wait_text("Mark the images")
    tmux.wait_text("waves.jpg")
    tmux.send("Space")
    tmux.wait_text("Marked (1)")
    tmux.send("C-n")
    tmux.wait_text("Done:", timeout=90)
    assert "broken-file.jpg" in tmux.screen()
    tmux.send("C-n")
    tmux.wait_text("I agree, send")
    tmux.send("C-y")
    tmux.wait_text("Write this down")
    tmux.wait_text("the service received it")

    tmux.send("m")
    tmux.wait_text("Case number")
    tmux.wait_text("1 request(s)")
    tmux.send("Enter")
    tmux.wait_text("active - shared with participating platforms", timeout=90)

    tmux.send("w")
    tmux.wait_text("Withdraw this whole request?")
    tmux.send("y")
    tmux.wait_text("Status: ✔ withdrawn", timeout=60)

    tmux.send("C-q")
    after = tmux.wait_for(
        lambda t: not any(s in t for s in APP_TEXTS), "the app to leave the screen", timeout=30
    )
    assert "Traceback" not in after
    assert "nothing was sent" not in after.lower(), "a quick exit prints nothing"
    assert not list((tmp_path / "tmp").glob("fingerprint-client-demo-*")), "demo data removed"


def test_demo_normal_exit_says_nothing_was_sent(tmux: Tmux, tmp_path: Path) -> None:
    tmux.wait_text("$")
    tmux.send(f"{sys.executable} -m fingerprint_client demo", "Enter")
    tmux.wait_text("Create a takedown request")
    tmux.send("q")
    after = tmux.wait_text("Nothing was sent to a real service")
    assert not any(s in after for s in APP_TEXTS)
    assert not list((tmp_path / "tmp").glob("fingerprint-client-demo-*")), "demo data removed"
