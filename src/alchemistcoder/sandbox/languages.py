"""Per-language runners: how a source file becomes compile and run steps, and which toolchains they need.

Toolchains are found on the machine (``scripts/setup.sh`` installs them). Compilers get more memory and
time than the program they build: they are trusted tools working on untrusted input, and a JVM or the Go
toolchain needs far more address space than a small program. C# is compiled by Mono's ``mcs`` and run by
``mono``; Ruby and PHP are interpreted.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from alchemistcoder.sandbox import rust_crates
from alchemistcoder.sandbox.core import Step
from alchemistcoder.sandbox.toolchains import ToolchainMissing, rust_toolchain, sandbox_cache_dir, which

LANGUAGES = ("python", "c", "cpp", "java", "javascript", "go", "rust", "csharp", "ruby", "php")
_ALIASES = {
    "py": "python",
    "python3": "python",
    "c++": "cpp",
    "js": "javascript",
    "node": "javascript",
    "golang": "go",
    "rs": "rust",
    "c#": "csharp",
    "cs": "csharp",
    "rb": "ruby",
}

COMPILE_TIMEOUT_S = 60.0
COMPILE_MEMORY_MB = 4096


def normalize_language(language: str) -> str:
    """Canonical language name; raises ValueError for languages the sandbox cannot run."""
    key = _ALIASES.get(language.strip().lower(), language.strip().lower())
    if key not in LANGUAGES:
        raise ValueError(f"the sandbox cannot run {language!r}; supported: {', '.join(LANGUAGES)}")
    return key


@dataclass
class Plan:
    """Steps and environment for one job."""

    steps: list[Step]
    files: dict[str, str]
    env: dict[str, str] = field(default_factory=dict)
    expose: list[str] = field(default_factory=list)
    writable: list[tuple[str, str]] = field(default_factory=list)


@functools.cache
def python_executable() -> tuple[str, tuple[str, ...]]:
    """The interpreter jobs use (``$ALCHEMIST_SANDBOX_PYTHON`` or this one) and the directories it needs."""
    exe = os.environ.get("ALCHEMIST_SANDBOX_PYTHON") or sys.executable
    dirs = [os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), str(Path(exe).parent)]
    if exe == sys.executable:
        # site-packages outside this prefix that a .pth file put on the path (a venv layered over another's
        # packages): the interpreter in the sandbox reads the same .pth and needs them too
        for entry in sys.path:
            real = os.path.realpath(entry) if entry else ""
            if Path(real).name in ("site-packages", "dist-packages") and os.path.isdir(real) \
                    and not any(real.startswith(d + os.sep) for d in dirs[:2]):
                dirs.append(real)
    return exe, tuple(dirs)


def go_cache_dir() -> Path:
    """The Go build cache shared by all jobs, owned by the unprivileged user (compiles of the standard
    library and of unchanged packages are reused, which makes ``go build`` fast)."""
    path = sandbox_cache_dir() / "go-build"
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        from alchemistcoder.sandbox.core import NOBODY_GID, NOBODY_UID

        if path.stat().st_uid != NOBODY_UID:
            for root, dirs, files in os.walk(path):
                for name in dirs + files:
                    os.chown(os.path.join(root, name), NOBODY_UID, NOBODY_GID)
            os.chown(path, NOBODY_UID, NOBODY_GID)
    return path


GO_CACHE_INSIDE = "/var/cache/alchemist-go-build"


def go_env() -> dict[str, str]:
    """Offline, reproducible Go settings: modules only from local replace directives, no proxy, no sumdb."""
    return {
        "GOCACHE": GO_CACHE_INSIDE,
        "GOPATH": "/tmp/gopath",
        "GOFLAGS": "-mod=mod",
        "GOPROXY": "off",
        "GOSUMDB": "off",
        "GOTOOLCHAIN": "local",
        "GO111MODULE": "on",
        "CGO_ENABLED": "0",
        "GOMAXPROCS": "2",
    }


# A program whose first line includes every standard header: C++ harnesses (decontamination's, HumanEval-X's
# answers) spend most of their compile parsing it.
_STDCPP = "bits/stdc++.h"


_PCH_LOCK = threading.Lock()


def cpp_pch_dir() -> str | None:
    """A directory holding ``bits/stdc++.h`` precompiled for ``g++ -std=c++17`` (built once, outside the sandbox:
    the trusted compiler on the system's own header), or None when it cannot be built.

    Given as ``-I`` to a compile, it changes no program's meaning: a program that includes ``<bits/stdc++.h>``
    first gets the same declarations from the precompiled file (about a second less a compile); any other use of
    the name finds the wrapper beside it, which includes the system's header (``#include_next``); g++ checks the
    precompiled file against the compile's options and falls back to the wrapper when they differ."""
    with _PCH_LOCK:  # run_many plans its jobs on several threads: one builds it
        return _cpp_pch_dir()


@functools.cache
def _cpp_pch_dir() -> str | None:
    tmp = ""
    try:
        cxx = which("g++")
        version = subprocess.run([cxx, "-dumpfullversion"], capture_output=True, text=True, check=True).stdout.strip()
        directory = sandbox_cache_dir() / "cpp-pch" / f"{version}-{int(os.stat(cxx).st_mtime)}"
        target = directory / "bits" / "stdc++.h.gch"
        if not target.exists():
            (directory / "bits").mkdir(parents=True, exist_ok=True)
            wrapper = directory / "bits" / "stdc++.h"
            wrapper.write_text("#include_next <bits/stdc++.h>\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(dir=directory / "bits", suffix=".gch")
            os.close(fd)
            subprocess.run([cxx, "-std=c++17", "-x", "c++-header", "-I", str(directory), str(wrapper), "-o", tmp],
                           capture_output=True, check=True, timeout=COMPILE_TIMEOUT_S * 4)
            os.replace(tmp, target)  # whole or not at all: another process may be building it too
            tmp = ""
        for path in (directory, directory / "bits"):  # the sandbox's unprivileged user reads it
            path.chmod(0o755)
        for path in (directory / "bits").iterdir():
            path.chmod(0o644)
        return str(directory)
    except (OSError, subprocess.SubprocessError, ToolchainMissing):
        return None
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)


# PHP's shared extensions a job loads when they are installed (no ini file is read: see ``plan``): ``ctype_digit``
# and the ``mb_*`` string functions are common in PHP samples; the rest of what they use is built in (json, pcntl).
_PHP_EXTENSIONS = ("ctype", "mbstring", "iconv")


@functools.cache
def php_extensions(php: str) -> tuple[str, tuple[str, ...]]:
    """PHP's extension directory and which of :data:`_PHP_EXTENSIONS` it holds ("" and none when not found)."""
    try:
        where = subprocess.run([php, "-n", "-r", "echo PHP_EXTENSION_DIR;"], capture_output=True, text=True,
                               timeout=30, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "", ()
    return where, tuple(e for e in _PHP_EXTENSIONS if os.path.isfile(os.path.join(where, f"{e}.so")))


def java_main_class(source: str) -> str:
    """The class to run: the public class, else the first class with a ``main`` method, else Main."""
    public = re.search(r"public\s+(?:final\s+)?class\s+(\w+)", source)
    if public:
        return public.group(1)
    for m in re.finditer(r"class\s+(\w+)", source):
        if re.search(r"static\s+void\s+main\s*\(", source[m.end() :]):
            return m.group(1)
    return "Main"


# Every error of a program in one compile: all of them (not the first 100), and the type errors too when a
# part of it does not parse (javac stops before checking types otherwise). A caller that reads the diagnostics
# to find the faulty part of a program (decontamination's harnesses, which hold many samples) needs them all;
# a program that compiles is compiled as before. No annotation processors are looked for on the class path.
_JAVAC_DIAGNOSTICS = ["-Xmaxerrs", "100000", "-XDshould-stop.ifError=FLOW", "-proc:none"]


# glibc gives each thread that allocates its own malloc arena, 64 MiB of address space reserved at once: the
# JVM's threads (GC, compiler, a call's worker) took the run's address-space limit in a fraction of a second,
# and the JVM died of a failed malloc or pthread_create with most of its heap unused (a third of decontamination's
# Java batches). Two arenas serve a small program as well.
_JVM_ENV = {"MALLOC_ARENA_MAX": "2"}


def jvm_flags(memory_mb: int) -> list[str]:
    # A JVM reserves address space for its heap, code cache and class space up front; bounding each keeps
    # it inside RLIMIT_AS, and serial GC with C1 only starts fastest for short test programs.
    return [
        f"-Xmx{memory_mb}m",
        "-Xss8m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-XX:-UsePerfData",
        "-XX:ReservedCodeCacheSize=64m",
        "-XX:CompressedClassSpaceSize=64m",
        "-XX:MaxMetaspaceSize=256m",
    ]


# Mono starts and runs threads under an address-space limit of 256 MiB (measured; unlike the JVM it reserves no
# large heap up front). glibc's arenas are bounded as for the JVM (_JVM_ENV): decontamination's C# harness
# starts a thread per call, and each thread that allocates would reserve an arena of its own.
_MONO_ENV = {"MALLOC_ARENA_MAX": "2"}


def csharp_entry(source: str, files: dict[str, str]) -> list[str]:
    """``-main:Class`` when a program of several files names its entry: the class of ``main.cs`` that holds a
    ``static ... Main(`` (outside any namespace), so that a ``Main`` of another file (a sample's) is not one."""
    if not any(name.endswith(".cs") for name in files) or re.search(r"^\s*namespace\b", source, re.M):
        return []
    for m in re.finditer(r"\bclass\s+(\w+)", source):
        if re.search(r"\bstatic\s+(?:void|int)\s+Main\s*\(", source[m.end() :]):
            return [f"-main:{m.group(1)}"]
    return []


def plan(
    language: str,
    source: str,
    *,
    timeout_s: float,
    memory_mb: int,
    files: dict[str, str] | None = None,
    argv: list[str] | None = None,
) -> Plan:
    """Compile and run steps for ``source`` written in ``language``."""
    lang = normalize_language(language)
    extra = dict(files or {})
    args = list(argv or [])

    def run(cmd: list[str], mem: int | None = memory_mb, **kw: object) -> Step:
        return Step(argv=cmd + args, timeout_s=timeout_s, memory_mb=mem, stdin=True, name="run", **kw)  # type: ignore[arg-type]

    def compile_(cmd: list[str], nproc: int = 256) -> Step:
        return Step(
            argv=cmd, timeout_s=COMPILE_TIMEOUT_S, memory_mb=COMPILE_MEMORY_MB, nproc=nproc, name="compile"
        )

    if lang == "python":
        exe, dirs = python_executable()
        return Plan([run([exe, "-u", "main.py"])], {**extra, "main.py": source}, expose=list(dirs))
    if lang == "c":
        cc = which("gcc")
        return Plan(
            [compile_([cc, "-std=gnu11", "-o", "prog", "main.c", "-lm"]), run(["./prog"])],
            {**extra, "main.c": source},
        )
    if lang == "cpp":
        cxx = which("g++")
        # OpenSSL only when asked for (HumanEval-X CPP/162 uses its md5), so a machine without it still builds
        libs = ["-lm", "-lcrypto"] if "openssl/" in source else ["-lm"]
        pch = cpp_pch_dir() if _STDCPP in source else None
        return Plan(
            [compile_([cxx, "-std=c++17", *(["-I", pch] if pch else []), "-o", "prog", "main.cpp", *libs]),
             run(["./prog"])],
            {**extra, "main.cpp": source},
            expose=[pch] if pch else [],
        )
    if lang == "java":
        cls = java_main_class(source)
        javac, java = which("javac"), which("java")
        flags = [f"-J{f}" for f in jvm_flags(512)]
        return Plan(
            [
                compile_([javac, *flags, "-encoding", "UTF-8", "-nowarn", *_JAVAC_DIAGNOSTICS, f"{cls}.java"], nproc=512),
                run([java, *jvm_flags(memory_mb), "-cp", ".", cls], mem=memory_mb + 1024, nproc=512),
            ],
            {**extra, f"{cls}.java": source},
            env=_JVM_ENV,
            expose=[str(Path(javac).parents[1]), str(Path(java).parents[1])],
        )
    if lang == "javascript":
        node = which("node")
        return Plan(
            [
                run(
                    [node, f"--max-old-space-size={memory_mb}", "--stack-size=4000", "main.js"],
                    mem=memory_mb + 1024,
                )
            ],
            {**extra, "main.js": source},
            expose=[str(Path(node).parent)],
        )
    if lang == "go":
        go = which("go")
        return Plan(
            [compile_([go, "build", "-o", "prog", "main.go"], nproc=512), run(["./prog"])],
            {**extra, "main.go": source},
            env=go_env(),
            expose=[str(Path(go).parents[1])],
            writable=[(str(go_cache_dir()), GO_CACHE_INSIDE)],
        )
    if lang == "csharp":
        mcs, mono = which("mcs"), which("mono")
        return Plan(
            [
                compile_([mcs, "-nologo", "-langversion:experimental", "-nowarn:0168,0219,0414,0649,1998",
                          *csharp_entry(source, extra), "-out:prog.exe", "main.cs",
                          *sorted(name for name in extra if name.endswith(".cs"))], nproc=512),
                run([mono, "prog.exe"], mem=memory_mb + 1024, nproc=512),
            ],
            {**extra, "main.cs": source},
            env=_MONO_ENV,
        )
    if lang == "ruby":
        # no RubyGems: the standard library (json included) is all a job may use, and it starts faster
        ruby = which("ruby")
        return Plan([run([ruby, "--disable-gems", "main.rb"], mem=memory_mb + 256)], {**extra, "main.rb": source},
                    expose=[str(Path(ruby).parent)])
    if lang == "php":
        # no ini file (-n): the machine's configuration does not change what a job does, and PHP starts faster;
        # its errors go to stderr, and its own memory limit is the job's
        php = which("php")
        ext_dir, exts = php_extensions(php)
        flags = ["-n", "-d", "display_errors=stderr", "-d", f"memory_limit={memory_mb}M",
                 *(["-d", f"extension_dir={ext_dir}"] if exts else []), *(f"-dextension={e}" for e in exts)]
        return Plan([run([php, *flags, "main.php"], mem=memory_mb + 256)],
                    {**extra, "main.php": source}, expose=[str(Path(php).parent), *([ext_dir] if exts else [])])
    # rust
    rustc, sysroot = rust_toolchain()
    crate_flags, crate_dirs = rust_crate_flags()
    return Plan(
        [
            compile_([rustc, "--edition", "2021", "-A", "warnings", *crate_flags, "-o", "prog", "main.rs"]),
            run(["./prog"]),
        ],
        {**extra, "main.rs": source},
        expose=[sysroot, *crate_dirs],
    )


def rust_crate_flags(rand_api: str = "0.8") -> tuple[list[str], list[str]]:
    """rustc flags that make the built crates rand, regex and md5 available, and the directory to expose;
    empty when they are not built (``scripts/setup.sh`` builds them). ``rand_api="0.4"``: see rust_crates."""
    crates = rust_crates.find()
    if crates is None:
        return [], []
    return crates.rustc_flags(rand_api=rand_api), [str(crates.directory)]
