"""A tiny Qwen3-architecture base model for the demo and the tests.

`build_tiny_model` trains a byte-level BPE tokenizer on some text, wraps it as a Qwen-style
tokenizer (``<|im_start|>``/``<|im_end|>`` turns, ``<|endoftext|>`` as pad) with a Qwen-style chat
template, and saves a randomly initialised (seeded) ``Qwen3ForCausalLM`` beside it.
`pretrain_tiny_model` then gives it a short causal-LM pre-training so that it has something to
forget during SFT.

Torch, transformers and tokenizers are imported inside the functions so that importing this
module (from Dagster definitions, say) stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

ENDOFTEXT = "<|endoftext|>"
IM_START = "<|im_start|>"
IM_END = "<|im_end|>"
SPECIAL_TOKENS = (ENDOFTEXT, IM_START, IM_END)

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def train_tiny_tokenizer(texts: Sequence[str], vocab_size: int = 512):
    """Train a byte-level BPE tokenizer on `texts`; return a `PreTrainedTokenizerFast`."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    texts = [t for t in texts if isinstance(t, str) and t.strip()]
    if not texts:
        raise ValueError("build_tiny_model: `texts` is empty; the tokenizer needs some text")
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token=IM_END,
        pad_token=ENDOFTEXT,
        bos_token=None,
        unk_token=None,
        additional_special_tokens=[IM_START, IM_END],
        clean_up_tokenization_spaces=False,
        model_max_length=32768,
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def build_tiny_model(
    out_dir: str | Path,
    texts: list[str],
    *,
    vocab_size: int = 512,
    hidden_size: int = 64,
    num_layers: int = 2,
    num_heads: int = 4,
    num_kv_heads: int = 2,
    intermediate_size: int = 128,
    max_position_embeddings: int = 4096,
    seed: int = 0,
) -> Path:
    """Build and save a tiny randomly initialised Qwen3 model and its tokenizer; return `out_dir`.

    The folder loads offline with `AutoModelForCausalLM.from_pretrained(out_dir)` and
    `AutoTokenizer.from_pretrained(out_dir)`.
    """
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tiny_tokenizer(texts, vocab_size=vocab_size)
    if hidden_size % num_heads:
        raise ValueError(f"hidden_size={hidden_size} is not divisible by num_heads={num_heads}")
    if num_heads % num_kv_heads:
        raise ValueError(f"num_heads={num_heads} is not divisible by num_kv_heads={num_kv_heads}")
    config = Qwen3Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=intermediate_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=num_kv_heads,
        head_dim=hidden_size // num_heads,
        max_position_embeddings=max_position_embeddings,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=tokenizer.convert_tokens_to_ids(IM_END),
        pad_token_id=tokenizer.convert_tokens_to_ids(ENDOFTEXT),
        dtype="float32",
        use_cache=True,
    )
    torch.manual_seed(seed)
    model = Qwen3ForCausalLM(config)
    model.generation_config.pad_token_id = config.pad_token_id
    model.generation_config.eos_token_id = [config.eos_token_id, config.pad_token_id]
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    return out


def pretrain_tiny_model(
    model_dir: str | Path,
    texts: list[str],
    steps: int,
    *,
    sequence_len: int = 128,
    batch_size: int = 8,
    learning_rate: float = 3e-3,
    warmup_steps: int = 10,
    seed: int = 0,
    out_dir: str | Path | None = None,
) -> dict[str, float]:
    """Short causal-LM pre-training of the model in `model_dir` on `texts` (saved in place, or to
    `out_dir`). Texts are joined with ``<|endoftext|>`` and cut into `sequence_len` chunks.
    Returns ``{"first_loss", "last_loss", "steps"}`` (losses averaged over the first/last 10%)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model_dir = Path(model_dir)
    target = Path(out_dir) if out_dir is not None else model_dir
    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    model.train()

    eot = tokenizer.convert_tokens_to_ids(ENDOFTEXT)
    ids: list[int] = []
    for enc in tokenizer(list(texts), add_special_tokens=False)["input_ids"]:
        ids.extend(enc)
        ids.append(eot)
    n_chunks = len(ids) // sequence_len
    if n_chunks == 0:
        raise ValueError(
            f"pretrain_tiny_model: {len(ids)} tokens is less than one sequence of {sequence_len}"
        )
    data = torch.tensor(ids[: n_chunks * sequence_len]).view(n_chunks, sequence_len)

    opt = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)

    def lr_at(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, steps - warmup_steps)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    gen = torch.Generator().manual_seed(seed)
    losses: list[float] = []
    for _ in range(steps):
        idx = torch.randint(0, n_chunks, (min(batch_size, n_chunks),), generator=gen)
        batch = data[idx]
        out = model(input_ids=batch, labels=batch)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        losses.append(float(out.loss.detach()))
    model.eval()
    target.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(target, safe_serialization=True)
    tokenizer.save_pretrained(target)
    k = max(1, len(losses) // 10)
    return {
        "first_loss": sum(losses[:k]) / k if losses else float("nan"),
        "last_loss": sum(losses[-k:]) / k if losses else float("nan"),
        "steps": float(steps),
    }
