"""Finding the toolchains on the machine, and the cache directory the sandbox shares between jobs.

Both the per-language runners (``languages.py``) and the Rust crate builder (``rust_crates.py``) need
these, so they live below both.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path


class ToolchainMissing(RuntimeError):
    """The compiler or interpreter for a language is not installed."""


def which(name: str) -> str:
    """The real path of a toolchain binary on PATH (or in ~/.cargo/bin); raises ToolchainMissing."""
    path = shutil.which(name) or shutil.which(name, path=os.path.expanduser("~/.cargo/bin"))
    if not path:
        raise ToolchainMissing(f"{name} not found on PATH; run scripts/setup.sh to install the toolchains")
    return os.path.realpath(path)


@functools.cache
def rust_toolchain() -> tuple[str, str]:
    """(rustc binary inside its sysroot, sysroot): called directly so no rustup proxy or $HOME is needed."""
    rustc = shutil.which("rustc") or shutil.which("rustc", path=os.path.expanduser("~/.cargo/bin"))
    if not rustc:
        raise ToolchainMissing("rustc not found; run scripts/setup.sh to install the toolchains")
    sysroot = subprocess.run(
        [rustc, "--print", "sysroot"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return str(Path(sysroot) / "bin" / "rustc"), sysroot


def sandbox_cache_dir() -> Path:
    """Where the sandbox keeps what jobs share (Go build cache, built Rust crates): the user cache's
    ``sandbox`` directory (``alchemistcoder.cache``; ``$ALCHEMIST_SANDBOX_CACHE`` moves it alone)."""
    from alchemistcoder.cache import cache_dir

    return cache_dir("sandbox")
