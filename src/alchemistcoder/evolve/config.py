"""Config section for Evol-Instruct."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.strict import StrictModel


class EvolveConfig(StrictModel):
    """Evol-Instruct (WizardCoder's recipe): evolve selected instructions, eliminate failures, answer the rest."""

    enabled: bool = Field(True, description="Run this stage.")
    model: str | LLMConfig | None = Field(
        None, description="Model that evolves and answers: a name under 'models:', an inline model, or None for the embedded default."
    )
    fraction: float = Field(
        0.05, ge=0.0, le=1.0,
        description="Share of kept codegen samples chosen as seeds (chosen per sample by a seeded hash, so shards agree).",
    )
    max_samples: int | None = Field(
        None, ge=0, description="At most this many seeds per stage call (the lowest seeded hashes win); None: no cap."
    )
    rounds: int = Field(1, ge=1, le=10, description="Evolution rounds; round k evolves the survivors of round k-1.")
    methods: list[str] = Field(
        default_factory=lambda: ["add_constraints", "rarer_requirement", "more_reasoning", "erroneous_code", "higher_complexity"],
        description="Evolution methods to draw from (seeded choice per sample and round).",
    )
    method_weights: list[float] | None = Field(
        None, description="Relative weights of `methods` (same length); None: the WizardCoder default of down-weighting higher_complexity."
    )
    generate_responses: bool = Field(True, description="Ask the model to answer each surviving evolved instruction.")
    evolve_max_tokens: int = Field(256, ge=1, description="Token limit of an evolved instruction.")
    response_max_tokens: int = Field(512, ge=1, description="Token limit of a response to an evolved instruction.")
    temperature: float = Field(
        0.0, ge=0.0, le=2.0,
        description="Sampling temperature for evolving; requests are seeded. 0 (greedy) batches on in-process "
        "models; 0.7-1.0 gives more varied evolutions from endpoint models.",
    )
    response_temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature for the responses.")
    min_words: int = Field(5, ge=0, description="An evolved instruction with fewer words is eliminated (evol_too_short).")
    min_length_ratio: float = Field(
        0.5, ge=0.0, description="An evolved instruction with fewer than this share of the original's words is eliminated (evol_too_short)."
    )
    max_similarity: float = Field(
        97.0, ge=0.0, le=100.0,
        description="rapidfuzz ratio (0-100) to the original at or above which an evolution is eliminated (evol_unchanged).",
    )
    min_new_words: int = Field(
        2, ge=0,
        description="An evolved instruction must add at least this many new (non-filler) words; fewer is a "
        "rewording without information gain (evol_no_gain).",
    )
    source: str = Field("evol-instruct", description="Source name of evolved samples (the mix can weight it like any source).")
    min_response_chars: int = Field(20, ge=0, description="A shorter response is eliminated (evol_response_too_short).")

    @field_validator("methods")
    @classmethod
    def _known_methods(cls, value: list[str]) -> list[str]:
        from alchemistcoder.evolve.methods import METHODS

        unknown = [m for m in value if m not in METHODS]
        if unknown:
            raise ValueError(f"unknown evolution method(s) {unknown}; known: {sorted(METHODS)}")
        if not value:
            raise ValueError("at least one evolution method is needed")
        return value

    @model_validator(mode="after")
    def _weights_match(self) -> EvolveConfig:
        w = self.method_weights
        if w is not None and (len(w) != len(self.methods) or any(x < 0 for x in w) or sum(w) <= 0):
            raise ValueError("method_weights must be non-negative, not all zero, and as long as methods")
        return self

    def weights(self) -> list[float]:
        """Weights aligned with ``methods``."""
        if self.method_weights is not None:
            return list(self.method_weights)
        # WizardCoder asks not to raise complexity requirements often; give that method half the weight.
        return [0.5 if m == "higher_complexity" else 1.0 for m in self.methods]
