"""The one class of errors a person can cause and fix, and what happens to every other error.

A `UserError`'s message is one sentence naming the thing and what was expected; the command
line and the dashboard show it as it is. Anything else is a bug in connect-impact: its
traceback goes to the log (never to the screen) under a short reference number, and the
person sees an apology with that number.
"""

from __future__ import annotations

import logging
import secrets

log = logging.getLogger("connect_impact")


class UserError(Exception):
    """Something the person can fix; the message says what, in one sentence."""


def report_bug(exc: BaseException) -> str:
    """Log an unexpected error with its traceback and return the reference shown to the person."""
    reference = secrets.token_hex(4)
    log.error("bug %s: %s", reference, type(exc).__name__, exc_info=exc)
    return reference


def apology(reference: str) -> str:
    """Return the sentence shown in place of a traceback."""
    return (
        f"Sorry, something went wrong inside connect-impact (reference {reference}); this is a "
        "bug, not something you did, and the details were written to the log."
    )
