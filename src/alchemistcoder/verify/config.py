"""Config section of the verify stage: run every response, test it with model-written tests, repair or reject."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.strict import StrictModel

# Execution classes a response can fall in when it runs as written (see verify/execute.py).
EXECUTION_CLASSES = (
    "runs", "crashes", "timeout", "out_of_memory", "needs_input", "needs_network", "needs_files",
    "needs_package", "needs_display", "compile_error", "output_limit", "announced_error", "sandbox_error",
    "not_runnable", "no_code",
)


class VerifyConfig(StrictModel):
    """Verification (KodCode / SelfCodeAlign / Llama 3.1 style): run each response in the sandbox, test what it
    defines with model-written tests, repair failures from the error, and reject what still fails."""

    enabled: bool = Field(True, description="Run this stage.")
    model: str | LLMConfig | None = Field(
        None, description="Model that writes tests, independent solutions and repairs: a name under 'models:', an "
        "inline model, or None for the embedded default."
    )
    execute: bool = Field(True, description="Run each response's code as written (no model needed).")
    languages: list[str] = Field(
        default_factory=lambda: ["python", "cpp", "c", "java", "javascript", "go", "rust", "csharp", "ruby", "php"],
        description="Languages whose responses are run; others are 'not_runnable'. Compiled languages run only "
        "when the response has an entry point (main).",
    )
    reject: list[str] = Field(
        default_factory=lambda: ["crashes"],
        description="Execution classes that reject a sample (reason code_crashes for crashes, code_<class> for "
        "the others). Timeouts, missing inputs, files, packages and network are outcomes, not rejects, by default.",
    )
    packages: list[str] = Field(
        default_factory=list,
        description="Third-party packages the sandbox's Python is configured to have: a missing one of these is a "
        "crash, any other missing package is 'needs_package'.",
    )
    own_examples: Literal["reject", "record", "off"] = Field(
        "reject",
        description="The response's own examples (doctests, printed calls with the output claimed beside them) run "
        "as tests, no model needed: 'reject' rejects a response whose code contradicts them "
        "(failing_own_examples), 'record' only records the outcome.",
    )
    timeout_s: float = Field(5.0, gt=0, description="Wall-clock limit of one program run (SelfCodeAlign: 4 s).")
    memory_mb: int = Field(1024, ge=64, description="Address-space limit of one program run (SelfCodeAlign: 1 GB).")
    tests: bool | None = Field(
        None, description="Ask the model for assert-style tests of the functions a Python response defines. None "
        "(auto): only when 'model' is not the embedded default, whose tests are almost never valid (docs/verify.md); "
        "true asks even the embedded model (its tests then only mark, see tests_can_reject).",
    )
    n_tests: int = Field(8, ge=1, le=50, description="Tests asked for per sample.")
    test_timeout_s: float = Field(2.0, gt=0, description="Time limit of one test call.")
    policy: Literal["agreement", "pass_share"] = Field(
        "agreement",
        description="How model-written tests decide: 'agreement' (CodeT dual agreement: the model also writes "
        "n_solutions independent solutions; the response is judged against the tests that independent solutions "
        "agree on) or 'pass_share' (the share of valid tests the response passes >= min_pass_share).",
    )
    min_pass_share: float = Field(
        1.0, ge=0.0, le=1.0, description="pass_share policy: share of valid tests a response must pass."
    )
    n_solutions: int = Field(3, ge=1, le=10, description="agreement policy: independent solutions asked for.")
    confirm_solutions: int = Field(
        2, ge=0, le=10,
        description="agreement policy: independent solutions asked for besides n_solutions, only for a response "
        "about to be rejected, which is then decided again with all of them (a reject costs good data when the "
        "first solutions share a misreading; measured on the labelled set, docs/verify.md). 0: none.",
    )
    min_agreeing: int = Field(
        2, ge=1,
        description="agreement policy: a response is rejected only when at least this many independent solutions "
        "agree on the tests it fails and none behaves like it.",
    )
    min_consensus_share: float = Field(
        0.6, ge=0.0, le=1.0,
        description="agreement policy: share of the consensus tests a response must pass to be verified (chosen on "
        "the labelled set's tune split, docs/verify.md: demanding all of them threw correct responses away over "
        "edge cases the task leaves open).",
    )
    n_probes: int = Field(
        24, ge=0, le=200,
        description="agreement policy: calls on which the response's answers are compared with the independent "
        "solutions' (the tests' calls and nearby inputs); 0 turns the differential evidence off.",
    )
    max_disagreement: float = Field(
        0.3, ge=0.0, le=1.0,
        description="agreement policy: a response that answers more than this share of the settled probes "
        "differently from the independent solutions fails (chosen on the tune split, docs/verify.md).",
    )
    verified_max_disagreement: float = Field(
        0.1, ge=0.0, le=1.0,
        description="agreement policy: a response that passes the consensus tests but answers more than this "
        "share of the settled probes differently is kept unverified, not verified (on the tune split every wrong "
        "response that was verified differed on 13-33% of them, docs/verify.md).",
    )
    foreign_min_consensus: int = Field(
        2, ge=1,
        description="agreement policy: consensus tests a C++/Java/JavaScript/Go/Rust/C/C#/Ruby/PHP response must pass to be "
        "verified (it has no probes in its language to check what a small consensus misses; chosen on the "
        "HumanEval-X tune split, docs/verify.md).",
    )
    foreign_probes: bool = Field(
        False,
        description="agreement policy: compare a C++/Java/JavaScript/Go/Rust/C/C#/Ruby/PHP response's answers on the probes "
        "with the Python solutions' (run through its language's harness; a probe it gives no answer to is left "
        "out), as for a Python response. Off by default: on the HumanEval-X tune split it unverified two correct "
        "responses and no wrong one (docs/verify.md).",
    )
    min_settled: int = Field(
        3, ge=1, description="agreement policy: settled probes needed before the differential evidence counts."
    )
    tests_can_reject: Literal["auto", "always", "never"] = Field(
        "auto",
        description="Whether model-written tests may reject a sample: 'auto' lets them reject only when the model "
        "is not the embedded default (measured: its tests are mostly wrong, docs/verify.md); 'never' only marks.",
    )
    max_repairs: int = Field(
        1, ge=0, le=5, description="Repair attempts for a response that fails (the model sees the failing test "
        "and its error and returns fixed code, or names the test as wrong)."
    )
    trust_test_wrong: bool = Field(
        False, description="Whether a repair answer that names the test wrong drops it (Llama 3.1's recipe lets the "
        "model fix the code or the test). Off by default: Qwen2.5-Coder-1.5B named tests that independent solutions "
        "agree on wrong for wrong responses and let them through (docs/verify.md); the answer is recorded either way.",
    )
    max_samples: int | None = Field(
        None, ge=0, description="At most this many samples per stage call get model-written tests (the lowest "
        "seeded hashes win); the rest are only executed. None: no cap."
    )
    tests_max_tokens: int = Field(512, ge=16, description="Token limit of the tests answer.")
    solution_max_tokens: int = Field(512, ge=16, description="Token limit of an independent solution.")
    repair_max_tokens: int = Field(768, ge=16, description="Token limit of a repair answer.")
    temperature: float = Field(
        0.0, ge=0.0, le=2.0, description="Sampling temperature of the tests and repairs (requests are seeded)."
    )
    solution_temperature: float = Field(
        0.8, ge=0.0, le=2.0, description="Sampling temperature of the independent solutions (they must differ)."
    )
    workers: int = Field(0, ge=0, description="Parallel sandbox runs; 0 means the sandbox's default.")
