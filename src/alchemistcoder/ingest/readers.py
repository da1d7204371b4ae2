"""Reading raw records from one source: JSON arrays, JSON lines (plain or gzip), Parquet, hub datasets.

Readers return plain Python records with their position (0-based record index, and the 1-based line for
JSON lines). Bad input goes to an ``on_bad`` callback with a stable reason code, the position and the raw
text; the callback raises (``on_error: raise``) or collects (``quarantine``), so one reader serves both.
JSON lines are read as a stream of lines (a corpus file is never held whole); JSON arrays, Parquet and
datasets are read at once. Records are parsed with orjson: per-record overhead is what limits ingest speed.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from alchemistcoder.ingest.paths import ResolvedPath
from alchemistcoder.io import DataError

# on_bad(index, line, reason, problem, raw_text)
OnBad = Callable[[int | None, int | None, str, str, str], None]
Record = tuple[int, int | None, Any]  # (index, line, record)

RAW_LIMIT = 2000  # characters of raw text kept for a rejected record


def read_records(where: ResolvedPath, on_bad: OnBad, *, limit: int | None = None, split: str = "train",
                 subset: str | None = None, revision: str | None = None) -> Iterable[Record]:
    """All records of one source (at most ``limit``), in file order; JSON lines as a stream."""
    if where.hub is not None:
        return _read_hub(where.hub, split, subset, revision, limit)
    path = where.local
    assert path is not None
    if path.is_dir():
        return _read_saved_dataset(path, split, limit)
    name = path.name.lower()
    if name.endswith(".parquet"):
        return _read_parquet(path, limit)
    if name.endswith((".jsonl", ".jsonl.gz", ".json", ".json.gz")):
        if name.endswith((".json", ".json.gz")) and _first_byte(path) == b"[":
            data = _read_bytes(path)
            text = _decode(path, data, on_bad)
            return [] if text is None else _read_json_array(path, text, on_bad, limit)
        # JSON lines, read as a stream (the file is never held whole); a .json file whose first value is an
        # object is JSON lines too (common for hub exports)
        return _iter_json_lines(path, on_bad, limit)
    raise DataError(path, "unsupported file type; use .json (array), .jsonl, .jsonl.gz or .parquet")


def _open(path: Path) -> Any:
    return gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")


def _first_byte(path: Path) -> bytes:
    """The first byte that is not whitespace (or a byte-order mark), b"" for an empty file."""
    try:
        with _open(path) as fh:
            while chunk := fh.read(4096):
                chunk = chunk.removeprefix(_BOM).lstrip()
                if chunk:
                    return chunk[:1]
    except (OSError, EOFError) as exc:
        raise DataError(path, f"cannot read file ({exc})") from None
    return b""


_BOM = b"\xef\xbb\xbf"


def _read_bytes(path: Path) -> bytes:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except (OSError, EOFError) as exc:
        raise DataError(path, f"cannot read file ({exc})") from None


def _decode(path: Path, data: bytes, on_bad: OnBad) -> str | None:
    """A JSON array file as text; a non-UTF-8 file is bad input. A leading byte-order mark (files saved by
    Windows tools) is dropped."""
    data = data.removeprefix(_BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        on_bad(None, line, "not_utf8", f"file is not UTF-8 text ({exc.reason} at byte {exc.start})",
               data[max(0, exc.start - 100): exc.start + 100].decode("utf-8", "replace"))
        return None


def _iter_json_lines(path: Path, on_bad: OnBad, limit: int | None) -> Iterator[Record]:
    """The records of a JSON-lines file, one line at a time. A line that is not UTF-8 or not JSON is bad
    input (named by its line); blank lines are skipped; a leading byte-order mark is dropped."""
    loads = orjson.loads
    index = 0
    try:
        with _open(path) as fh:
            for lineno, raw in enumerate(fh, 1):
                if limit is not None and index >= limit:
                    break
                if lineno == 1:
                    raw = raw.removeprefix(_BOM)
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as e:
                    on_bad(None, lineno, "not_utf8", f"line is not UTF-8 text ({e.reason} at byte {e.start})",
                           raw.decode("utf-8", "replace")[:RAW_LIMIT])
                    continue
                if not line or line.isspace():
                    continue
                try:
                    record = loads(line)
                except orjson.JSONDecodeError as exc:
                    on_bad(index, lineno, "malformed_json", f"malformed JSON ({exc})", line.rstrip("\n")[:RAW_LIMIT])
                else:
                    yield (index, lineno, record)
                index += 1
    except (OSError, EOFError) as exc:
        raise DataError(path, f"cannot read file ({exc})") from None
    if index == 0:
        on_bad(None, None, "empty_file", "empty file: no records", "")


def _read_json_array(path: Path, text: str, on_bad: OnBad, limit: int | None) -> list[Record]:
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        # the whole array is unreadable; name the line where parsing stopped
        line = text.count("\n", 0, exc.pos) + 1 if exc.pos is not None else None
        on_bad(None, line, "malformed_json", f"malformed JSON ({exc.msg})",
               text[max(0, (exc.pos or 0) - 200): (exc.pos or 0) + 200])
        return []
    if not isinstance(data, list):
        on_bad(None, 1, "wrong_type", f"expected a JSON array of records, found {type(data).__name__}", "")
        return []
    if not data:
        on_bad(None, None, "empty_file", "empty JSON array: no records", text[:RAW_LIMIT])
        return []
    if limit is not None:
        data = data[:limit]
    return [(i, None, rec) for i, rec in enumerate(data)]


def array_record_lines(path: Path) -> list[int]:
    """1-based starting line of every record of a JSON array file (used only to locate errors)."""
    text = _read_bytes(path).decode("utf-8", "replace")
    decoder = json.JSONDecoder()
    skip = re.compile(r"[\s,]*")
    pos = text.index("[") + 1
    line, counted = 1, 0
    lines = []
    while True:
        pos = skip.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text) or text[pos] == "]":
            return lines
        line += text.count("\n", counted, pos)
        counted = pos
        lines.append(line)
        _, pos = decoder.raw_decode(text, pos)


def _read_parquet(path: Path, limit: int | None) -> list[Record]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise DataError(path, f"cannot read Parquet file ({exc})") from None
    if limit is not None:
        table = table.slice(0, limit)
    return [(i, None, rec) for i, rec in enumerate(table.to_pylist())]


def _read_saved_dataset(path: Path, split: str, limit: int | None) -> list[Record]:
    """A directory written by ``Dataset.save_to_disk`` (a DatasetDict contributes ``split``)."""
    import datasets

    try:
        ds = datasets.load_from_disk(str(path))
    except Exception as exc:
        raise DataError(path, f"cannot load the saved dataset ({type(exc).__name__}: {exc})") from None
    if isinstance(ds, datasets.DatasetDict):
        if split not in ds:
            raise DataError(path, f"saved DatasetDict has no split {split!r} (splits: {sorted(ds)})")
        ds = ds[split]
    if limit is not None:
        ds = ds.select(range(min(limit, len(ds))))
    return [(i, None, rec) for i, rec in enumerate(ds.to_list())]


def _hub_reachable(timeout_s: float = 3.0) -> bool:
    """Whether the hub endpoint accepts a TCP connection (so an offline machine fails fast, not after retries)."""
    import os
    import socket
    from urllib.parse import urlparse

    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        with socket.create_connection((url.hostname or "huggingface.co", url.port or 443), timeout=timeout_s):
            return True
    except OSError:
        return False


def _read_hub(name: str, split: str, subset: str | None, revision: str | None, limit: int | None) -> list[Record]:
    import os

    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")
    if not offline and not _hub_reachable():
        raise DataError(
            name,
            "not a local file, and the Hugging Face hub is unreachable (offline?); give a local path, or set "
            "HF_HUB_OFFLINE=1 to use a copy in the local datasets cache",
        )
    try:
        import datasets

        if limit is not None:
            split = f"{split}[:{limit}]"
        ds = datasets.load_dataset(name, subset, split=split, revision=revision)
    except Exception as exc:
        raise DataError(
            name,
            "not a local file, and loading it as a Hugging Face hub dataset failed "
            f"(offline, or no such dataset?): {type(exc).__name__}: {exc}",
        ) from None
    return [(i, None, rec) for i, rec in enumerate(ds.to_list())]
