"""The newer benchmarks of the Luth-2 suite (MGSM French and English, AIME 2024/2025): the real
MGSM files load and score by numeric answer match; the `luth2` protocol preset samples every run
with its own seed and reports the mean and standard deviation of its runs."""

from __future__ import annotations

import pytest

from luth_assets.stages.evaluation.settings import EvaluationConfig
from luth_train.evaluation.items import BenchmarkDataError, load_items
from luth_train.evaluation.numeric import numeric_match, parse_number
from luth_train.evaluation.registry import (
    BENCHMARK_NAMES,
    NEWER_BENCHMARK_NAMES,
    get_spec,
    parse_benchmark_list,
)
from luth_train.evaluation.runner import EvalOptions, evaluate_benchmark, score_responses


def test_newer_benchmarks_are_known_but_not_in_the_papers_default_set():
    assert NEWER_BENCHMARK_NAMES == ("mgsm_fr", "mgsm_en", "aime24_en", "aime25_en", "mbppplus_en")
    assert len(BENCHMARK_NAMES) == 12
    assert get_spec("mgsm_fr").hub_id == "juletxara/mgsm" and get_spec("mgsm_fr").hub_config == "fr"
    assert get_spec("aime24_en").hub_id == "HuggingFaceH4/aime_2024"
    assert get_spec("aime25_en").scoring == "gen_math"
    assert parse_benchmark_list("mgsm,aime24") == ["mgsm_fr", "mgsm_en", "aime24_en"]
    assert parse_benchmark_list("all") == list(BENCHMARK_NAMES)
    assert list(EvaluationConfig().specs()) == list(BENCHMARK_NAMES)
    named = EvaluationConfig(benchmarks={"mgsm_fr": {"path": "x.tsv", "format": "mgsm_tsv"}, "ifeval_fr": {}})
    assert list(named.specs()) == ["ifeval_fr", "mgsm_fr"]


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("70 000", "fr", 70000.0),
        ("70\u202f000 $", "fr", 70000.0),
        ("3,5", "fr", 3.5),
        ("1,234.5", "en", 1234.5),
        ("114,200", "en", 114200.0),
        ("1.000.000", "fr", 1000000.0),
        ("-12", "en", -12.0),
        ("pas de nombre", "fr", None),
    ],
)
def test_numbers_are_read_as_written_in_each_language(text, language, value):
    assert parse_number(text, language) == value


@pytest.mark.parametrize(
    ("response", "language", "correct", "extracted"),
    [
        ("16 - 3 - 4 = 9 œufs, 9 × 2 = 18.\nLa réponse est : 18", "fr", True, "18"),
        ("Elle gagne 18 $ par jour. La réponse est 18 dollars, soit 2 $ l'œuf.", "fr", True, "18"),
        ("9 × 2 = 18 $. Donc 18.", "fr", True, "18"),
        ("La réponse est : 17", "fr", False, "17"),
        ("Therefore, the final answer is: $\\boxed{18}$.", "en", True, "18"),
        ("The answer is: 18.00", "en", True, "18.00"),
        ("I do not know.", "en", False, None),
    ],
)
def test_mgsm_numeric_match(response, language, correct, extracted):
    assert numeric_match("18", response, language) == (correct, extracted)


def test_a_tiny_mgsm_file_loads_and_scores(tmp_path):
    tsv = tmp_path / "mgsm_tiny.tsv"
    tsv.write_text(
        "Paul a 3 pommes et en achète 4. Combien en a-t-il ?\t7\n"
        "Une maison coûte 80 000 $ et vaut 150 % de plus. Combien vaut-elle ?\t200,000\n",
        encoding="utf-8",
    )
    spec = get_spec("mgsm_fr").with_source(path=str(tsv), format="mgsm_tsv")
    items = load_items(spec)
    assert [i["answer"] for i in items] == ["7", "200,000"]
    assert items[0]["query"].startswith("Résous le problème suivant étape par étape.")
    assert items[0]["query"].endswith("Combien en a-t-il ?")
    rows = score_responses(spec, items, ["La réponse est : 7", "La réponse est : 200 000"])
    assert [r["correct"] for r in rows] == [True, True]
    rows = score_responses(spec, items, ["La réponse est : 8", "Elle vaut 130 000 $."])
    assert [r["correct"] for r in rows] == [False, False]
    assert rows[1]["extracted"] == "130 000"


