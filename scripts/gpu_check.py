"""GPU check of training and evaluation generation, on a tiny randomly initialised model.

Two steps, run by ``scripts/gpu_check.sh``:

``prepare`` (on the development machine, which has the embedded SmolLM2 checkpoint): writes ``.gpucheck/``
(ignored by git, carried to the GPU machine) with a tiny Llama (2 layers, hidden 64, random weights) that has
SmolLM2's tokenizer and chat template, and a copy of the HumanEval file (``../shared`` does not travel).

``run`` (on any machine; CUDA when present): (a) LoRA SFT with ``precision: auto`` on the demo corpus's
messages file, merged at the end; (b) generation for HumanEval (first ``--limit`` tasks) with the in-process
transformers backend on the merged checkpoint, then scoring in the sandbox when the sandbox starts there;
then HumanEval's canonical solutions scored there (all pass, one wrong one fails); (c) ``alchemist train
--launcher accelerate`` for a few steps (the CLI and launcher path); (d) device facts and figures, printed and written to ``<out>/gpu_check.json``. It exits non-zero when a step
fails; a sandbox that cannot start is recorded and scoring is skipped, not counted as a failure.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHECK_DIR = ROOT / ".gpucheck"
TINY_MODEL = CHECK_DIR / "tiny-llama"
HUMANEVAL = CHECK_DIR / "humaneval" / "HumanEval.jsonl.gz"
TRAIN_FILE = ROOT / "src" / "alchemistcoder" / "demo" / "tutor.jsonl"  # messages format, 40 conversations


def prepare(shared_data: Path) -> None:
    """Build the tiny model and copy the benchmark file into ``.gpucheck/``."""
    import torch
    from transformers import AutoTokenizer, GenerationConfig, LlamaConfig, LlamaForCausalLM

    from alchemistcoder.llm.embedded import embedded_model_path

    src = embedded_model_path()
    tokenizer = AutoTokenizer.from_pretrained(src)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    if TINY_MODEL.exists():
        shutil.rmtree(TINY_MODEL)
    model.save_pretrained(TINY_MODEL)
    tokenizer.save_pretrained(TINY_MODEL)
    GenerationConfig.from_pretrained(src).save_pretrained(TINY_MODEL)
    HUMANEVAL.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shared_data / "humaneval" / "HumanEval.jsonl.gz", HUMANEVAL)
    size = sum(p.stat().st_size for p in CHECK_DIR.rglob("*") if p.is_file())
    print(f"wrote {CHECK_DIR} ({size / 2**20:.1f} MiB): {sum(p.numel() for p in model.parameters())} parameters")


def device_facts() -> dict[str, Any]:
    import torch

    facts: dict[str, Any] = {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "cuda_available": torch.cuda.is_available(),
    }
    for name in ("transformers", "trl", "peft", "accelerate", "datasets"):
        try:
            facts[name] = __import__(name).__version__
        except Exception as exc:  # report, keep going: the step that needs it fails with the real error
            facts[name] = f"import failed: {exc!r}"
    if torch.cuda.is_available():
        facts["gpu"] = torch.cuda.get_device_name(0)
        facts["bf16_supported"] = torch.cuda.is_bf16_supported()
        facts["cuda"] = torch.version.cuda
    return facts


def _reset_peak() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()


def _peak_mib() -> float | None:
    import torch

    if not torch.cuda.is_available():
        return None
    return round(torch.cuda.max_memory_allocated() / 2**20, 1)


def step_train(out: Path, steps: int) -> dict[str, Any]:
    """LoRA SFT, precision auto, merged: through the same config loader and entry as ``alchemist train``."""
    from alchemistcoder.config import load_config
    from alchemistcoder.train.sft import run_train

    cfg = load_config(
        ROOT / "configs" / "train" / "tiny.yaml",
        [
            f"run.out={out}",
            f"train.model={TINY_MODEL}",
            f"train.data={TRAIN_FILE}",
            "train.method=lora",
            "train.merge_lora=true",
            "train.precision=auto",
            f"train.max_steps={steps}",
            "train.save_steps=10",
            "train.resume=false",
            "train.learning_rate=1e-3",
        ],
    )
    _reset_peak()
    t0 = time.perf_counter()
    result = run_train(cfg.train.data, cfg.train, out / "train", seed=cfg.run.seed)
    wall = time.perf_counter() - t0
    merged = Path(result.checkpoint_dir)
    saved = json.loads((merged / "config.json").read_text())
    tokens = result.num_tokens or 0.0
    return {
        "device": result.device,
        "precision": result.precision,
        "attn_implementation": result.attn_implementation,
        "extra": result.extra,
        "steps": result.global_step,
        "samples": result.samples,
        "loss_first": result.losses[0] if result.losses else None,
        "loss_last": result.losses[-1] if result.losses else None,
        "num_tokens": tokens,
        "train_runtime_s": round(result.train_runtime_s, 2),
        "train_tokens_per_s": round(tokens / result.train_runtime_s, 1) if result.train_runtime_s else None,
        "wall_s_with_load_and_merge": round(wall, 2),
        "peak_gpu_mem_mib": _peak_mib(),
        "merged_dir": str(merged),
        "merged_config_dtype": saved.get("dtype") or saved.get("torch_dtype"),
        "merged_files": sorted(p.name for p in merged.iterdir()),
    }


def step_train_cli(out: Path) -> dict[str, Any]:
    """``alchemist train --launcher accelerate --num-processes 1``: the CLI and the launcher path on this device."""
    import subprocess

    cmd = [
        sys.executable, "-m", "alchemistcoder.cli", "train", str(ROOT / "configs" / "train" / "tiny.yaml"),
        "--launcher", "accelerate", "--num-processes", "1",
        "--set", f"run.out={out / 'train-cli'}", "--set", f"train.model={TINY_MODEL}",
        "--set", f"train.data={TRAIN_FILE}", "--set", "train.method=lora", "--set", "train.max_steps=5",
        "--set", "train.resume=false",
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    wall = time.perf_counter() - t0
    said = [line for line in proc.stdout.splitlines() if line.startswith("trained ")]
    if proc.returncode != 0 or not said:
        raise RuntimeError(f"exit {proc.returncode}: {(proc.stdout + proc.stderr)[-3000:]}")
    return {"wall_s": round(wall, 2), "said": said[-1]}


def step_generate(model_dir: str, device: str) -> dict[str, Any]:
    """The transformers backend on ``device``: load, then one timed batch (what eval's generation runs)."""
    from alchemistcoder.llm.backends.hf import TransformersBackend
    from alchemistcoder.llm.config import LLMConfig
    from alchemistcoder.llm.types import ChatRequest

    backend = TransformersBackend.from_config(LLMConfig(backend="transformers", model=model_dir, device=device))
    _reset_peak()
    t0 = time.perf_counter()
    backend.load()
    load_s = time.perf_counter() - t0
    requests = [
        ChatRequest(messages=[{"role": "user", "content": f"Write a Python function that adds {i} to x."}], max_tokens=64)
        for i in range(8)
    ]
    t0 = time.perf_counter()
    done = backend.generate_batch(requests)
    gen_s = time.perf_counter() - t0
    model = backend._model
    facts = {
        "model_device": str(model.device),
        "model_dtype": str(model.dtype),
        "load_s": round(load_s, 2),
        "batch": len(requests),
        "generate_s": round(gen_s, 2),
        "completion_tokens": sum(c.completion_tokens for c in done),
        "errors": [c.error for c in done if c.error],
        "peak_gpu_mem_mib": _peak_mib(),
        "sample_text": done[0].text[:80],
    }
    backend.close()
    return facts


def sandbox_probe() -> dict[str, Any]:
    from alchemistcoder.sandbox import run_program

    try:
        r = run_program("python", "print(6 * 7)", timeout_s=20)
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": r.status == "ok" and r.stdout.strip() == "42", "status": r.status, "stdout": r.stdout[-200:],
            "stderr": r.stderr[-600:]}


