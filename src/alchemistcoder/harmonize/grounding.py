"""Grounding: the facts of a response that an AlchemistPrompt may state, and which of them the instruction omits.

An AlchemistPrompt is hindsight relabeling: it makes the instruction ask for what the response delivers. Its
statements must be *true of the response*, so they are computed here from the response (its language, the
concepts and libraries its code uses, whether it prints and shows its output, whether it carries tests, an
explanation or a complexity analysis) and handed to the writer; the validator then checks a written prompt
against the same facts. The *missing* facts (those the instruction does not already state) are what a prompt
can add, and what the selection may prioritize. The model writer is given the most telling of them as a short
checklist (:func:`checklist`): the facts are computed here, the model only phrases them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from alchemistcoder.code import CodeBlock, extract_code_blocks
from alchemistcoder.code.concepts import (
    CONCEPT_BY_KEY,
    analyses_complexity,
    detect_concepts,
    detect_libraries,
    includes_tests,
    is_standard_library,
    mentioned_concepts,
    prints_output,
    shows_expected_output,
)

# Block languages that are data or printed output, not a program the prompt could name.
_NOT_CODE = frozenset({"text", "json", "yaml", "xml"})

# Display names of canonical language names (those of alchemistcoder.code.languages).
LANGUAGE_NAMES: dict[str, str] = {
    "python": "Python", "c": "C", "cpp": "C++", "java": "Java", "javascript": "JavaScript",
    "typescript": "TypeScript", "go": "Go", "rust": "Rust", "sql": "SQL", "shell": "Bash", "html": "HTML",
    "css": "CSS", "php": "PHP", "ruby": "Ruby", "csharp": "C#", "kotlin": "Kotlin", "swift": "Swift",
    "r": "R", "scala": "Scala", "perl": "Perl", "lua": "Lua", "haskell": "Haskell", "julia": "Julia",
    "matlab": "MATLAB", "dart": "Dart", "powershell": "PowerShell",
}

# How prose names each language. Case-sensitive where the name is also an English word or a letter.
LANGUAGE_MENTIONS: dict[str, re.Pattern[str]] = {
    "python": re.compile(r"\bpython\d?\b", re.I),
    "c": re.compile(r"(?<![\w#+])C(?![+#\w])(?=\s*(?:code|program|language|function|implementation|\d\d)\b)|\b(?:in|using|with|ANSI) C\b(?![+#])|\bC language\b"),
    "cpp": re.compile(r"C\+\+|\bcpp\b", re.I),
    "java": re.compile(r"\bjava\b(?!\s*script)", re.I),
    "javascript": re.compile(r"\bjavascript\b|\bjs\b|\bnode\.?js\b", re.I),
    "typescript": re.compile(r"\btypescript\b|\bts\b", re.I),
    "go": re.compile(r"\bgolang\b|\b(?:in|using|with) Go\b|\bGo (?:code|program|language|function)\b"),
    "rust": re.compile(r"\brust\b", re.I),
    "sql": re.compile(r"\bsql\b|\bmysql\b|\bpostgres(?:ql)?\b|\bsqlite\b", re.I),
    "shell": re.compile(r"\bbash\b|\bshell script\b|\bzsh\b", re.I),
    "html": re.compile(r"\bhtml5?\b", re.I),
    "css": re.compile(r"\bcss3?\b", re.I),
    "php": re.compile(r"\bphp\b", re.I),
    "ruby": re.compile(r"\bruby\b", re.I),
    "csharp": re.compile(r"C#|\bc ?sharp\b|\.net\b", re.I),
    "kotlin": re.compile(r"\bkotlin\b", re.I),
    "swift": re.compile(r"\bswift\b", re.I),
    "r": re.compile(r"\b(?:in|using|with) R\b|\bR (?:code|script|program|language|function)\b"),
    "scala": re.compile(r"\bscala\b", re.I),
    "perl": re.compile(r"\bperl\b", re.I),
    "lua": re.compile(r"\blua\b", re.I),
    "haskell": re.compile(r"\bhaskell\b", re.I),
    "julia": re.compile(r"\bjulia\b"),
    "matlab": re.compile(r"\bmatlab\b", re.I),
    "dart": re.compile(r"\bdart\b", re.I),
    "powershell": re.compile(r"\bpowershell\b", re.I),
}
# Words that imply a language in an instruction without naming it ("a query", "a web page", "pandas"):
# enough to count the language as already stated, never used to judge what a prompt names.
_IMPLIED: dict[str, re.Pattern[str]] = {
    "python": re.compile(r"\bpandas\b|\bnumpy\b|\bdjango\b|\bflask\b|\bpytorch\b|\btensorflow\b|\bscikit", re.I),
    "javascript": re.compile(r"\bnode\b|\breact\b|\bjquery\b|\bangular\b|\bvue\b", re.I),
    "sql": re.compile(r"\bquery\b|\bdatabase\b|\btable\b", re.I),
    "shell": re.compile(r"\bshell\b|\bcommand[- ]line\b|\bterminal\b|\bscript\b", re.I),
    "html": re.compile(r"\bweb ?page\b|\bwebsite\b|\bform\b", re.I),
    "css": re.compile(r"\bstyle ?sheet\b|\bstyl", re.I),
    "ruby": re.compile(r"\brails\b", re.I),
    "swift": re.compile(r"\bios\b", re.I),
    "dart": re.compile(r"\bflutter\b", re.I),
}

# Languages that legitimately come together: naming one of them is not a contradiction of the other.
_COMPATIBLE: dict[str, frozenset[str]] = {
    "javascript": frozenset({"html", "css", "typescript"}),
    "typescript": frozenset({"javascript"}),
    "html": frozenset({"css", "javascript"}),
    "css": frozenset({"html"}),
}

_PRINT_MENTION = re.compile(r"\bprint|\boutput|\bdisplay|\bshow\b|\bconsole\b|\blog\b|\bwrite (?:to|out)\b", re.I)
_TEST_MENTION = re.compile(r"\btests?\b|\btesting\b|\btest cases?\b|\bunit[- ]tests?\b|\bassert", re.I)
_EXPLAIN_MENTION = re.compile(r"\bexplain|\bexplanation|\bdescribe|\bwalk (?:me )?through|\bwhy\b|\bhow (?:does|do|it)\b", re.I)
_COMPLEXITY_MENTION = re.compile(r"\bcomplexity\b|\bO\(|\befficien(?:t|cy)\b|\bperformance\b|\bbig[- ]o\b", re.I)


@dataclass
class Facts:
    """What is true of a response, as far as an AlchemistPrompt may state it."""

    language: str | None = None
    languages: list[str] = field(default_factory=list)
    concepts: list[str] = field(default_factory=list)
    libraries: list[str] = field(default_factory=list)
    prints_output: bool = False
    shows_output: bool = False
    has_tests: bool = False
    has_explanation: bool = False
    has_complexity: bool = False
    # languages that a response without code talks about ("an interface in Java is ..."): a prompt may say
    # "in Java" for it without contradicting the response
    prose_languages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def language_name(self) -> str | None:
        return LANGUAGE_NAMES.get(self.language or "")

    def allows_language(self, language: str) -> bool:
        """Whether a prompt may name ``language`` without contradicting these facts."""
        if language in self.languages or language == self.language or language in self.prose_languages:
            return True
        return any(language in _COMPATIBLE.get(lang, ()) for lang in self.languages)


@dataclass
class Grounding:
    """The facts of a response, and those of them the instruction leaves unsaid (``missing``)."""

    facts: Facts
    missing: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"facts": self.facts.to_dict(), "missing": list(self.missing)}


_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.S | re.M)


def code_blocks(text: str) -> list[CodeBlock]:
    """Code blocks of a response with their languages ("text" blocks, e.g. printed output, left out)."""
    return [b for b in extract_code_blocks(text) if b.code.strip() and b.language not in _NOT_CODE]


def prose_of(text: str, blocks: list[CodeBlock] | None = None) -> str:
    """The response's text outside its code (fenced blocks, and unfenced code runs)."""
    prose = _FENCE.sub(" ", text)
    for b in blocks if blocks is not None else extract_code_blocks(text):
        if not b.fenced:
            prose = prose.replace(b.code, " ")
    return prose