def test_a_malformed_mgsm_line_names_file_and_line(tmp_path):
    tsv = tmp_path / "mgsm_bad.tsv"
    tsv.write_text("Question sans réponse\n", encoding="utf-8")
    with pytest.raises(BenchmarkDataError, match=r"mgsm_bad.tsv:1: expected question<TAB>answer"):
        load_items(get_spec("mgsm_en").with_source(path=str(tsv), format="mgsm_tsv"))


@pytest.mark.parametrize("name", ["mgsm_fr", "mgsm_en"])
def test_the_real_mgsm_files_load_and_their_own_answers_score_right(shared_data, name):
    path = shared_data / "benchmarks" / f"{name}.tsv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    spec = get_spec(name).with_source(path=str(path), format="mgsm_tsv")
    items = load_items(spec)
    assert len(items) == 250
    language = name.rsplit("_", 1)[1]
    written = {"fr": "La réponse est : {}", "en": "The answer is: {}"}[language]
    # the answer as the language writes it: "114,200" in English is "114 200" in French
    answers = [i["answer"] if language == "en" else i["answer"].replace(",", " ") for i in items]
    rows = score_responses(spec, items, [written.format(a) for a in answers])
    assert all(r["correct"] for r in rows), [r["item_id"] for r in rows if not r["correct"]]
    shifted = score_responses(spec, items, [written.format(a + "1") for a in answers])
    assert not any(r["correct"] for r in shifted)


def test_aime_scores_the_boxed_integer(tmp_path):
    path = tmp_path / "aime.jsonl"
    path.write_text('{"id": 1, "problem": "Find $x$ if $x - 200 = 4$.", "answer": "204"}\n', encoding="utf-8")
    spec = get_spec("aime24_en").with_source(path=str(path))
    items = load_items(spec)
    assert items[0]["query"].startswith("Solve the following math problem efficiently and clearly.")
    rows = score_responses(spec, items, ["So $x = \\boxed{204}$."])
    assert rows[0]["correct"] is True
    assert score_responses(spec, items, ["$\\boxed{240}$"])[0]["correct"] is False


