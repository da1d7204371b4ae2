"""Validation of a written AlchemistPrompt against its instruction, its response and the grounded facts.

A prompt enters training data as part of the instruction, so a false or leaking one does harm: it is rejected
when it names a language the response is not written in, contains code, is too long, restates the
instruction or describes a task of its own (``describes_task``), gives away the solution (identifiers or lines of the response's code) or asserts a concept the
response does not use, or asks for what the response does not have (tests, a complexity analysis, an
explanation, printed output: ``unsupported_fact``). And a prompt is there to add what the instruction leaves unsaid, so it must state at
least one *missing* fact (``no_missing_fact``). Restatement is caught two ways: a prompt that is textually
close to the instruction (a similarity ratio, for short instructions), and one that copies the task's own
content words — the words left after removing the facts and the usual wording of a prompt — however long
the instruction is ("Please generate a C++ program that computes the sum of two numbers without using
the + operator" copies "computes sum two numbers without operator"). Each rejection has a stable reason code
that goes into the trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from alchemistcoder.code.concepts import CONCEPT_BY_KEY, defined_identifiers, mentioned_concepts
from alchemistcoder.harmonize.grounding import (
    LANGUAGE_MENTIONS,
    LANGUAGE_NAMES,
    Facts,
    Grounding,
    code_blocks,
    mentioned_languages,
)

REASONS = (
    "empty",
    "too_long",
    "contains_code",
    "wrong_language",
    "restates_instruction",
    "leaks_solution",
    "unsupported_concept",
    "off_topic",
    "no_missing_fact",
    "describes_task",
    "unsupported_fact",
)

_CODE_CUES = re.compile(
    r"```|`[^`\n]+`"
    r"|\b(?:def|function|func|fn|class|public|private|static|void|return|import|#include|using namespace)\s+[\w<]+\s*[(:{<;]"
    r"|^\s*(?:import|from|#include|package|using)\s+[\w.<>\"]+\s*;?\s*$"
    r"|(?<!O)\b[A-Za-z_]\w*\([^()\n]*\)\s*[;:{]"
    r"|\b[A-Za-z_]\w*\.[A-Za-z_]\w*\([^()\n]*\)|\b[A-Za-z_]\w*\[[\w\s+*/-]+\]"
    r"|[;{}]\s*$|==|!=|<=|>=|=>|->|\+=|-=|::|&&|\|\|"
    r"|\bprint\(|\bconsole\.log|\bSystem\.out",
    re.M,
)
# e.g. and i.e. are not sentence ends (nor is a decimal point, which no space follows).
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)[.!?]+(?=\s|$)")
_FACT_WORDS = re.compile(r"\b(?:output|print|test|explain|explanation|complexity|comment|librar(?:y|ies)|module|package)", re.I)
# Talk about the writing task itself rather than about the programming task.
_META_TALK = re.compile(r"\bjson\b|\bschema\b|\balchemist\b|\bprompt\b|\binstruction\b", re.I)
_CAMEL_OR_SNAKE = re.compile(r"^(?=.*[a-z])(?:\w*_\w+|[a-z]+[A-Z]\w*|\w*\d\w*)$")

# How a prompt states each kind of missing fact (language, concepts and libraries are matched by name).
_STATES = {
    "shows_output": re.compile(r"\boutput|\bresults?\b", re.I),
    "prints_output": re.compile(r"\bprint|\boutput|\bdisplay|\bshow", re.I),
    "tests": re.compile(r"\btest", re.I),
    "explanation": re.compile(r"\bexplain|\bexplanation|\bdescri(?:be|ption)|\bwalk\w* through", re.I),
    "complexity": re.compile(r"\bcomplexit|\bbig[- ]?o\b|\bO\(|\befficien", re.I),
}
# Words any prompt may use without restating its task: function words and the usual wording of a prompt.
_PROMPT_WORDS = frozenset(re.findall(r"\S+", """
a an the and or but of to in on for with by as at from into that this these those it its be is are should must can
will would please generate write writing create implement implementing provide give make making sure also then
than so while do does not no your you code program script solution solve solving task following answer function
attempt try use using used uses concept concepts approach library libraries module package language include
including includes included print printing prints printed result results output outputs expected execution
executing running run show showing display test tests testing case cases explain explaining explanation
explanations brief briefly short clear clearly comment comments analysis analyse analyze analysing time space
complexity after before each every how what which when where why well step steps way ways based detail details
detailed thorough thoroughly concise readable correct correctly complete completely full simple efficient
efficiently proper properly appropriate given provided like such example examples make sure need needs want
implementation algorithm method methods techniques technique principle principles paradigm structure structures
object objects oriented programming class classes ensure ensuring handle handles include all any
"""))
_WORD = re.compile(r"[a-z][a-z0-9+#]*")


def _stem(word: str) -> str:
    """A crude stem, the same for "tables"/"table", "computes"/"compute", "sorting"/"sort"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _claims(facts: Facts) -> dict[str, bool]:
    """Whether each kind of answer feature a prompt may ask for is true of the response."""
    return {"tests": facts.has_tests, "complexity": facts.has_complexity, "explanation": facts.has_explanation,
            "prints_output": facts.prints_output or facts.shows_output}


