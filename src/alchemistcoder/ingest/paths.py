"""Where a source's records live: a local file, a file packaged with alchemistcoder, or a hub dataset.

Resolution order for ``SourceConfig.path`` (after ``${VAR}`` / ``${VAR:-default}`` expansion):

1. ``pkg://<package>/<path>``: a data file shipped inside an installed package (importlib.resources);
2. an absolute path, or a relative path that exists under the config file's directory, then under the working
   directory: a file, or a directory written by ``datasets.Dataset.save_to_disk``;
3. otherwise a Hugging Face hub dataset name, but only when the path does not look like a file name (a missing
   ``data.jsonl`` is a missing file, not a hub dataset).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from alchemistcoder.io import DataError

FILE_SUFFIXES: tuple[str, ...] = (".json", ".jsonl", ".jsonl.gz", ".json.gz", ".parquet")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True)
class ResolvedPath:
    """A source location: ``local`` is a file on disk, otherwise ``hub`` names a hub dataset."""

    text: str  # the path after variable expansion, as it is reported in errors and provenance
    local: Path | None = None
    hub: str | None = None


def expand_vars(text: str) -> str:
    """Expand ``${VAR}`` and ``${VAR:-default}``; an unset variable without default is an error."""

    def sub(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        value = os.environ.get(name)
        if value:
            return value
        if default is None:
            raise DataError(text, f"environment variable {name} is not set and has no default (${{{name}:-...}})")
        return default

    return _VAR.sub(sub, text)


def package_file(uri: str) -> Path:
    """The filesystem path of ``pkg://package/relative/path`` inside an installed package."""
    from importlib import resources

    rest = uri[len("pkg://") :]
    package, _, relative = rest.partition("/")
    if not package or not relative:
        raise DataError(uri, "expected pkg://<package>/<path inside the package>")
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        raise DataError(uri, f"package {package!r} is not installed") from None
    target = root.joinpath(*relative.split("/"))
    if not target.is_file():
        raise DataError(uri, f"no file {relative!r} in package {package!r}")
    return Path(str(target))


def resolve_source_path(path: str, base_dir: str | os.PathLike[str] | None = None) -> ResolvedPath:
    """Resolve a source path to a local file or a hub dataset name (see the module docstring)."""
    text = expand_vars(path)
    if text.startswith("pkg://"):
        return ResolvedPath(text, local=package_file(text))
    candidate = Path(text).expanduser()
    tried = []
    if candidate.is_absolute():
        tried.append(candidate)
    else:
        if base_dir is not None:
            tried.append(Path(base_dir) / candidate)
        tried.append(Path.cwd() / candidate)
    for place in tried:
        if place.is_file():
            return ResolvedPath(text, local=place.resolve())
        if place.is_dir():
            if (place / "state.json").is_file() or (place / "dataset_dict.json").is_file():
                return ResolvedPath(text, local=place.resolve())  # a dataset saved with save_to_disk
            raise DataError(place, "is a directory, not a file or a dataset saved with save_to_disk")
    looks_like_file = text.endswith(FILE_SUFFIXES) or candidate.is_absolute() or text.startswith(".")
    if looks_like_file:
        where = " or ".join(str(p) for p in dict.fromkeys(tried))
        raise DataError(text, f"file not found (looked at {where})")
    return ResolvedPath(text, hub=text)
