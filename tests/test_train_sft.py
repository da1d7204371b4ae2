"""SFT on the real embedded SmolLM2-135M: assistant-only labels, packing isolation, loss, LoRA merge, resume."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from alchemistcoder.records import make_messages
from alchemistcoder.train.config import TrainConfig
from test_train import tiny_messages, write_messages

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model_path() -> str:
    from alchemistcoder.llm.embedded import embedded_model_path

    return str(embedded_model_path())


def test_labels_are_exactly_the_assistant_spans_in_packed_batches(tmp_path: Path, shared_data: Path, model_path: str) -> None:
    """Decode the labels of real tokenized, packed, collated examples: only assistant text (+ end of turn)."""
    from alchemistcoder.train.data import TrainingData
    from alchemistcoder.train.sft import build_trainer

    convs = tiny_messages(shared_data, 3)
    multi = [{"role": "system", "content": "Answer with code only."}, *convs[0],
             *make_messages("Now in JavaScript.", "console.log([1, 2]);")]
    convs.append(multi)
    data = TrainingData(messages=convs, rows_read=4, skipped_rejected=0)
    cfg = TrainConfig(model=model_path, max_length=512, per_device_batch_size=4, max_steps=1)
    trainer = build_trainer(data, cfg, tmp_path)
    tok = trainer.processing_class

    batch = trainer.data_collator([trainer.train_dataset[i] for i in range(len(trainer.train_dataset))])
    # Padding-free packing: one flat row, no attention mask, position_ids restart at every sample.
    assert "attention_mask" not in batch
    ids, labels, pos = batch["input_ids"][0], batch["labels"][0], batch["position_ids"][0]
    starts = [*(pos == 0).nonzero().flatten().tolist(), len(pos)]
    assert len(starts) - 1 == len(convs)

    spans, prompts = [], []
    for a, b in itertools.pairwise(starts):
        seg_ids, seg_labels = ids[a:b].tolist(), labels[a:b].tolist()
        current: list[int] = []
        for tid, lab in zip(seg_ids, seg_labels, strict=True):
            if lab != -100:
                assert lab == tid
                current.append(tid)
            elif current:
                spans.append(tok.decode(current))
                current = []
        if current:
            spans.append(tok.decode(current))
        prompts.append(tok.decode([t for t, lab in zip(seg_ids, seg_labels, strict=True) if lab == -100]))
    expected = [m["content"] + "<|im_end|>" for c in convs for m in c if m["role"] == "assistant"]
    assert sorted(spans) == sorted(expected)
    # and every non-assistant token stayed out of the loss
    for c in convs:
        for m in c:
            if m["role"] != "assistant":
                assert any(m["content"] in p for p in prompts)
            else:
                assert not any(m["content"] in p for p in prompts)


def test_packed_samples_do_not_attend_to_each_other(shared_data: Path, model_path: str) -> None:
    """One packed row with restarting position_ids gives the same logits as each sample alone, under both
    stock sdpa (block-diagonal mask from position_ids) and sdpa_varlen (per-sample SDPA from cu_seq_lens)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from alchemistcoder.train.attention import register

    tok = AutoTokenizer.from_pretrained(model_path)
    model = AutoModelForCausalLM.from_pretrained(model_path, attn_implementation="sdpa").eval()
    a, b = (tok.apply_chat_template(m, tokenize=True, return_dict=True)["input_ids"] for m in tiny_messages(shared_data, 2))
    packed = torch.tensor([a + b])
    restart = torch.tensor([list(range(len(a))) + list(range(len(b)))])
    cu = torch.tensor([0, len(a), len(a) + len(b)], dtype=torch.int32)
    with torch.no_grad():
        alone_b = model(torch.tensor([b]), use_cache=False).logits[0]
        packed_b = model(packed, position_ids=restart, use_cache=False).logits[0, len(a):]
        leaked_b = model(packed, use_cache=False).logits[0, len(a):]  # plain causal: b sees a
        model.set_attn_implementation(register())
        varlen = model(packed, position_ids=restart, cu_seq_lens_q=cu, cu_seq_lens_k=cu, use_cache=False).logits[0]
        varlen_alone_b = model(torch.tensor([b]), use_cache=False).logits[0]  # no boundaries: stock sdpa path
    assert torch.allclose(packed_b, alone_b, atol=1e-4)
    assert not torch.allclose(leaked_b, alone_b, atol=1e-2)  # the check can fail: cross-attention changes logits
    assert torch.allclose(varlen[len(a):], alone_b, atol=1e-4)
    assert torch.allclose(varlen[: len(a)], model(torch.tensor([a]), use_cache=False).logits[0], atol=1e-4)
    assert torch.allclose(varlen_alone_b, alone_b, atol=1e-5)