def stated_facts(prompt: str, grounding: Grounding, labels: list[str] | None = None) -> list[str]:
    """The missing facts (``labels``, default all of ``grounding.missing``) that ``prompt`` states."""
    facts, lowered = grounding.facts, prompt.lower()
    languages, concepts = set(mentioned_languages(prompt)), set(mentioned_concepts(prompt))
    stated = []
    for label in grounding.missing if labels is None else labels:
        kind, _, value = label.partition(":")
        if kind == "language":
            ok = facts.language in languages
        elif kind == "concept":
            ok = value in concepts
        elif kind == "library":
            ok = value.split(".")[-1].split("/")[-1].split("::")[0].lower() in lowered
        else:
            ok = bool(_STATES[kind].search(prompt))
        if ok:
            stated.append(label)
    return stated


def own_words(prompt: str, grounding: Grounding) -> list[str]:
    """The prompt's own content words (crudely stemmed, once each): what is left once the usual wording of a
    prompt and the names of the response's facts (languages, concepts, libraries) are removed."""
    facts = grounding.facts
    languages = {*facts.languages, *facts.prose_languages}
    # the facts' names, and how this prompt words them ("a hash table" for Hash Tables, "in JS" for JavaScript)
    spans = [m.group(0) for c in facts.concepts for m in CONCEPT_BY_KEY[c].mention.finditer(prompt)]
    spans += [m.group(0) for lang in languages if lang in LANGUAGE_MENTIONS for m in LANGUAGE_MENTIONS[lang].finditer(prompt)]
    fact_text = " ".join(
        [*(LANGUAGE_NAMES.get(lang, lang) for lang in languages), *(CONCEPT_BY_KEY[c].name for c in facts.concepts),
         *facts.libraries, *spans]
    ).lower()
    fact_words = {_stem(w) for w in _WORD.findall(fact_text)}
    words: list[str] = []
    for word in _WORD.findall(prompt.lower()):
        stem = _stem(word)
        if word not in _PROMPT_WORDS and stem not in fact_words and len(word) >= 2 and stem not in words:
            words.append(stem)
    return words


def copied_task_words(prompt: str, instruction: str, grounding: Grounding) -> list[str]:
    """The prompt's own words (:func:`own_words`) that the instruction also has: the task, restated."""
    instruction_words = {_stem(w) for w in _WORD.findall(instruction.lower())}
    return [w for w in own_words(prompt, grounding) if w in instruction_words]


@dataclass
class Verdict:
    """The outcome of validating one prompt: ``ok``, or the reason code and a human detail."""

    ok: bool
    reason: str | None = None
    detail: str | None = None


def clean_prompt(text: str) -> str:
    """Normalize a written prompt: strip quotes, a leading label, and surrounding whitespace."""
    text = re.sub(r"^\s*(?:alchemist\s*prompt|prompt)\s*:\s*", "", text, flags=re.I)
    text = text.strip().strip("\"'“”").strip()
    return " ".join(text.split())


def count_sentences(text: str) -> int:
    """Sentences in ``text`` (a trailing fragment without punctuation counts as one)."""
    ends = _SENTENCE_END.findall(text)
    tail = _SENTENCE_END.split(text)[-1].strip() if text.strip() else ""
    return len(ends) + (1 if tail else 0)


