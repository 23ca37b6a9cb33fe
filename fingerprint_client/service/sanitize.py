"""Make text from a server safe to store and to show in a terminal.

A hostile or broken server may put ANSI escape sequences or other control characters into any
string (an event detail, a title). Shown raw, they could rewrite the terminal, hide text or fake
output. `clean_text` removes escape sequences and every control character (Unicode categories
Cc, Cf, Cs, Co, Cn except the ordinary space), and bounds the length.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["clean_text", "clean_tree"]

# CSI / OSC / other ESC sequences, including their 8-bit C1 forms.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|(?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c)"  # OSC ... BEL or ST
    r"|\x1b[PX^_].*?(?:\x1b\\|\x9c)"  # DCS / SOS / PM / APC ... ST
    r"|\x1b[@-Z\\-_]",  # two-byte escapes
    re.DOTALL,
)
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def clean_text(text: str, limit: int = 2000) -> str:
    """`text` without escape sequences or control characters, whitespace runs kept as one space
    where they were line breaks or tabs, cut to `limit` characters (with an ellipsis)."""
    text = _ESCAPES.sub("", text)
    out: list[str] = []
    for ch in text:
        if ch in "\t\n\r":
            out.append(" ")
        elif unicodedata.category(ch) in _UNSAFE_CATEGORIES:
            continue
        else:
            out.append(ch)
    cleaned = "".join(out)
    if len(cleaned) > limit:
        cleaned = cleaned[: max(limit - 1, 0)] + "…"
    return cleaned


def clean_tree(value: Any, limit: int = 2000) -> Any:
    """A copy of decoded JSON with every string (keys too) passed through `clean_text`."""
    if isinstance(value, str):
        return clean_text(value, limit)
    if isinstance(value, list):
        return [clean_tree(v, limit) for v in value]
    if isinstance(value, dict):
        return {clean_text(str(k), 200): clean_tree(v, limit) for k, v in value.items()}
    return value
