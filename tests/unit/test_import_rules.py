"""The core runs without Textual: importing it must not pull Textual in (import-linter checks the
static graph; this checks what really happens at run time, lazy imports included)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import fingerprint_client

#: Everything but the two front ends (and `python -m`) is core and must run without Textual.
FRONT_ENDS = {"cli", "tui", "__main__"}
CORE_MODULES = sorted(
    f"fingerprint_client.{m.name}"
    for m in pkgutil.iter_modules(fingerprint_client.__path__)
    if m.name not in FRONT_ENDS
)


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_textual(module: str) -> None:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "", f"{module} imported {out.stdout.strip()}"


def test_hash_command_loads_only_what_it_needs() -> None:
    """`fingerprint-client hash` stays fast and small: commands load lazily, so it never imports
    Textual, the store, the service client or the mock service; the version (importlib.metadata)
    and the progress bar (off a terminal) only when needed."""
    code = (
        "import sys\n"
        "from fingerprint_client.cli import cli\n"
        "try:\n"
        "    cli.main(['hash', '--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('textual', 'fingerprint_client.store', 'fingerprint_client.service',\n"
        "         'fingerprint_client.mock_server', 'requests', 'fastapi',\n"
        "         'importlib.metadata', 'rich.progress')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_check_can_fail() -> None:
    """The probe above really detects Textual when it is imported."""
    code = "import sys, textual.app\nprint('textual' in sys.modules)\n"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "True"
