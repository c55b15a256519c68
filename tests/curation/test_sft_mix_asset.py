"""`gold/sft_mix` through Dagster's own `materialize` on a temporary lake whose upstream tables
(judged_samples, scholar_items_clean, benchmark_items, the base tokenizer) are written at the
contract's paths; then the dataset folder, the data card and the SQL over the lake."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from luth_assets.lib.reconcile import ids as id_frame
from luth_assets.lib.reconcile import reconcile
from luth_assets.lib.warehouse import read_sql_file, run_query
from luth_assets.resources import build_resources
from luth_assets.run_config import Settings, parse_config
from luth_assets.stages.curation import mix_rules as checks
from luth_assets.stages.curation.definitions import stage_definitions
from luth_assets.stages.curation.tokens import count_tokens, load_tokenizer
from luth_train.sample_ids import make_sample_id

from .conftest import REPO
from .helpers import BENCHMARK_SCHEMA, chat_frame, exchange

TOPICS = ["la photosynthèse", "le cycle de l'eau", "la Révolution française", "les volcans",
          "la digestion", "les impôts locaux", "le théorème de Pythagore", "la laïcité",
          "les marées", "le compostage", "la fermentation du pain", "les élections municipales",
          "la tectonique des plaques", "le système solaire", "la grammaire du subjonctif",
          "les abeilles", "la retraite par répartition", "le vin de Bourgogne", "les orages",
          "la musique baroque", "le jardinage en ville", "les trains de nuit", "la pâte feuilletée",
          "les champignons des bois", "la sécurité routière", "le recyclage du verre"]
BENCH_QUESTION = ("Un boulanger vend chaque matin quarante croissants et trente pains au chocolat "
                  "dans sa boutique du village. Combien de viennoiseries vend-il en une semaine ?")


SENTENCES = [
    "Commencez par situer le sujet dans son contexte historique et géographique.",
    "Un schéma au tableau aide souvent le public à suivre le raisonnement.",
    "Les manuels de collège donnent de bons exemples, faciles à retenir.",
    "Évitez de lire vos notes : parlez avec vos propres mots.",
    "Une anecdote bien choisie rend la présentation plus vivante.",
    "Prévoyez une conclusion courte qui reprend les trois idées clés.",
    "Vérifiez vos chiffres auprès d'une source fiable avant de les citer.",
    "Il est utile de définir les mots techniques dès le début.",
    "Une carte ou une photographie vaut mieux qu'un long paragraphe.",
    "Entraînez-vous à voix haute pour tenir dans le temps imparti.",
    "Les questions du public montrent ce qui n'était pas clair.",
    "Terminez en proposant une lecture pour aller plus loin.",
]
PAIRS = list(itertools.combinations(range(len(SENTENCES)), 2))


def _french(topic: str, i: int) -> list[dict]:
    a, b = PAIRS[i % len(PAIRS)]  # two rows share at most one sentence: never near-duplicates
    return exchange(f"Pouvez-vous m'expliquer simplement {topic} ? ({i})",
                    f"Voici l'essentiel sur {topic}. {SENTENCES[a]} {SENTENCES[b]}")


def _write(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)


@pytest.fixture
def upstream_lake(lake_root: Path, tiny_tokenizer_dir: Path) -> dict[str, str]:
    """Synthetic upstream tables; returns the planted rows' sample_ids by role."""
    ids = {}
    judged = []
    for i, topic in enumerate(TOPICS):
        subset = "gathered" if i % 2 == 0 else "translated"
        sid = make_sample_id(f"src_{subset}", str(i))
        judged.append({"sample_id": sid, "subset": subset, "source": f"src_{subset}",
                       "messages": _french(topic, i)})
    ids["dup_of_scholar"] = judged[0]["sample_id"]
    bad = {"bad_roles": exchange("Bonjour !", "Bonjour.")[::-1],
           "empty_turn": exchange("Que penses-tu de ceci ?", "   "),
           "contaminated": exchange(f"Aide-moi : {BENCH_QUESTION.upper()}",
                                    "Il vend 490 viennoiseries par semaine."),
           "too_long": exchange("Écris une très longue liste de mots français, s'il te plaît.",
                                " ".join(["anticonstitutionnellement"] * 400))}
    for name, messages in bad.items():
        ids[name] = make_sample_id("src_gathered", name)
        judged.append({"sample_id": ids[name], "subset": "gathered", "source": "src_gathered",
                       "messages": messages})
    frame = chat_frame(judged).drop("subject").with_columns(
        pl.lit("ok").alias("quality_reason"), pl.lit(None, dtype=pl.String).alias(
            "cleaning_reason"))
    _write(frame, lake_root / "silver" / "judged_samples.parquet")

    scholar = []
    for i, subject in enumerate(["mathématiques", "mathématiques", "physique-chimie"]):
        messages = _french(f"l'exercice {i} du bac", 100 + i)
        scholar.append({"sample_id": make_sample_id("scholar", str(i)), "exam_id": f"bac-{i}",
                        "subject": subject, "year": 2023, "level": "terminale", "pages": [1],
                        "question": messages[0]["content"], "context": "",
                        "answer": messages[1]["content"], "messages": messages})
    # the Scholar version of a gathered row: same text, Scholar wins
    scholar.append({**scholar[0], "sample_id": "f" * 16, "messages": judged[0]["messages"],
                    "question": judged[0]["messages"][0]["content"]})
    ids["scholar_survivor"] = "f" * 16
    _write(pl.DataFrame(scholar), lake_root / "silver" / "scholar_items_clean.parquet")

    for bench, question in (("mgsm_fr", BENCH_QUESTION),
                            ("arc_challenge_en", "Which gas do plants take in from the air to "
                             "make their food during the day?")):
        item = {"benchmark": bench, "task": "generative", "language": bench[-2:],
                "item_id": "7", "sample_id": make_sample_id(bench, "7"), "question": question,
                "choices": [], "gold_index": None, "answer": "490", "metadata": "{}"}
        _write(pl.DataFrame([item], schema=BENCHMARK_SCHEMA),
               lake_root / "gold" / "benchmark_items" / f"{bench}.parquet")
    shutil.copytree(tiny_tokenizer_dir, lake_root / "models" / "base_model")
    return ids


