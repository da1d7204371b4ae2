"""One benchmark map for decontamination and evaluation.

A run config's top-level ``benchmarks:`` names a file per benchmark (``humaneval+: data/HumanEvalPlus.jsonl.gz``,
``ds1000: data/ds1000.jsonl``). Decontamination (``curate.decontam``) and evaluation (``evaluate``) both read it, so
the problems a sample is checked against are the problems the model is scored on. A benchmark the map does not
list is read from its default place (:func:`alchemistcoder.benchmarks.load_benchmark`: ``$ALCHEMIST_SHARED_DATA``
when set, else the copy shipped in the package); DS-1000 has none and must be listed.

When a run config is validated, :func:`resolve_benchmark_map` gives each section the map's entries for its own
benchmarks (``curate.decontam.paths``, ``evaluate.data``: the fields the stages read, so a changed file reruns the
stages that read it). Written in a run config, those two fields are deprecated: their entries are read into the
map, with a message naming the file and key. It also notes the benchmarks ``evaluate`` scores that decontamination
does not check. The notes are logged by :func:`alchemistcoder.config.validate_dict`, which knows the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

# The deprecated per-section fields, read into the top-level map (to be removed in the next release).
DEPRECATED_KEYS: tuple[tuple[str, ...], ...] = (("curate", "decontam", "paths"), ("evaluate", "data"))

Note = tuple[tuple[str | int, ...], str]


def canonical_files(files: Mapping[str, str]) -> dict[str, str]:
    """``files`` keyed by canonical benchmark name (``HumanEvalPlus`` -> ``humaneval+``).

    Raises ValueError for an unknown name, or for two names of one benchmark with different files.
    """
    from alchemistcoder.benchmarks import canonical_name

    out: dict[str, str] = {}
    for name, path in files.items():
        key = canonical_name(name)
        if key in out and out[key] != path:
            raise ValueError(f"two files for {key}: {out[key]!r} and {path!r}")
        out[key] = path
    return out


def files_for(names: Iterable[str], files: Mapping[str, str]) -> dict[str, str]:
    """The map's entries for ``names``, keyed as the section writes them (its readers call
    ``load_benchmark(name, paths.get(name))``); ``files`` is keyed by canonical name."""
    from alchemistcoder.benchmarks import canonical_name

    out = {}
    for name in names:
        key = canonical_name(name)
        if key in files:
            out[name] = files[key]
    return out


def _error(loc: tuple[str | int, ...], message: str, value: Any) -> ValidationError:
    error = PydanticCustomError("config_key", "{message}", {"message": message})
    return ValidationError.from_exception_data("config", [InitErrorDetails(type=error, loc=loc, input=value)])


def resolve_benchmark_map(cfg: Any) -> tuple[Any, list[Note]]:
    """Resolve a RunConfig's benchmark map: returns ``(cfg, notes)`` with ``cfg.benchmarks`` holding every entry
    (deprecated section fields read in) and each section holding the entries for its benchmarks.

    ``notes`` are ``(key path, message)``: a deprecated field that added entries, and the ``evaluate`` benchmarks
    that decontamination does not check. Raises a ValidationError at the key when two keys give one benchmark
    different files.
    """
    from alchemistcoder.benchmarks import canonical_name

    files = dict(cfg.benchmarks)
    notes: list[Note] = []
    decontam, evaluation = cfg.curate.decontam, cfg.evaluate
    decontam_names = list(decontam.benchmarks)
    for i, name in enumerate(decontam_names):
        try:
            canonical_name(name)
        except ValueError as exc:
            raise _error(("curate", "decontam", "benchmarks", i), str(exc), name) from None
    for loc, section, field in ((DEPRECATED_KEYS[0], decontam, "paths"), (DEPRECATED_KEYS[1], evaluation, "data")):
        written = getattr(section, field)
        if field not in section.model_fields_set or not written:
            continue
        try:
            old = canonical_files(written)
        except ValueError as exc:
            raise _error(loc, str(exc), written) from None
        added = {}
        for name, path in old.items():
            if name in files and files[name] != path:
                raise _error(
                    loc, f"{name}: {path!r} here but {files[name]!r} in the benchmark map (top-level 'benchmarks:' "
                    "and the deprecated curate.decontam.paths / evaluate.data are one map: decontamination and "
                    "evaluation read the same file); give it once, under 'benchmarks:'", written,
                )
            if name not in files:
                added[name] = path
        files.update(old)
        if field == "paths":
            # as before: a file under curate.decontam.paths is checked even when its name is not in benchmarks
            have = {canonical_name(n) for n in decontam_names}
            decontam_names += [name for name in old if name not in have]
        if added:
            entries = ", ".join(f"{name}: {path}" for name, path in added.items())
            notes.append((loc, f"deprecated: decontamination and evaluation read one benchmark map, the top-level "
                               f"'benchmarks:' section; read as benchmarks: {{{entries}}} (move it there; "
                               f"{'.'.join(loc)} goes in the next release)"))
    decontam_update: dict[str, Any] = {"paths": files_for(decontam_names, files)}
    if decontam_names != list(decontam.benchmarks):
        decontam_update["benchmarks"] = decontam_names
    cfg.benchmarks = files
    cfg.curate = cfg.curate.model_copy(update={"decontam": decontam.model_copy(update=decontam_update)})
    cfg.evaluate = evaluation.model_copy(update={"data": files_for(evaluation.benchmarks, files)})
    uncovered = uncovered_benchmarks(cfg)
    if uncovered:
        notes.append((("evaluate", "benchmarks"), f"{', '.join(uncovered)} evaluated but not decontaminated against "
                      "(not in curate.decontam.benchmarks): training samples copied from "
                      f"{'it' if len(uncovered) == 1 else 'them'} are kept; add "
                      f"{'it' if len(uncovered) == 1 else 'them'} to curate.decontam.benchmarks"))
    return cfg, notes


def uncovered_benchmarks(cfg: Any) -> list[str]:
    """The benchmarks ``evaluate`` scores that decontamination does not check, in ``evaluate.benchmarks`` order (none when
    evaluation, curation or decontamination is off: nothing to compare)."""
    from alchemistcoder.benchmarks import canonical_name

    if not (cfg.evaluate.enabled and cfg.curate.enabled and cfg.curate.decontam.enabled):
        return []
    covered = {canonical_name(n) for n in cfg.curate.decontam.benchmarks}
    return [name for name in cfg.evaluate.benchmarks if canonical_name(name) not in covered]


__all__ = ["DEPRECATED_KEYS", "canonical_files", "files_for", "resolve_benchmark_map", "uncovered_benchmarks"]
