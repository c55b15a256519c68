"""``sdpa_varlen``: per-row causal attention for packed batches on CPU (what FlashAttention-2's varlen
kernel does on a GPU), registered with transformers' `AttentionInterface`.

With plain ``"sdpa"`` a packed bin (rows whose position ids restart at 0, no attention mask, see
`luth_train.packing`) gets a block-diagonal causal mask over the whole bin, so every layer pays
``sequence_len``² attention although each row only attends to itself. ``sdpa_varlen`` instead
splits q/k/v at the row boundaries and runs causal SDPA per row:

* boundaries come from the position ids, by the rule transformers' block mask uses
  (`masking_utils.find_packed_sequence_indices`: a new row starts wherever the position id is not
  the previous one + 1). For `collate_packed` output (each row counts 0, 1, ... and the padding
  tail is a row of its own) this is the same split as FlashAttention's ``cu_seqlens``
  (`modeling_flash_attention_utils.prepare_fa_kwargs_from_position_ids`);
* rows of similar length are batched: sorted longest first, a group takes rows while the padded
  work (rows x longest²) stays within `GROUP_WASTE` of the real work. Shorter rows are
  right-padded; with causal attention a real query never sees the padding (it sits after the
  query), and the padded queries' outputs are dropped, so the result is exact.

Anything else (a 2D padding mask, i.e. padded batches; one row per sequence; a sliding window;
a KV cache) goes to transformers' own SDPA path unchanged; the mask function only skips building
the dense mask when there is no padding mask to honour.

`register()` makes the name known to transformers (idempotent); `luth_train.sft` selects it for
``attn_implementation: auto`` with ``sample_packing`` on machines without FlashAttention-2.
"""

from __future__ import annotations

NAME = "sdpa_varlen"
GROUP_WASTE = 1.3  # padded attention work allowed per group, relative to its rows' own work
Span = tuple[int, int, int]  # (sequence in the batch, start, length) of one packed row


def row_spans(position_ids) -> list[list[tuple[int, int]]]:  # noqa: ANN001
    """(start, length) of every packed row, per sequence of the batch."""
    import torch

    first = position_ids[:, :1] - 1
    starts = torch.diff(position_ids, prepend=first, dim=-1) != 1
    width = position_ids.shape[-1]
    spans = []
    for row_starts in starts.tolist():
        at = [i for i, s in enumerate(row_starts) if s] or [0]
        if at[0] != 0:
            at.insert(0, 0)
        ends = at[1:] + [width]
        spans.append([(a, e - a) for a, e in zip(at, ends, strict=True)])
    return spans


def group_spans(spans: list[Span], waste: float = GROUP_WASTE) -> list[list[Span]]:
    """Groups of rows, longest first, whose padded work (rows x longest²) stays within `waste`."""
    order = sorted(spans, key=lambda s: -s[2])
    groups: list[list[Span]] = []
    real = 0
    for span in order:
        n = span[2]
        if groups and (len(groups[-1]) + 1) * groups[-1][0][2] ** 2 <= waste * (real + n * n):
            groups[-1].append(span)
            real += n * n
        else:
            groups.append([span])
            real = n * n
    return groups


def _fallback(*args, **kwargs):
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    return sdpa_attention_forward(*args, **kwargs)


def sdpa_varlen_attention_forward(
    module,  # noqa: ANN001
    query,  # noqa: ANN001
    key,  # noqa: ANN001
    value,  # noqa: ANN001
    attention_mask,  # noqa: ANN001
    dropout: float = 0.0,
    scaling: float | None = None,
    **kwargs,
):
    """Same contract as `sdpa_attention_forward`: q (B, H, L, D), k/v (B, Hkv, L, D) -> (B, L, H, D)."""
    import torch
    import torch.nn.functional as F

    position_ids = kwargs.get("position_ids")
    batch, heads, length, dim = query.shape
    if (
        attention_mask is not None
        or position_ids is None
        or length <= 1
        or key.shape[2] != length
        or kwargs.get("sliding_window")
        or kwargs.get("position_bias") is not None
        or not getattr(module, "is_causal", True)
    ):
        return _fallback(module, query, key, value, attention_mask, dropout=dropout, scaling=scaling,
                         **kwargs)
    spans = row_spans(position_ids.expand(batch, -1))
    if all(len(s) == 1 for s in spans):
        return _fallback(module, query, key, value, None, dropout=dropout, scaling=scaling, **kwargs)

    kv_heads = key.shape[1]
    # token-major flat views: (B * L, heads, D)
    q = query.transpose(1, 2).reshape(batch * length, heads, dim)
    k = key.transpose(1, 2).reshape(batch * length, kv_heads, dim)
    v = value.transpose(1, 2).reshape(batch * length, kv_heads, value.shape[-1])
    outputs, order = [], []
    flat = [(b, start, n) for b, row in enumerate(spans) for start, n in row]
    for group in group_spans(flat):
        width = group[0][2]
        index = torch.tensor(
            [[b * length + start + min(i, n - 1) for i in range(width)] for b, start, n in group],
            device=query.device,
        )  # (G, width); padding repeats the row's last token (never seen by a real query)
        gq, gk, gv = (t[index].transpose(1, 2) for t in (q, k, v))  # (G, heads, width, D)
        out = F.scaled_dot_product_attention(
            gq, gk, gv, dropout_p=dropout, scale=scaling, is_causal=True, enable_gqa=kv_heads != heads
        ).transpose(1, 2)  # (G, width, heads, D)
        for g, (b, start, n) in enumerate(group):
            outputs.append(out[g, :n])
            order.append(torch.arange(b * length + start, b * length + start + n))
    packed = torch.cat(outputs)  # rows in group order
    inverse = torch.empty(batch * length, dtype=torch.long)
    inverse[torch.cat(order)] = torch.arange(batch * length)
    result = packed[inverse.to(query.device)].reshape(batch, length, heads, value.shape[-1])
    return result, None


def sdpa_varlen_mask(*args, **kwargs):
    """No dense mask when there is no padding mask and no window (the attention splits the rows
    itself); otherwise transformers' SDPA mask, as for ``"sdpa"``."""
    from transformers.masking_utils import sdpa_mask

    plain = (
        kwargs.get("attention_mask") is None
        and kwargs.get("local_size") is None
        and kwargs.get("q_offset", 0) == 0
        and kwargs.get("kv_offset", 0) == 0
        and kwargs.get("q_length") == kwargs.get("kv_length")
        and not kwargs.get("use_vmap")  # extra and/or mask functions: keep the dense mask
        and not args
    )
    return None if plain else sdpa_mask(*args, **kwargs)


def register() -> str:
    """Register ``sdpa_varlen`` with transformers (attention and mask); return the name."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface

    AttentionInterface.register(NAME, sdpa_varlen_attention_forward)
    AttentionMaskInterface.register(NAME, sdpa_varlen_mask)
    return NAME
