"""Batched log-likelihood of continuations, the way lm-eval's HFLM computes it.

Tokenisation follows lm-eval exactly (trailing context spaces move to the continuation; the
continuation's tokens are those of `context + continuation` past the context's tokens; the
tokenizer's own special-token default), so accuracies match lm-eval's on the same prompts. What
differs is speed: choices after one context run the context once and reuse its key/value cache;
requests that read the same tokens (one-token choices) share one forward pass; batches are sorted
by length; only the continuation positions go through the LM head.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from luth_train.evaluation.model_io import LoadedModel


@dataclass(frozen=True)
class Encoded:
    context: list[int]
    continuation: list[int]


def encode_pair(tokenizer, context: str, continuation: str) -> Encoded:
    n_spaces = len(context) - len(context.rstrip())
    if n_spaces:
        continuation = context[-n_spaces:] + continuation
        context = context[:-n_spaces]
    whole = tokenizer(context + continuation).input_ids
    ctx = tokenizer(context).input_ids
    if not ctx:
        raise ValueError("empty context: every multiple-choice prompt has some text")
    return Encoded(ctx, whole[len(ctx) :])


def _independent_logliks(
    lm: LoadedModel,
    encoded: Sequence[Encoded],
    *,
    batch_size: int = 8,
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[float, bool]]:
    """Each request scored on its own sequence (requests reading identical tokens share a row)."""
    import torch

    # What the model reads for each request: (context + continuation)[-(max_length + 1):][:-1].
    seqs = [tuple((e.context + e.continuation)[-(lm.max_length + 1) :][:-1]) for e in encoded]
    # Requests that read the same tokens (one-token choices after one context, e.g. MMLU's " A"..." D")
    # share one forward pass.
    unique: dict[tuple[int, ...], list[int]] = {}
    for i, seq in enumerate(seqs):
        unique.setdefault(seq, []).append(i)
    order = sorted(unique, key=lambda s: -len(s))
    results: list[tuple[float, bool] | None] = [None] * len(seqs)
    pad_id = lm.tokenizer.pad_token_id or 0
    head = lm.model.get_output_embeddings()
    softcap = getattr(lm.model.config, "final_logit_softcapping", None)
    done = 0
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        width = len(batch[0])
        # Right padding: a causal model's outputs at real positions do not depend on the padding
        # after them, so no attention mask is needed (lm-eval does the same).
        ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = torch.tensor(seq)
        rows_pos: list[tuple[int, int, list[int]]] = []  # (row, request, positions)
        for row, seq in enumerate(batch):
            for i in unique[seq]:
                n = len(encoded[i].continuation)
                rows_pos.append((row, i, list(range(len(seq) - n, len(seq)))))
        with torch.inference_mode():
            if softcap is None and head is not None:
                hidden = lm.model.base_model(input_ids=ids.to(lm.device), use_cache=False).last_hidden_state
                flat_rows = torch.tensor([r for r, _, pos in rows_pos for _ in pos])
                flat_pos = torch.tensor([p for _, _, pos in rows_pos for p in pos])
                logits = head(hidden[flat_rows.to(lm.device), flat_pos.to(lm.device)])
            else:
                full = lm.model(input_ids=ids.to(lm.device), use_cache=False).logits
                logits = torch.cat([full[r, pos] for r, _, pos in rows_pos]) if rows_pos else full[:0, 0]
        logprobs = torch.log_softmax(logits.float(), dim=-1).cpu()
        offset = 0
        for _, i, pos in rows_pos:
            n = len(pos)
            lp = logprobs[offset : offset + n]
            offset += n
            target = torch.tensor(encoded[i].continuation[-n:] if n else [], dtype=torch.long)
            total = lp.gather(-1, target[:, None]).sum().item() if n else 0.0
            greedy = bool((lp.argmax(-1) == target).all().item()) if n else True
            results[i] = (float(total), greedy)
        done += sum(len(unique[s]) for s in batch)
        if progress:
            progress(done, len(seqs))
    return [r for r in results if r is not None]


def _cache_kwarg(model) -> str:
    """`cache` in recent transformers, `past_key_values` before."""
    import inspect

    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def _shared_context_logliks(
    lm: LoadedModel, groups: Sequence[tuple[list[int], list[list[int]]]], *, batch_size: int
) -> list[list[tuple[float, bool]]]:
    """Choices after one context: the context runs once, its key/value cache is copied to each
    choice, then the choices' tokens run together. Same numbers as scoring each sequence whole."""
    import torch

    pad_id = lm.tokenizer.pad_token_id or 0
    out: list[list[tuple[float, bool]]] = [[] for _ in groups]
    order = sorted(range(len(groups)), key=lambda g: -len(groups[g][0]))
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        width = max(len(groups[g][0]) for g in batch)
        ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, g in enumerate(batch):
            ctx = groups[g][0]
            ids[row, width - len(ctx) :] = torch.tensor(ctx)
            mask[row, width - len(ctx) :] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        dev = lm.device
        with torch.inference_mode():
            first = lm.model(
                input_ids=ids.to(dev),
                attention_mask=mask.to(dev),
                position_ids=positions.to(dev),
                use_cache=True,
                logits_to_keep=1,
            )
            first_lp = torch.log_softmax(first.logits[:, -1, :].float(), dim=-1).cpu()
            rows = [(row, g, cont) for row, g in enumerate(batch) for cont in groups[g][1]]
            longest = max(len(cont) for _, _, cont in rows) - 1
            rest_lp = None
            if longest > 0:
                cache = first.cache if getattr(first, "cache", None) is not None else first.past_key_values
                cache.batch_select_indices(torch.tensor([row for row, _, _ in rows], device=dev))
                ids2 = torch.full((len(rows), longest), pad_id, dtype=torch.long)
                mask2 = torch.zeros((len(rows), longest), dtype=torch.long)
                for r, (_, _, cont) in enumerate(rows):
                    ids2[r, : len(cont) - 1] = torch.tensor(cont[:-1], dtype=torch.long)
                    mask2[r, : len(cont) - 1] = 1
                ctx_len = torch.tensor([len(groups[g][0]) for _, g, _ in rows])
                pos2 = ctx_len[:, None] + torch.arange(longest)[None, :]
                full_mask = torch.cat([mask[[row for row, _, _ in rows]], mask2], dim=1)
                second = lm.model(
                    input_ids=ids2.to(dev),
                    attention_mask=full_mask.to(dev),
                    position_ids=pos2.to(dev),
                    **{_cache_kwarg(lm.model): cache},
                    use_cache=True,
                )
                rest_lp = torch.log_softmax(second.logits.float(), dim=-1).cpu()
        for r, (row, g, cont) in enumerate(rows):
            target = torch.tensor(cont, dtype=torch.long)
            lp = first_lp[row][None, :]
            if len(cont) > 1:
                lp = torch.cat([lp, rest_lp[r, : len(cont) - 1]], dim=0)
            total = lp.gather(-1, target[:, None]).sum().item()
            greedy = bool((lp.argmax(-1) == target).all().item())
            out[g].append((float(total), greedy))
    return out


