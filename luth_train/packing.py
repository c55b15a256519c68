"""Sample packing: several tokenised rows per sequence, each row attending only to itself.

`pack_rows` bin-packs rows into bins of at most `sequence_len` tokens (first-fit-decreasing).
`collate_packed` turns bins into tensors: ``input_ids``, ``labels`` and ``position_ids`` that restart
at 0 for every row (and for the padding tail), with **no** attention mask. Transformers reads the
restarting position ids as packed-sequence boundaries:

* with ``attn_implementation="sdpa"``/``"eager"`` (CPU) it builds a block-diagonal causal mask
  (``masking_utils.find_packed_sequence_indices``) over the whole bin; the model must be called
  with ``use_cache=False`` (a cache disables the detection);
* with ``"sdpa_varlen"`` (`luth_train.varlen_attention`, what ``auto`` picks for packed training
  without FlashAttention-2) it splits the bin at the same boundaries and attends per row;
* with ``"flash_attention_2"`` (CUDA, ``flash-attn`` installed) it calls the varlen kernel with
  ``cu_seqlens`` derived from the same position ids.

`tests/train/test_packing.py` proves the isolation: the loss of a packed batch equals the
token-weighted mean loss of the same rows run one by one. Models with non-attention token mixing
(e.g. LFM2's short convolutions) are **not** isolated by position ids; `packing_isolates` says so.

`collate_padded` is the unpacked baseline (right padding + 2D attention mask).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from luth_train.data import IGNORE_INDEX, TokenizedRow

# Architectures whose only token mixing is attention, so restarting position ids isolate rows.
ATTENTION_ONLY_MODEL_TYPES = {"qwen3", "qwen2", "llama", "mistral", "gemma", "gemma2", "gemma3_text", "phi3"}


def packing_isolates(model_type: str) -> bool:
    return model_type in ATTENTION_ONLY_MODEL_TYPES


def pack_lengths(lengths: Sequence[int], capacity: int) -> list[list[int]]:
    """First-fit-decreasing: return bins as lists of indices into `lengths`.

    Uses a sorted list of remaining capacities, so the "first fit" is the tightest bin that still
    has room (best-fit-decreasing), O(n log n)."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    bins: list[list[int]] = []
    free: list[tuple[int, int]] = []  # (remaining capacity, bin index), sorted
    for i in order:
        n = lengths[i]
        if n > capacity:
            raise ValueError(f"row {i} has {n} tokens > sequence_len {capacity}")
        if n <= 0:
            continue
        k = bisect.bisect_left(free, (n, -1))
        if k < len(free):
            room, b = free.pop(k)
            bins[b].append(i)
            bisect.insort(free, (room - n, b))
        else:
            bins.append([i])
            bisect.insort(free, (capacity - n, len(bins) - 1))
    return bins


@dataclass
class PackedBin:
    rows: list[TokenizedRow]

    @property
    def num_tokens(self) -> int:
        return sum(len(r) for r in self.rows)


def pack_rows(rows: Sequence[TokenizedRow], sequence_len: int) -> list[PackedBin]:
    bins = pack_lengths([len(r) for r in rows], sequence_len)
    return [PackedBin([rows[i] for i in b]) for b in bins]


def packing_efficiency(bins: Sequence[PackedBin], sequence_len: int) -> float:
    """Non-pad tokens / all tokens when every bin is padded to `sequence_len`."""
    if not bins:
        return 0.0
    return sum(b.num_tokens for b in bins) / (len(bins) * sequence_len)


def collate_packed(bins: Sequence[PackedBin], pad_token_id: int, pad_to: int | None = None) -> dict:
    """Tensors for a batch of bins. Every row's position ids start at 0; the padding tail is its
    own "row" (positions from 0, labels -100) so it never joins a real row's attention block."""
    import torch

    width = pad_to or max(b.num_tokens for b in bins)
    ids = torch.full((len(bins), width), pad_token_id, dtype=torch.long)
    labels = torch.full((len(bins), width), IGNORE_INDEX, dtype=torch.long)
    pos = torch.zeros((len(bins), width), dtype=torch.long)
    for b, packed in enumerate(bins):
        at = 0
        for row in packed.rows:
            n = len(row)
            ids[b, at : at + n] = torch.tensor(row.input_ids)
            labels[b, at : at + n] = torch.tensor(row.labels)
            pos[b, at : at + n] = torch.arange(n)
            at += n
        if at < width:
            pos[b, at:] = torch.arange(width - at)
    return {"input_ids": ids, "labels": labels, "position_ids": pos}


def collate_padded(rows: Sequence[TokenizedRow], pad_token_id: int) -> dict:
    """Unpacked baseline: one row per sequence, right-padded, with a 2D attention mask."""
    import torch

    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_token_id, dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE_INDEX, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for b, row in enumerate(rows):
        n = len(row)
        ids[b, :n] = torch.tensor(row.input_ids)
        labels[b, :n] = torch.tensor(row.labels)
        mask[b, :n] = 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask}


def causal_lm_loss_sum(model, batch: dict) -> tuple[torch.Tensor, int]:  # noqa: F821
    """Forward `batch`; return (sum of token losses over labelled targets, number of targets).

    Labels are shifted inside each sequence; with packing, the first token of every row is -100
    (see `luth_train.data`), so no row is trained to predict the next row's first token."""
    import torch.nn.functional as F

    labels = batch["labels"]
    inputs = {k: v for k, v in batch.items() if k != "labels"}
    logits = model(**inputs, use_cache=False).logits
    shift_logits = logits[:, :-1, :].float()
    shift_labels = labels[:, 1:]
    loss = F.cross_entropy(
        shift_logits.reshape(-1, shift_logits.size(-1)),
        shift_labels.reshape(-1),
        ignore_index=IGNORE_INDEX,
        reduction="sum",
    )
    return loss, int((shift_labels != IGNORE_INDEX).sum())
