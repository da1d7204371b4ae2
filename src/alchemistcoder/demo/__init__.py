"""The demo corpus: four small instruction sources in deliberately different styles, shipped in the package.

Written for this project (so its license is the project's):

- ``demo-terse`` (alpaca, terse.jsonl): CodeAlpaca-like, bare Python code, no explanation;
- ``demo-tutor`` (messages, tutor.jsonl): Evol-like, explanation + fenced Python + expected output or tests;
- ``demo-snippets`` (fields, snippets.json): CoNaLa-like one-line answers to short questions;
- ``demo-polyglot`` (sharegpt, polyglot.jsonl): JavaScript, Go and C++ programs, one multi-turn chat.

Each source carries a few defects on purpose (no code, code that does not parse or compile, exact and near
duplicates, a reworded HumanEval/0 with its solution); ``defects.json`` lists them by source and record index,
so later stages can check that they catch them.
"""

from __future__ import annotations

from typing import Any

import orjson

PACKAGE_URI = "pkg://alchemistcoder/demo"


def demo_sources() -> list[Any]:
    """SourceConfigs of the four demo sources (pkg:// paths into the installed package)."""
    from alchemistcoder.sources.config import SourceConfig

    return [
        SourceConfig(name="demo-terse", path=f"{PACKAGE_URI}/terse.jsonl", format="alpaca", language="python"),
        SourceConfig(name="demo-tutor", path=f"{PACKAGE_URI}/tutor.jsonl", format="messages", language="python"),
        SourceConfig(name="demo-snippets", path=f"{PACKAGE_URI}/snippets.json", format="fields",
                     fields={"instruction": "question", "response": "answer"}, meta_fields=["id", "tags"],
                     language="python"),
        SourceConfig(name="demo-polyglot", path=f"{PACKAGE_URI}/polyglot.jsonl", format="sharegpt"),
    ]


def demo_defects() -> list[dict[str, Any]]:
    """The deliberate defects: ``[{"source", "index", "defect"}]`` (defect e.g. ``no_code``, ``near_duplicate_of:3``)."""
    from importlib import resources

    return orjson.loads(resources.files(__name__).joinpath("defects.json").read_bytes())