def continuation_logliks(
    lm: LoadedModel,
    requests: Sequence[tuple[str, str]],
    *,
    batch_size: int = 8,
    progress: Callable[[int, int], None] | None = None,
    share_context: bool = True,
) -> list[tuple[float, bool]]:
    """(sum of log-probabilities, greedy?) of each continuation given its context."""
    encoded = [encode_pair(lm.tokenizer, c, x) for c, x in requests]
    results: list[tuple[float, bool] | None] = [None] * len(encoded)
    # Choices sharing a context, none of them truncated, none of them a one-token choice (those
    # already share one row below): scored through one run of the context.
    groups: dict[tuple[int, ...], list[int]] = {}
    if share_context and getattr(lm.model, "_supports_cache_class", True):
        for i, e in enumerate(encoded):
            if len(e.context) + len(e.continuation) <= lm.max_length + 1 and len(e.continuation) > 1:
                groups.setdefault(tuple(e.context), []).append(i)
        groups = {ctx: members for ctx, members in groups.items() if len(members) > 1}
    shared = [i for members in groups.values() for i in members]
    if groups:
        try:
            scored = _shared_context_logliks(
                lm,
                [(list(ctx), [encoded[i].continuation for i in members]) for ctx, members in groups.items()],
                batch_size=max(1, batch_size // 4),
            )
        except (AttributeError, NotImplementedError, TypeError):
            # a model whose cache cannot be copied per choice: score every sequence whole instead
            groups, scored = {}, []
        for members, values in zip(groups.values(), scored, strict=True):
            for i, value in zip(members, values, strict=True):
                results[i] = value
        if progress and groups:
            progress(len(shared), len(encoded))
    rest = [i for i in range(len(encoded)) if results[i] is None]
    if rest:
        values = _independent_logliks(
            lm, [encoded[i] for i in rest], batch_size=batch_size, progress=progress
        )
        for i, value in zip(rest, values, strict=True):
            results[i] = value
    return [r for r in results if r is not None]
