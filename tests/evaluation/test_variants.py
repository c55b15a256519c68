"""The protocol's switchable details pinned against what the authors' pipeline does (kurakurai/Luth
configs/eval/eval_config.yaml, src/eval/{tasks,prompts,metrics}.py on lighteval 0.10.0), on rows
written here in the hub datasets' column layouts: the generation size override, HellaSwag-FR's
whole-reply exact match, GPQA's answer order, MMLU-EN's subject average, MATH-500's scoring."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from luth_train.evaluation.items import load_items
from luth_train.evaluation.protocol import PROTOCOLS, generation_size
from luth_train.evaluation.registry import get_spec
from luth_train.evaluation.runner import EvalOptions, evaluate_benchmark, item_doc, score_responses, summarise
from luth_train.evaluation.tables import score_table, scores_frame
from luth_train.evaluation.variants import ProtocolChoices

from .conftest import DEMO_BENCHMARKS

GENERATIVE = [name for name, p in PROTOCOLS.items() if p.generation_size is not None]

# The twelve task names of the authors' eval_config.yaml as lighteval 0.10 expands them (MMLU's
# superset into its subjects; two shown), in the sorted order `taskinfo_selector` returns.
AUTHORS_TASKS = sorted(
    [
        "community|ifeval_fr", "community|gpqa_fr:diamond", "community|mmlu_fr", "community|math_500_fr",
        "community|hellaswag_fr", "community|arc_challenge_fr", "extended|ifeval",
        "leaderboard|mmlu:abstract_algebra", "leaderboard|mmlu:virology", "community|gpqa:diamond",
        "community|math_500", "leaderboard|hellaswag", "leaderboard|arc:challenge",
    ]
)


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- generation size


def test_max_new_tokens_replaces_every_generative_tasks_size_as_lighteval_0_10_vllm():
    for thinking in (False, True):
        for override in (None, 8192, 16):
            choices = ProtocolChoices(max_new_tokens=override, enable_thinking=thinking)
            for name in GENERATIVE:
                own = generation_size(name, thinking)
                # lighteval 0.10 VLLMModel: `generation_parameters.max_new_tokens or split[0].generation_size`
                assert choices.generation_size(name) == (override or own), (name, override, thinking)
    paper = ProtocolChoices(max_new_tokens=8192)
    assert {name: paper.generation_size(name) for name in GENERATIVE} == dict.fromkeys(GENERATIVE, 8192)
    assert paper.generation_size("mmlu_fr") is None  # log-likelihood: nothing generated
    assert ProtocolChoices(max_new_tokens=8192, hellaswag_fr_scoring="first_token").generation_size(
        "hellaswag_fr"
    ) == 1
    with pytest.raises(ValueError, match="hellaswag_fr_scoring must be one of authors, first_token"):
        ProtocolChoices(hellaswag_fr_scoring="letter")


def test_generation_runs_at_the_overridden_size_and_rows_record_it(tiny_lm):
    spec = get_spec("hellaswag_fr").with_source(path=str(DEMO_BENCHMARKS / "hellaswag_fr.jsonl"))
    items = load_items(spec, limit=2)
    for scoring, size in (("authors", 5), ("first_token", 1)):
        options = EvalOptions(num_runs=1, max_new_tokens=5, hellaswag_fr_scoring=scoring)
        result = evaluate_benchmark(tiny_lm, spec, options, items=items)
        for row in result.rows:
            details = json.loads(row["details"])
            assert details["generation_size"] == size
            assert len(tiny_lm.tokenizer(row["response"], add_special_tokens=False)["input_ids"]) <= size


# ---------------------------------------------------------------------------- HellaSwag-FR


def test_hellaswag_fr_authors_scoring_is_lightevals_exact_match_on_the_whole_reply():
    from lighteval.metrics.metrics_sample import ExactMatches  # `em`: unchanged since 0.10

    em = ExactMatches(strip_strings=True)
    spec = get_spec("hellaswag_fr").with_source(path=str(DEMO_BENCHMARKS / "hellaswag_fr.jsonl"))
    item = load_items(spec, limit=1)[0]
    gold = item["targets"][item["gold_index"]]  # " A"-style, as the authors' prompt_hellaswag_fr
    letter = gold.strip()
    other = next(c.strip() for c in item["targets"] if c.strip() != letter)
    replies = [letter, f" {letter}\n", f"{letter}. Elle les bat.", f"{letter}.", other, ""]
    replies.append(f"Réponse : {letter}")
    rows = score_responses(spec, [item] * len(replies), replies, choices=ProtocolChoices(max_new_tokens=8192))
    for reply, row in zip(replies, rows, strict=True):
        assert row["correct"] == bool(em.compute_one_item(gold=gold, pred=reply)), reply
        assert json.loads(row["details"])["metric"] == "exact_match_whole_reply"
    assert [r["correct"] for r in rows] == [True, True, False, False, False, False, False]


# ---------------------------------------------------------------------------- GPQA order


def _gpqa_rows(n: int, french: bool) -> list[dict]:
    question = "problem" if french else "Question"
    return [
        {"Record ID": f"rec{i}", question: f"Question {i} ?", "Correct Answer": f"right {i}",
         "Incorrect Answer 1": f"wrong a{i}", "Incorrect Answer 2": f"wrong b{i}",
         "Incorrect Answer 3": f"wrong c{i}"}
        for i in range(n)
    ]


def _authors_gold_positions(en_rows: list[dict], fr_rows: list[dict]) -> tuple[list[int], list[int]]:
    """Replay the authors' pipeline: `Pipeline._init_random_seeds` (random.seed(1234)), then every
    task's prompt function over its rows, tasks in sorted name order. Of their prompt functions
    only the two GPQA ones draw (`gpqa_instruct` and `gpqa_fr_instruct`: one `randint(0, 3)` per
    row); `arc_challenge_fr`, the only task sorted before them, draws nothing."""
    from lighteval.tasks.tasks.gpqa import gpqa_prompt  # 0.10's default_prompts.gpqa_instruct

    random.seed(1234)
    en, fr = [], []
    for task in AUTHORS_TASKS:
        if task == "community|gpqa:diamond":
            en = [gpqa_prompt(row, "gpqa:diamond").gold_index for row in en_rows]
        elif task == "community|gpqa_fr:diamond":
            fr = [random.randint(0, 3) for _ in fr_rows]  # the draw of their gpqa_fr_instruct
    return en, fr


def test_gpqa_authors_order_is_their_seeded_sequence_in_every_run(tmp_path):
    assert AUTHORS_TASKS.index("community|gpqa:diamond") == 1  # after arc_challenge_fr only
    en_rows, fr_rows = _gpqa_rows(198, french=False), _gpqa_rows(12, french=True)
    en_spec = get_spec("gpqa_diamond_en").with_source(path=str(_jsonl(tmp_path / "en.jsonl", en_rows)))
    fr_spec = get_spec("gpqa_diamond_fr").with_source(path=str(_jsonl(tmp_path / "fr.jsonl", fr_rows)))
    en_items, fr_items = load_items(en_spec), load_items(fr_spec)
    want_en, want_fr = _authors_gold_positions(en_rows, fr_rows)
    assert [i["gold_index"] for i in en_items] == want_en
    assert [i["gold_index"] for i in fr_items] == want_fr
    # every run of theirs builds a new Pipeline, which seeds again: the same order
    assert _authors_gold_positions(en_rows, fr_rows) == (want_en, want_fr)
    choices = ProtocolChoices()
    assert not choices.varies_between_runs("gpqa_diamond_fr")
    for item in fr_items[:4]:
        assert item_doc(item, run=2) == item_doc(item, run=0)
        i = item["item_id"][3:]
        options = [f"wrong a{i}", f"wrong b{i}", f"wrong c{i}"]
        options.insert(item["gold_index"], f"right {i}")
        assert item["query"].endswith("".join(f"\n{k}) {o}" for k, o in zip("ABCD", options, strict=True)))


def test_gpqa_per_run_order_moves_between_runs(tmp_path):
    rows = _gpqa_rows(8, french=True)
    spec = get_spec("gpqa_diamond_fr").with_source(path=str(_jsonl(tmp_path / "fr.jsonl", rows)))
    items = load_items(spec, gpqa_order="per_run")
    assert ProtocolChoices(gpqa_order="per_run").varies_between_runs("gpqa_diamond_fr")
    by_run = [[item_doc(i, run, "per_run").gold_index for i in items] for run in range(3)]
    assert by_run[0] == [i["gold_index"] for i in items] and len({tuple(r) for r in by_run}) > 1
    # items stored in one order are re-rendered in the other when scored that way
    authors = [item_doc(i, 0, "authors").gold_index for i in items]
    assert authors == [i["gold_index"] for i in load_items(spec)]


# ---------------------------------------------------------------------------- MMLU-EN average


def _mc_row(benchmark: str, item_id: str, correct: bool, subject: str | None, run: int = 0) -> dict:
    details = {"acc": correct, "acc_norm": correct} | ({"subject": subject} if subject else {})
    return {"benchmark": benchmark, "item_id": item_id, "sample_id": item_id, "run": run, "prompt": "",
            "correct": correct, "details": json.dumps(details)}


def test_mmlu_en_reports_lightevals_subject_average_and_keeps_the_item_mean():
    # abstract_algebra 3/3, virology 0/1: subject average 50, item mean 75
    outcomes = [("abstract_algebra", True)] * 3 + [("virology", False)]
    rows = [_mc_row("mmlu_en", f"{s}-{i}", ok, s) for i, (s, ok) in enumerate(outcomes)]
    summary = summarise(get_spec("mmlu_en"), rows)
    assert summary["score"] == pytest.approx(0.5) and summary["item_mean"] == pytest.approx(0.75)
    # MMLU-FR is one task for the authors (community|mmlu_fr): the item mean, no subject average
    fr = [_mc_row("mmlu_fr", f"q{i}", ok, None) for i, (_, ok) in enumerate(outcomes)]
    assert summarise(get_spec("mmlu_fr"), fr)["score"] == pytest.approx(0.75)
    table = score_table(scores_frame(rows + fr, "m"), ["m"], ["mmlu_fr", "mmlu_en"], base="m")
    row = table.row(0, named=True)
    assert (row["mmlu_en"], row["mmlu_en_item_mean"], row["mmlu_fr"]) == (50.0, 75.0, 75.0)
    assert row["en_average"] == 50.0  # the averages use the reported (subject) score


def test_mmlu_en_rows_carry_their_subject(tiny_lm, tmp_path):
    rows = [{"question": f"What is {i} + 1?", "subject": s, "choices": ["1", "2", "3", "4"], "answer": 1}
            for i, s in enumerate(["abstract_algebra", "abstract_algebra", "virology"])]
    spec = get_spec("mmlu_en").with_source(path=str(_jsonl(tmp_path / "mmlu_en.jsonl", rows)))
    result = evaluate_benchmark(tiny_lm, spec, EvalOptions(num_runs=1))
    subjects = [json.loads(r["details"])["subject"] for r in result.rows]
    assert subjects == ["abstract_algebra", "abstract_algebra", "virology"]
    algebra = [float(r["correct"]) for r in result.rows[:2]]
    expected = (sum(algebra) / 2 + float(result.rows[2]["correct"])) / 2
    assert result.summary["score"] == pytest.approx(expected)


# ---------------------------------------------------------------------------- MATH-500


@pytest.mark.parametrize(
    ("gold", "reply", "authors", "corrected"),
    [
        (r"Donc $\boxed{\frac{9}{4}}$.", r"Donc, la réponse finale est : $\boxed{2.25}$.", False, True),
        (r"So $\boxed{\frac{9}{4}}$.", r"Therefore, the final answer is: $\boxed{\frac{9}{4}}$.", True, True),
        (r"So $\boxed{3}$.", r"Therefore, the final answer is: $\boxed{3.0}$.", False, True),
        (r"So $\boxed{0.5}$.", r"Therefore, the final answer is: $\boxed{\frac{1}{2}}$.", True, True),
        (r"So $\boxed{5}$.", r"Therefore, the final answer is: $\boxed{6}$.", False, False),
    ],
)
def test_math_authors_scoring_passes_the_doc_as_precision(gold, reply, authors, corrected):
    from lighteval.metrics.utils.math_comparison import compare_gold_target
    from lighteval.tasks.requests import Doc

    from luth_train.evaluation.extraction import _extract_math, math_scores

    language = "fr" if "Donc" in gold else "en"
    assert math_scores(gold, reply, language)[:2] == (authors, corrected)
    # the authors' call, as lighteval's PassAtK makes it: score_sample(prediction, gold, doc)
    pred, gold_parsed = _extract_math(reply, language), _extract_math(gold, language)
    doc = Doc(query="", choices=[gold], gold_index=0)
    try:
        theirs = compare_gold_target(pred, gold_parsed, doc)
    except Exception:
        theirs = False
    assert theirs == authors


def test_math_scoring_switch_and_the_corrected_column_beside_the_authors():
    spec = get_spec("math500_en")
    row = {"problem": "Compute $9/4$.", "solution": r"$\frac{9}{4} = \boxed{\frac{9}{4}}$"}
    items = [
        {"benchmark": "math500_en", "item_id": str(i), "sample_id": str(i), "language": "en",
         "query": "q", "targets": [row["solution"]], "gold_index": 0, "instruction": "",
         "metadata": json.dumps({"row": row})}
        for i in range(2)
    ]
    replies = [r"the final answer is: $\boxed{2.25}$", r"the final answer is: $\boxed{\frac{9}{4}}$"]
    theirs = score_responses(spec, items, replies, choices=ProtocolChoices(math_scoring="authors"))
    ours = score_responses(spec, items, replies, choices=ProtocolChoices(math_scoring="corrected"))
    assert [r["correct"] for r in theirs] == [False, True] and [r["correct"] for r in ours] == [True, True]
    table = score_table(scores_frame(theirs, "m"), ["m"], ["math500_en"], base="m")
    assert table.row(0, named=True).items() >= {"math500_en": 50.0, "math500_en_corrected": 100.0}.items()
    table = score_table(scores_frame(ours, "m"), ["m"], ["math500_en"], base="m")
    assert table.row(0, named=True).items() >= {"math500_en": 100.0, "math500_en_authors": 50.0}.items()
    assert summarise(spec, theirs)["score_corrected"] == pytest.approx(1.0)


# ---------------------------------------------------------------------------- configuration


def test_paper_configurations_carry_the_authors_protocol_and_bad_values_are_named():
    import yaml
    from pydantic import ValidationError

    from luth_assets.stages.evaluation.settings import EvaluationConfig

    from .conftest import REPO

    for name in ("luth_paper.yaml", "luth_plus.yaml"):
        section = yaml.safe_load((REPO / "configs" / "runs" / name).read_text(encoding="utf-8"))["evaluation"]
        choices = EvaluationConfig(**section).options().choices()
        assert choices == ProtocolChoices(max_new_tokens=8192), name
    with pytest.raises(ValidationError, match="gpqa_order"):
        EvaluationConfig(gpqa_order="shuffled")
    options = EvaluationConfig(math_scoring="corrected", hellaswag_fr_scoring="first_token").options()
    assert (options.math_scoring, options.hellaswag_fr_scoring, options.max_new_tokens) == (
        "corrected", "first_token", None
    )
