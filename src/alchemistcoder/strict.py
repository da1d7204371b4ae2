"""The base of every config section (unknown keys are errors, defaults are validated) and its hash.

This module imports only pydantic, so any area can hash its section without importing ``config.py`` (which
imports every section).
"""

import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError


class StrictModel(BaseModel):
    """A pydantic model that rejects unknown keys, so a typo in a config never passes silently."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


def key_error(key: str, message: str, value: Any) -> ValidationError:
    """A validation error located at ``key`` of the section being validated.

    Raised from a section's validator about a key pydantic itself does not check (a removed key, a key
    passed through to another library), it reaches ``config.format_validation_error`` with the full key
    path, so the message names the file line of that key rather than the section's.
    """
    error = PydanticCustomError("config_key", "{message}", {"message": message})
    return ValidationError.from_exception_data("config", [InitErrorDetails(type=error, loc=(key,), input=value)])


def config_hash(model: BaseModel) -> str:
    """A stable hash of a config section (for manifests and skip-if-unchanged)."""
    return hashlib.sha256(model.model_dump_json().encode()).hexdigest()[:16]