def test_the_hub_is_needed_for_mgsm_and_fails_fast_offline(monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    with pytest.raises(BenchmarkDataError, match="Offline, set evaluation.benchmarks.mgsm_fr.path"):
        load_items(get_spec("mgsm_fr"), limit=1)


# ---------------------------------------------------------------------------- the luth2 preset


def test_the_luth2_preset_sets_the_luth2_protocol():
    options = EvaluationConfig(preset="luth2").options()
    assert (options.temperature, options.top_p, options.top_k) == (0.6, 0.95, 20)
    assert options.enable_thinking is False and options.num_runs == 10
    assert options.sampling(3).seed == 3
    # a key the configuration sets wins over the preset
    quick = EvaluationConfig.model_validate({"preset": "luth2", "num_runs": 2}).options()
    assert (quick.num_runs, quick.temperature) == (2, 0.6)
    paper = EvaluationConfig().options()
    assert (paper.temperature, paper.num_runs, paper.sampling(0)) == (0.0, 3, None)
    with pytest.raises(ValueError, match="preset"):
        EvaluationConfig.model_validate({"preset": "luth3"})
    with pytest.raises(ValueError, match="top_p must be in"):
        EvalOptions(temperature=0.6, top_p=1.5)


def test_sampled_runs_differ_by_seed_and_the_score_reports_mean_and_std(tiny_lm, tmp_path):
    tsv = tmp_path / "mgsm_tiny.tsv"
    tsv.write_text("".join(f"Calculez {i} + {i}.\t{2 * i}\n" for i in range(1, 5)), encoding="utf-8")
    spec = get_spec("mgsm_fr").with_source(path=str(tsv), format="mgsm_tsv")
    options = EvaluationConfig.model_validate(
        {"preset": "luth2", "num_runs": 3, "max_new_tokens": 8, "use_chat_template": False}
    ).options()
    result = evaluate_benchmark(tiny_lm, spec, options)
    responses = {run: [r["response"] for r in result.rows if r["run"] == run] for run in range(3)}
    assert responses[0] != responses[1] or responses[1] != responses[2]  # sampled, not reused
    assert all("reused_run" not in r["details"] for r in result.rows)
    again = evaluate_benchmark(tiny_lm, spec, options)
    assert [r["response"] for r in again.rows] == [r["response"] for r in result.rows]  # seeded
    summary = result.summary
    assert summary["num_runs"] == 3 and len(summary["run_scores"]) == 3
    assert summary["score"] == pytest.approx(sum(summary["run_scores"]) / 3)
    assert summary["score_std"] is not None and summary["score_std"] >= 0


# ---------------------------------------------------------------------------- MBPP+

# One item in evalplus/mbppplus's columns; its `test` in the evalplus style (inputs, expected
# results, a numpy float comparison), written for this test.
MBPP_ROW = {
    "task_id": 2,
    "prompt": '"""\nWrite a function to find the shared elements from the given two lists.\n'
    "assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))\n\"\"\"\n",
    "code": "def similar_elements(a, b):\n    return tuple(set(a) & set(b))\n",
    "test_imports": [],
    "test": (
        "import numpy as np\n\n"
        "def assertion(out, exp, atol):\n"
        "    if isinstance(exp, float):\n        assert np.allclose(out, exp, rtol=1e-07, atol=atol)\n"
        "    else:\n        assert out == exp, f'{out} != {exp}'\n\n"
        "inputs = [[(3, 4, 5, 6), (5, 7, 4, 10)], [(1, 2, 3, 4), (5, 4, 3, 7)]]\n"
        "results = [{4, 5}, {3, 4}]\n"
        "for inp, exp in zip(inputs, results):\n"
        "    assertion(set(similar_elements(*inp)), exp, 0)\n"
    ),
}


def test_mbppplus_runs_the_program_with_its_tests_in_the_sandbox(tmp_path):
    import json

    path = tmp_path / "mbppplus.jsonl"
    path.write_text(json.dumps(MBPP_ROW) + "\n", encoding="utf-8")
    spec = get_spec("mbppplus_en").with_source(path=str(path))
    items = load_items(spec)
    assert items[0]["item_id"] == "2" and "```python" in items[0]["query"]
    good = "Here it is:\n```python\n" + MBPP_ROW["code"] + "```"
    wrong = good.replace("&", "|")
    phoning = "```python\nimport urllib.request\nurllib.request.urlopen('http://127.0.0.1:9')\n```"
    rows = score_responses(spec, items * 3, [good, wrong, phoning])
    assert [r["correct"] for r in rows] == [True, False, False]
    assert [r["extracted"] for r in rows] == ["ok", "failed", "refused"]


def test_luth_eval_with_the_luth2_preset_reports_ten_sampled_runs(tiny_model_dir, tmp_path, capsys):
    from luth_assets.cli import main as luth

    tsv = tmp_path / "mgsm_tiny.tsv"
    tsv.write_text("Calculez 2 + 2.\t4\nCalculez 3 + 3.\t6\n", encoding="utf-8")
    config = tmp_path / "run.yaml"
    config.write_text("evaluation:\n  preset: luth2\n  max_new_tokens: 4\n  use_chat_template: false\n",
                      encoding="utf-8")
    out = tmp_path / "rows.jsonl"
    code = luth(["eval", "--model", str(tiny_model_dir), "--benchmarks", "mgsm_fr", "--config", str(config),
                 "--path", f"mgsm_fr={tsv}:mgsm_tsv", "--output", str(out), "--device", "cpu"])
    assert code == 0, capsys.readouterr().err
    import json

    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted({r["run"] for r in rows}) == list(range(10))
    assert len({r["response"] for r in rows}) > 2  # sampled: the runs differ
    table = capsys.readouterr().out
    line = next(x for x in table.splitlines() if x.startswith("mgsm_fr"))
    print(line)
    assert " 10 " in line  # the runs column: the mean and standard deviation of ten runs