def step_eval(model_dir: str, device: str, out: Path, limit: int, score: bool) -> dict[str, Any]:
    """``run_eval`` (generate + score) on HumanEval's first ``limit`` tasks; generation only without a sandbox."""
    from alchemistcoder.benchmarks import load_benchmark
    from alchemistcoder.evaluate import run_eval
    from alchemistcoder.evaluate.config import EvalConfig
    from alchemistcoder.evaluate.generation import generate_samples
    from alchemistcoder.llm import LLMClient
    from alchemistcoder.llm.config import LLMConfig

    llm = LLMConfig(backend="transformers", model=model_dir, device=device, batch_size=10)
    cfg = EvalConfig(
        model=llm,
        benchmarks=["humaneval"],
        data={"humaneval": str(HUMANEVAL)},
        prompt_style="chat",
        limit=limit,
        max_tokens=128,
        workers=4,
    )
    _reset_peak()
    t0 = time.perf_counter()
    if score:
        summaries = run_eval(cfg, llm, out / "eval")
        summary = summaries["humaneval"]
    else:
        tasks = load_benchmark("humaneval", str(HUMANEVAL))[:limit]
        client = LLMClient.from_config(llm, cache_dir=out / "eval" / "cache", stage="eval")
        try:
            path = generate_samples(tasks, cfg, client, out / "eval" / "humaneval")
        finally:
            client.close()
        summary = {"samples_file": str(path), "scored": False}
    wall = time.perf_counter() - t0
    samples = [json.loads(x) for x in (out / "eval" / "humaneval" / "samples.jsonl").read_text().splitlines() if x]
    return {
        "wall_s": round(wall, 2),
        "samples": len(samples),
        "peak_gpu_mem_mib": _peak_mib(),
        "summary": summary,
    }


