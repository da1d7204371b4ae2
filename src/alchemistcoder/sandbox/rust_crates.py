"""The Rust crates HumanEval-X declares (rand, regex, md5), built once, offline, for the sandbox's rustc.

CodeGeeX builds each HumanEval-X Rust task in a Cargo project that depends on ``rand``, ``regex`` and ``md5``.
Offline, Debian's ``librust-rand-dev``, ``librust-regex-dev`` and ``librust-md5-dev`` carry their sources as a
Cargo directory source (``/usr/share/cargo/registry``). :func:`build` compiles them with a tiny Cargo project
whose crates-io is replaced by that directory, with the very rustc the sandbox calls, into a cache directory
keyed on that rustc's version (rebuilt when the recipe here changes); jobs link them with ``--extern``
(:meth:`RustCrates.rustc_flags`), the directory exposed read-only to the sandbox's unprivileged user.

CodeGeeX's Cargo project asks for ``rand = "0.4"``, whose ``Rng::gen_range(low, high)`` takes two bounds
(HumanEval-X Rust/50's test calls it so; rand 0.8 takes a range), and Debian ships rand 0.8 only: the crate
``rand04`` built here is rand 0.4's ``Rng`` API over rand 0.8, which HumanEval-X links as ``rand``.
``scripts/setup.sh`` runs ``python -m alchemistcoder.sandbox.rust_crates``; it does nothing when up to date.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from alchemistcoder.sandbox.toolchains import ToolchainMissing, rust_toolchain, sandbox_cache_dir

log = logging.getLogger(__name__)

# crate -> version requirement (the versions Debian 12 ships: rand 0.8.5, regex 1.7.1, md5 0.7.0)
CRATES = {"rand": "0.8", "regex": "1", "md5": "0.7"}
DEBIAN_REGISTRY = Path("/usr/share/cargo/registry")
DEBIAN_PACKAGES = ("librust-rand-dev", "librust-regex-dev", "librust-regex+default-dev", "librust-md5-dev")
SETUP_STEP = "scripts/setup.sh (or by hand: .venv/bin/python -m alchemistcoder.sandbox.rust_crates)"
MANIFEST = "crates.json"
PROJECT = "alchemist_rust_crates"  # the Cargo project that depends on them
RAND_0_4 = "rand04"  # rand 0.4's API over rand 0.8, for HumanEval-X

_RAND_0_4_CARGO = f"""[package]
name = "{RAND_0_4}"
version = "0.4.6"
edition = "2021"

[dependencies]
rand08 = {{ package = "rand", version = "0.8" }}
"""

_RAND_0_4_LIB = """//! rand 0.4's `Rng` API over rand 0.8 (`gen_range(low, high)` takes two bounds; 0.8 takes a range).
pub use rand08::rngs::{StdRng, ThreadRng};
pub use rand08::{distributions, random, rngs, seq, thread_rng, RngCore, SeedableRng};
use rand08::distributions::uniform::SampleUniform;
use rand08::distributions::{Distribution, Standard};

pub trait Rng: RngCore {
    fn gen<T>(&mut self) -> T
    where
        Standard: Distribution<T>,
    {
        rand08::Rng::gen(self)
    }
    /// A value in [low, high); panics when low >= high, as rand 0.4 does.
    fn gen_range<T: SampleUniform + PartialOrd>(&mut self, low: T, high: T) -> T {
        rand08::Rng::gen_range(self, low..high)
    }
    fn gen_weighted_bool(&mut self, n: u32) -> bool {
        n <= 1 || self.gen_range(0, n) == 0
    }
    fn choose<'a, T>(&mut self, values: &'a [T]) -> Option<&'a T> {
        rand08::seq::SliceRandom::choose(values, self)
    }
    fn shuffle<T>(&mut self, values: &mut [T]) {
        rand08::seq::SliceRandom::shuffle(values, self)
    }
}

