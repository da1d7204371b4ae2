"""Rule-based quality filters: each rule is a named check with a stable reason code.

Reason codes follow the paper's data-filtering categories (their registry, with category letters and
explanations, is ``reasons.py``) so the comprehension stage can turn rejects into multiple-choice questions:
``short_response`` and ``no_code`` (A), ``uncompilable`` and ``failing_tests`` (B: the sample carries
MBPP-style ``meta["tests"]`` and its code fails them); C and D come from the LLM judge (``judge.py``).

Rules are pure per-sample functions (except ``failing_tests``, which batches sandbox runs), so
:func:`curate_filters_batch` is a data-parallel map the executors can shard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from alchemistcoder.code import can_parse, code_facts, extract_code_blocks, parse_ok
from alchemistcoder.code.extract import CodeBlock
from alchemistcoder.code.facts import response_style
from alchemistcoder.curate.config import FilterConfig
from alchemistcoder.curate.reasons import category_of
from alchemistcoder.records import Sample

OP = "quality_filter"


@dataclass(slots=True)
class Finding:
    """A rule's verdict against a sample: the reason code and the evidence."""

    reason: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CodeView:
    """The code of a response, extracted once and shared by the rules."""

    blocks: list[CodeBlock]

    @property
    def main(self) -> CodeBlock | None:
        """The largest block: the answer's program in most responses."""
        return max(self.blocks, key=lambda b: len(b.code)) if self.blocks else None


def check_short_response(sample: Sample, view: CodeView, cfg: FilterConfig) -> Finding | None:
    """Category A: the response has fewer than ``min_response_chars`` non-blank characters."""
    n = len(sample.response.strip())
    if n < cfg.min_response_chars:
        return Finding("short_response", {"chars": n, "min_chars": cfg.min_response_chars})
    return None


def check_no_code(sample: Sample, view: CodeView, cfg: FilterConfig) -> Finding | None:
    """Category A: no code block, fenced or not, is found in the response."""
    if not view.blocks:
        return Finding("no_code", {"response_chars": len(sample.response)})
    return None


def check_uncompilable(sample: Sample, view: CodeView, cfg: FilterConfig) -> Finding | None:
    """Category B: the main code block does not parse in its language (Python compiled, never run)."""
    main = view.main
    if main is None or not can_parse(main.language):
        return None
    ok, error = parse_ok(main.language, main.code)
    if ok:
        return None
    return Finding("uncompilable", {"language": main.language, "error": error, "checker": "parser"})


RULES: dict[str, Callable[[Sample, CodeView, FilterConfig], Finding | None]] = {
    "short_response": check_short_response,
    "no_code": check_no_code,
    "uncompilable": check_uncompilable,
}


def enabled_rules(cfg: FilterConfig) -> list[str]:
    """The names of the per-sample rules switched on in ``cfg``, in the order they run."""
    return [name for name in RULES if getattr(cfg, name)]


def _reject(sample: Sample, finding: Finding, stage: str) -> None:
    params = {"category": category_of(finding.reason) or "", **finding.params}
    sample.reject(OP, finding.reason, params=params, stage=stage)


def _record_code_meta(sample: Sample, view: CodeView) -> None:
    """Keep what was learned about the code in ``meta["code"]`` for later stages (no re-extraction)."""
    main = view.main
    if main is None:
        sample.meta["code"] = {"blocks": 0}
        return
    facts = code_facts(main.language, main.code)
    sample.meta.setdefault("language", main.language)
    sample.meta["code"] = {
        "blocks": len(view.blocks),
        "language": main.language,
        "fenced": main.fenced,
        "functions": facts.functions[:20],
        "imports": facts.imports[:20],
        # the source profiles' facts, so the report does not extract the code again
        **response_style(sample.response, view.blocks),
    }


