"""Running ``foreign.py``'s harness programs: samples batched into programs, and a batch that does not compile
split by what the compiler says.

Samples of a language go ``batch`` to a program, so one compile serves them all. A batch that did not compile
was halved until each sample that compiles had run: about two compiles more for each sample that does not, for
every halving of the batch (a C++ batch of 24 with one bad sample: 11 compiles). The compiler names the lines
it rejects, and each line of a C++ or Rust harness program belongs to a sample (its namespace or module, its
calls in ``main``, the includes it brought): the samples the diagnostics name are tried alone, once each (a
macro of one sample can break another's code), and the rest again together. A Java sample is a file of its own
with its own imports (``programs.py``), so the files javac names are exactly the samples that do not compile
alone: they are not tried again; so is a C# sample (a file and namespace of its own, its using directives),
for the files mcs names. A failure that names no sample (a compile that ran out of time, a line of the
harness's own code) is halved as before. The samples that run are those that compile alone, as before, and
their calls and answers are the same; only the number of compiles changes.

A batch that compiled but crashed, exited or ran out of time took its later samples with it: the samples after
the last one that answered are halved and run again (those before it ran to their end: their silence is
their answer). Within a sample, a call that threw or crashed silences the sample's later calls; ``run_calls``
(through ``foreign.harness_answers``, with each language's harness) runs those again without it.

A call that ran out of its time writes a marker instead of an answer (``{"call": n, "timeout": true}``,
``harness_parts.py``): ``late`` collects those calls, apart from the answers, so that a call out of time is told
from one that crashed or threw (``foreign.py``'s slow rule); what an answer is does not change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable
from typing import Any

# The file each language's harness program is compiled from, as its compiler names it in diagnostics.
_FILE = {"cpp": "main.cpp", "c": "main.c", "go": "main.go", "rust": "main.rs"}
# The line that opens sample k's own part of a program (programs.py writes them so), and the line after the last.
_OPENS = {"cpp": re.compile(r"^namespace decontam_s(\d+) \{$"), "rust": re.compile(r"^mod decontam_s(\d+) \{$")}
_CLOSES = {"cpp": "// decontam: the calls", "rust": "fn main() {"}  # cpp: programs.CPP_CALLS
# A call of sample k in ``main`` (Rust makes its calls inside the sample's module).
_CALLS = {"cpp": re.compile(r"\{ using namespace decontam_s(\d+); try \{")}
# A Java sample is a file of its own (programs.py): an error in it is the sample's own, as when it is compiled
# alone, so the samples named are not tried again.
_OWN_FILE = {"java": re.compile(r"DecontamHarness(\d+)\.java:\d+: error"),
             "csharp": re.compile(r"DecontamHarness(\d+)\.cs\(\d+,\d+\): error")}
_NOTE = re.compile(r":\d+:(?:\d+:)?\s+note:")
# Samples per harness program: one compile (about a second for C++ and Java) serves them all.
BATCH = 24
# Programs a sample's calls may take (``run_calls``): each crash or throw costs one more for the calls after it.
CALL_ROUNDS = 3


def line_owners(language: str, program: str, codes: dict[int, Any]) -> list[frozenset[int]]:
    """For each line of a harness program (index 0 is line 1), the samples it belongs to: the lines of a
    sample's part and its calls, and for an include or import above every part, the samples whose code has it;
    empty for the harness's own lines."""
    opens, closes, calls = _OPENS.get(language), _CLOSES.get(language), _CALLS.get(language)
    owners: list[frozenset[int]] = []
    current: frozenset[int] = frozenset()
    seen_part = False
    for line in program.splitlines():
        m = opens.match(line) if opens else None
        if m:
            current, seen_part = frozenset({int(m.group(1))}), True
        elif closes is not None and line == closes:
            current = frozenset()
        call = calls.search(line) if calls and not current else None
        if call:
            owners.append(frozenset({int(call.group(1))}))
        elif current or seen_part or not line.strip():
            owners.append(current)
        else:  # the header: an include or import belongs to every sample that asked for it
            owners.append(frozenset(k for k, c in codes.items() if line.strip() in c.source))
    return owners


def blamed(language: str, program: str, codes: dict[int, Any], compile_output: str) -> set[int]:
    """The samples of a program whose lines the compiler's errors name (notes left aside: a note may point at
    another declaration it considered)."""
    if language in _OWN_FILE:
        return {int(m.group(1)) for m in _OWN_FILE[language].finditer(compile_output)} & set(codes)
    name = _FILE.get(language)
    if name is None:
        return set()
    owners = line_owners(language, program, codes)
    where = re.compile(rf"{re.escape(name)}:(\d+)")
    out: set[int] = set()
    for line in compile_output.splitlines():
        if _NOTE.search(line):
            continue
        for m in where.finditer(line):
            n = int(m.group(1)) - 1
            if 0 <= n < len(owners):
                out |= owners[n]
    return out & set(codes)