def response_facts(response: str) -> Facts:
    """The facts of ``response``."""
    blocks = code_blocks(response)
    prose = prose_of(response)
    if not blocks:
        return Facts(has_explanation=len(prose.split()) >= 25, has_complexity=analyses_complexity(prose),
                      prose_languages=mentioned_languages(prose))
    sizes: dict[str, int] = {}
    for b in blocks:
        sizes[b.language] = sizes.get(b.language, 0) + len(b.code)
    language = max(sizes, key=lambda lang: sizes[lang])
    languages = sorted(sizes, key=lambda lang: -sizes[lang])
    code = "\n".join(b.code for b in blocks if b.language == language)
    concepts = detect_concepts(code, language, prose)
    for b in blocks:
        if b.language != language:
            concepts += [c for c in detect_concepts(b.code, b.language) if c not in concepts]
    libraries: list[str] = []
    for b in blocks:
        libraries += [lib for lib in detect_libraries(b.code, b.language) if lib not in libraries]
    all_code = "\n".join(b.code for b in blocks)
    return Facts(
        language=language,
        languages=languages,
        concepts=[c for c in CONCEPT_BY_KEY if c in concepts],
        libraries=libraries,
        prints_output=prints_output(all_code),
        shows_output=shows_expected_output(prose) or bool(re.search(r"(?im)^\s*(?:#|//)\s*(?:output|=>|->)", all_code)),
        has_tests=includes_tests(all_code),
        has_explanation=len(prose.split()) >= 25,
        has_complexity=analyses_complexity(prose) or analyses_complexity(all_code),
    )


