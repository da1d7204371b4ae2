"""Code facts: finding code in text, naming its language, parsing it, and comparing programs.

Curation, AlchemistPrompt grounding and evaluation all use this one module::

    from alchemistcoder.code import extract_code_blocks, detect_language, parse_ok, normalized_tokens
"""

from alchemistcoder.code.detect import detect_language
from alchemistcoder.code.extract import CodeBlock, extract_code_blocks, main_code
from alchemistcoder.code.facts import CodeFacts, code_facts
from alchemistcoder.code.languages import PARSED_LANGUAGES, canonical_language
from alchemistcoder.code.parse import can_parse, parse_ok
from alchemistcoder.code.similarity import containment, hash_ngrams, jaccard, ngrams
from alchemistcoder.code.tokens import (
    code_tokens,
    lex,
    literal_tokens,
    normalized_token_spans,
    normalized_tokens,
    word_tokens,
)

__all__ = [
    "PARSED_LANGUAGES",
    "CodeBlock",
    "CodeFacts",
    "can_parse",
    "canonical_language",
    "code_facts",
    "code_tokens",
    "containment",
    "detect_language",
    "extract_code_blocks",
    "hash_ngrams",
    "jaccard",
    "lex",
    "literal_tokens",
    "main_code",
    "ngrams",
    "normalized_token_spans",
    "normalized_tokens",
    "parse_ok",
    "word_tokens",
]
