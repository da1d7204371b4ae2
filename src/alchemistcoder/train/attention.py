"""``sdpa_varlen``: attention over packed rows, one causal SDPA call per packed sample.

With padding-free packing TRL hands the model one flat row plus ``cu_seq_lens_q`` (sample boundaries) and
``position_ids`` that restart at every sample. flash_attention_2 uses the boundaries directly (varlen kernel).
Plain ``sdpa``/``eager`` in transformers 5 instead derive a block-diagonal causal mask from the restarting
``position_ids``: correct (no attention across samples) but dense, so a row of L tokens costs O(L²) attention
however short its samples are. This function gives CPUs (and GPUs without flash-attn) the varlen behaviour:
it slices the row at the boundaries and runs causal SDPA per sample, O(Σ lᵢ²). Anything that is not a packed
training row (padded batches, generation) goes to the stock ``sdpa`` path unchanged.
"""

from __future__ import annotations

import itertools
from typing import Any

NAME = "sdpa_varlen"


def sdpa_varlen_forward(
    module: Any,
    query: Any,
    key: Any,
    value: Any,
    attention_mask: Any,
    dropout: float = 0.0,
    scaling: float | None = None,
    **kwargs: Any,
) -> tuple[Any, None]:
    """Causal SDPA per packed sample when ``cu_seq_lens_q`` is given; stock SDPA otherwise."""
    import torch
    from transformers.integrations.sdpa_attention import repeat_kv, sdpa_attention_forward

    cu = kwargs.get("cu_seq_lens_q")
    if cu is None or query.shape[0] != 1 or query.shape[2] != key.shape[2] or int(cu[-1]) != query.shape[2]:
        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, **kwargs)
    groups = getattr(module, "num_key_value_groups", 1)
    if groups > 1:
        key, value = repeat_kv(key, groups), repeat_kv(value, groups)
    bounds = cu.tolist()
    parts = [
        torch.nn.functional.scaled_dot_product_attention(
            query[:, :, a:b], key[:, :, a:b], value[:, :, a:b], dropout_p=dropout, scale=scaling, is_causal=True
        )
        for a, b in itertools.pairwise(bounds)
        if b > a
    ]
    out = torch.cat(parts, dim=2)  # (1, heads, L, head_dim)
    return out.transpose(1, 2).contiguous(), None


def register() -> str:
    """Make ``attn_implementation="sdpa_varlen"`` loadable (idempotent); returns the name."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

    AttentionInterface.register(NAME, sdpa_varlen_forward)
    # The mask builder of sdpa, so padded batches and generation keep their padding/causal masks.
    AttentionMaskInterface.register(NAME, sdpa_mask)
    return NAME
