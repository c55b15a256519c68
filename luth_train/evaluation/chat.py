"""What the model reads: the protocol's query through the chat template, as lighteval 0.10 builds it.

With a system prompt, lighteval 0.10 puts `system_prompt + instruction` in the system turn and the
rest of the query in the user turn (`PromptManager.get_examples`); without one, the whole query is
the user turn. The chat template is applied with the generation prompt and `enable_thinking`
(what the authors' patch of lighteval passes; Qwen3's template writes an empty think block when it
is false, and templates that do not know the variable ignore it). Log-likelihood continuations
follow this string; generations start after it.
"""

from __future__ import annotations

THINK_END = "</think>"


class ChatTemplateError(ValueError):
    """The protocol asks for the chat template and the tokenizer has none."""


def chat_messages(query: str, instruction: str, system_prompt: str | None) -> list[dict[str, str]]:
    instruction = instruction or ""
    content = query[len(instruction) :] if instruction and query.startswith(instruction) else query
    if instruction and not query.startswith(instruction):
        instruction = ""  # lighteval refuses such a doc; ours keep the whole query in the user turn
    if system_prompt is not None:
        return [
            {"role": "system", "content": system_prompt + instruction},
            {"role": "user", "content": content},
        ]
    return [{"role": "user", "content": instruction + content}]


def model_input(
    tokenizer,
    query: str,
    instruction: str = "",
    *,
    use_chat_template: bool = True,
    system_prompt: str | None = None,
    enable_thinking: bool = False,
    model_name: str = "the model",
) -> str:
    """The exact string the model reads for one item."""
    if not use_chat_template:
        return (system_prompt or "") + query
    if not getattr(tokenizer, "chat_template", None):
        raise ChatTemplateError(
            f"{model_name}: the tokenizer has no chat template, and evaluation.use_chat_template is "
            "on (the authors' protocol applies it on every task); give a tokenizer with a chat "
            "template, or set use_chat_template: false"
        )
    return tokenizer.apply_chat_template(
        chat_messages(query, instruction, system_prompt),
        tokenize=False,
        add_generation_prompt=True,
        enable_thinking=enable_thinking,
    )


def final_answer(response: str, enable_thinking: bool) -> str | None:
    """The part of a response that is scored: all of it without thinking; with thinking, the text
    after the last `</think>` (None when the thinking never ended: no answer)."""
    if not enable_thinking:
        return response
    if THINK_END not in response:
        return None
    return response.rsplit(THINK_END, 1)[1].strip()
