"""User data inside error messages, kept short.

A message may repeat what the user typed or what a file holds, but never more than
:data:`MAX_QUOTE` characters of it (cut with "…"), and a whole message is at most
:data:`MAX_MESSAGE` characters, so a 900 KB value in a file gives a one-line message.
"""

from __future__ import annotations

MAX_QUOTE = 60
MAX_MESSAGE = 400


def clip(text: str, limit: int = MAX_QUOTE) -> str:
    """``text`` itself if it has at most ``limit`` characters, else its start and "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(value: object, limit: int = MAX_QUOTE) -> str:
    """A short repr of ``value`` for a message: a string's first characters in quotes,
    anything else's repr cut to ``limit`` characters."""
    if isinstance(value, str):
        return repr(clip(value, limit))
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"a number of about {round(value.bit_length() * 0.30103)} digits"
    if isinstance(value, (list, tuple, dict)) and len(value) > limit:
        return f"a {type(value).__name__} of {len(value)} items"
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        return f"a {type(value).__name__}"
    return clip(text, limit)


_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")


def one_line(message: str, limit: int = MAX_MESSAGE) -> str:
    """``message`` on one line (line breaks become spaces) of at most ``limit`` characters."""
    if any(b in message for b in _BREAKS):
        message = " ".join(message.split())
    return clip(message, limit)