def curate_filters_batch(samples: list[Sample], cfg: FilterConfig, stage: str = "curate") -> list[Sample]:
    """Apply the quality filters to a batch, in place; returns the same list (data-parallel, pure per batch).

    Already-rejected samples pass through untouched. The first failing rule rejects a sample; a sample that
    passes every rule gets one ``keep`` event listing the checks it passed. Events are recorded under
    ``stage`` (in a run: ``ctx.stage``).
    """
    rules = enabled_rules(cfg)
    passed: list[tuple[Sample, CodeView, list[str]]] = []
    for sample in samples:
        if sample.rejected:
            continue
        view = CodeView(extract_code_blocks(sample.response))
        _record_code_meta(sample, view)
        finding = None
        for name in rules:
            finding = RULES[name](sample, view, cfg)
            if finding is not None:
                break
        if finding is not None:
            _reject(sample, finding, stage)
        else:
            passed.append((sample, view, list(rules)))
    with_tests = [(s, v) for s, v, _ in passed if cfg.failing_tests and s.meta.get("tests")]
    if with_tests:
        _run_tests(with_tests, cfg, stage)
        for s, _v, checks in passed:
            if cfg.failing_tests and s.meta.get("tests"):
                checks.append("failing_tests")
    if cfg.use_compiler:
        _compile_checks([(s, v) for s, v, _ in passed if not s.rejected], cfg, stage)
    for s, _v, checks in passed:
        if not s.rejected:
            params: dict[str, Any] = {"checks": checks}
            if "failing_tests" in checks:
                params["tests"] = len(s.meta["tests"])
            s.record(OP, "keep", params=params, stage=stage)
    return samples


def _test_program(sample: Sample, code: str) -> str:
    setup = sample.meta.get("test_setup_code") or ""
    tests = "\n".join(sample.meta["tests"])
    return f"{code}\n\n{setup}\n{tests}\n"


def _run_tests(items: list[tuple[Sample, CodeView]], cfg: FilterConfig, stage: str) -> None:
    """Run each sample's assert-style tests against its code in the sandbox; reject the ones that fail."""
    from alchemistcoder.sandbox import run_many

    jobs = []
    for sample, view in items:
        # MBPP-style answers are the whole program; use it whole when it compiles, else the main block
        whole_ok = parse_ok("python", sample.response)[0]
        code = sample.response if whole_ok or view.main is None else view.main.code
        jobs.append({"language": "python", "source": _test_program(sample, code), "timeout_s": cfg.test_timeout_s})
    results = run_many(jobs, workers=cfg.sandbox_workers or None)
    for (sample, _view), result in zip(items, results, strict=True):
        if result.status == "ok":
            continue
        _reject(sample, Finding("failing_tests", {
            "status": result.status,
            "returncode": result.returncode,
            "stderr": (result.stderr or "")[-500:],
            "tests": len(sample.meta["tests"]),
        }), stage)


_MAIN_STUBS = {
    "c": ("main(", "\nint main(void) { return 0; }\n"),
    "cpp": ("main(", "\nint main() { return 0; }\n"),
    "go": ("func main(", "\nfunc main() {}\n"),
    "rust": ("fn main(", "\nfn main() {}\n"),
}


def compile_source(language: str, code: str) -> str:
    """The program to compile for a block: a stub entry point is added when the block has none."""
    marker, stub = _MAIN_STUBS.get(language, ("", ""))
    source = code if not marker or marker in code else code + stub
    if language == "go" and not code.lstrip().startswith("package "):
        source = "package main\n" + source
    return source


def _compile_checks(candidates: list[tuple[Sample, CodeView]], cfg: FilterConfig, stage: str) -> None:
    """Category B with the real compiler: compile non-Python main blocks in the sandbox.

    Only a ``compile_error`` rejects: a program that compiles but fails when run (no input, no main class)
    is not uncompilable. The run step is bounded to 2 s since its result is not used.
    """
    from alchemistcoder.sandbox import run_many

    items = []
    for sample, view in candidates:
        main = view.main
        if main is not None and main.language in ("c", "cpp", "java", "go", "rust"):
            items.append((sample, main))
    if not items:
        return
    jobs = [{"language": b.language, "source": compile_source(b.language, b.code), "timeout_s": 2.0} for _, b in items]
    results = run_many(jobs, workers=cfg.sandbox_workers or None)
    for (sample, block), result in zip(items, results, strict=True):
        if result.status == "compile_error":
            _reject(sample, Finding("uncompilable", {
                "language": block.language, "error": (result.compile_output or result.stderr or "")[-500:],
                "checker": "compiler"}), stage)
