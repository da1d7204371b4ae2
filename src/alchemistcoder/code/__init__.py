"""Code facts: finding code in text, naming its language, parsing it, and comparing programs.

Curation, AlchemistPrompt grounding and evaluation all use this one module::

    from alchemistcoder.code import extract_code_blocks, detect_language, parse_ok, normalized_tokens

Names are imported lazily: a caller that only extracts code blocks (evaluation, evolve, verify) does not
pay for numpy, which the similarity functions use.
"""

from __future__ import annotations

from alchemistcoder.lazy import lazy_getattr

_EXPORTS = {
    "detect_language": "alchemistcoder.code.detect",
    "CodeBlock": "alchemistcoder.code.extract",
    "extract_code_blocks": "alchemistcoder.code.extract",
    "main_code": "alchemistcoder.code.extract",
    "CodeFacts": "alchemistcoder.code.facts",
    "code_facts": "alchemistcoder.code.facts",
    "PARSED_LANGUAGES": "alchemistcoder.code.languages",
    "canonical_language": "alchemistcoder.code.languages",
    "can_parse": "alchemistcoder.code.parse",
    "parse_ok": "alchemistcoder.code.parse",
    "parse_python": "alchemistcoder.code.parse",
    "containment": "alchemistcoder.code.similarity",
    "hash_ngrams": "alchemistcoder.code.similarity",
    "jaccard": "alchemistcoder.code.similarity",
    "ngrams": "alchemistcoder.code.similarity",
    "code_tokens": "alchemistcoder.code.tokens",
    "lex": "alchemistcoder.code.tokens",
    "literal_tokens": "alchemistcoder.code.tokens",
    "normalized_token_spans": "alchemistcoder.code.tokens",
    "normalized_tokens": "alchemistcoder.code.tokens",
    "word_tokens": "alchemistcoder.code.tokens",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS)