def mentioned_languages(text: str) -> list[str]:
    """Canonical names of the languages that prose ``text`` names."""
    return [lang for lang, pattern in LANGUAGE_MENTIONS.items() if pattern.search(text)]


def missing_facts(facts: Facts, instruction: str) -> list[str]:
    """Fact labels true of the response that ``instruction`` does not state.

    Labels: ``language``, ``concept:<key>``, ``library:<name>``, ``prints_output``, ``shows_output``,
    ``tests``, ``explanation``, ``complexity``.
    """
    missing: list[str] = []
    if facts.language and facts.language in LANGUAGE_NAMES:
        implied = _IMPLIED.get(facts.language)
        stated = facts.language in mentioned_languages(instruction) or bool(implied and implied.search(instruction))
        if not stated:
            missing.append("language")
    stated = set(mentioned_concepts(instruction))
    missing += [f"concept:{c}" for c in facts.concepts if c not in stated]
    lowered = instruction.lower()
    for lib in facts.libraries:
        if facts.language and is_standard_library(lib, facts.language):
            continue
        short = lib.split(".")[-1].split("/")[-1].split("::")[0].lower()
        if short and short not in lowered:
            missing.append(f"library:{lib}")
    if facts.shows_output and not re.search(r"\boutput\b", instruction, re.I):
        missing.append("shows_output")
    elif facts.prints_output and not _PRINT_MENTION.search(instruction):
        missing.append("prints_output")
    if facts.has_tests and not _TEST_MENTION.search(instruction):
        missing.append("tests")
    if facts.has_explanation and not _EXPLAIN_MENTION.search(instruction):
        missing.append("explanation")
    if facts.has_complexity and not _COMPLEXITY_MENTION.search(instruction):
        missing.append("complexity")
    return missing


def ground(instruction: str, response: str) -> Grounding:
    """The facts of ``response`` and those that ``instruction`` does not state."""
    facts = response_facts(response)
    return Grounding(facts=facts, missing=missing_facts(facts, instruction))


# Which missing facts matter most to a solver, first: what to write it in and how, then what to include.
_PRIORITY = ("language", "concept", "library", "tests", "shows_output", "prints_output", "complexity", "explanation")


def checklist(grounding: Grounding, max_facts: int = 3) -> list[str]:
    """The (at most ``max_facts``) missing facts the model writer is asked to state, most telling first:
    language, concepts, libraries, tests, output, complexity, explanation."""
    ranked = sorted(grounding.missing, key=lambda label: _PRIORITY.index(label.partition(":")[0]))
    return ranked[:max_facts]


def describe_missing(grounding: Grounding, labels: list[str] | None = None) -> list[str]:
    """Missing facts (``labels``, default all) as short requests, the checklist the writer model phrases
    ("use the concept of Dynamic Programming", "include test cases")."""
    f = grounding.facts
    lines = []
    for label in grounding.missing if labels is None else labels:
        kind, _, value = label.partition(":")
        if kind == "language":
            lines.append(f"write the code in {f.language_name}")
        elif kind == "concept":
            lines.append(f"use the concept of {CONCEPT_BY_KEY[value].name}")
        elif kind == "library":
            lines.append(f"use the {value} library")
        elif kind == "shows_output":
            lines.append("show the expected output after running the code")
        elif kind == "prints_output":
            lines.append("print the result")
        elif kind == "tests":
            lines.append("include test cases")
        elif kind == "explanation":
            lines.append("explain the code")
        elif kind == "complexity":
            lines.append("analyse the time complexity")
    return lines
