"""The guidance text (a core module the CLI can print as well)."""

from __future__ import annotations

from datetime import date

from fingerprint_client import guidance


def test_contacts_carry_a_last_checked_date() -> None:
    checked = date.fromisoformat(guidance.LAST_CHECKED)
    assert date(2026, 1, 1) <= checked
    lines = guidance.contact_lines()
    assert lines[-1] == f"(Contacts last checked: {guidance.LAST_CHECKED})"


def test_plain_text_holds_the_advice_and_every_contact() -> None:
    text = guidance.render_plain()
    for contact in guidance.CONTACTS:
        assert contact.reach in text
    for needed in ("112", "116 111", "Do not pay", "Deactivate", "blurry likeness", "cropped"):
        assert needed in text
    assert "[" not in text, "plain text, no markup"


def test_guidance_command_prints_it() -> None:
    from click.testing import CliRunner

    from fingerprint_client.cli import cli

    result = CliRunner().invoke(cli, ["guidance"])
    assert result.exit_code == 0
    assert result.output == guidance.render_plain()


def test_demo_command_is_listed() -> None:
    from click.testing import CliRunner

    from fingerprint_client.cli import cli

    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "demo" in result.output


def test_version_is_shown_on_request() -> None:
    from click.testing import CliRunner

    from fingerprint_client import __version__
    from fingerprint_client.cli import cli

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"fingerprint-client, version {__version__}\n"
    assert __version__ != "0.0.0"
