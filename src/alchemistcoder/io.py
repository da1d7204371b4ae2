"""Reading and writing Samples: JSONL, JSONL.gz and Parquet, always written atomically.

An interrupted write never leaves a half file: everything is written to a temporary file in the same
directory and renamed over the target, which POSIX makes atomic.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import orjson

from alchemistcoder.records import Sample


class DataError(ValueError):
    """Bad input data: the message names the file, the line or record, and what is wrong."""

    def __init__(self, path: str | os.PathLike[str], problem: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is renamed onto ``path``, on error removed."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    # mkstemp creates 0600; give the result the permissions a plain open() would (0666 minus umask)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "wb", compresslevel: int = 6) -> Iterator[IO[Any]]:
    """Open a file for writing atomically; ``.gz`` targets are gzip-compressed (at ``compresslevel``)."""
    with atomic_path(path) as tmp:
        if str(path).endswith(".gz"):
            with gzip.open(tmp, mode, compresslevel=compresslevel) as fh:
                yield fh
        else:
            with open(tmp, mode) as fh:
                yield fh
        # the with-blocks above closed the file before the rename in atomic_path


def write_jsonl(path: str | os.PathLike[str], rows: Iterable[dict[str, Any]]) -> int:
    """Write dict rows as JSON lines (gzip when the name ends in .gz), atomically. Returns the row count."""
    n = 0
    with atomic_open(path, "wb") as fh:
        for row in rows:
            fh.write(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE))
            n += 1
    return n


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Iterate JSON-lines rows (plain or .gz); a malformed line raises DataError with its line number."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise DataError(path, f"malformed JSON ({exc})", lineno) from None


def _samples_table(samples: list[Sample]) -> Any:
    import pyarrow as pa

    # meta and trace are heterogeneous per sample, so they travel as JSON strings; messages keep a
    # real list<struct> column so other tools can read the chat directly.
    return pa.table(
        {
            "id": [s.id for s in samples],
            "source": [s.source for s in samples],
            "task": [s.task for s in samples],
            "messages": [s.messages for s in samples],
            "meta": [orjson.dumps(s.meta).decode() for s in samples],
            "trace": [orjson.dumps([e.to_dict() for e in s.trace]).decode() for s in samples],
        }
    )


def write_samples(path: str | os.PathLike[str], samples: Iterable[Sample]) -> int:
    """Write Samples to .jsonl, .jsonl.gz or .parquet (chosen by suffix), atomically. Returns the count."""
    p = str(path)
    if p.endswith(".parquet"):
        import pyarrow.parquet as pq

        rows = list(samples)
        with atomic_path(path) as tmp:
            pq.write_table(_samples_table(rows), tmp, compression="zstd")
        return len(rows)
    if p.endswith((".jsonl", ".jsonl.gz")):
        return write_jsonl(path, (s.to_dict() for s in samples))
    raise DataError(path, "unknown output format; use .jsonl, .jsonl.gz or .parquet")


def read_samples(path: str | os.PathLike[str]) -> Iterator[Sample]:
    """Read Samples written by :func:`write_samples`."""
    p = str(path)
    if p.endswith(".parquet"):
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        for row in table.to_pylist():
            row["meta"] = orjson.loads(row["meta"])
            row["trace"] = orjson.loads(row["trace"])
            yield Sample.from_dict(row)
        return
    for lineno, row in enumerate(read_jsonl(path), 1):
        try:
            yield Sample.from_dict(row)
        except (KeyError, TypeError) as exc:
            raise DataError(path, f"not a Sample record (missing or bad field {exc})", lineno) from None


def to_hf_dataset(samples: Iterable[Sample]) -> Any:
    """Convert Samples to a Hugging Face ``datasets.Dataset`` (meta and trace as JSON strings)."""
    import datasets

    return datasets.Dataset(_samples_table(list(samples)))


def from_hf_dataset(ds: Any) -> list[Sample]:
    """Convert a Dataset made by :func:`to_hf_dataset` back to Samples."""
    out = []
    for row in ds:
        row = dict(row)
        row["meta"] = orjson.loads(row["meta"]) if isinstance(row["meta"], str) else row["meta"]
        row["trace"] = orjson.loads(row["trace"]) if isinstance(row["trace"], str) else row["trace"]
        out.append(Sample.from_dict(row))
    return out
