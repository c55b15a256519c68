"""Write the small Parquet files the paper-source tests read: a few rows we wrote, in the column
layout of each real dataset of the paper's run (as the authors' code and the dataset cards name
the columns). Run: `.venv/bin/python tests/runs/data/make_paper_samples.py`."""

from __future__ import annotations

from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
MESSAGES = pl.List(pl.Struct({"content": pl.String, "role": pl.String}))


def chat(*turns: str) -> list[dict]:
    roles = ["user", "assistant"]
    return [{"content": t, "role": roles[i % 2]} for i, t in enumerate(turns)]


def main() -> None:
    # legmlai/openhermes-fr: prompt, accepted_completion, bad_entry (the authors drop bad entries)
    pl.DataFrame({
        "prompt": ["Quelle est la capitale de la France et pourquoi est-elle importante ?",
                   "Explique la photosynthèse en quelques phrases simples.",
                   "Donne trois conseils pour bien dormir la nuit."],
        "accepted_completion": [
            "La capitale de la France est Paris, centre politique, économique et culturel.",
            "La photosynthèse permet aux plantes de produire du sucre à partir de la lumière.",
            "Couchez-vous à heure fixe, évitez les écrans le soir et gardez la chambre fraîche."],
        "bad_entry": [False, True, False],
    }).write_parquet(HERE / "openhermes_fr.parquet")

    # HuggingFaceTB/smoltalk2 (SFT, smoltalk_multilingual8_Qwen3_32B_think): messages,
    # chat_template_kwargs, source
    kwargs = pl.Struct({"custom_instructions": pl.String, "enable_thinking": pl.Boolean,
                        "python_tools": pl.List(pl.String), "xml_tools": pl.List(pl.String)})
    pl.DataFrame({
        "messages": [
            chat("Peux-tu m'expliquer ce qu'est une fonction dérivée en mathématiques ?",
                 "La dérivée d'une fonction mesure la vitesse à laquelle elle varie en un point."),
            chat("What is the tallest mountain in the world?",
                 "Mount Everest is the tallest mountain above sea level."),
        ],
        "chat_template_kwargs": [
            {"custom_instructions": "", "enable_thinking": False, "python_tools": [],
             "xml_tools": []}] * 2,
        "source": ["smoltalk_multilingual8_Qwen3_32B_think"] * 2,
    }, schema={"messages": MESSAGES, "chat_template_kwargs": kwargs, "source": pl.String}
    ).write_parquet(HERE / "smoltalk2.parquet")

    # CroissantLLM chat SFT data: messages (the layout we assume for its French chat rows)
    pl.DataFrame({"messages": [
        chat("Rédige une courte lettre pour remercier un voisin de son aide pendant le déménagement.",
             "Cher voisin, je tenais à vous remercier chaleureusement pour votre aide précieuse."),
    ]}, schema={"messages": MESSAGES}).write_parquet(HERE / "croissantllm.parquet")

    # CohereLabs/aya_dataset: inputs, targets, language, language_code, annotation_type, user_id
    pl.DataFrame({
        "inputs": ["Quel est le plus long fleuve de France ?", "¿Cuál es la capital de España?"],
        "targets": ["Le plus long fleuve de France est la Loire, avec environ mille kilomètres.",
                    "La capital de España es Madrid."],
        "language": ["French", "Spanish"],
        "language_code": ["fra", "spa"],
        "annotation_type": ["original-annotations"] * 2,
        "user_id": ["a1b2c3", "d4e5f6"],
    }).write_parquet(HERE / "aya.parquet")

    # allenai/tulu-3-sft-personas-math: id, prompt, messages
    pl.DataFrame({
        "id": ["personahub_math_001", "personahub_math_002"],
        "prompt": ["A farmer has 12 cows and buys 7 more. How many cows does he have?",
                   "A train travels 180 km in 2 hours. What is its average speed?"],
        "messages": [chat("A farmer has 12 cows and buys 7 more. How many cows does he have?",
                          "He has 12 + 7 = 19 cows."),
                     chat("A train travels 180 km in 2 hours. What is its average speed?",
                          "180 / 2 = 90 km/h.")],
    }, schema={"id": pl.String, "prompt": pl.String, "messages": MESSAGES}
    ).write_parquet(HERE / "tulu3_persona_math.parquet")

    # allenai/tulu-3-sft-personas-instruction-following: id, prompt, messages, constraints
    pl.DataFrame({
        "id": ["personas_IF_001"],
        "prompt": ["Write a short note to a museum curator. Use no more than two commas."],
        "messages": [chat("Write a short note to a museum curator. Use no more than two commas.",
                          "Dear curator, thank you for the wonderful exhibition.")],
        "constraints": [["use at most two commas"]],
    }, schema={"id": pl.String, "prompt": pl.String, "messages": MESSAGES,
               "constraints": pl.List(pl.String)}).write_parquet(HERE / "tulu3_persona_instruct.parquet")


if __name__ == "__main__":
    main()
