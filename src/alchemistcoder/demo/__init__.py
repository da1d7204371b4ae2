"""The demo corpus: four small instruction sources in deliberately different styles, shipped in the package.

Written for this project (so its license is the project's):

- ``demo-terse`` (alpaca, terse.jsonl): CodeAlpaca-like, bare Python code, no explanation;
- ``demo-tutor`` (messages, tutor.jsonl): Evol-like, explanation + fenced Python + expected output or tests;
- ``demo-snippets`` (fields, snippets.json): CoNaLa-like one-line answers to short questions;
- ``demo-polyglot`` (sharegpt, polyglot.jsonl): JavaScript, Go and C++ programs, one multi-turn chat.

The files are the corpus, edited by hand. Each source carries a few defects on purpose (no code, code that
does not parse or compile, exact and near duplicates, a reworded HumanEval/0 with its solution), and a record
with one says so in a ``planted`` object beside its data::

    {"planted": {"defect": "near_duplicate", "of": 14, "curate": "near_duplicate"}, "messages": [...]}

- ``defect``: ``no_code``, ``unparseable`` (Python), ``uncompilable`` (C++), ``exact_duplicate`` and
  ``near_duplicate`` (of the record at position ``of``, 0-based, in the same file), ``benchmark_leak`` (a
  reworded benchmark ``task`` with its solution);
- ``curate``: what the curate stage does with the record under ``configs/quickstart.yaml``: the reason it
  rejects it with, or ``kept``. For a duplicate, dedup keeps one record of the pair, which may be this one:
  then ``curate`` is what happens to the other;
- ``note`` (optional): why the outcome is not the one the defect's name suggests.

No adapter reads ``planted``, and ``demo-snippets`` copies only ``id`` and ``tags`` into meta, so the labels
change no Sample (id, messages or meta) and no decision of the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from alchemistcoder.ingest.config import SourceConfig
from alchemistcoder.ingest.paths import resolve_source_path
from alchemistcoder.ingest.readers import Record, read_records
from alchemistcoder.io import DataError

PACKAGE_URI = "pkg://alchemistcoder/demo"


@dataclass(frozen=True)
class PlantedDefect:
    """A planted defect, read from the ``planted`` label of its record (the fields are described above)."""

    source: str  # the demo source's name
    index: int  # the record's position in its file, which is also its position among the source's Samples
    defect: str
    curate: str
    of: int | None = None  # duplicates: the position of the record this one duplicates
    task: str | None = None  # benchmark_leak: the benchmark task it leaks
    note: str = ""


def demo_sources() -> list[SourceConfig]:
    """SourceConfigs of the four demo sources (pkg:// paths into the installed package)."""
    return [
        SourceConfig(name="demo-terse", path=f"{PACKAGE_URI}/terse.jsonl", format="alpaca", language="python"),
        SourceConfig(name="demo-tutor", path=f"{PACKAGE_URI}/tutor.jsonl", format="messages", language="python"),
        SourceConfig(name="demo-snippets", path=f"{PACKAGE_URI}/snippets.json", format="fields",
                     fields={"instruction": "question", "response": "answer"}, meta_fields=["id", "tags"],
                     language="python"),
        SourceConfig(name="demo-polyglot", path=f"{PACKAGE_URI}/polyglot.jsonl", format="sharegpt"),
    ]


def demo_defects() -> list[PlantedDefect]:
    """Every planted defect of the demo corpus, in source order, then record order."""
    return [
        PlantedDefect(source=source.name, index=index, **record["planted"])
        for source in demo_sources()
        for index, _, record in _records(source)
        if "planted" in record
    ]


def _records(source: SourceConfig) -> list[Record]:
    """A demo source's raw records, read by ingest's own reader so that positions count as in ingest."""

    def on_bad(index: int | None, line: int | None, reason: str, problem: str, raw: str) -> None:
        raise DataError(source.path, f"record {index}: {problem}", line)

    return list(read_records(resolve_source_path(source.path), on_bad))