def test_tiny_full_finetune_loss_goes_down_and_checkpoint_is_complete(tmp_path: Path, shared_data: Path, model_path: str) -> None:
    from transformers import AutoTokenizer

    from alchemistcoder.train.sft import read_train_log, run_train

    # Two short samples packed into one row: every step sees the same batch, so the loss must fall fast.
    train_file = write_messages(tmp_path / "mix.jsonl", tiny_messages(shared_data, 2, max_chars=120))
    cfg = TrainConfig(model=model_path, max_length=192, per_device_batch_size=1, max_steps=5, epochs=100,
                      learning_rate=3e-4, lr_scheduler="constant", warmup_ratio=0.0, save_steps=1000)
    result = run_train(train_file, cfg, tmp_path / "out")

    assert result.steps == [1, 2, 3, 4, 5]
    assert len(result.losses) == 5
    assert result.losses[-1] < 0.6 * result.losses[0], result.losses
    assert [r["loss"] for r in read_train_log(result.log_path)] == result.losses
    assert json.loads((tmp_path / "out" / "train_result.json").read_text())["global_step"] == 5
    assert result.attn_implementation == "sdpa_varlen"

    model_dir = Path(result.checkpoint_dir)
    assert (model_dir / "model.safetensors").is_file()
    saved = AutoTokenizer.from_pretrained(model_dir)
    assert "{% generation %}" in saved.chat_template  # the training template travels with the model
    assert (result.device, result.precision) == ("cpu", "fp32")
    assert result.extra["trainable_dtype"] == "float32" and result.extra["frozen_dtype"] is None  # full fine-tune
    assert result.extra["tokens_per_s"] == round(result.num_tokens / result.train_runtime_s, 1) > 0


def test_lora_resume_and_merge(tmp_path: Path, shared_data: Path, model_path: str) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from alchemistcoder.train.sft import run_train

    train_file = write_messages(tmp_path / "mix.jsonl", tiny_messages(shared_data, 4, skip=10))
    out = tmp_path / "lora"
    base = dict(model=model_path, method="lora", lora_r=8, max_length=128, per_device_batch_size=1, epochs=100,
                learning_rate=1e-3, warmup_ratio=0.0, save_steps=1, merge_lora=False)
    first = run_train(train_file, TrainConfig(**base, max_steps=1), out)
    assert first.global_step == 1 and first.resumed_from is None
    assert (out / "checkpoints" / "checkpoint-1").is_dir()

    second = run_train(train_file, TrainConfig(**{**base, "merge_lora": True}, max_steps=2), out)
    assert second.resumed_from is not None and second.resumed_from.endswith("checkpoint-1")
    assert second.global_step == 2
    assert second.steps == [1, 2]  # the log continues across the resume
    assert (second.extra["trainable_dtype"], second.extra["frozen_dtype"]) == ("float32", "float32")

    merged_dir = Path(second.checkpoint_dir)
    assert merged_dir == out / "model" and (out / "adapter" / "adapter_config.json").is_file()
    merged = AutoModelForCausalLM.from_pretrained(merged_dir).eval()
    assert not any("lora" in n for n, _ in merged.named_parameters())
    with_adapter = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(model_path), str(out / "adapter")).eval()
    plain = AutoModelForCausalLM.from_pretrained(model_path).eval()
    ids = torch.tensor([[1, 416, 2011, 314, 253, 1789, 30]])
    with torch.no_grad():
        got, want, before = merged(ids).logits, with_adapter(ids).logits, plain(ids).logits
    assert torch.allclose(got, want, atol=1e-3)
    assert not torch.allclose(got, before, atol=1e-3)  # the adapter changed something


def test_warmup_ratio_is_passed_as_a_ratio_of_the_total_steps(tmp_path):
    """train.warmup_ratio reaches the trainer as warmup_steps < 1, which transformers reads as a ratio only
    from version 5 on: the declared lower bound says so, and the installed version does it."""
    import math
    import re

    from packaging.version import Version

    from alchemistcoder.train.config import TrainConfig
    from alchemistcoder.train.model import DevicePlan
    from alchemistcoder.train.sft import sft_args

    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    lower = re.search(r'"transformers>=([0-9.]+)"', pyproject).group(1)
    assert Version(lower) >= Version("5.0")
    args = sft_args(TrainConfig(warmup_ratio=0.1), tmp_path, 0, DevicePlan(device="cpu", precision="fp32", attn_implementation="sdpa"))
    assert args.get_warmup_steps(200) == 20 == math.ceil(200 * 0.1)
