"""Keeping API keys out of everything we print or store.

A key is read from the environment variable named in the config, held only by the backend that sends it,
and masked in every text that leaves the backend (error messages, reprs, log records).
"""

from __future__ import annotations

import logging
import os

MASK = "***"


def read_secret(env_name: str | None) -> str | None:
    """The value of environment variable ``env_name`` (None when unset, empty, or no name is configured)."""
    if not env_name:
        return None
    value = os.environ.get(env_name, "")
    return value or None


def scrub(text: str, secrets: list[str] | tuple[str, ...]) -> str:
    """``text`` with every occurrence of each secret (of 4+ characters) replaced by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    return text


class ScrubFilter(logging.Filter):
    """A logging filter that masks secrets in a record's message (attached to the HTTP libraries' loggers)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