def step_score_canonical(out: Path, limit: int) -> dict[str, Any]:
    """HumanEval's own solutions scored in the sandbox: tests really execute there (all must pass), and one
    wrong solution must fail (so the check can fail)."""
    from alchemistcoder.benchmarks import load_benchmark
    from alchemistcoder.evaluate import evaluate_samples

    tasks = load_benchmark("humaneval", str(HUMANEVAL))[:limit]
    rows = [{"task_id": t.task_id, "solution": t.prompt + t.canonical_solution} for t in tasks]
    rows.append({"task_id": tasks[0].task_id, "solution": tasks[0].prompt + "    return None\n"})
    path = out / "canonical.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    t0 = time.perf_counter()
    summary = evaluate_samples("humaneval", path, out / "canonical", data=str(HUMANEVAL), limit=limit)
    wall = time.perf_counter() - t0
    verdicts = json.loads((out / "canonical" / "eval_results.json").read_text())["eval"]
    passed = sum(r["base_status"] == "pass" for recs in verdicts.values() for r in recs)
    if passed != len(tasks):
        raise RuntimeError(f"{passed} of {len(rows)} samples passed; expected exactly the {len(tasks)} canonical ones")
    return {"wall_s": round(wall, 2), "samples": len(rows), "passed": passed, "summary": summary}


def run(out: Path, steps: int, limit: int) -> int:
    import torch

    out.mkdir(parents=True, exist_ok=True)
    for stale in (out / "train", out / "train-cli", out / "eval", out / "canonical"):  # a fresh run: no resume, no cached generations
        shutil.rmtree(stale, ignore_errors=True)
    report: dict[str, Any] = {"facts": device_facts()}
    print("facts:", json.dumps(report["facts"]), flush=True)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    failed = []

    def attempt(name: str, fn: Any, *args: Any) -> Any:
        t0 = time.perf_counter()
        try:
            value = fn(*args)
        except Exception as exc:
            failed.append(name)
            value = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:]}
            print(value["traceback"], file=sys.stderr, flush=True)
        print(f"{name} ({time.perf_counter() - t0:.1f}s):", json.dumps(value, default=str), flush=True)
        report[name] = value
        (out / "gpu_check.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
        return value

    train = attempt("train", step_train, out, steps)
    model_dir = train.get("merged_dir") or str(TINY_MODEL)  # eval still runs on the base when training failed
    attempt("generate", step_generate, model_dir, device)
    probe = attempt("sandbox", sandbox_probe)
    attempt("eval", step_eval, model_dir, device, out, limit, bool(probe.get("ok")))
    if probe.get("ok"):
        attempt("score_canonical", step_score_canonical, out, limit)
    attempt("train_cli", step_train_cli, out)
    report["failed"] = failed
    (out / "gpu_check.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    print("FAILED: " + ", ".join(failed) if failed else "ALL STEPS PASSED", flush=True)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare", help="build .gpucheck/ (tiny model + HumanEval copy) on this machine")
    p.add_argument("--shared-data", type=Path, default=ROOT.parent / "shared" / "data")
    r = sub.add_parser("run", help="train + generate + eval, printing device facts")
    r.add_argument("--out", type=Path, default=ROOT / "runs" / "gpu-check")
    r.add_argument("--steps", type=int, default=20)
    r.add_argument("--limit", type=int, default=10)
    args = parser.parse_args()
    if args.cmd == "prepare":
        prepare(args.shared_data)
        return 0
    return run(args.out, args.steps, args.limit)


if __name__ == "__main__":
    sys.exit(main())
