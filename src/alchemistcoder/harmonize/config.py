"""Config section for AlchemistPrompts (the harmonize stage)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.strict import StrictModel


class HarmonizeConfig(StrictModel):
    """AlchemistPrompts: select a share of samples, write a grounded prompt for each, validate it, prepend it."""

    enabled: bool = Field(True, description="Run this stage.")
    fraction: float = Field(
        0.05, ge=0.0, le=1.0, description="Share of the kept samples of each source that get an AlchemistPrompt (paper: ~5%)."
    )
    mode: Literal["add", "replace"] = Field(
        "add",
        description="'add': a customized copy (task 'alchemist') beside the original; 'replace': modify the original. "
        "The run's one add/replace switch: the mix keeps what this stage made (mix.alchemist_fraction samples "
        "the AlchemistPrompt share the same way in both modes).",
    )
    prioritize_missing: bool = Field(
        False, description="Within each source, pick first the samples whose instruction misses the most facts of their response."
    )
    min_missing: int = Field(
        1, ge=0, description="Only samples whose instruction misses at least this many response facts are candidates."
    )
    tasks: list[str] = Field(["codegen"], description="Sample tasks that may receive an AlchemistPrompt.")
    writer: Literal["model", "template"] = Field(
        "model", description="'model': the Alchemist model writes (template fallback); 'template': model-free writer only."
    )
    model: str | LLMConfig | None = Field(
        default_factory=LLMConfig,
        description="The Alchemist model: a name under 'models:' or an inline LLM config; null means the template writer.",
    )
    structured: Literal["auto", "schema", "json_object", "example"] = Field(
        "auto",
        description="How the model is held to JSON: 'schema' (the LLM layer's structured output: schema in the prompt "
        "and constrained decoding), 'json_object' (worked JSON examples in the chat, decoding constrained to JSON), "
        "'example' (worked examples only, parsed against the same schema; suits tiny models), 'auto' (asks the LLM "
        "layer what the endpoint supports, probed once per run; 'example' for in-process models).",
    )
    max_facts: int = Field(
        3, ge=1, description="The model is asked to state at most this many of the missing facts (the most telling first)."
    )
    max_attempts: int = Field(3, ge=1, le=10, description="Model attempts per sample before falling back (each rejected one is re-asked).")
    fallback: Literal["template", "none"] = Field(
        "template", description="What to do when every model attempt fails validation: use the template writer, or leave the sample."
    )
    max_words: int = Field(45, ge=5, description="Longest acceptable prompt, in words.")
    max_sentences: int = Field(2, ge=1, description="Most sentences an acceptable prompt may have.")
    max_similarity: float = Field(
        80.0, ge=0.0, le=100.0, description="A prompt this similar (rapidfuzz, 0-100) to its instruction restates it and is rejected."
    )
    max_own_words: int = Field(
        3, ge=0,
        description="A prompt with more words of its own (beyond the facts and the usual wording of a prompt) describes "
        "a task instead of stating facts and is rejected.",
    )
    max_copied_words: int = Field(
        3, ge=1,
        description="A prompt that repeats this many of the instruction's content words (beyond the facts and the usual "
        "wording of a prompt) restates it and is rejected, however long the instruction.",
    )
    max_tokens: int = Field(80, ge=8, description="Generation budget of one prompt.")
    temperature: float = Field(0.0, ge=0.0, description="Sampling temperature of the first attempt.")
    retry_temperature: float = Field(0.7, ge=0.0, description="Sampling temperature of the re-asks after a rejected attempt.")
    separator: str = Field("\n", description="Text between the AlchemistPrompt and the unchanged instruction.")
    cpd_gate: bool = Field(
        False,
        description="Keep an accepted prompt only when it lowers the response's conditional perplexity under a scoring "
        "model (PPL(response | prompt + instruction) < PPL(response | instruction)); a gated-out model prompt falls "
        "back like a rejected one.",
    )
    cpd_model: str | None = Field(
        None, description="Scoring model of the CPD gate (a local Hugging Face checkpoint); None: the embedded model."
    )
    cpd_max_response_tokens: int = Field(256, ge=8, description="Response tokens the CPD gate scores per sample.")
