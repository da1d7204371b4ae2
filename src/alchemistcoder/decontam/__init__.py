"""Benchmark decontamination, shaped like the method: benchmark problems, retrieval, verification signals, one
verdict policy, and three stores (embeddings, verdicts, decisions).

    from alchemistcoder.decontam import decontaminate_samples, DecontamIndex, load_entries
    rejected = decontaminate_samples(samples, cfg)           # in place; cfg: DecontamConfig (curate.decontam)

- ``config.py``: the ``curate.decontam`` section (:class:`DecontamConfig`);
- ``problems.py``: benchmark problems and their tests, loaded with the loader evaluation uses
  (``alchemistcoder.benchmarks``); MBPP+ inputs reach the sandbox as evaluation deserializes them;
- ``retrieval/``: ``ngram.py`` (copies: text, code structure, verbatim code, leaked tests, entry points) and
  ``embedding.py`` (the nearest problems in meaning, MiniLM);
- ``signals/``: ``python.py`` (a sample's Python on the problem's tests, in the sandbox harness),
  ``foreign.py`` with ``programs.py`` (C++, Java, JavaScript), ``facts.py`` (statement key facts), ``judge.py``;
- ``policy.py``: the one verdict policy (what to run on which candidate, which evidence convicts, the evidence);
- ``stores.py``: embeddings and execution verdicts, each in a store of its own;
- ``step.py``: the one step curation calls (n-gram signals, then the meaning-level pass); ``commands.py``:
  ``alchemist decontaminate``.

No module imports another of the package in a chain of more than two (``tests/test_decontam.py`` checks the
import graph). Names are imported lazily: loading a config imports ``decontam.config`` through this package.
"""

from __future__ import annotations

from alchemistcoder.lazy import lazy_getattr

_EXPORTS = {
    "DecontamConfig": "alchemistcoder.decontam.config",
    "DecontamIndex": "alchemistcoder.decontam.step",
    "SemanticIndex": "alchemistcoder.decontam.step",
    "decontaminate_samples": "alchemistcoder.decontam.step",
    "load_entries": "alchemistcoder.decontam.retrieval.ngram",
    "load_problems": "alchemistcoder.decontam.problems",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS)