def _leaked(prompt: str, instruction: str, response: str) -> str | None:
    """An identifier or line of the response's code that the prompt repeats and the instruction does not."""
    words = set(re.findall(r"[A-Za-z_]\w*", prompt))
    instruction_words = set(re.findall(r"[A-Za-z_]\w*", instruction))
    for block in code_blocks(response):
        for name in defined_identifiers(block.code, block.language):
            if len(name) >= 4 and _CAMEL_OR_SNAKE.match(name) and name in words and name not in instruction_words:
                return f"identifier {name!r}"
        for line in block.code.splitlines():
            line = line.strip()
            if len(line.replace(" ", "")) >= 15 and line in prompt and line not in instruction:
                return f"code line {line[:60]!r}"
    return None


def validate_prompt(
    prompt: str,
    instruction: str,
    response: str,
    grounding: Grounding,
    *,
    max_words: int = 45,
    max_sentences: int = 2,
    max_similarity: float = 80.0,
    max_copied_words: int = 3,
    max_own_words: int = 3,
) -> Verdict:
    """Check a cleaned prompt; the first failing rule gives the reason.

    ``max_copied_words``: a prompt that repeats this many content words of the instruction (see
    :func:`copied_task_words`) restates it. ``max_own_words``: a prompt with more words of its own (see
    :func:`own_words`) describes a task — this one in other words, or another one (a small model shown worked
    examples retells the example's task) — instead of stating facts."""
    if len(prompt.split()) < 3:
        return Verdict(False, "empty", f"{len(prompt.split())} words")
    m = _CODE_CUES.search(prompt)
    if m:
        return Verdict(False, "contains_code", repr(m.group(0)[:40]))
    n_words, n_sentences = len(prompt.split()), count_sentences(prompt)
    if n_words > max_words or n_sentences > max_sentences:
        return Verdict(False, "too_long", f"{n_words} words, {n_sentences} sentences")
    facts = grounding.facts
    wrong = [lang for lang in mentioned_languages(prompt) if not facts.allows_language(lang)]
    if wrong:
        return Verdict(False, "wrong_language", f"names {wrong[0]}, response is {facts.language or 'not code'}")
    similarity = max(
        fuzz.token_sort_ratio(prompt.lower(), instruction.lower()),
        # A prompt that is (almost) a piece of the instruction is a restatement too.
        fuzz.partial_ratio(prompt.lower(), instruction.lower()) if len(prompt) >= 40 and len(instruction) >= len(prompt) else 0,
    )
    if similarity >= max_similarity:
        return Verdict(False, "restates_instruction", f"similarity {similarity:.0f}")
    copied = copied_task_words(prompt, instruction, grounding)
    if len(copied) >= max_copied_words:
        return Verdict(False, "restates_instruction", "repeats the task's words " + ", ".join(copied[:6]))
    leak = _leaked(prompt, instruction, response)
    if leak:
        return Verdict(False, "leaks_solution", leak)
    meta = _META_TALK.search(prompt)
    if meta:
        return Verdict(False, "off_topic", f"talks about {meta.group(0)!r}")
    own = own_words(prompt, grounding)
    if len(own) > max_own_words:
        return Verdict(False, "describes_task", "words beyond the facts: " + ", ".join(own[:8]))
    names_a_fact = (
        mentioned_languages(prompt)
        or mentioned_concepts(prompt)
        or _FACT_WORDS.search(prompt)
        or any(lib.split(".")[-1].split("::")[-1].lower() in prompt.lower() for lib in facts.libraries)
    )
    if not names_a_fact:
        return Verdict(False, "off_topic", "states none of the response's facts")
    allowed = set(facts.concepts) | set(mentioned_concepts(instruction))
    unsupported = [c for c in mentioned_concepts(prompt) if c not in allowed]
    if unsupported:
        return Verdict(False, "unsupported_concept", unsupported[0])
    false_claim = next((kind for kind, holds in _claims(facts).items()
                        if not holds and _STATES[kind].search(prompt) and not _STATES[kind].search(instruction)), None)
    if false_claim:
        return Verdict(False, "unsupported_fact", f"asks for {false_claim.replace('_', ' ')}, the response has none")
    if not stated_facts(prompt, grounding):
        return Verdict(False, "no_missing_fact", "states only what the instruction already says")
    return Verdict(True)
