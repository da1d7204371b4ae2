"""Training: config, input checking, chat template, launch command (no model weights loaded here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alchemistcoder.config import ConfigError, load_config
from alchemistcoder.io import DataError, write_jsonl, write_samples
from alchemistcoder.records import Sample, make_messages
from alchemistcoder.train.config import TrainConfig
from alchemistcoder.train.data import load_training_data

REPO = Path(__file__).resolve().parents[1]


def tiny_messages(shared_data: Path, n: int, max_chars: int = 160, skip: int = 0) -> list[list[dict[str, str]]]:
    """``n`` short real CodeAlpaca conversations (short, so a CPU step takes a second or two)."""
    rows = json.loads((shared_data / "codealpaca" / "code_alpaca_2k.json").read_text())
    short = [r for r in rows if len(r["instruction"]) + len(r["input"]) + len(r["output"]) < max_chars]
    out = []
    for r in short[skip : skip + n]:
        instruction = r["instruction"] + ("\n" + r["input"] if r["input"] else "")
        out.append(make_messages(instruction, r["output"]))
    return out


def write_messages(path: Path, conversations: list[list[dict[str, str]]]) -> Path:
    write_jsonl(path, ({"messages": m} for m in conversations))
    return path


# -- configs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tiny.yaml", "paper.yaml"])
def test_shipped_train_configs_validate(name: str) -> None:
    cfg = load_config(REPO / "configs" / "train" / name)
    assert isinstance(cfg.train, TrainConfig)
    if name == "paper.yaml":
        t = cfg.train
        assert (t.epochs, t.learning_rate, t.max_length, t.per_device_batch_size) == (2.0, 1e-4, 8192, 2)
        assert t.optimizer.startswith("adamw")


def test_paper_configs_cover_the_three_base_models() -> None:
    models = {load_config(p).train.model for p in sorted((REPO / "configs" / "train").glob("paper*.yaml"))}
    assert {"meta-llama/Llama-2-7b-hf", "codellama/CodeLlama-7b-Python-hf",
            "deepseek-ai/deepseek-coder-6.7b-base"} <= models


def test_unknown_train_key_names_file_and_key(tmp_path: Path) -> None:
    cfg = tmp_path / "run.yaml"
    cfg.write_text("train:\n  epochs: 1\n  lerning_rate: 0.1\n")
    with pytest.raises(ConfigError, match=r"run.yaml:3: train.lerning_rate: unknown key .*did you mean 'learning_rate'"):
        load_config(cfg)


def test_other_keys_pass_through_to_trl_sft_config(tmp_path: Path) -> None:
    """A key that is no train field is one of TRL's SFTConfig: it reaches the trainer's arguments as written."""
    from alchemistcoder.train.model import DevicePlan
    from alchemistcoder.train.sft import sft_args

    path = tmp_path / "run.yaml"
    path.write_text("train:\n  max_steps: 3\n  max_grad_norm: 0.5\n  adam_beta2: 0.95\n  save_strategy: epoch\n")
    cfg = load_config(path).train
    assert cfg.sft_keys == {"max_grad_norm": 0.5, "adam_beta2": 0.95, "save_strategy": "epoch"}
    args = sft_args(cfg, tmp_path, 7, DevicePlan(device="cpu", precision="fp32", attn_implementation="sdpa"))
    assert (args.max_grad_norm, args.adam_beta2, args.save_strategy.value) == (0.5, 0.95, "epoch")
    # our own fields and their CPU-friendly defaults still decide the rest
    assert (args.max_steps, args.learning_rate, args.per_device_train_batch_size, args.optim.value) == (3, 1e-4, 2, "adamw_torch")
    assert (args.packing, args.padding_free, args.use_cpu, args.bf16, args.seed, args.data_seed) == (True, True, True, False, 7, 7)
    assert args.output_dir == str(tmp_path / "checkpoints") and args.report_to == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("train:\n  method: lora\n  num_train_epochs: 3\n", "run.yaml:3: train.num_train_epochs: set by train.epochs"),
        ("train:\n  bf16: true\n", "run.yaml:2: train.bf16: set by train.precision"),
        ("train:\n  max_grad_norm: abc\n", "run.yaml:2: train.max_grad_norm: Input should be a valid number"),
        ("train:\n  save_strategy: epoc\n", "run.yaml:2: train.save_strategy: 'epoc' is not one of"),
    ],
)
def test_passed_through_keys_are_checked_when_the_config_loads(tmp_path: Path, text: str, message: str) -> None:
    """A key our own field sets, or a value of the wrong type or outside TRL's choices, fails at load."""
    path = tmp_path / "run.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path.parent}/{message}")


def test_accelerate_configs_are_valid_yaml() -> None:
    import yaml

    kinds = {}
    for p in (REPO / "configs" / "train" / "accelerate").glob("*.yaml"):
        data = yaml.safe_load(p.read_text())
        kinds[p.stem] = (data["distributed_type"], (data.get("deepspeed_config") or {}).get("zero_stage"))
    assert kinds["zero2"] == ("DEEPSPEED", 2)
    assert kinds["zero3"] == ("DEEPSPEED", 3)
    assert kinds["fsdp"][0] == "FSDP"


# -- input data ------------------------------------------------------------------------------------


