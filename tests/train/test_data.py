from __future__ import annotations

import pytest

from luth_train.data import IGNORE_INDEX, tokenize_messages, tokenize_rows

CONVERSATION = [
    {"role": "system", "content": "Tu es un assistant utile."},
    {"role": "user", "content": "Quelle est la capitale de la France ?"},
    {"role": "assistant", "content": "La capitale de la France est Paris."},
    {"role": "user", "content": "Et celle de l'Italie ?"},
    {"role": "assistant", "content": "C'est Rome."},
]


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


def trained_spans(row):
    spans, cur = [], []
    for tok, lab in zip(row.input_ids, row.labels, strict=True):
        if lab != IGNORE_INDEX:
            assert lab == tok
            cur.append(tok)
        elif cur:
            spans.append(cur)
            cur = []
    if cur:
        spans.append(cur)
    return spans


def test_trained_spans_are_exactly_the_assistant_turns(tokenizer):
    row = tokenize_messages(tokenizer, CONVERSATION)
    full = tokenizer.apply_chat_template(CONVERSATION, tokenize=False)
    assert tokenizer.decode(row.input_ids) == full
    decoded = [tokenizer.decode(s) for s in trained_spans(row)]
    assert decoded == [m["content"] + "<|im_end|>" for m in CONVERSATION if m["role"] == "assistant"]


def test_train_on_inputs_labels_everything_but_the_first_token(tokenizer):
    row = tokenize_messages(tokenizer, CONVERSATION, train_on_inputs=True)
    assert row.labels[0] == IGNORE_INDEX and row.labels[1:] == row.input_ids[1:]


def test_bad_rows_are_rejected_with_a_reason(tokenizer):
    rows = [
        {"sample_id": "ok", "messages": CONVERSATION},
        {"sample_id": "no-answer", "messages": CONVERSATION[:2]},
        {"sample_id": "bad-role", "messages": [{"role": "robot", "content": "x"}]},
        {"sample_id": "long", "messages": CONVERSATION * 20},
    ]
    out = tokenize_rows(tokenizer, rows, sequence_len=256)
    assert [r.sample_id for r in out.kept] == ["ok"]
    reasons = {r["sample_id"]: r["reason"] for r in out.rejected}
    assert set(reasons) == {"no-answer", "bad-role", "long"}
    assert "assistant" in reasons["no-answer"] and "robot" in reasons["bad-role"]
    assert "sequence_len" in reasons["long"]
