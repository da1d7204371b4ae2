"""The one user cache of alchemistcoder: what outlives a run, shared by the runs and processes of a machine.

Everything lives under one root, :func:`cache_root`: ``$ALCHEMIST_CACHE``, else
``$XDG_CACHE_HOME/alchemistcoder``, else ``~/.cache/alchemistcoder``. Each kind of content has its own
directory, :func:`cache_dir` (``KINDS`` says what each holds), so pointing ``ALCHEMIST_CACHE`` at a large
disk moves all of it. A run's own caches (the LLM request cache, eval answers) live in its run directory,
not here. ``alchemist cache`` lists the kinds with their sizes and clears one (``--clear KIND``).

This module imports only the standard library: the sandbox and decontamination ask it for their
directories from executor workers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Any

KINDS: dict[str, str] = {
    "models": "the embedded model, converted once from GGUF into a checkpoint; the embedding model exported to ONNX",
    "sandbox": "what sandboxed jobs share: the Go build cache, the Rust crates built for rustc",
    "decontam": "decontamination's embeddings by text, its execution verdicts and its decisions (three SQLite stores)",
}

# A kind that can live elsewhere by itself (kept for setups that already use it).
_OVERRIDES = {"sandbox": "ALCHEMIST_SANDBOX_CACHE"}


def cache_root() -> Path:
    """The root of the user cache: ``$ALCHEMIST_CACHE``, else ``$XDG_CACHE_HOME/alchemistcoder``, else
    ``~/.cache/alchemistcoder``."""
    env = os.environ.get("ALCHEMIST_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "alchemistcoder"


def cache_dir(kind: str) -> Path:
    """The directory of one kind of cached content (see ``KINDS``); not created here."""
    if kind not in KINDS:
        raise ValueError(f"unknown cache kind {kind!r} (kinds: {', '.join(KINDS)})")
    override = os.environ.get(_OVERRIDES.get(kind, ""))
    return Path(override).expanduser() if override else cache_root() / kind


def _size(path: Path) -> int:
    """Bytes of the files under ``path`` (links not followed)."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for base, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):  # removed while we walked
                total += os.lstat(os.path.join(base, name)).st_size
    return total


def cache_entries() -> list[dict[str, Any]]:
    """Each kind (and anything else found under the root) with its path, whether it exists and its size."""
    entries = [{"kind": kind, "path": cache_dir(kind), "what": what} for kind, what in KINDS.items()]
    root = cache_root()
    known = {e["path"] for e in entries}
    if root.is_dir():
        entries += [{"kind": p.name, "path": p, "what": "not a kind of this version"}
                    for p in sorted(root.iterdir()) if p not in known]
    for e in entries:
        e["exists"] = e["path"].exists()
        e["bytes"] = _size(e["path"]) if e["exists"] else 0
    return entries


def clear_cache(kind: str) -> Path:
    """Remove the directory of ``kind``; returns it. What it held is made again when next needed."""
    path = cache_dir(kind)
    shutil.rmtree(path, ignore_errors=True)
    return path


def _human(n: float) -> str:
    if n < 1024:
        return f"{n:.0f} B"
    for unit in ("KB", "MB", "GB"):
        n /= 1024
        if n < 1024 or unit == "GB":
            break
    return f"{n:.1f} {unit}"


def register(app: Any) -> None:
    """Add ``alchemist cache`` to ``app`` (typer is imported here, not by the workers that use this module)."""
    import typer

    def cache(
        clear: list[str] | None = typer.Option(
            None, "--clear", help=f"Remove one kind of cached content (repeatable): {', '.join(KINDS)}."
        ),
    ) -> None:
        """List what the user cache holds, where and how large ($ALCHEMIST_CACHE; default ~/.cache/alchemistcoder)."""
        for kind in clear or []:
            try:
                typer.echo(f"cleared {kind}: {clear_cache(kind)}")
            except ValueError as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(2) from None
        typer.echo(f"cache root: {cache_root()}")
        for e in cache_entries():
            size = _human(e["bytes"]) if e["exists"] else "-"
            typer.echo(f"  {e['kind']:<10} {size:>9}  {e['path']}  ({e['what']})")

    app.command("cache")(cache)