def _config():
    return parse_config({
        "target_language": "fr",
        "curation": {"max_tokens": 400, "mixing": {
            "seed": 0, "validation_share": 0.1,
            "subsets": {"scholar": {"weight": 2.0}, "translated": {"weight": 1.0, "cap": 8}}}},
    })


def test_sft_mix_materialises_with_checks_dataset_folder_and_card(upstream_lake, lake_root
                                                                   ) -> None:
    settings = Settings(config_path=REPO / "data_lake/landing/luth.yaml",
                        lake_root=str(lake_root))
    config = _config()
    defs = stage_definitions(config)
    result = dg.materialize([*defs.assets, *defs.asset_checks],
                            resources=build_resources(settings, config))
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 8
    failed = [(e.check_name, e.metadata) for e in evaluations if not e.passed]
    assert not failed, failed

    mix = pl.read_parquet(lake_root / "gold" / "sft_mix.parquet")
    rejects = pl.read_parquet(lake_root / "gold" / "sft_mix_rejects.parquet")
    by_id = {r["sample_id"]: r for r in rejects.to_dicts()}
    ids = upstream_lake
    assert by_id[ids["bad_roles"]]["reason"] == "roles_not_alternating"
    assert by_id[ids["empty_turn"]]["reason"] == "empty_turn"
    assert by_id[ids["dup_of_scholar"]]["reason"] == "exact_duplicate"
    assert by_id[ids["dup_of_scholar"]]["duplicate_of"] == ids["scholar_survivor"]
    hit = by_id[ids["contaminated"]]
    assert (hit["reason"], hit["benchmark"], hit["benchmark_item_id"]) == \
        ("contaminated", "mgsm_fr", "7")
    assert by_id[ids["too_long"]]["reason"] == "too_long"
    assert by_id[ids["too_long"]]["n_tokens"] > 400
    # input = kept + rejected; weights: Scholar doubled, translated capped at 8 train rows
    distinct = mix.filter(pl.col("copy") == 0)
    assert distinct.height + rejects.height == len(TOPICS) + 4 + 4
    train = mix.filter(pl.col("split") == "train")
    scholar_train = train.filter(pl.col("subset") == "scholar")
    assert scholar_train.height == 2 * scholar_train["sample_id"].n_unique()
    assert train.filter(pl.col("subset") == "translated").height == 8
    assert set(mix.filter(pl.col("split") == "validation")["subset"]) == \
        {"gathered", "translated", "scholar"}

    # n_tokens is what the base tokenizer gives with the chat template
    tokenizer = load_tokenizer(str(lake_root / "models" / "base_model"))
    assert mix["n_tokens"].to_list() == count_tokens(tokenizer, mix["messages"].to_list())

    # the datasets-readable folder
    from datasets import load_dataset

    folder = lake_root / "gold" / "sft_mix_dataset"
    dataset = load_dataset("parquet", data_files={"train": str(folder / "train.parquet"),
                                                  "validation": str(folder / "validation.parquet")})
    assert dataset["train"].num_rows == train.height
    assert dataset["validation"].num_rows == mix.height - train.height
    first = dataset["train"][0]["messages"]
    assert first[0]["role"] == "user" and first[-1]["role"] == "assistant"

    card = (lake_root / "gold" / "sft_mix_card.md").read_text()
    assert "| scholar |" in card and "mathématiques" in card and "contaminated" in card
    assert "Jaccard threshold 0.5" in card
    assert "lid.176" in card and "CC BY-SA 3.0" in card  # the language-ID model's licence
    assert (lake_root / "gold" / "sft_mix_token_lengths.png").read_bytes()[:4] == b"\x89PNG"
    materialization = result.asset_materializations_for_node("sft_mix")[0]
    assert "SFT mix data card" in materialization.metadata["data_card"].value
    # the plot is inlined: a relative link would show broken in the UI
    assert "![token lengths](data:image/png;base64," in materialization.metadata["data_card"].value

    columns, rows = run_query(lake_root, read_sql_file("curation/composition.sql"))
    table = {(r[0], r[1]): dict(zip(columns, r, strict=True)) for r in rows}
    assert table[("scholar", "train")]["rows_with_copies"] == scholar_train.height
    columns, rows = run_query(lake_root, read_sql_file("curation/mix_rejects.sql"))
    reasons = {(r[0], r[1]): r[2] for r in rows}
    assert reasons[("decontamination", "contaminated")] == 1


