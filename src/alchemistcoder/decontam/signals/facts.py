"""Statement facts: what distinguishes a benchmark problem from its neighbours on the same topic.

The statement signal convicts an instruction near a problem in meaning only when it keeps the problem's key
facts (every number and quoted name of the statement, most of its content words, no exclusive choice the other
way: "first" where the statement says "last"); the verdict policy also uses :func:`names_agree` to try a
problem further down the ranking on the functions named like its entry point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from alchemistcoder.code import word_tokens

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?!\w|\.\d)")
_QUOTED = re.compile(r"""(?<!\w)['"`]([^'"`\n]{1,40})['"`](?!\w)""")
# Numbers any task may mention without naming a different problem.
_GENERIC_NUMBERS = frozenset({"0", "1", "2", "-1"})


@dataclass(frozen=True, slots=True)
class KeyFacts:
    """What distinguishes a problem from its neighbours on the same topic: the numbers and quoted names its
    statement names, its content words, and the exclusive choices it makes, in the order it names them."""

    numbers: frozenset[str]
    names: frozenset[str]
    words: frozenset[str]
    choices: tuple[tuple[int, int], ...] = ()  # (group, family) of _CONTRASTS, by first mention


_FACT_STOPWORDS = frozenset(word_tokens(
    "a an the of to in on for and or is are be by with from that this it as at given write python function program "
    "find return returns which whether using use into all each its their than then if code create method script "
    "implement java javascript c cpp go rust how can you would do does i me my we our please should will number "
    "numbers list lists string strings value values input output print get make takes take "
    # what to do, said in many ways: the words that name the problem are the others
    "check checks checking determine determines compute computes calculate calculates calculating test tests "
    "design develop build construct generate provide program algorithm routine not otherwise true false"
))


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


# Words that name one of several exclusive choices: an instruction that says "first" where the statement says
# "last" (MBPP/577, "last digit in factorial"), "even" where it says "odd", "perimeter" where it says "area",
# or names two in the other order ("binary to decimal" for MBPP/33's "decimal number to binary"), asks for
# another problem however near the rest of its wording is. Each group lists its families of synonyms.
_CONTRASTS: list[list[set[str]]] = [
    [{"first"}, {"last"}],
    [{"left", "leftmost"}, {"right", "rightmost"}],
    [{"even"}, {"odd"}],
    [{"min", "minimum", "smallest", "lowest", "least", "shortest"},
     {"max", "maximum", "largest", "highest", "greatest", "biggest", "longest"}],
    [{"upper", "uppercase", "capital"}, {"lower", "lowercase"}],
    [{"ascending", "increasing"}, {"descending", "decreasing"}],
    [{"area"}, {"perimeter", "circumference"}, {"volume"}],
    [{"sum", "summation", "total"}, {"product"}, {"average", "mean"}],
    [{"vowel"}, {"consonant"}],
    [{"positive"}, {"negative"}],
    [{"binary"}, {"decimal"}, {"octal"}, {"hexadecimal"}],
    [{"snake"}, {"camel"}, {"kebab"}, {"pascal"}],
]
_FAMILY_OF = {_stem(w): (g, f) for g, group in enumerate(_CONTRASTS) for f, family in enumerate(group) for w in family}


def key_facts(text: str) -> KeyFacts:
    """The numbers (other than 0, 1, 2), quoted names, stemmed content words and exclusive choices of a
    statement or instruction."""
    numbers = frozenset(n.lstrip("-") for n in _NUMBER.findall(text)) - _GENERIC_NUMBERS
    names = frozenset(q.strip().lower() for q in _QUOTED.findall(text) if q.strip())
    text = re.sub(r"\bn-th\b", "nth", text, flags=re.IGNORECASE)
    tokens = [_stem(w) for w in word_tokens(text) if w not in _FACT_STOPWORDS and not w.isdigit()]
    choices = tuple(dict.fromkeys(_FAMILY_OF[w] for w in tokens if w in _FAMILY_OF))
    return KeyFacts(numbers, names, frozenset(tokens), choices)


def _contrary(problem: KeyFacts, sample: KeyFacts) -> list[str]:
    """The exclusive choices where the sample goes the other way: a family of a group the statement names, none
    of whose families it names; or two families of a group in the other order."""
    out = []
    for group in sorted({g for g, _f in problem.choices} & {g for g, _f in sample.choices}):
        theirs = [f for g, f in problem.choices if g == group]
        mine = [f for g, f in sample.choices if g == group]
        if not set(mine) & set(theirs) or (len(theirs) > 1 and len(mine) > 1 and mine != theirs):
            out.append("/".join(sorted(min(_CONTRASTS[group][f]) for f in mine)))
    return out


def facts_agree(problem: KeyFacts, sample: KeyFacts, min_words: float) -> tuple[bool, dict[str, Any]]:
    """Whether a sample's instruction keeps the problem's key facts: every number and quoted name of the
    statement appears in it, at least ``min_words`` of the statement's content words, and no exclusive choice
    the other way; returns the verdict and what was compared (for the evidence)."""
    missing_numbers = sorted(problem.numbers - sample.numbers)
    missing_names = sorted(problem.names - sample.names)
    shared = len(problem.words & sample.words) / len(problem.words) if problem.words else 0.0
    contrary = _contrary(problem, sample)
    ok = not missing_numbers and not missing_names and not contrary and shared >= min_words
    return ok, {"missing_numbers": missing_numbers, "missing_names": missing_names, "contrary": contrary,
                "shared_words": round(shared, 4)}


# Words of a function name that say nothing about the problem.
_NAME_STOPWORDS = _FACT_STOPWORDS | frozenset({"get", "is", "has", "do", "calc", "func", "fn", "helper", "main",
                                               "solve", "solution", "result", "my"})


def name_words(name: str) -> list[str]:
    """The stemmed words of an identifier (snake_case or camelCase), without those that name no problem."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower().replace("-", "_").split("_")
    return [_stem(w) for w in words if w and not w.isdigit() and w not in _NAME_STOPWORDS]


def names_agree(function: str, entry_point: str) -> bool:
    """Whether a sample's function is named like a benchmark's entry point: a shared word, one word the
    start of the other ("max" and "maximum"), or synonyms of an exclusive choice ("largest" and "max")."""
    for a in name_words(function):
        for b in name_words(entry_point):
            if a == b or (min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a))):
                return True
            if a in _FAMILY_OF and _FAMILY_OF.get(b) == _FAMILY_OF[a]:
                return True
    return False