def run_batches(codes: dict[int, Any], calls_of: dict[int, list[Any]], timeout_s: float, workers: int | None,
                batch: int, programs: dict[str, Callable[..., Any]], one_per_program: Collection[str],
                uncompiled: set[int] | None = None, late: set[int] | None = None,
                lost: set[int] | None = None) -> dict[int, Any]:
    """Run every sample's calls (``calls_of``, by sample: ``programs.Call``) in harness programs (built by
    ``programs``, ``programs.PROGRAMS``; a language of ``one_per_program`` one sample a program); the answers by
    call number. ``uncompiled``, when given, receives the samples that do not compile alone; ``late`` the calls
    whose harness marked them out of time; ``lost`` the samples whose program, run alone, the sandbox stopped
    (its wall clock, a kill) with calls neither answered nor marked: what those calls would answer is unknown."""
    from alchemistcoder.sandbox import Job, run_many
    from alchemistcoder.sandbox.harness import new_nonce, parse_tagged

    by_language: dict[str, list[int]] = {}
    for k in calls_of:
        by_language.setdefault(codes[k].language, []).append(k)
    wave = [ks[i : i + size] for language, ks in by_language.items()
            for size in [1 if language in one_per_program else batch] for i in range(0, len(ks), size)]
    answers: dict[int, Any] = {}
    while wave:
        jobs, nonces, sources = [], [], []
        for group in wave:
            nonce = new_nonce()
            language = codes[group[0]].language
            built = programs[language]({k: codes[k] for k in group}, [c for k in group for c in calls_of[k]], nonce,
                                       max(1, int(timeout_s)))
            program, files = built if isinstance(built, tuple) else (built, None)
            jobs.append(Job(language, program, timeout_s=timeout_s * (len(group) + 1), files=files))
            nonces.append(nonce)
            sources.append(program)
        retry = []
        for group, nonce, program, result in zip(wave, nonces, sources, run_many(jobs, workers=workers), strict=True):
            language = codes[group[0]].language
            if result.status == "compile_error" and len(group) == 1 and uncompiled is not None:
                uncompiled.add(group[0])
            if result.status == "compile_error" and len(group) > 1:
                bad = blamed(language, program, {k: codes[k] for k in group}, result.compile_output)
                if bad and language in _OWN_FILE and uncompiled is not None:
                    uncompiled |= bad
                if bad:
                    alone = [] if language in _OWN_FILE else [[k] for k in group if k in bad]
                    retry += alone + [rest for rest in [[k for k in group if k not in bad]] if rest]
                else:
                    retry += [group[: len(group) // 2], group[len(group) // 2 :]]
                continue
            before = set(answers)
            for rec in parse_tagged(result.stdout, nonce):
                if type(rec.get("call")) is int and "answer" in rec:
                    answers[rec["call"]] = rec["answer"]
                elif type(rec.get("call")) is int and rec.get("timeout") is True and late is not None:
                    late.add(rec["call"])
            # a sample that crashed, exited or ran out of time took the batch's later samples with it; the samples
            # run in the batch's order, so one that answered nothing before the last that answered did run
            heard = [i for i, k in enumerate(group) if any(c[0] in answers and c[0] not in before for c in calls_of[k])]
            silent = group[heard[-1] + 1 :] if heard else group
            if result.status != "ok" and len(group) > 1 and silent:
                retry += [part for part in (silent[: len(silent) // 2], silent[len(silent) // 2 :]) if part]
            elif result.status in ("timeout", "killed") and len(group) == 1 and lost is not None \
                    and any(c[0] not in answers and c[0] not in (late or ()) for c in calls_of[group[0]]):
                lost.add(group[0])
        wave = retry
    return answers


def run_calls(codes: dict[int, Any], calls_of: dict[int, list[Any]], timeout_s: float, workers: int | None,
              programs: dict[str, Callable[..., Any]], one_per_program: Collection[str], *, batch: int = BATCH,
              group: Callable[[int], Hashable] | None = None, rounds: int = CALL_ROUNDS,
              late: set[int] | None = None, lost: set[int] | None = None) -> dict[int, Any]:
    """Every sample's calls (``calls_of``, by sample: ``programs.Call``) in its language's harness programs, in
    the sandbox; the answers by call number (a call that threw, crashed or ran out of time has none).

    A call that throws or crashes takes the sample's later calls with it (the Java, C# and JavaScript harnesses
    skip a function's calls once one threw; a C++ abort ends the program), so the silent calls after a sample's
    first silent one run again without it, up to ``rounds`` programs in all: what a call answers does not
    depend on the calls before it (a sample that does not compile is not tried again). ``group`` (by call
    number; each call its own by default) names calls whose fate is shared: those of the first silent call's
    group are not run again (a function that failed a problem's test has failed the problem). ``late``, when
    given, receives the calls without an answer that ran out of time in their last run; ``lost`` the samples of
    which a run was stopped by the sandbox (:func:`run_batches`)."""
    group = group or (lambda n: n)
    answers: dict[int, Any] = {}
    uncompiled: set[int] = set()
    pending = calls_of
    for _ in range(rounds):
        marked: set[int] = set()
        got = run_batches({k: codes[k] for k in pending}, pending, timeout_s, workers, batch, programs,
                          one_per_program, uncompiled, marked, lost)
        answers.update(got)
        if late is not None:  # a call run again has its last run's fate
            late.difference_update(c[0] for calls in pending.values() for c in calls)
            late.update(marked - set(got))
        again = {}
        for k, calls in pending.items():
            silent = [c for c in calls if c[0] not in got]
            if silent and k not in uncompiled:
                culprit = group(silent[0][0])
                if rest := [c for c in silent[1:] if group(c[0]) != culprit]:
                    again[k] = rest
        if not again:
            break
        pending = again
    return answers
