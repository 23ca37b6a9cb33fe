"""Case IDs on the command line, in one place for `status`, `withdraw`, `pin` and `export`.

An ID is a local id (`C-XXXXXX`) or the service's case id. Service case ids are opaque strings
(at most 64 characters) and may begin with "-", so these commands let an unknown option-like
word through as the ID (`ignore_unknown_options`). That is only safe while they have no short
options and no `-h`: a letter of an id could otherwise be taken for an option. `id_command`
refuses, when the module is imported, a command that breaks this rule. `--` also works:
`status -- -abc`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from fingerprint_client.cli.context import fail
from fingerprint_client.store import CaseRecord, Store

__all__ = ["case_or_fail", "id_command"]

_ID_CONTEXT_SETTINGS = {"ignore_unknown_options": True, "help_option_names": ["--help"]}
NO_SUCH_CASE = "There is no case with that id on this device. `cases` lists them."


def id_command(name: str) -> Callable[[Callable[..., Any]], click.Command]:
    """Like `click.command(name)`, with the ID as first argument (`ident`), which may begin
    with "-". Declare the options below this decorator, as usual."""

    def decorate(func: Callable[..., Any]) -> click.Command:
        command = click.command(name, context_settings=_ID_CONTEXT_SETTINGS)(
            click.argument("ident", metavar="ID")(func)
        )
        options = [p for p in command.params if isinstance(p, click.Option)]
        short = [o for p in options for o in [*p.opts, *p.secondary_opts] if not o.startswith("--")]
        if short:
            raise TypeError(f"`{name}` takes case ids that may begin with '-': no short options")
        return command

    return decorate


def case_or_fail(store: Store, ident: str, code: int = 2) -> CaseRecord:
    """The case with local id or case id `ident`, or a kind message and exit `code`."""
    found = store.get_case(ident)
    if found is None:
        fail(NO_SUCH_CASE, code)
    return found
