#!/usr/bin/env bash
# GPU check of training (LoRA, bf16 via precision auto, merge) and evaluation generation (transformers
# backend on CUDA) on a tiny random model; see scripts/gpu_check.py and docs/train.md ("GPU check").
#
# On the development machine, once (needs the embedded SmolLM2 and ../shared/data):
#   .venv/bin/python scripts/gpu_check.py prepare      # writes .gpucheck/ (tiny model + HumanEval copy)
#   (wheels for what the GPU machine lacks go in .whl/, see docs/train.md)
# Then, on the GPU machine (or here: PYTHON=.venv/bin/python scripts/gpu_check.sh):
#   scripts/gpu_check.sh [LOG_DIR] [--steps N] [--limit N]
# The run works in runs/gpu-check (GPU_CHECK_WORK); the logs and figures (gpu_check.json, train_log.jsonl,
# samples.jsonl) are copied to LOG_DIR (default: $OUT on the device machine, else the work directory).
# Nothing is fetched from the network: the wheels in .whl/ are installed into /tmp/site when present.
set -uo pipefail
cd "$(dirname "$0")/.."
work=${GPU_CHECK_WORK:-runs/gpu-check}
out=${1:-${OUT:-$work}}
mkdir -p "$out" "$work"
py=${PYTHON:-python3}
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 TRANSFORMERS_NO_ADVISORY_WARNINGS=1
site=""
if [ -d .whl ] && [ -z "${GPU_CHECK_NO_WHEELS:-}" ]; then
    "$py" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
        >"$out/pip.log" 2>&1 || { cat "$out/pip.log"; echo "wheel install failed"; exit 3; }
    site=/tmp/site
fi
export PYTHONPATH="$PWD/src${site:+:$site}${PYTHONPATH:+:$PYTHONPATH}"
{
    echo "== $(date -u +%FT%TZ) $(uname -srm)"
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
    echo "unshare: $(command -v unshare || echo missing)"
} 2>&1 | tee "$out/env.log"
"$py" scripts/gpu_check.py run --out "$work" "${@:2}" 2>&1 | tee "$out/gpu_check.log"
rc=${PIPESTATUS[0]}
for f in "$work/gpu_check.json" "$work/train/train_log.jsonl" "$work/eval/humaneval/samples.jsonl"; do
    [ -f "$f" ] && [ "$(realpath "$f")" != "$(realpath -m "$out/$(basename "$f")")" ] && cp "$f" "$out/"
done
exit "$rc"
