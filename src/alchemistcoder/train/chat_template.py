"""Chat templates for training: the model's own, made to mark the assistant spans.

TRL's ``assistant_only_loss`` asks the tokenizer for an assistant-token mask, which Jinja templates only give
when they wrap the assistant content in ``{% generation %}...{% endgeneration %}``. Most shipped templates lack
these markers (SmolLM2's does), so we swap in a training twin that renders *exactly* the same text and adds the
markers (the end-of-turn token is inside the span, so the model learns to stop). The twin is written into the
saved checkpoint: markers are ignored at inference, so evaluation renders prompts identically.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

_TEMPLATES = resources.files("alchemistcoder.train") / "templates"

# The template SmolLM2-135M-Instruct ships with; "auto" swaps it for templates/smollm2.jinja.
SMOLLM2_ORIGINAL = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}"
    "{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

BUILTIN_TEMPLATES = ("smollm2", "alpaca")


def builtin_template(name: str) -> str:
    """The text of a shipped training template (``smollm2``, ``alpaca``)."""
    if name not in BUILTIN_TEMPLATES:
        raise ValueError(f"unknown chat template {name!r}; built-ins: {', '.join(BUILTIN_TEMPLATES)}")
    return (_TEMPLATES / f"{name}.jinja").read_text(encoding="utf-8").strip("\n")


def has_generation_markers(template: str) -> bool:
    """True when ``template`` marks assistant spans with ``{% generation %}``."""
    from trl.chat_template_utils import has_generation_markers as trl_has_markers

    return trl_has_markers(template)


def resolve_training_template(tokenizer: Any, choice: str = "auto") -> str:
    """Pick the chat template to train with (and save): one that has generation markers.

    ``choice`` is ``auto`` (the tokenizer's own template, patched by a known training twin when it lacks
    markers), a built-in name, or a path to a ``.jinja`` file.
    """
    if choice in BUILTIN_TEMPLATES:
        return builtin_template(choice)
    if choice != "auto":
        path = Path(choice)
        if not path.is_file():
            raise ValueError(f"train.chat_template: {choice!r} is neither 'auto', a built-in "
                             f"({', '.join(BUILTIN_TEMPLATES)}) nor an existing .jinja file")
        template = path.read_text(encoding="utf-8").strip("\n")
        if not has_generation_markers(template):
            raise ValueError(f"{path}: the template has no {{% generation %}} markers, so assistant tokens "
                             "cannot be told apart; wrap the assistant content in {% generation %}...{% endgeneration %}")
        return template

    template = tokenizer.chat_template
    if isinstance(template, dict):
        template = template.get("default")
    if not template:
        raise ValueError("the base model has no chat template (a base, not an instruct model?); "
                         "set train.chat_template to 'alpaca' or to a .jinja file")
    if has_generation_markers(template):
        return template
    # GGUF metadata carries the newlines inside the Jinja strings as real characters, the hub file as "\\n".
    if template.strip().replace("\n", "\\n") == SMOLLM2_ORIGINAL:
        return builtin_template("smollm2")
    from trl.chat_template_utils import get_training_chat_template

    try:
        patched = get_training_chat_template(tokenizer)
    except ValueError:
        patched = None
    if patched is None:
        raise ValueError("the model's chat template has no {% generation %} markers and no known training twin; "
                         "set train.chat_template to 'alpaca', a .jinja file with markers, or "
                         "train.assistant_only_loss to false")
    return patched
