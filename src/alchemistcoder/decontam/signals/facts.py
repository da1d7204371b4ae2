"""Statement facts: what distinguishes a benchmark problem from its neighbours on the same topic.

The statement signal convicts an instruction near a problem in meaning only when it keeps the problem's key
facts (every number and quoted name of the statement, most of its content words, no exclusive choice the other
way: "first" where the statement says "last"); the verdict policy also uses :func:`names_agree` to try a
problem further down the ranking on the functions named like its entry point.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from alchemistcoder.code import word_tokens

# Words by which a statement makes the order of a list answer part of the task (:func:`names_order`).
_ORDER_WORDS = re.compile(r"\b(?:sort\w*|order\w*|ascending|descending|increas\w*|decreas\w*|revers\w*|rotat\w*|"
                          r"arrang\w*|lexicograph\w*|alphabetic\w*|first|last|smallest|largest|front|back|shift\w*|"
                          r"swap\w*|rank\w*|position\w*|index\w*|indices|next|previous|consecutive|sequence|"
                          r"interleav\w*|zigzag|spiral|pattern|step|before|after|move\w*|push\w*)\b", re.IGNORECASE)


def names_order(text: str) -> bool:
    """Whether a statement makes the order of a list it asks for part of the task ("sorted", "in reverse",
    "the first", "indices"): where it does, lists of answers are not compared in any order
    (``BenchProblem.order_free`` for a benchmark's statement; ``policy.decide`` for a sample's instruction)."""
    return _ORDER_WORDS.search(text) is not None

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


def same_name(function: str, entry_point: str) -> bool:
    """Whether a sample's function has the entry point's name, up to its case and word separators
    (``binarySearch`` and ``binary_search``)."""
    words = name_words(function)
    return bool(words) and words == name_words(entry_point)


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



# -- statement veto: a constraint one statement adds that the other does not (issue 24, item 4) ------------
#
# A benchmark's tests check the function on the inputs they use, and nothing more: "the length of a list"
# passes HumanEval/23's strlen tests, "the smallest *positive* element, or -1" passes MBPP/62's (its tests have
# no negative number). When the sample's statement adds such a constraint (or drops one the benchmark states),
# a pass proves only that the tests cannot tell the two apart, so execution alone does not convict.
#
# The rule (docs/curate.md, "Statement veto"): a constraint vetoes when it changes the function's input/output
# contract — *which* elements are chosen (positive, even, prime, unique, consecutive, the greater value, all
# but the ignored ones), *what kind of object* it works on (a list where the benchmark says a string; a
# substring where it says a character). Constraints on the implementation only never veto: "without len()",
# "recursive", "in place", "in O(n)", "using a loop", "without built-in functions" ask for the same function
# written another way, which is the benchmark problem by the review rules ("contaminated when what it asks for
# is the benchmark problem"). Nor does a qualifier of the *input's domain* ("takes a positive integer", "a
# list of positive integers", "handle negative numbers"): the function is the same on that domain.

# Qualifiers that select which elements count, by family (synonyms share one).
_SELECTORS: dict[str, frozenset[str]] = {
    "positive": frozenset({"positive", "natural"}),
    "negative": frozenset({"negative"}),
    "even": frozenset({"even"}),
    "odd": frozenset({"odd"}),
    "prime": frozenset({"prime", "primes"}),
    "unique": frozenset({"unique", "distinct", "non-repeated", "nonrepeated", "non-repeating", "repeated"}),
    "consecutive": frozenset({"consecutive", "adjacent"}),
    "leading or trailing": frozenset({"leading", "trailing"}),
}
# A selector that the *benchmark* states and the sample drops vetoes only in this set: a benchmark's own
# wording names its domain more often than a paraphrase does ("the first non-repeated character" said as "the
# first character that does not repeat"); "consecutive duplicates" said as "duplicates" is another problem.
_DROPPED_SELECTORS = frozenset({"consecutive", "positive", "negative", "even", "odd", "prime"})
# Words right before a selector that make it choose elements ("the smallest positive element", "sum of the
# even numbers", "filter out odd numbers", "only primes"); otherwise it qualifies the input's domain ("takes a
# positive integer", "a list of positive integers", "handle negative numbers") and changes nothing.
_SELECTING_CUES = frozenset(word_tokens(
    "the only all every sum total product average mean count number smallest largest biggest highest lowest "
    "minimum maximum min max first last second find return returns returning keep keeps extract extracts select "
    "selects filter filters out remove removes removing print prints list lists collect its their those"
))
_SELECTING_AFTER_OF = frozenset(word_tokens("sum product average mean count number total"))
# Determiners select only for a qualifier that is not also a property of the answer's own kind: "the unique
# words" as a dictionary's keys are every word, said of the keys.
_DETERMINERS = frozenset(word_tokens("the all every its their those list lists"))
# The other side of an exclusive pair: "filters out even numbers, returning the odd ones" states the
# benchmark's "only returns the odd ones" both ways, and adds nothing.
_PAIRED = {"even": "odd", "odd": "even", "positive": "negative", "negative": "positive"}
# Aggregations a task sentence asks for ("prints the sum of two integers and checks if it is prime" against
# MBPP/605's prime check): named by the sample and by no statement, another computation. A statement also
# names one by its verb ("Add two numbers x and y"); a sample's verbs are not read ("Add a docstring").
_AGGREGATES = {"sum": (frozenset({"sum", "sums", "summation", "total"}), frozenset({"add", "adds", "addition", "plus"})),
               "product": (frozenset({"product"}), frozenset({"multiply", "multiplies", "multiplication"})),
               "average": (frozenset({"average", "mean"}), frozenset())}
_CHOOSERS = frozenset(word_tokens(
    "greater greatest larger largest bigger biggest higher highest smaller smallest lesser least lower lowest max "
    "maximum min minimum longer longest shorter shortest"
))
# Object words, by group: two statements that name members of a group, none in common, work on other objects.
# Sequences vs strings is a contract change ("a list" where HumanEval/23 says "a string"); the unit a string
# is read in (character, substring, word) is weaker: a substring counter generalises a character counter
# (MBPP/474's "replace characters" asked as "replace a substring" is the same problem by review).
_SEQUENCE = frozenset(word_tokens("list lists array arrays tuple tuples sequence sequences vector vectors"))
_STRING = frozenset(word_tokens("string strings str text sentence sentences word words phrase phrases"))
_UNITS = {"character": frozenset(word_tokens("character characters char chars letter letters")),
          "substring": frozenset(word_tokens("substring substrings")),
          "word": frozenset(word_tokens("word words")),
          "subsequence": frozenset(word_tokens("subsequence subsequences"))}
# A subsequence is not a generalised substring or character: counting one is another problem (strong).
_STRONG_UNITS = frozenset({"subsequence"})
# Nested input ("a list of lists", "a nested list", "flatten"): the shape of the input is part of the contract.
_NESTED = re.compile(r"\b(?:lists? of (?:lists|tuples|arrays)|arrays? of arrays|nested|flatten\w*|2d|two[- ]dimensional|"
                     r"matri(?:x|ces))\b", re.IGNORECASE)
# A flat input said as such: "a list of strings" (a paraphrase that only says "list `x`" may mean a nested one).
_FLAT = re.compile(r"\b(?:list|array|sequence)s? of (?:strings|integers|ints|numbers|words|characters|chars|floats|"
                   r"decimals|letters)\b", re.IGNORECASE)
# Phrases in which a chooser or selector names no choice ("greatest common divisor", "prime factors" of
# HumanEval/25 are what the function is about, not a filter of its input), cut before reading constraints.
_FIXED_PHRASES = re.compile(
    r"\b(?:greatest|highest) common (?:divisor|factor)s?|\bleast common multiples?|\blowest common multiples?|"
    r"\bprime (?:factors?|factori[sz]ation|numbers? or not)|\bis (?:a )?prime\b|\bnatural logarithm|"
    r"\b(?:even|odd) or (?:even|odd)|\bpositive or negative|\bnegative or positive|"
    # an order ("sort from smallest to largest"), not a choice of the greater or smaller one: the tests tell directions apart
    r"\b(?:smallest|lowest|least|largest|highest|greatest|biggest) to (?:smallest|lowest|least|largest|highest|greatest|biggest)\b",
    re.IGNORECASE)
# A C string said as an array of characters: a string, not a sequence of elements (a C++ ``findLength(char arr[])``
# for HumanEval/23's length of a string).
_C_STRING = re.compile(r"\b(?:null-terminated )?char(?:acter)? arrays?\b|\barrays? of char(?:acter)?s\b", re.IGNORECASE)
# Clauses about the implementation or the input's size, not the contract: cut before reading constraints.
_IMPLEMENTATION = re.compile(
    r"\b(?:without|not allowed to|do not|don't|must not|should not|cannot|can't|can not|avoid|using|use|via|"
    r"with(?:out)? the help of|implemented|in o\(|time complexity|space complexity|complexity|handle|handles|"
    r"up to|at most|less than or equal|efficient)\b[^.;:!?\n]*", re.IGNORECASE)
_CASE = re.compile(r"\b(?:case[- ]insensitive(?:ly)?|ignor\w* (?:the )?case|regardless of (?:the )?case|"
                   r"(?:upper|lower)case and (?:upper|lower)case (?:as|are) (?:the )?same)\b", re.IGNORECASE)
_IGNORING = re.compile(r"\b(?:ignor(?:e|es|ing)|exclud(?:e|es|ing)|except(?:ing)?|skipp?(?:ing)?|other than|apart from)\b"
                       r"(?! (?:the )?case\b)", re.IGNORECASE)
# What a text ignores when it only normalises its characters ("ignoring spaces, punctuation and case", "any
# non-alphanumeric characters"): the palindrome of HumanEval/48 read through a normalisation is the same problem
# by the reviewers' labels (every such tune row is contaminated), unlike "excluding vowels" or "ignoring duplicates",
# which choose elements.
_FORMAT_CORE = frozenset({"non-alphanumeric", "non-alphabetic", "non-alphabetical", "non-alpha", "non-letter",
                          "non-letters", "non-word", "punctuation", "punctuations", "space", "spaces", "whitespace",
                          "whitespaces", "special", "symbols", "case", "capitalization", "capitalisation"})
_FORMAT_GLUE = frozenset({"and", "or", "any", "all", "the", "other", "characters", "character", "marks", "mark",
                          "sensitivity", "white", "chars"})


@dataclass(frozen=True, slots=True)
class Constraints:
    """The contract constraints a statement states: selectors choosing elements (by family), choosers (a
    min/max word), what it ignores, case-insensitivity, and the objects it names (sequence, string, units)."""

    selectors: frozenset[str]
    mentioned: frozenset[str]  # every selector family named at all, as a choice or of the domain
    qualified: frozenset[tuple[str, str]]  # (selector family, the word it qualifies): "consecutive duplicates"
    chooses: bool
    ignores: bool
    case: bool
    sequence: bool
    string: bool
    units: frozenset[str]
    nested: bool = False
    flat: bool = False
    aggregates: frozenset[str] = frozenset()  # sum, product, average, named as nouns
    verbs: frozenset[str] = frozenset()  # the same, named by a verb too (a statement's "Add two numbers")


def task_sentence(text: str) -> str:
    """The sentence that states the task (the first, or the first two when the first is a fragment), without
    examples, code and quoted values: the constraints a sample *adds* are read here only, so that its later
    notes ("Additionally, handle negative numbers", "The array contains positive integers") stay out."""
    text = re.split(r"```|\n\s*\n|(?i:\bfor example\b|\bexample\s*:|\binput\s*:|\be\.g\.)", text, maxsplit=1)[0]
    sentences = re.split(r"(?<=[.?!])\s+|\n", text.strip())
    first = sentences[0] if sentences else ""
    if len(first.split()) < 5 and len(sentences) > 1:
        first = f"{first} {sentences[1]}"
    return first


def constraints(text: str) -> Constraints:
    """The contract constraints of a statement or task sentence (see the rule above); implementation clauses
    ("without using len()", "using recursion", "in O(n)"), fixed phrases ("greatest common divisor") and quoted
    values are cut first."""
    text = _QUOTED.sub(" ", text)
    case = bool(_CASE.search(text))
    text = _CASE.sub(" ", _FIXED_PHRASES.sub(" ", text))
    text = _IMPLEMENTATION.sub(" ", _C_STRING.sub(" string ", text))
    words = re.findall(r"[a-z0-9]+(?:-[a-z]+)?", text.lower())
    selectors, mentioned, qualified = set(), set(), set()
    for i, w in enumerate(words):
        # "non-negative" and "non-zero" are no member (the domain, said the other way); "non-repeated" is
        family = next((f for f, members in _SELECTORS.items() if w in members), None)
        if family is None:
            continue
        mentioned.add(family)
        before = words[max(0, i - 2) : i]
        cue = before[-1] if before else ""
        if (cue in _SELECTING_CUES and not (family == "unique" and cue in _DETERMINERS)) or \
                (cue == "of" and len(before) > 1 and before[-2] in _SELECTING_AFTER_OF):
            selectors.add(family)
            if i + 1 < len(words):
                qualified.add((family, _stem(words[i + 1])))
    units = frozenset(u for u, members in _UNITS.items() if members & set(words))
    return Constraints(frozenset(selectors), frozenset(mentioned), frozenset(qualified), bool(_CHOOSERS & set(words)),
                       _ignores(text), case, bool(_SEQUENCE & set(words)), bool(_STRING & set(words)),
                       units, bool(_NESTED.search(text)), bool(_FLAT.search(text)) and not _NESTED.search(text),
                       frozenset(a for a, (nouns, _v) in _AGGREGATES.items() if nouns & set(words)),
                       frozenset(a for a, (nouns, verbs) in _AGGREGATES.items() if (nouns | verbs) & set(words)))


def _ignores(text: str) -> bool:
    """Whether ``text`` ignores (excludes, skips) some elements, other than characters it only normalises away."""
    for m in _IGNORING.finditer(text):
        words = re.findall(r"[a-z-]+|[.;:!?]", re.sub(r"\bnon\s+", "non-", text[m.end():].lower()))
        core = False
        for w in words:
            if w in _FORMAT_CORE:
                core = True
            elif w not in _FORMAT_GLUE:
                break
        if not core:
            return True
    return False


# Geometric figures: one formula answers several ("half the product" is a triangle's area from base and height and a
# rhombus's from its diagonals), so a figure the benchmark does not name is another problem whatever its tests say.
# Not "square" or "cube": the square and the cube of a number.
_FIGURES = {
    "triangle": {"triangle", "triangles", "triangular"}, "rhombus": {"rhombus", "rombus", "rhombi"},
    "rectangle": {"rectangle", "rectangles", "rectangular"}, "circle": {"circle", "circles", "circular"},
    "ellipse": {"ellipse", "ellipses"}, "trapezium": {"trapezium", "trapezoid", "trapezoids", "trapeziums"},
    "parallelogram": {"parallelogram", "parallelograms"}, "pentagon": {"pentagon", "pentagons"},
    "hexagon": {"hexagon", "hexagons"}, "sphere": {"sphere", "spheres"}, "cylinder": {"cylinder", "cylinders"},
    "cone": {"cone", "cones"}, "pyramid": {"pyramid", "pyramids"}, "prism": {"prism", "prisms"},
    "cuboid": {"cuboid", "cuboids"},
}
_CUBOID = re.compile(r"\brectangular\s+(?:prism|box|solid|parallelepiped)s?\b")


def figures(text: str) -> frozenset[str]:
    """The geometric figures a text names (:data:`_FIGURES`; a rectangular prism is a cuboid)."""
    words = set(re.findall(r"[a-z]+", _CUBOID.sub("cuboid", text.lower())))
    return frozenset(f for f, names in _FIGURES.items() if names & words)


# A sequence or series asked for as a whole, and the words that name one element of it (an n-th, an index).
_SERIES = re.compile(r"\b(?:sequence|series)\b", re.IGNORECASE)
_ELEMENT = re.compile(r"\b(?:n-?th|\d*(?:1st|2nd|3rd|[04-9]th)|index|position|term|element)\b", re.IGNORECASE)
_NTH = re.compile(r"\bn-?th\b", re.IGNORECASE)


def statement_veto(statements: list[str], instruction: str, nested_input: bool = False,
                   string_input: bool = False) -> dict[str, Any] | None:
    """Why a sample's passing code does not convict it of a benchmark problem, or None: the constraints on the
    input/output contract that the sample's task sentence adds to every statement of the problem, or that the
    statements state and the sample drops (``added``, ``dropped``), and the objects they disagree on
    (``objects``). A contract difference vetoes; so do two weak ones together (case-insensitivity, another
    unit of a string: "a substring, ignoring case" against MBPP/204's "a given character").
    ``nested_input``: the benchmark's own tests give a nested argument, whatever its statements say;
    ``string_input``: they give a string first (a "word" may be a list's element)."""
    mine, whole = constraints(task_sentence(instruction)), constraints(instruction)
    theirs = [constraints(s) for s in statements if s.strip()]
    if not theirs:
        return None
    stated = frozenset().union(*(t.mentioned for t in theirs))
    added = sorted(f for f in mine.selectors - stated if not (_PAIRED.get(f) in stated and _PAIRED.get(f) in mine.mentioned))
    if mine.chooses and not any(t.chooses for t in theirs):
        added.append("chooses a greater or smaller one")
    added += [f"the {a}" for a in sorted(mine.aggregates - frozenset().union(*(t.verbs for t in theirs)))]
    if mine.ignores and not any(t.ignores for t in theirs):
        added.append("ignores some elements")
    # dropped: a selector every statement puts on a word ("consecutive duplicates") that the sample names
    # without it ("remove duplicates"); a sample that never names the word states no task to compare
    nouns = {_stem(w) for w in re.findall(r"[a-z0-9]+", instruction.lower())}
    everywhere = frozenset.intersection(*(t.qualified for t in theirs))
    dropped = sorted({f for f, noun in everywhere if f in _DROPPED_SELECTORS and noun in nouns} - whole.mentioned)
    # a list where the benchmark says a string widens the input to other problems (the length of a list is
    # not strlen); a string where it says a list narrows it (a string is a sequence of characters: "the count of
    # each character of a string" is MBPP/88's frequency of a list's elements on such input), which is weak
    objects, weak = [], []
    if mine.sequence and not mine.string and all(t.string and not t.sequence for t in theirs):
        objects.append("a sequence where the benchmark says a string")
    elif string_input and mine.sequence and re.search(r"\bstrings\b", task_sentence(instruction), re.IGNORECASE) \
            and all(t.string and not t.sequence for t in theirs):  # "the length of all strings in a list"
        objects.append("a sequence of strings where the benchmark says a string")
    if mine.string and not mine.sequence and all(t.sequence and not t.string for t in theirs):
        weak.append("a string where the benchmark says a sequence")
    # "the Fibonacci sequence for a given integer n" asks for the sequence where HumanEval/55 returns its n-th
    # number; the same code answers both ("the nth number in the Fibonacci sequence" names the element)
    if _SERIES.search(task_sentence(instruction)) and not _ELEMENT.search(instruction) \
            and all(_NTH.search(text) for text in statements if text.strip()):
        objects.append("a sequence where the benchmark names its n-th element")
    mine_figures, their_figures = figures(task_sentence(instruction)), [figures(t) for t in statements if t.strip()]
    if mine_figures and all(f and not f & mine_figures for f in their_figures):
        # "the area of a rombus" (``p * q / 2``) passes HumanEval/45's triangle area from a side and its height
        objects.append(f"a {'/'.join(sorted(mine_figures))} where the benchmark says "
                       f"a {'/'.join(sorted(frozenset().union(*their_figures)))}")
    if whole.case != any(t.case for t in theirs):
        weak.append("case-insensitive" if whole.case else "the benchmark is case-insensitive")
    # the input's shape: nested where every statement's is flat, or said to be flat ("a list of strings")
    # where every statement's is nested (a paraphrase that only says "list `x`" may mean the nested one)
    # where the statements' words do not say it ("sublist" is a list inside a list or a slice of one), the
    # benchmark's own test inputs show the shape: MBPP/562's "the longest sublists" takes a list of lists
    if mine.nested and not nested_input and not any(t.nested for t in theirs):
        objects.append("a nested input where the benchmark's is flat")
    if mine.flat and not whole.nested and all(t.nested for t in theirs):
        objects.append("a flat input where the benchmark's is nested")
    strong = (mine.units & _STRONG_UNITS) - frozenset().union(*(t.units for t in theirs))
    if strong:  # a subsequence where no statement names one, whatever else they share ("letters")
        objects.append(f"{'/'.join(sorted(strong))} where the benchmark says {'/'.join(sorted(theirs[0].units)) or 'none'}")
    elif mine.units and all(t.units and not (t.units & mine.units) for t in theirs):
        weak.append(f"{'/'.join(sorted(mine.units))} where the benchmark says "
                    f"{'/'.join(sorted(theirs[0].units))}")
    if not (added or dropped or objects or len(weak) >= 2):
        return None
    veto: dict[str, Any] = {}
    for key, value in (("added", added), ("dropped", dropped), ("objects", objects), ("weak", weak)):
        if value:
            veto[key] = value
    return veto


class FactsGate:
    """The benchmark statements' key facts by content word: whether an instruction keeps the key facts of any
    statement (``facts_agree``, the statement signal's test), found without comparing it to every statement."""

    def __init__(self, facts: list[list[KeyFacts]], min_words: float) -> None:
        self.facts = [f for group in facts for f in group]
        self.owner = [i for i, group in enumerate(facts) for _f in group]  # the problem of each statement
        self.min_words = min_words
        self.by_word: dict[str, list[int]] = defaultdict(list)
        for j, f in enumerate(self.facts):
            for word in f.words:
                self.by_word[word].append(j)

    def _shared(self, mine: KeyFacts) -> Counter[int]:
        """How many content words each statement shares with ``mine`` (those sharing none left out)."""
        return Counter(j for word in mine.words for j in self.by_word.get(word, ()))

    def any_agree(self, instruction: str) -> bool:
        """Whether ``instruction`` keeps every key fact of at least one statement."""
        mine = key_facts(instruction)
        shared = self._shared(mine)
        # only statements sharing enough content words can agree (facts_agree decides; the slack keeps a share
        # that rounds the other way in)
        return any(facts_agree(self.facts[j], mine, self.min_words)[0] for j, n in shared.items()
                   if n >= self.min_words * len(self.facts[j].words) - 1e-9)

    def covering(self, instruction: str, share: float, limit: int) -> list[int]:
        """The problems (indices) with a statement of three content words or more that ``instruction`` holds at
        ``share`` or more (two at least); best covered first (then the statement with more words), ``limit`` at
        most. Two words retrieve too much: MBPP/798's "sum" and "array" are in any instruction that sums an array
        on the way to something else (a ``sum(array)`` step of a longer answer passed its tests)."""
        shared = self._shared(key_facts(instruction))
        ranked = sorted(((n / len(self.facts[j].words), n, self.owner[j]) for j, n in shared.items()
                         if n >= 2 and len(self.facts[j].words) >= 3 and n >= share * len(self.facts[j].words) - 1e-9),
                        reverse=True)
        return list(dict.fromkeys(problem for _share, _n, problem in ranked))[:limit]
