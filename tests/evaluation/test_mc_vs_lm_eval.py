"""Multiple-choice accuracy of our log-likelihood scoring equals lm-eval's on the same items,
prompts and tiny model (lm-eval run here with a local task YAML and HFLM, offline). Both read the
protocol's query and targets without chat template: this compares the scoring, not the prompt."""

from __future__ import annotations

import json

import pytest

from luth_train.evaluation.items import load_items
from luth_train.evaluation.lm_eval_reference import load_hflm, run_reference
from luth_train.evaluation.registry import get_spec
from luth_train.evaluation.runner import EvalOptions, score_multiple_choice

from .conftest import DEMO_BENCHMARKS, shared_spec


@pytest.fixture(scope="module")
def hflm(tiny_model_dir):
    return load_hflm(str(tiny_model_dir), batch_size=4)


def _items(shared_data):
    items = load_items(shared_spec(shared_data, "arc_challenge_en"), limit=16)
    items += load_items(shared_spec(shared_data, "mmlu_fr"), limit=12)
    items += load_items(
        get_spec("hellaswag_en").with_source(path=str(DEMO_BENCHMARKS / "hellaswag_en.jsonl"))
    )
    return items


PLAIN = {"use_chat_template": False, "system_prompt": None, "num_runs": 1}


def test_accuracy_and_logliks_match_lm_eval(shared_data, tiny_lm, hflm, tmp_path):
    items = _items(shared_data)
    rows = score_multiple_choice(tiny_lm, items, EvalOptions(batch_size=5, **PLAIN))
    ref = run_reference(hflm, items, tmp_path / "task")
    ours_acc = [json.loads(r["details"])["acc"] for r in rows]
    ours_norm = [json.loads(r["details"])["acc_norm"] for r in rows]
    assert len(ref.acc) == len(items)
    assert ours_acc == ref.acc
    assert ours_norm == ref.acc_norm
    for row, ref_ll in zip(rows, ref.logliks, strict=True):
        assert row["choice_logliks"] == pytest.approx(ref_ll, abs=1e-3)
    # the tiny random model is not always right nor always wrong: the comparison means something
    assert 0 < sum(ours_acc) < len(items)


def test_batch_size_and_truncation_do_not_change_scores(shared_data, tiny_lm):
    from luth_train.evaluation.loglik import continuation_logliks
    from luth_train.evaluation.model_io import LoadedModel

    items = load_items(shared_spec(shared_data, "arc_challenge_en"), limit=6)
    one = score_multiple_choice(tiny_lm, items, EvalOptions(batch_size=1, **PLAIN))
    many = score_multiple_choice(tiny_lm, items, EvalOptions(batch_size=24, **PLAIN))
    for a, b in zip(one, many, strict=True):
        assert a["choice_logliks"] == pytest.approx(b["choice_logliks"], abs=1e-4)
    # the shared-context path (context run once, key/value cache reused) gives the per-sequence numbers
    requests = [(i["query"], c) for i in items for c in i["targets"]]
    shared = continuation_logliks(tiny_lm, requests, batch_size=8, share_context=True)
    alone = continuation_logliks(tiny_lm, requests, batch_size=8, share_context=False)
    assert [v for v, _ in shared] == pytest.approx([v for v, _ in alone], abs=1e-4)
    assert [g for _, g in shared] == [g for _, g in alone]
    # A context longer than the model's window is cut from the left; the continuation stays whole.
    short = LoadedModel(tiny_lm.name_or_path, tiny_lm.model, tiny_lm.tokenizer, tiny_lm.device, max_length=12)
    long_context = "Question : " + "le chat dort sur le canapé " * 20 + "\nRéponse :"
    ((full, _),) = continuation_logliks(short, [(long_context, " le cœur")])
    cut_context = tiny_lm.tokenizer.decode(tiny_lm.tokenizer(long_context).input_ids[-40:])
    assert full < 0
    ((other, _),) = continuation_logliks(short, [(cut_context, " le cœur")])
    assert full == pytest.approx(other, abs=1e-3)