impl<R: RngCore + ?Sized> Rng for R {}
"""

_CARGO_CONFIG = f"""[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "{DEBIAN_REGISTRY}"

[net]
offline = true
"""


# what the build makes: a change here (crates, shim) makes find() ignore an older build, and setup rebuild
RECIPE = hashlib.sha256(
    json.dumps([CRATES, _RAND_0_4_CARGO, _RAND_0_4_LIB, _CARGO_CONFIG]).encode()
).hexdigest()[:16]


class RustCratesMissing(ToolchainMissing):
    """The crates are not built for this rustc (or cannot be built here)."""


@dataclass(frozen=True)
class RustCrates:
    """Built crates: the directory of every rlib (the crates and their dependencies) and each crate's rlib."""

    directory: Path
    rlibs: dict[str, Path]

    def rustc_flags(self, *, rand_api: str = "0.8") -> list[str]:
        """``--extern`` for each crate and ``-L dependency=`` for what they depend on; ``rand_api="0.4"``
        links rand 0.4's API as ``rand`` (what HumanEval-X's tests are written against)."""
        externs = {name: self.rlibs[name] for name in CRATES}
        if rand_api == "0.4":
            externs["rand"] = self.rlibs[RAND_0_4]
        elif rand_api != "0.8":
            raise ValueError(f"rand_api is 0.4 or 0.8, not {rand_api!r}")
        flags = ["-L", f"dependency={self.directory / 'deps'}"]
        for name, rlib in sorted(externs.items()):
            flags += ["--extern", f"{name}={rlib}"]
        return flags


@functools.cache
def rustc_version(rustc: str) -> str:
    """``rustc --version`` of the compiler at ``rustc`` (e.g. ``rustc 1.95.0 (59807616e 2026-04-14)``)."""
    return subprocess.run([rustc, "--version"], capture_output=True, text=True, check=True).stdout.strip()


def crates_dir() -> Path:
    """Where the crates for the sandbox's rustc live (whether built or not)."""
    rustc, _ = rust_toolchain()
    key = re.sub(r"[^A-Za-z0-9.]+", "-", rustc_version(rustc)).strip("-")
    return sandbox_cache_dir() / "rust-crates" / key


def find() -> RustCrates | None:
    """The built crates for the sandbox's rustc, or None (no rustc, or not built yet)."""
    try:
        directory = crates_dir()
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (ToolchainMissing, OSError, ValueError, subprocess.CalledProcessError):
        return None
    if manifest.get("recipe") != RECIPE:
        return None
    rlibs = {name: directory / "deps" / file for name, file in manifest.get("crates", {}).items()}
    if set(rlibs) != {*CRATES, RAND_0_4} or not all(p.is_file() for p in rlibs.values()):
        return None
    return RustCrates(directory, rlibs)


def require() -> RustCrates:
    """The built crates, or RustCratesMissing naming the set-up step."""
    crates = find()
    if crates is None:
        raise RustCratesMissing(
            f"the Rust crates {', '.join(CRATES)} are not built for this rustc; run {SETUP_STEP}"
        )
    return crates


@functools.cache
def warn_missing() -> None:
    """Say once per process that Rust jobs run without the crates."""
    log.warning(
        "sandbox: the Rust crates %s are not built for this rustc, so HumanEval-X Rust drops their `use` lines "
        "and tasks that call them fail; run %s",
        ", ".join(CRATES),
        SETUP_STEP,
    )


def _cargo(sysroot: str) -> str:
    # the cargo of the same toolchain (rustup installs one next to rustc), else the one on PATH (Debian's)
    beside = Path(sysroot) / "bin" / "cargo"
    found = str(beside) if beside.is_file() else shutil.which("cargo")
    if not found:
        raise RustCratesMissing(f"cargo not found; run {SETUP_STEP}")
    return found


def _check_registry(registry: Path) -> None:
    missing = [name for name in (*CRATES, "aho-corasick") if not any(registry.glob(f"{name}-[0-9]*"))]
    if missing:
        raise RustCratesMissing(
            f"{registry} lacks the sources of {', '.join(missing)}; install the Debian packages "
            f"{' '.join(DEBIAN_PACKAGES)} (scripts/setup.sh does)"
        )


def build(*, force: bool = False, registry: Path = DEBIAN_REGISTRY) -> RustCrates:
    """Build the crates (release, offline) unless already built for this rustc; returns them."""
    if not force and (found := find()) is not None:
        return found
    _check_registry(registry)
    rustc, sysroot = rust_toolchain()
    target = crates_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        project = work / "project"
        (project / "src").mkdir(parents=True)
        (project / ".cargo").mkdir()
        deps = "".join(f'{name} = "{req}"\n' for name, req in CRATES.items())
        deps += f'{RAND_0_4} = {{ path = "{RAND_0_4}" }}\n'
        (project / RAND_0_4 / "src").mkdir(parents=True)
        (project / RAND_0_4 / "Cargo.toml").write_text(_RAND_0_4_CARGO, encoding="utf-8")
        (project / RAND_0_4 / "src" / "lib.rs").write_text(_RAND_0_4_LIB, encoding="utf-8")
        (project / "Cargo.toml").write_text(
            f'[package]\nname = "{PROJECT}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n{deps}',
            encoding="utf-8",
        )
        (project / "src" / "lib.rs").write_text("", encoding="utf-8")
        (project / ".cargo" / "config.toml").write_text(
            _CARGO_CONFIG.replace(str(DEBIAN_REGISTRY), str(registry)), encoding="utf-8"
        )
        # only this build's settings: no user Cargo config, flags or wrappers leak into it
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CARGO", "RUSTC", "RUSTFLAGS"))}
        env.update(RUSTC=rustc, CARGO_HOME=str(work / "cargo-home"), CARGO_TARGET_DIR=str(work / "target"))
        proc = subprocess.run(
            [_cargo(sysroot), "build", "--release", "--offline", "--message-format=json"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise RustCratesMissing(f"cargo build of {', '.join(CRATES)} failed:\n{proc.stderr[-3000:]}")
        out = work / "out"
        (out / "deps").mkdir(parents=True)
        crates: dict[str, str] = {}
        for line in proc.stdout.splitlines():
            msg = json.loads(line) if line.startswith("{") else {}
            if msg.get("reason") != "compiler-artifact":
                continue
            for file in msg.get("filenames", []):
                if file.endswith(".rlib") and msg["target"]["name"] != PROJECT:
                    shutil.copy2(file, out / "deps")
                    if msg["target"]["name"] in {*CRATES, RAND_0_4}:
                        crates[msg["target"]["name"]] = Path(file).name
        if set(crates) != {*CRATES, RAND_0_4}:
            raise RustCratesMissing(f"cargo built {sorted(crates)}, expected {sorted({*CRATES, RAND_0_4})}")
        manifest = {
            "rustc": rustc_version(rustc),
            "recipe": RECIPE,
            "registry": str(registry),
            "crates": crates,
        }
        (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        # the sandbox's unprivileged user reads them
        for path in [out, out / "deps", *out.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        if target.exists():
            if not force and (found := find()) is not None:
                return found  # another process built them meanwhile
            shutil.rmtree(target)  # stale or incomplete
        try:
            out.rename(target)
        except OSError:  # another process finished the same build first
            if find() is None:
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return require()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m alchemistcoder.sandbox.rust_crates",
        description="Build the Rust crates of HumanEval-X (rand, regex, md5) offline for the sandbox's rustc.",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even when already built")
    parser.add_argument("--registry", type=Path, default=DEBIAN_REGISTRY, help="Cargo directory source")
    args = parser.parse_args(argv)
    try:
        crates = build(force=args.force, registry=args.registry)
    except (RustCratesMissing, ToolchainMissing) as exc:
        print(f"rust crates: {exc}", file=sys.stderr)
        return 1
    print(f"rust crates: {', '.join(sorted(crates.rlibs))} in {crates.directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
