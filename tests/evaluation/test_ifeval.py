"""IFEval: scripted responses that satisfy or break known instructions score as expected (English
and French), and `luth eval ifeval-score` agrees with lm-eval's reference IFEval scoring."""

from __future__ import annotations

import json
import random

import pytest

from luth_assets.cli import main as luth
from luth_train.evaluation import ifeval

FRENCH_TEXT = (
    "Le printemps est ma saison préférée car les arbres fleurissent et les journées "
    "deviennent plus longues et plus douces pour toute la famille."
)
ENGLISH_TEXT = (
    "Spring is my favourite season because the trees blossom and the days grow longer "
    "and warmer for the whole family."
)


@pytest.mark.parametrize(
    ("ids", "kwargs", "response", "expected"),
    [
        (["en:punctuation:no_comma"], [{}], ENGLISH_TEXT, [True]),
        (["en:punctuation:no_comma"], [{}], "Yes, of course.", [False]),
        (
            ["en:length_constraints:number_words"],
            [{"relation": "at least", "num_words": 10}],
            ENGLISH_TEXT,
            [True],
        ),
        (
            ["en:length_constraints:number_words"],
            [{"relation": "at least", "num_words": 100}],
            ENGLISH_TEXT,
            [False],
        ),
        (
            ["en:startend:end_checker"],
            [{"end_phrase": "Any other questions?"}],
            "Hi. Any other questions?",
            [True],
        ),
        (["en:change_case:english_lowercase"], [{}], ENGLISH_TEXT.lower(), [True]),
        (["en:change_case:english_lowercase"], [{}], ENGLISH_TEXT, [False]),
        (["en:language:response_language"], [{"language": "en"}], ENGLISH_TEXT, [True]),
        # French: relations written in French, French-aware language checks
        (["fr:language:response_language"], [{"language": "fr"}], FRENCH_TEXT, [True]),
        (["fr:language:response_language"], [{"language": "fr"}], ENGLISH_TEXT, [False]),
        (
            ["fr:length_constraints:number_words"],
            [{"relation": "au moins", "num_words": 10}],
            FRENCH_TEXT,
            [True],
        ),
        (
            ["fr:length_constraints:number_words"],
            [{"relation": "moins de", "num_words": 10}],
            FRENCH_TEXT,
            [False],
        ),
        (
            ["fr:keywords:frequency"],
            [{"keyword": "plus", "frequency": 2, "relation": "au moins"}],
            FRENCH_TEXT,
            [True],
        ),
        (["fr:change_case:french_capital"], [{}], FRENCH_TEXT.upper(), [True]),
        (["fr:change_case:french_capital"], [{}], ENGLISH_TEXT.upper(), [False]),
        (["fr:change_case:french_lowercase"], [{}], FRENCH_TEXT.lower(), [True]),
        (
            ["fr:startend:end_checker"],
            [{"end_phrase": "D'autres questions ?"}],
            "Voilà. D'autres questions ?",
            [True],
        ),
        (
            ["fr:punctuation:no_comma", "fr:detectable_content:postscript"],
            [{}, {"postscript_marker": "P.-S."}],
            FRENCH_TEXT + "\n\nP.-S. À bientôt",
            [True, True],
        ),
    ],
)
def test_scripted_responses_score_as_expected(ids, kwargs, response, expected):
    result = ifeval.score_response("prompt", ids, kwargs, response)
    assert result.strict == expected
    assert result.prompt_strict == all(expected)


def test_loose_mode_forgives_a_first_line_and_markdown():
    ids, kwargs = ["en:startend:end_checker"], [{"end_phrase": "Any other questions?"}]
    response = "Sure! Here it is.\nHi. Any other questions?\n**Bye**"
    result = ifeval.score_response("p", ids, kwargs, response)
    assert result.strict == [False] and result.loose == [True]


def test_instructions_without_a_checker_are_reported_not_counted():
    result = ifeval.score_response(
        "p", ["fr:special_character:no_accents", "fr:punctuation:no_comma"], [{}, {}], FRENCH_TEXT
    )
    assert result.strict == [None, True] and result.prompt_strict is True
    assert "no checker in lm-eval" in result.unscored["fr:special_character:no_accents"]
    agg = ifeval.aggregate([result])
    assert agg["instructions_unscored"] == 1 and agg["inst_level_strict_acc"] == 1.0


