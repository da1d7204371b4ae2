"""Write the packaged demo corpus files from the hand-written records in ``_corpus_*.py``.

Run ``python -m alchemistcoder.demo._build`` after editing a record; the .jsonl/.json files are what ships.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from alchemistcoder.demo import _corpus_polyglot, _corpus_snippets, _corpus_terse, _corpus_tutor

HERE = Path(__file__).parent


def _lines(rows: list[dict]) -> bytes:
    return b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in rows)


def build(out: Path = HERE) -> None:
    """Write terse.jsonl, tutor.jsonl, snippets.json, polyglot.jsonl and defects.json into ``out``."""
    terse = [{"instruction": i, "input": x, "output": o} for i, x, o in _corpus_terse.RECORDS]
    tutor = [{"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
             for q, a in _corpus_tutor.RECORDS]
    snippets = [{"id": f"snip-{k:03d}", "question": q, "answer": a, "tags": t}
                for k, (q, a, t) in enumerate(_corpus_snippets.RECORDS)]
    polyglot = [{"conversations": [{"from": f, "value": v} for f, v in turns]} for turns in _corpus_polyglot.RECORDS]
    (out / "terse.jsonl").write_bytes(_lines(terse))
    (out / "tutor.jsonl").write_bytes(_lines(tutor))
    (out / "snippets.json").write_bytes(orjson.dumps(snippets, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    (out / "polyglot.jsonl").write_bytes(_lines(polyglot))
    defects = [
        {"source": name, "index": index, "defect": kind}
        for name, module in (("demo-terse", _corpus_terse), ("demo-tutor", _corpus_tutor),
                             ("demo-snippets", _corpus_snippets), ("demo-polyglot", _corpus_polyglot))
        for index, kind in module.DEFECTS
    ]
    (out / "defects.json").write_bytes(orjson.dumps(defects, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))


if __name__ == "__main__":
    build()
