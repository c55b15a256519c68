"""Token counts with the base model's tokenizer and chat template (batched, fast tokenizer).

`n_tokens` of a row is the length of ``tokenizer.apply_chat_template(messages, tokenize=True)``:
the chat template renders the conversation, and the fast (Rust) tokenizer encodes whole batches
of rendered texts at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any


class TokenizerError(RuntimeError):
    """The base tokenizer cannot be loaded or has no chat template."""


def load_tokenizer(name_or_path: str) -> Any:
    """`AutoTokenizer` for a local checkpoint folder or a hub id (hub ids only when online or
    cached; `trust_remote_code` stays off)."""
    from transformers import AutoTokenizer

    local = Path(name_or_path).is_dir()
    offline = local or os.environ.get("HF_HUB_OFFLINE") == "1"
    try:
        tokenizer = AutoTokenizer.from_pretrained(name_or_path, trust_remote_code=False,
                                                  local_files_only=offline)
    except (OSError, ValueError) as err:
        where = "local folder" if local else "hub id (not cached, or the hub is unreachable)"
        raise TokenizerError(f"cannot load the base tokenizer from {name_or_path!r} ({where}): "
                             f"{type(err).__name__}: {str(err).splitlines()[0]}") from None
    if not getattr(tokenizer, "chat_template", None):
        raise TokenizerError(f"the tokenizer of {name_or_path!r} has no chat template")
    return tokenizer


def render_chats(tokenizer: Any, conversations: list[list[dict[str, str]]]) -> list[str]:
    return [tokenizer.apply_chat_template(c, tokenize=False) for c in conversations]


def count_tokens(tokenizer: Any, conversations: list[list[dict[str, str]]],
                 batch_size: int = 1000, log: Callable[[str], None] = lambda _: None
                 ) -> list[int]:
    """Tokens of each conversation once the chat template is applied."""
    counts: list[int] = []
    for start in range(0, len(conversations), batch_size):
        texts = render_chats(tokenizer, conversations[start:start + batch_size])
        encoded = tokenizer(texts, add_special_tokens=False)["input_ids"]
        counts += [len(ids) for ids in encoded]
        log(f"token counts: {len(counts)}/{len(conversations)} rows")
    return counts
