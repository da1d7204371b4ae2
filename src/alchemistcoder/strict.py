"""The base of every config section: unknown keys are errors, defaults are validated."""

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A pydantic model that rejects unknown keys, so a typo in a config never passes silently."""

    model_config = ConfigDict(extra="forbid", validate_default=True)