def test_checks_fail_on_bad_mixes(upstream_lake, lake_root) -> None:
    good = chat_frame([{"sample_id": make_sample_id("s", str(i)), "subset": "gathered",
                        "source": "s", "messages": _french(t, i)} for i, t in enumerate(TOPICS)])
    good = good.with_columns(pl.lit(50, dtype=pl.Int64).alias("n_tokens"),
                             pl.lit("train").alias("split"), pl.lit(0, dtype=pl.Int64).alias("copy"))
    assert checks.check_schema(good)[0] and checks.check_chat_roles(good)[0]
    assert checks.check_no_exact_duplicates(good)[0]
    assert checks.check_target_language(good, "fr", 0.9)[0]
    dup = pl.concat([good, good.head(1).with_columns(pl.lit("e" * 16).alias("sample_id"))])
    assert not checks.check_no_exact_duplicates(dup)[0]
    copies = pl.concat([good, good.head(1).with_columns(pl.lit(1, dtype=pl.Int64).alias("copy"))])
    assert checks.check_no_exact_duplicates(copies)[0]  # a weighted copy is not a duplicate
    assert not checks.check_token_lengths(good, 49)[0]
    english = good.with_columns(pl.lit([{"role": "user", "content": "What time is it in London?"},
                                        {"role": "assistant", "content": "It is noon there."}],
                                       dtype=good.schema["messages"]).alias("messages"))
    passed, metadata = checks.check_target_language(english, "fr", 0.9)
    assert not passed and metadata["share"] == 0.0
    swapped = good.with_columns(pl.col("messages").list.reverse())
    assert not checks.check_chat_roles(swapped)[0]
    assert not checks.check_schema(good.drop("copy"))[0]
    # the filter node's reconcile check over the mix's distinct rows (what `sft_mix` hands it)
    ids = id_frame(pl.concat([good["sample_id"], pl.Series(["a" * 16])]).to_frame())
    assert not reconcile(ids, checks.distinct_ids(good), id_frame(good.clear()))["passed"]
    assert reconcile(id_frame(good), checks.distinct_ids(good), id_frame(good.clear()))["passed"]


def test_funnel_query_reconciles_every_stage(upstream_lake, lake_root) -> None:
    """The whole pipeline's funnel on a lake holding every table (synthetic upstream counts)."""
    settings = Settings(config_path=REPO / "data_lake/landing/luth.yaml",
                        lake_root=str(lake_root))
    config = _config()
    defs = stage_definitions(config)
    assert dg.materialize(defs.assets, resources=build_resources(settings, config)).success

    def table(key: str, n: int, reasons: list[str] | None = None) -> None:
        frame = pl.DataFrame({"sample_id": [f"{key[-6:]}{i:010d}" for i in range(n)]})
        if reasons is not None:
            frame = frame.with_columns(pl.Series("reason", (reasons * n)[:n]))
        _write(frame, lake_root / f"{key}.parquet")

    judged = pl.read_parquet(lake_root / "silver" / "judged_samples.parquet").height
    table("bronze/raw_multilingual", 40)
    table("silver/french_slices", 30)
    table("silver/french_slices_rejects", 10, ["wrong_language:en", "empty_turn"])
    table("bronze/english_seed_prompts", 12)
    table("silver/translated_prompts", 11)
    table("silver/translated_prompts_rejects", 1, ["invalid_output"])
    table("silver/regenerated_responses", 10)
    table("silver/regenerated_responses_rejects", 1, ["refusal"])
    table("silver/judged_samples_rejects", 40 - judged, ["low_quality"])
    table("silver/scholar_items_clean_rejects", 2, ["garbled_text"])
    scholar = pl.read_parquet(lake_root / "silver" / "scholar_items_clean.parquet").height
    table("silver/scholar_items", scholar + 2)
    columns, rows = run_query(lake_root, read_sql_file("curation/pipeline_funnel.sql"))
    funnel = [dict(zip(columns, r, strict=True)) for r in rows]
    assert [f["step"] for f in funnel] == [1, 2, 3, 4, 5, 6]
    assert all(f["reconciles"] for f in funnel), funnel
    assert funnel[0]["rejects_by_reason"] == "empty_turn=5, wrong_language:en=5"
    assert "decontamination:contaminated=1" in funnel[5]["rejects_by_reason"]