def _scripted_responses(rows: list[dict]) -> list[str]:
    """Responses of varied shape: some follow instructions by chance, some break them."""
    shapes = [
        ENGLISH_TEXT,
        ENGLISH_TEXT.upper(),
        ENGLISH_TEXT.lower().replace(",", ""),
        "Title: <<My answer>>\n* one\n* two\n\nP.S. thanks",
        "",
        FRENCH_TEXT,
    ]
    return [
        (shapes[i % len(shapes)] if i % 7 else row["prompt"] + "\n" + ENGLISH_TEXT)
        for i, row in enumerate(rows)
    ]


def test_ifeval_score_agrees_with_lm_eval_reference(shared_data, tmp_path, capsys):
    from lm_eval.tasks.ifeval import utils as reference

    rows = [
        json.loads(line)
        for line in (shared_data / "benchmarks" / "ifeval_en_m-ifeval.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()[:120]
    ]
    punkt = ifeval.configure_nltk()
    responses = _scripted_responses(rows)
    prompts_file, responses_file = tmp_path / "prompts.jsonl", tmp_path / "responses.jsonl"
    prompts_file.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    responses_file.write_text(
        "".join(
            json.dumps({"prompt": r["prompt"], "response": resp}) + "\n"
            for r, resp in zip(rows, responses, strict=True)
        ),
        encoding="utf-8",
    )
    out_file = tmp_path / "per_prompt.jsonl"
    assert (
        luth(
            [
                "eval",
                "ifeval-score",
                "--prompts",
                str(prompts_file),
                "--responses",
                str(responses_file),
                "--output",
                str(out_file),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    ours = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]

    expected = {
        "prompt_level_strict_acc": [],
        "inst_level_strict_acc": [],
        "prompt_level_loose_acc": [],
        "inst_level_loose_acc": [],
    }
    compared = needs_punkt = unstable = 0
    for row, response, mine in zip(rows, responses, ours, strict=True):
        doc = dict(row, instruction_id_list=[i.removeprefix("en:") for i in row["instruction_id_list"]])
        try:
            random.seed(1)
            ref = reference.process_results(doc, [response])
            again = []
            for seed in range(2, 8):
                random.seed(seed)
                again.append(reference.process_results(doc, [response]))
            if any(other != ref for other in again):
                # lm-eval draws a random kwarg when one is unusable (letter "#" in key 1122):
                # the reference itself is not reproducible on this prompt
                unstable += 1
                continue
        except LookupError:  # the reference cannot run without NLTK punkt data; we say so per instruction
            assert not punkt and ifeval.PUNKT_MISSING in mine["unscored"].values()
            needs_punkt += 1
            continue
        compared += 1
        assert mine["strict"] == ref["inst_level_strict_acc"], row["key"]
        assert mine["loose"] == ref["inst_level_loose_acc"], row["key"]
        assert mine["prompt_strict"] == ref["prompt_level_strict_acc"]
        for key in expected:
            expected[key].append(ref[key])
    print(
        f"compared {compared} prompts with lm-eval; {needs_punkt} need NLTK punkt_tab (absent here); "
        f"{unstable} where lm-eval itself is random"
    )
    assert unstable <= 2
    assert compared >= 80
    if needs_punkt:
        return  # our aggregate also covers the other instructions of those prompts: compare per prompt only
    summary = json.loads(printed.strip().splitlines()[-1])
    assert summary["prompt_level_strict_acc"] == pytest.approx(
        sum(expected["prompt_level_strict_acc"]) / compared
    )
    assert summary["inst_level_loose_acc"] == pytest.approx(
        reference.agg_inst_level_acc(expected["inst_level_loose_acc"])
    )
    assert 0 < summary["prompt_level_loose_acc"] < 1
    assert f"prompt_level_strict_acc  {summary['prompt_level_strict_acc']:.4f}" in printed


def test_ifeval_score_on_french_prompts_and_missing_responses(shared_data, tmp_path, capsys):
    src = shared_data / "benchmarks" / "ifeval_fr_m-ifeval.jsonl"
    rows = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines()[:40]]
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    responses = tmp_path / "r.jsonl"
    responses.write_text(
        "".join(json.dumps({"prompt": r["prompt"], "response": FRENCH_TEXT}) + "\n" for r in rows[:-1]),
        encoding="utf-8",
    )
    assert luth(["eval", "ifeval-score", "--prompts", str(prompts), "--responses", str(responses)]) == 1
    assert "no response for 1 of 40 prompts" in capsys.readouterr().err
    with responses.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"prompt": rows[-1]["prompt"], "response": FRENCH_TEXT}) + "\n")
    assert luth(["eval", "ifeval-score", "--prompts", str(prompts), "--responses", str(responses)]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["prompts"] == 40 and summary["instructions_unscored"] < summary["instructions"]
    assert 0 < summary["inst_level_strict_acc"] < 1
