"""Write the demo benchmark files (a few items per benchmark, French and English).

Every item here was written for this project. Real runs load the hub datasets named in
`luth_train/evaluation/registry.py`; tests also use the real samples in ../shared/data/benchmarks.

    .venv/bin/python data_lake/landing/benchmarks/make_demo_benchmarks.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def arc(items, lang):
    """allenai/ai2_arc (English: choices{text,label}); manu/french_bench_arc_challenge (French:
    choices is a list of strings)."""
    rows = []
    for i, (q, c, a) in enumerate(items):
        choices = list(c) if lang == "fr" else {"text": c, "label": list("ABCD")[: len(c)]}
        rows.append({"id": f"demo-{i}", "question": q, "choices": choices, "answerKey": "ABCD"[a]})
    return rows


def mmlu(items, lang):
    """cais/mmlu (English: question, subject, choices, answer index); openai/MMMLU FR_FR (French:
    Question, A-D, Answer letter, Subject)."""
    if lang == "fr":
        return [
            {"Question": q, **dict(zip("ABCD", c, strict=True)), "Answer": "ABCD"[a], "Subject": s}
            for q, c, a, s in items
        ]
    return [{"question": q, "subject": s, "choices": c, "answer": a} for q, c, a, s in items]


def hellaswag(items):
    """Rowan/hellaswag and manu/french_bench_hellaswag: ctx_a, ctx_b (the context's last,
    unfinished sentence, lower-case), ctx, endings, label (string), activity_label."""
    rows = []
    for i, (label, ctx, endings, a) in enumerate(items):
        head, _, tail = ctx.rpartition(". ")
        ctx_a, ctx_b = (head + ".", tail[:1].lower() + tail[1:]) if head else (ctx, "")
        rows.append({"ind": i, "activity_label": label, "ctx_a": ctx_a, "ctx_b": ctx_b, "ctx": ctx,
                     "endings": endings, "label": str(a)})
    return rows


def gpqa(items, lang):
    """Idavidrein/gpqa (English: Question); le-leadboard/gpqa-fr (French: the question is in
    `problem`)."""
    return [
        {
            "Record ID": f"demo-{i}",
            ("problem" if lang == "fr" else "Question"): q,
            "Correct Answer": good,
            "Incorrect Answer 1": w[0],
            "Incorrect Answer 2": w[1],
            "Incorrect Answer 3": w[2],
        }
        for i, (q, good, w) in enumerate(items)
    ]


def math(items):
    """MATH-500 (HuggingFaceH4/MATH-500, bezir/MATH-500-multilingual): problem, solution (ending
    in the boxed answer), answer."""
    return [
        {"unique_id": f"demo/{i}", "problem": p, "solution": f"$= {a}$, so the answer is $\\boxed{{{a}}}$.",
         "answer": a}
        for i, (p, a) in enumerate(items)
    ]


def ifeval(items, prefix):
    return [
        {"key": i, "prompt": p, "instruction_id_list": [f"{prefix}:{x}" for x in ids], "kwargs": kw}
        for i, (p, ids, kw) in enumerate(items)
    ]


FILES = {
    "arc_challenge_fr.jsonl": arc(
        [
            (
                "Quel organe pompe le sang dans le corps humain ?",
                ["le foie", "le cœur", "les poumons", "l'estomac"],
                1,
            ),
            (
                "Que devient l'eau liquide quand on la chauffe à 100 °C au niveau de la mer ?",
                ["de la glace", "de la vapeur", "du sel", "du sable"],
                1,
            ),
            (
                "Quelle force fait tomber une pomme de l'arbre ?",
                ["le magnétisme", "la friction", "la gravité", "le vent"],
                2,
            ),
            (
                "Quelle source d'énergie est renouvelable ?",
                ["le charbon", "le pétrole", "le gaz naturel", "le soleil"],
                3,
            ),
        ],
        "fr",
    ),
    "arc_challenge_en.jsonl": arc(
        [
            (
                "Which organ pumps blood through the human body?",
                ["the liver", "the heart", "the lungs", "the stomach"],
                1,
            ),
            (
                "What happens to liquid water heated to 100 °C at sea level?",
                ["it freezes", "it boils", "it melts", "it rusts"],
                1,
            ),
            ("Which force makes an apple fall from a tree?", ["magnetism", "friction", "gravity", "wind"], 2),
            ("Which energy source is renewable?", ["coal", "oil", "natural gas", "sunlight"], 3),
        ],
        "en",
    ),
    "mmlu_fr.jsonl": mmlu(
        [
            ("Combien font 7 fois 8 ?", ["54", "56", "58", "64"], 1, "elementary_mathematics"),
            ("Quelle est la capitale de l'Italie ?", ["Milan", "Naples", "Rome", "Turin"], 2, "geography"),
            (
                "Quel gaz les plantes absorbent-elles pour la photosynthèse ?",
                ["l'oxygène", "l'azote", "le dioxyde de carbone", "l'hélium"],
                2,
                "biology",
            ),
            (
                "En quelle année a eu lieu la prise de la Bastille ?",
                ["1689", "1789", "1815", "1914"],
                1,
                "history",
            ),
        ],
        "fr",
    ),
    "mmlu_en.jsonl": mmlu(
        [
            ("What is 7 times 8?", ["54", "56", "58", "64"], 1, "elementary_mathematics"),
            ("What is the capital of Italy?", ["Milan", "Naples", "Rome", "Turin"], 2, "geography"),
            (
                "Which gas do plants take in for photosynthesis?",
                ["oxygen", "nitrogen", "carbon dioxide", "helium"],
                2,
                "biology",
            ),
            ("In which year was the Bastille stormed?", ["1689", "1789", "1815", "1914"], 1, "history"),
        ],
        "en",
    ),
    "hellaswag_fr.jsonl": hellaswag(
        [
            (
                "Cuisine",
                "Une femme casse deux œufs dans un bol. Elle",
                [
                    "les bat avec une fourchette.",
                    "repeint le plafond en bleu.",
                    "part nager dans le lac.",
                    "range le bol dans la voiture.",
                ],
                0,
            ),
            (
                "Jardinage",
                "Un homme creuse un trou dans la terre. Il",
                [
                    "allume la télévision.",
                    "y plante un jeune arbre.",
                    "mange une glace au citron.",
                    "lit le journal au lit.",
                ],
                1,
            ),
            (
                "Vélo",
                "Une fille enfile son casque et monte sur son vélo. Elle",
                [
                    "se met à pédaler dans la rue.",
                    "fait cuire des pâtes.",
                    "écrit une lettre à sa tante.",
                    "dort profondément.",
                ],
                0,
            ),
        ]
    ),
    "hellaswag_en.jsonl": hellaswag(
        [
            (
                "Cooking",
                "A woman cracks two eggs into a bowl. She",
                [
                    "whisks them with a fork.",
                    "paints the ceiling blue.",
                    "goes swimming in the lake.",
                    "puts the bowl in the car.",
                ],
                0,
            ),
            (
                "Gardening",
                "A man digs a hole in the soil. He",
                [
                    "turns on the television.",
                    "plants a young tree in it.",
                    "eats a lemon ice cream.",
                    "reads the paper in bed.",
                ],
                1,
            ),
            (
                "Cycling",
                "A girl puts on her helmet and gets on her bike. She",
                [
                    "starts pedalling down the street.",
                    "cooks some pasta.",
                    "writes a letter to her aunt.",
                    "falls fast asleep.",
                ],
                0,
            ),
        ]
    ),
    "gpqa_diamond_fr.jsonl": gpqa(
        [
            (
                "Quelle particule porte une charge électrique négative ?",
                "l'électron",
                ["le proton", "le neutron", "le photon"],
            ),
            ("Quel est le pH d'une solution neutre à 25 °C ?", "7", ["1", "10", "14"]),
            ("Quelle planète est la plus proche du Soleil ?", "Mercure", ["Vénus", "Mars", "Jupiter"]),
        ],
        "fr",
    ),
    "gpqa_diamond_en.jsonl": gpqa(
        [
            (
                "Which particle carries a negative electric charge?",
                "the electron",
                ["the proton", "the neutron", "the photon"],
            ),
            ("What is the pH of a neutral solution at 25 °C?", "7", ["1", "10", "14"]),
            ("Which planet is closest to the Sun?", "Mercury", ["Venus", "Mars", "Jupiter"]),
        ],
        "en",
    ),
    "math500_fr.jsonl": math(
        [
            ("Calculez $3 + 4 \\times 2$.", "11"),
            ("Résolvez $2x + 5 = 11$ pour $x$.", "3"),
            ("Simplifiez la fraction $\\frac{6}{8}$.", "\\frac{3}{4}"),
        ]
    ),
    "math500_en.jsonl": math(
        [
            ("Compute $3 + 4 \\times 2$.", "11"),
            ("Solve $2x + 5 = 11$ for $x$.", "3"),
            ("Simplify the fraction $\\frac{6}{8}$.", "\\frac{3}{4}"),
        ]
    ),
    "ifeval_fr.jsonl": ifeval(
        [
            ("Décrivez votre saison préférée sans utiliser de virgule.", ["punctuation:no_comma"], [{}]),
            (
                "Écrivez un court texte sur la mer d'au moins 20 mots, entièrement en minuscules.",
                ["length_constraints:number_words", "change_case:french_lowercase"],
                [{"relation": "au moins", "num_words": 20}, {}],
            ),
            (
                "Présentez votre ville en français et terminez par la phrase exacte "
                "« D'autres questions ? ».",
                ["language:response_language", "startend:end_checker"],
                [{"language": "fr"}, {"end_phrase": "D'autres questions ?"}],
            ),
        ],
        "fr",
    ),
    "ifeval_en.jsonl": ifeval(
        [
            ("Describe your favourite season without using any commas.", ["punctuation:no_comma"], [{}]),
            (
                "Write a short text about the sea of at least 20 words, all in lowercase letters.",
                ["length_constraints:number_words", "change_case:english_lowercase"],
                [{"relation": "at least", "num_words": 20}, {}],
            ),
            (
                'Introduce your town and end with the exact phrase "Any other questions?".',
                ["language:response_language", "startend:end_checker"],
                [{"language": "en"}, {"end_phrase": "Any other questions?"}],
            ),
        ],
        "en",
    ),
}


def main() -> None:
    for name, rows in FILES.items():
        with (HERE / name).open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)} items")


if __name__ == "__main__":
    main()
