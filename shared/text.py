"""Checks on free text that every service applies to what clients send."""

from __future__ import annotations

import re
import unicodedata

# Markup and script that a browser could run or render if the text were shown unescaped:
# tags, script URLs and inline event handlers. Such text is refused, never rewritten.
_MARKUP = re.compile(
    r"<\s*[a-z!/?]|javascript\s*:|vbscript\s*:|data\s*:|\bon[a-z]+\s*=|&#|&lt;|&gt;",
    re.IGNORECASE,
)


def contains_control_characters(text: str) -> bool:
    """Whether `text` holds control characters (NUL, ESC, line breaks...), which no
    one-line field needs and which can corrupt logs and terminals that show it."""
    return any(unicodedata.category(character) == "Cc" for character in text)


def contains_markup(text: str) -> bool:
    """Whether `text` holds markup or script (`<tag`, `javascript:`, `data:`, ...)."""
    return _MARKUP.search(text) is not None
