"""SFT rows -> token ids and labels, with the loss on assistant turns only.

Each row is a ``messages`` list (``[{"role": ..., "content": ...}, ...]``). It is rendered once with
the tokenizer's own chat template, tokenised with character offsets, and every token outside an
assistant turn's content (plus that turn's end-of-turn token) gets label -100. The first token of a
row is always -100: nothing in the row predicts it, so packed and unpacked rows train on exactly the
same targets.

Rows that cannot be used are returned as rejects with a reason, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

IGNORE_INDEX = -100
ROLES = ("system", "user", "assistant", "tool")


@dataclass
class TokenizedRow:
    input_ids: list[int]
    labels: list[int]
    row_index: int = -1
    sample_id: str | None = None

    def __len__(self) -> int:
        return len(self.input_ids)

    @property
    def num_trained_tokens(self) -> int:
        return sum(1 for x in self.labels if x != IGNORE_INDEX)


@dataclass
class TokenizedRows:
    kept: list[TokenizedRow] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)  # row_index, sample_id, reason


def _check_messages(messages: Any) -> str | None:
    if not isinstance(messages, (list, tuple)) or not messages:
        return "messages is empty or not a list"
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or "role" not in m or "content" not in m:
            return f"message {i} lacks role/content"
        if m["role"] not in ROLES:
            return f"message {i} has unknown role {m['role']!r}"
        if not isinstance(m["content"], str):
            return f"message {i} content is not a string"
    if not any(m["role"] == "assistant" and m["content"].strip() for m in messages):
        return "no non-empty assistant turn"
    return None


def _render(tokenizer, messages, add_generation_prompt: bool = False) -> str:
    return tokenizer.apply_chat_template(
        list(messages), tokenize=False, add_generation_prompt=add_generation_prompt
    )


def end_of_turn_token(tokenizer) -> str:
    """The token that closes an assistant turn: ``<|im_end|>`` for Qwen/LFM2-style templates,
    else the tokenizer's eos token."""
    vocab = tokenizer.get_vocab()
    for candidate in ("<|im_end|>", "<|eot_id|>", "<end_of_turn>"):
        if candidate in vocab:
            return candidate
    if tokenizer.eos_token is None:
        raise ValueError("tokenizer has neither <|im_end|> nor an eos token to close assistant turns")
    return tokenizer.eos_token


def assistant_char_spans(tokenizer, messages: Sequence[dict[str, str]]) -> tuple[str, list[tuple[int, int]]]:
    """Render `messages`; return the text and the [start, end) character spans of each assistant
    turn's content followed by its end-of-turn token."""
    text = _render(tokenizer, messages)
    eot = end_of_turn_token(tokenizer)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        # Start searching after the rendered prompt when the template renders prefixes
        # consistently (true for most templates); otherwise after the previous span.
        prefix = _render(tokenizer, messages[:i], add_generation_prompt=True) if i else ""
        if prefix and text.startswith(prefix):
            cursor = max(cursor, len(prefix))
        content = m["content"]
        start = text.find(content, cursor) if content else cursor
        if start < 0:
            stripped = content.strip()
            start = text.find(stripped, cursor)
            if start < 0:
                raise ValueError(f"assistant turn {i} content not found in the rendered template")
            content = stripped
        end_content = start + len(content)
        eot_at = text.find(eot, end_content)
        if eot_at < 0 or text[end_content:eot_at].strip():
            # template adds no end token right after the content (e.g. it was truncated)
            end = end_content
        else:
            end = eot_at + len(eot)
        spans.append((start, end))
        cursor = end
    return text, spans


def tokenize_messages(
    tokenizer, messages: Sequence[dict[str, str]], *, train_on_inputs: bool = False
) -> TokenizedRow:
    """Render one conversation with the chat template; labels only on assistant spans."""
    text, spans = assistant_char_spans(tokenizer, messages)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = list(enc["input_ids"])
    labels = [IGNORE_INDEX] * len(ids)
    span_i = 0
    for t, (s, e) in enumerate(enc["offset_mapping"]):
        if train_on_inputs:
            labels[t] = ids[t]
            continue
        while span_i < len(spans) and spans[span_i][1] <= s:
            span_i += 1
        if span_i < len(spans) and spans[span_i][0] <= s < spans[span_i][1] and e > s:
            labels[t] = ids[t]
    if labels:
        labels[0] = IGNORE_INDEX
    return TokenizedRow(input_ids=ids, labels=labels)


def tokenize_rows(
    tokenizer,
    rows: Iterable[Sequence[dict[str, str]] | dict[str, Any]],
    *,
    sequence_len: int,
    train_on_inputs: bool = False,
) -> TokenizedRows:
    """Tokenise many rows (``messages`` lists, or dicts with ``messages`` and optional
    ``sample_id``); rows longer than `sequence_len` or without trainable tokens are rejected."""
    out = TokenizedRows()
    for idx, row in enumerate(rows):
        sample_id = None
        messages = row
        if isinstance(row, dict):
            messages = row.get("messages")
            sample_id = row.get("sample_id")
        if messages is not None and not isinstance(messages, (list, tuple)):
            messages = list(messages)  # numpy arrays / pyarrow lists
        reason = _check_messages(messages)
        if reason is None:
            try:
                tok = tokenize_messages(tokenizer, messages, train_on_inputs=train_on_inputs)
            except ValueError as exc:
                reason = str(exc)
            else:
                if len(tok) > sequence_len:
                    reason = f"{len(tok)} tokens > sequence_len {sequence_len}"
                elif tok.num_trained_tokens == 0:
                    reason = "no trainable token after masking"
        if reason is not None:
            out.rejected.append({"row_index": idx, "sample_id": sample_id, "reason": reason})
            continue
        tok.row_index, tok.sample_id = idx, sample_id
        out.kept.append(tok)
    return out


def load_message_rows(paths: Sequence[str]) -> list[dict[str, Any]]:
    """Read rows with a ``messages`` column from Parquet/JSONL files, folders or globs of them, or
    an ``hf://datasets/...`` glob on the hub (the published Luth-SFT: `luth_train.sft_dataset`)."""
    import json
    from pathlib import Path

    from luth_train.sft_dataset import is_hub, resolve_dataset_files

    files = [f for p in paths for f in resolve_dataset_files(str(p))]
    rows: list[dict[str, Any]] = []
    for f in files:
        if f.endswith(".parquet"):
            import pyarrow.parquet as pq

            if is_hub(f):
                from huggingface_hub import HfFileSystem

                with HfFileSystem().open(f.removeprefix("hf://"), "rb") as fh:
                    table = pq.read_table(fh)
            else:
                table = pq.read_table(f)
            if "messages" not in table.column_names:
                raise ValueError(f"{f}: no `messages` column (has {table.column_names})")
            rows += table.to_pylist()
        else:
            for n, line in enumerate(Path(f).read_text(encoding="utf-8").splitlines(), 1):
                if line.strip():
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise ValueError(f"{f}:{n}: not valid JSON: {exc}") from exc
                    rows.append(row)
    return rows