def test_reads_messages_and_skips_rejected_samples(tmp_path: Path, shared_data: Path) -> None:
    convs = tiny_messages(shared_data, 3)
    kept = [Sample(id=f"s{i}", source="codealpaca", messages=m) for i, m in enumerate(convs)]
    rejected = Sample(id="r", source="codealpaca", messages=convs[0])
    rejected.reject("length_filter", "short_response")
    for suffix in (".jsonl", ".parquet"):
        path = tmp_path / f"samples{suffix}"
        write_samples(path, [*kept, rejected])
        data = load_training_data(path)
        assert data.messages == convs
        assert (data.rows_read, data.skipped_rejected) == (4, 1)
    plain = write_messages(tmp_path / "mix.jsonl", convs)
    assert load_training_data(plain, max_samples=2).messages == convs[:2]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"text": "x"}, "no 'messages' field"),
        ({"messages": []}, "non-empty list"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role is 'robot'"),
        ({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": 3}]}, "messages[1].content"),
        ({"messages": [{"role": "user", "content": "q"}]}, "no non-empty assistant message"),
    ],
)
def test_bad_rows_name_file_line_and_problem(tmp_path: Path, row: dict, problem: str) -> None:
    good = {"messages": make_messages("q", "a")}
    path = tmp_path / "bad.jsonl"
    write_jsonl(path, [good, good, row])
    with pytest.raises(DataError) as err:
        load_training_data(path)
    assert err.value.line == 3
    assert problem in err.value.problem
    assert str(path) in str(err.value)


def test_missing_training_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="training file not found"):
        load_training_data(tmp_path / "nope.jsonl")


# -- chat templates ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def smol_tokenizer():
    from transformers import AutoTokenizer

    from alchemistcoder.llm.embedded import embedded_model_path

    return AutoTokenizer.from_pretrained(embedded_model_path())


def test_smollm2_training_template_renders_identically(smol_tokenizer, shared_data: Path) -> None:
    from alchemistcoder.train.chat_template import has_generation_markers, resolve_training_template

    assert not has_generation_markers(smol_tokenizer.chat_template)  # why we ship a twin
    template = resolve_training_template(smol_tokenizer, "auto")
    assert has_generation_markers(template)
    convs = tiny_messages(shared_data, 3)
    convs.append([{"role": "system", "content": "Be terse."}, *convs[0], *make_messages("And again?", "```python\nprint(1)\n```")])
    for messages in convs:
        for gen in (False, True):
            original = smol_tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen)
            ours = smol_tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen, chat_template=template)
            assert ours == original


def test_template_choices(smol_tokenizer, tmp_path: Path) -> None:
    from alchemistcoder.train.chat_template import resolve_training_template

    alpaca = resolve_training_template(smol_tokenizer, "alpaca")
    text = smol_tokenizer.apply_chat_template(make_messages("Add 1 and 2.", "3"), tokenize=False, chat_template=alpaca)
    assert text == "<|im_start|>### Instruction:\nAdd 1 and 2.\n\n### Response:\n3<|im_end|>\n\n"
    no_markers = tmp_path / "plain.jinja"
    no_markers.write_text("{% for m in messages %}{{ m['content'] }}{% endfor %}")
    with pytest.raises(ValueError, match="no \\{% generation %\\} markers"):
        resolve_training_template(smol_tokenizer, str(no_markers))
    with pytest.raises(ValueError, match="neither 'auto'"):
        resolve_training_template(smol_tokenizer, "nonexistent-template")


# -- launcher --------------------------------------------------------------------------------------


def test_launch_command_shapes() -> None:
    from alchemistcoder.train.commands import launch_command

    cmd = launch_command(Path("run.yaml"), ["train.max_steps=3"], "accelerate", 2, main_process_port=29999)
    assert cmd[1:3] == ["-m", "accelerate.commands.launch"]
    assert "--multi_gpu" in cmd
    assert cmd[cmd.index("--num_processes") + 1] == "2"
    tail = cmd[cmd.index("alchemistcoder.cli") :]
    assert tail == ["alchemistcoder.cli", "train", "run.yaml", "--launcher", "none", "--set", "train.max_steps=3"]
    ds = launch_command(Path("run.yaml"), [], "accelerate", 8, Path("configs/train/accelerate/zero3.yaml"), 29999)
    assert "--multi_gpu" not in ds
    assert ds[ds.index("--config_file") + 1] == "configs/train/accelerate/zero3.yaml"
    tr = launch_command(Path("run.yaml"), [], "torchrun", 4, main_process_port=29999)
    assert tr[1:5] == ["-m", "torch.distributed.run", "--nproc_per_node", "4"]


# -- run facts -------------------------------------------------------------------------------------


def test_run_facts_read_the_dtypes_off_the_model() -> None:
    import torch

    from alchemistcoder.train.model import DevicePlan
    from alchemistcoder.train.sft import run_facts

    # A bf16 base with fp32 adapters, as PEFT leaves a LoRA model under bf16 training.
    model = torch.nn.Sequential(torch.nn.Linear(4, 4).to(torch.bfloat16), torch.nn.Linear(4, 2))
    model[0].requires_grad_(False)
    facts = run_facts(model, DevicePlan("cpu", "bf16", "sdpa"), runtime_s=2.0, num_tokens=301.0)
    assert facts == {"trainable_dtype": "float32", "frozen_dtype": "bfloat16", "tokens_per_s": 150.5}
    model[1].to(torch.float16)
    assert run_facts(model, DevicePlan("cpu", "fp16", "sdpa"), 0.0, None)["trainable_dtype"] == "float16"
