"""Write the translation stage's demo inputs: the English seed source and the replay answers.

    .venv/bin/python data_lake/landing/replay/make_translation_replay.py

writes
- ``data_lake/landing/sources/english_demo.jsonl``: English seed prompts (Tulu-3 shape:
  ``{"id", "messages"}``), every sentence written by hand for this project;
- ``data_lake/landing/replay/translation.jsonl``: the replay provider's answers for every demo
  call of the stage: the French translation and the French regenerated answer of each seed
  (authored below, next to their English), and both judges' verdicts for every candidate.

Judge verdicts: for the translated rows, authored per seed (below, with the real reason: code,
tool calling, a wrong calculation, grammar errors, a prompt that is not an instruction, a request
to answer in English, an answer cut off). For the gathered rows (every row of the three demo
sources, a superset of `silver/french_slices`), a rule we wrote: a turn that starts with a
lower-case letter or a `?!` is a grammar/punctuation error (quality judge); code or tool-call
markers are rejected too; every other row is kept.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANDING = HERE.parent
REPO = LANDING.parents[1]
sys.path.insert(0, str(REPO))

from luth_assets.lib.source_reading import read_source_batches  # noqa: E402
from luth_assets.run_config import load_config  # noqa: E402
from luth_assets.stages.translation.judging import CLEANING_STAGE, QUALITY_STAGE  # noqa: E402
from luth_assets.stages.translation.prompts import (  # noqa: E402
    cleaning_judge_messages,
    quality_judge_messages,
    regenerate_messages,
    translate_messages,
)
from luth_assets.stages.translation.translating import (  # noqa: E402
    REGENERATE_STAGE,
    TRANSLATE_STAGE,
    translated_sample_id,
)
from luth_train.sample_ids import make_sample_id  # noqa: E402

SOURCE_NAME = "english_demo"          # the name of the source in luth.yaml `translation.sources`
SOURCE_FILE = LANDING / "sources" / "english_demo.jsonl"
REPLAY_FILE = HERE / "translation.jsonl"
TARGET = "fr"

KEEP_Q = ("keep", "none", "No code, no tool call; the reasoning and the French are correct.")
KEEP_C = ("keep", "none", "Entirely in French, complete and coherent; the user turn is a request.")

# id, English prompt, English answer, French prompt, French answer, quality, cleaning
SEEDS: list[tuple] = [
    ("en-001",
     "A bakery sells croissants for 1.20 euros each. Emma buys 7 croissants and pays with a "
     "10-euro note. How much change does she get?",
     "Seven croissants cost 7 × 1.20 = 8.40 euros, so Emma gets 10 − 8.40 = 1.60 euros back.",
     "Une boulangerie vend des croissants à 1,20 euro pièce. Emma achète 7 croissants et paie "
     "avec un billet de 10 euros. Combien doit-on lui rendre ?",
     "Sept croissants coûtent 7 × 1,20 = 8,40 euros. On doit donc rendre à Emma "
     "10 − 8,40 = 1,60 euro.",
     KEEP_Q, KEEP_C),
    ("en-002",
     "A train travels 240 km in 3 hours. At the same speed, how far will it travel in 5 hours?",
     "Its speed is 240 ÷ 3 = 80 km/h, so in 5 hours it covers 80 × 5 = 400 km.",
     "Un train parcourt 240 km en 3 heures. À la même vitesse, quelle distance parcourra-t-il "
     "en 5 heures ?",
     "La vitesse du train est de 240 ÷ 3 = 80 km/h. En 5 heures, il parcourra donc "
     "80 × 5 = 400 km.",
     KEEP_Q, KEEP_C),
    ("en-003",
     "Liam is 4 years older than his sister. The sum of their ages is 28. How old is each of "
     "them?",
     "If the sister is x years old, Liam is x + 4 and 2x + 4 = 28, so x = 12: she is 12 and "
     "Liam is 16.",
     "Liam a 4 ans de plus que sa sœur. La somme de leurs âges est 28. Quel âge a chacun "
     "d'eux ?",
     "Notons x l'âge de la sœur ; Liam a alors x + 4 ans. On a x + (x + 4) = 28, donc 2x = 24 "
     "et x = 12. La sœur a 12 ans et Liam en a 16.",
     KEEP_Q, KEEP_C),
    ("en-004",
     "A rectangular garden is 15 m long and 8 m wide. How many metres of fence are needed to "
     "go all the way around it?",
     "The perimeter is 2 × (15 + 8) = 46 metres.",
     "Un jardin rectangulaire mesure 15 m de long et 8 m de large. Combien de mètres de "
     "clôture faut-il pour en faire tout le tour ?",
     "Il faut clôturer le périmètre du jardin : 2 × (15 + 8) = 2 × 23 = 46 mètres de clôture.",
     KEEP_Q, KEEP_C),
    ("en-005",
     "A jacket costs 120 euros. It is reduced by 25%, then by a further 10% on the new price. "
     "What is the final price?",
     "After 25% off it costs 90 euros; 10% off 90 gives 81 euros.",
     "Une veste coûte 120 euros. Son prix baisse de 25 %, puis encore de 10 % sur le nouveau "
     "prix. Quel est le prix final ?",
     "Une baisse de 25 % donne 120 × 0,75 = 90 euros. Une nouvelle baisse de 10 % donne "
     "90 × 0,90 = 81 euros. Le prix final est de 81 euros.",
     KEEP_Q, KEEP_C),
    ("en-006",
     "A tank holds 500 litres and is filled at 20 litres per minute. How long does it take to "
     "fill three fifths of it?",
     "Three fifths of 500 is 300 litres, which takes 300 ÷ 20 = 15 minutes.",
     "Une cuve contient 500 litres et se remplit à raison de 20 litres par minute. Combien de "
     "temps faut-il pour en remplir les trois cinquièmes ?",
     # a wrong calculation, on purpose: the quality judge rejects it
     "Les trois cinquièmes de 500 litres font 500 ÷ 5 × 3 = 500 litres. À 20 litres par "
     "minute, il faut donc 500 ÷ 20 = 25 minutes.",
     ("reject", "logical_error",
      "Three fifths of 500 litres is 300, not 500; the right answer is 15 minutes, not 25."),
     KEEP_C),
    ("en-007",
     "The temperatures over five days were 12, 15, 11, 14 and 13 degrees. What was the average "
     "temperature?",
     "The sum is 65 and 65 ÷ 5 = 13 degrees.",
     "Les températures relevées pendant cinq jours étaient de 12, 15, 11, 14 et 13 degrés. "
     "Quelle a été la température moyenne ?",
     "La somme des températures est 12 + 15 + 11 + 14 + 13 = 65. La moyenne vaut donc "
     "65 ÷ 5 = 13 degrés.",
     KEEP_Q, KEEP_C),
    ("en-008",
     "Write a short, polite message to a neighbour asking them to keep their dog quiet early "
     "in the morning.",
     "Hello, I hope you are well. Your dog often barks around six in the morning; could you "
     "keep it inside until a little later? Thank you very much.",
     "Écris un message court et poli à un voisin pour lui demander que son chien reste "
     "silencieux tôt le matin.",
     "Bonjour, j'espère que vous allez bien. Votre chien aboie souvent vers six heures du "
     "matin et cela me réveille. Serait-il possible de le garder à l'intérieur un peu plus "
     "longtemps ? Je vous remercie par avance de votre compréhension.",
     KEEP_Q, KEEP_C),
    ("en-009",
     "Give three tips for staying focused while studying at home.",
     "Put your phone in another room, work in short timed sessions, and keep a tidy desk.",
     "Donne trois conseils pour rester concentré quand on étudie à la maison.",
     "Premièrement, rangez votre téléphone dans une autre pièce. Deuxièmement, travaillez par "
     "séances courtes et minutées, suivies d'une petite pause. Troisièmement, gardez un bureau "
     "dégagé où ne figure que le matériel du jour.",
     KEEP_Q, KEEP_C),
    ("en-010",
     "Explain in simple terms why the sea has tides.",
     "The Moon's gravity pulls on the oceans, making them bulge; as the Earth turns, coasts "
     "pass through these bulges.",
     "Explique simplement pourquoi la mer a des marées.",
     "La Lune attire l'eau des océans par sa gravité, ce qui forme un renflement d'eau du côté "
     "de la Lune et un autre du côté opposé. En tournant sur elle-même, la Terre fait passer "
     "chaque côte dans ces renflements, d'où deux marées hautes par jour environ. Le Soleil "
     "renforce ou atténue cet effet selon sa position.",
     KEEP_Q, KEEP_C),
    ("en-011",
     "Summarise the main idea of the following paragraph in one sentence.\n\nCities across "
     "Europe are turning old railway lines into walking and cycling paths. These green "
     "corridors give residents a safe place to exercise, connect neighbourhoods that were once "
     "cut off from each other, and bring wildlife back into the city.",
     "Old railway lines are becoming green paths that help residents, neighbourhoods and "
     "wildlife.",
     "Résume en une phrase l'idée principale du paragraphe suivant.\n\nDans toute l'Europe, "
     "des villes transforment d'anciennes voies ferrées en chemins pour piétons et cyclistes. "
     "Ces couloirs verts offrent aux habitants un lieu sûr pour faire de l'exercice, relient "
     "des quartiers autrefois isolés les uns des autres et ramènent la faune sauvage en ville.",
     "En Europe, d'anciennes voies ferrées deviennent des couloirs verts qui profitent à la "
     "fois aux habitants, aux quartiers qu'ils relient et à la faune.",
     KEEP_Q, KEEP_C),
    ("en-012",
     "List four advantages of learning a second language.",
     "Better job prospects, easier travel, a sharper memory, and access to other cultures.",
     "Cite quatre avantages de l'apprentissage d'une deuxième langue.",
     "Apprendre une deuxième langue ouvre de meilleures perspectives professionnelles, rend "
     "les voyages plus faciles, entretient la mémoire et donne accès à d'autres cultures, à "
     "leurs livres et à leurs films dans leur version originale.",
     KEEP_Q, KEEP_C),
    ("en-013",
     "Rewrite the following sentence in the passive voice: The committee approved the new "
     "budget.",
     "The new budget was approved by the committee.",
     "Réécris la phrase suivante à la voix passive : Le comité a approuvé le nouveau budget.",
     "À la voix passive, la phrase devient : « Le nouveau budget a été approuvé par le "
     "comité. » Le complément d'objet devient sujet et le sujet devient complément d'agent.",
     KEEP_Q, KEEP_C),
    ("en-014",
     "Write a Python function that returns the factorial of a number.",
     "def factorial(n):\n    return 1 if n < 2 else n * factorial(n - 1)",
     "Écris une fonction Python qui renvoie la factorielle d'un nombre.",
     "Voici une fonction récursive :\n\n```python\ndef factorielle(n):\n    return 1 if n < 2 "
     "else n * factorielle(n - 1)\n```\n\nPar exemple, factorielle(5) renvoie 120.",
     ("reject", "code", "The request asks for Python code and the answer is a code block."),
     KEEP_C),
    ("en-015",
     "Fix the bug in this JavaScript loop: for (let i = 0; i <= items.length; i++) { "
     "console.log(items[i]); }",
     "Use i < items.length: with <= the last iteration reads past the end of the array.",
     "Corrige le bogue de cette boucle JavaScript : for (let i = 0; i <= items.length; i++) { "
     "console.log(items[i]); }",
     "La condition doit être i < items.length : avec <=, le dernier tour lit une case qui "
     "n'existe pas.\n\n```javascript\nfor (let i = 0; i < items.length; i++) {\n  "
     "console.log(items[i]);\n}\n```",
     ("reject", "code", "The exchange is about debugging JavaScript and contains code."),
     KEEP_C),
    ("en-016",
     "You can call the tool get_weather(city). Use it to find the weather in Lyon, then tell "
     "me whether I need an umbrella today.",
     '{"tool": "get_weather", "arguments": {"city": "Lyon"}}',
     "Tu peux appeler l'outil get_weather(city). Utilise-le pour connaître la météo à Lyon, "
     "puis dis-moi si j'ai besoin d'un parapluie aujourd'hui.",
     'J\'appelle l\'outil météo :\n{"tool": "get_weather", "arguments": {"city": "Lyon"}}',
     ("reject", "tool_calling",
      "The answer is a tool call with JSON arguments instead of a final answer."),
     KEEP_C),
    ("en-017",
     "The weather was lovely yesterday and we had lunch in the garden.",
     "That sounds like a lovely day!",
     "Il faisait très beau hier et nous avons déjeuné dans le jardin.",
     "Cela a dû être un moment très agréable ! Profiter d'un repas au soleil dans son jardin "
     "est l'un des grands plaisirs des beaux jours.",
     KEEP_Q,
     ("reject", "not_an_instruction",
      "The user turn is a statement about yesterday, not a request or a question.")),
    ("en-018",
     "Explain what photosynthesis is. Please answer in English.",
     "Photosynthesis is how plants turn light, water and carbon dioxide into sugar and oxygen.",
     "Explique ce qu'est la photosynthèse. Réponds en anglais, s'il te plaît.",
     "La photosynthèse est le processus par lequel les plantes utilisent la lumière du soleil "
     "pour transformer l'eau et le dioxyde de carbone en sucres, en rejetant de l'oxygène.",
     KEEP_Q,
     ("reject", "language_switch",
      "The prompt asks for the answer in English, so the exchange asks to switch language.")),
    ("en-019",
     "Describe a typical day in the life of a baker.",
     "A baker gets up around three, kneads and bakes the bread, then serves customers.",
     "Décris une journée type dans la vie d'un boulanger.",
     # grammar and agreement errors, on purpose: the quality judge rejects them
     "Le boulanger se lève a trois heure du matin. Il pétrit la pâte et il fait cuire les "
     "baguette pendant que la ville dorment. Ensuite il vend ses pain aux client jusqu'à midi.",
     ("reject", "grammar_error",
      "Several agreement and spelling errors: 'a trois heure', 'les baguette', 'la ville "
      "dorment', 'ses pain aux client'."),
     KEEP_C),
    ("en-020",
     "How many minutes are there in a day? Explain your calculation.",
     "24 hours × 60 minutes = 1,440 minutes.",
     "Combien y a-t-il de minutes dans une journée ? Explique ton calcul.",
     "Une journée compte 24 heures et chaque heure compte 60 minutes. Il y a donc "
     "24 × 60 = 1 440 minutes dans une journée.",
     KEEP_Q, KEEP_C),
    ("en-021",
     "Suggest a name for a small bookshop that also serves coffee, and explain your choice.",
     "'Chapter & Cup': it joins books and coffee in a friendly way.",
     "Propose un nom pour une petite librairie qui sert aussi du café, et explique ton choix.",
     "Je propose « La Page et la Tasse » : le nom associe simplement les deux plaisirs du "
     "lieu, la lecture et le café, et il est facile à retenir.",
     KEEP_Q, KEEP_C),
    ("en-022",
     "A recipe for 4 people uses 300 g of pasta. How much pasta is needed for 10 people?",
     "75 g per person, so 750 g for 10 people.",
     "Une recette pour 4 personnes utilise 300 g de pâtes. Quelle quantité de pâtes faut-il "
     "pour 10 personnes ?",
     "Pour une personne, il faut 300 ÷ 4 = 75 g de pâtes. Pour 10 personnes, il en faut donc "
     "75 × 10 = 750 g.",
     KEEP_Q, KEEP_C),
    ("en-023",
     "What are the main differences between a lake and a sea?",
     "A lake is inland and usually fresh water; a sea is salt water connected to an ocean.",
     "Quelles sont les principales différences entre un lac et une mer ?",
     "Un lac est une étendue d'eau entourée de terres, le plus souvent d'eau douce. Une mer "
     "est une étendue d'eau salée, généralement reliée à un océan et bien plus vaste. Les "
     "marées y sont aussi plus marquées que sur un lac.",
     KEEP_Q, KEEP_C),
    ("en-024",
     "Give me step-by-step instructions to repot a houseplant.",
     "Water the plant, take it out, loosen the roots, put it in a bigger pot with fresh soil, "
     "and water again.",
     "Donne-moi les étapes pour rempoter une plante d'intérieur.",
     # cut off in the middle of a sentence, on purpose: the cleaning judge rejects it
     "1. Arrosez la plante la veille pour que la motte se détache facilement.\n2. Retirez-la "
     "délicatement de son pot en la tenant par la base.\n3. Démêlez les racines et placez",
     KEEP_Q,
     ("reject", "incomplete", "The answer stops in the middle of step 3.")),
    ("en-025",
     "A book has 320 pages and Chloé reads 25 pages a day. How many days does she need to "
     "finish it?",
     "320 ÷ 25 = 12.8, so she needs 13 days.",
     "Un livre compte 320 pages et Chloé en lit 25 par jour. Combien de jours lui faut-il "
     "pour le terminer ?",
     "320 ÷ 25 = 12,8. Au bout de 12 jours, il lui reste encore 20 pages à lire : il lui faut "
     "donc 13 jours pour terminer le livre.",
     KEEP_Q, KEEP_C),
]

# a seed row with an empty user turn: rejected by translated_prompts (`empty_prompt`), no call
EMPTY_SEED = {"id": "en-026", "messages": [
    {"role": "user", "content": "   "},
    {"role": "assistant", "content": "It seems your message is empty."}]}

CODE_MARKERS = re.compile(r"```|\bdef \w+\(|\bimport \w+|console\.log|SELECT .* FROM")
TOOL_MARKERS = re.compile(r'"tool"\s*:|"function_call"|<tool_call>')


def gathered_verdicts(messages: list[dict]) -> tuple[tuple, tuple]:
    """The rule we wrote for the gathered rows (see the module docstring)."""
    text = "\n".join(m["content"] or "" for m in messages)
    if CODE_MARKERS.search(text):
        return ("reject", "code", "The exchange contains program code."), KEEP_C
    if TOOL_MARKERS.search(text):
        return ("reject", "tool_calling", "The exchange contains a tool call."), KEEP_C
    for m in messages:
        content = (m["content"] or "").strip()
        if content[:1].islower():
            return ("reject", "grammar_error",
                    f"A {m['role']} turn starts with a lower-case letter: sentences must start "
                    "with a capital."), KEEP_C
        if "?!" in content:
            return ("reject", "grammar_error",
                    "'?!' is not correct punctuation for a neutral question."), KEEP_C
    return KEEP_Q, KEEP_C


def tokens(messages) -> int:
    return max(1, sum(len(m.content) for m in messages) // 4)


def verdict(v: tuple) -> dict:
    return {"reason": v[2], "issue": v[1], "verdict": v[0]}


def judge_lines(sample_id: str, messages: list[dict], quality: tuple, cleaning: tuple):
    for stage, build, v in ((QUALITY_STAGE, quality_judge_messages, quality),
                            (CLEANING_STAGE, cleaning_judge_messages, cleaning)):
        out = verdict(v)
        yield {"stage": stage, "sample_id": sample_id, "output": out,
               "input_tokens": tokens(build(messages, target=TARGET)),
               "output_tokens": max(1, len(json.dumps(out, ensure_ascii=False)) // 4)}


def main() -> None:
    seeds = [{"id": sid, "messages": [{"role": "user", "content": en_q},
                                      {"role": "assistant", "content": en_a}]}
             for sid, en_q, en_a, *_ in SEEDS] + [EMPTY_SEED]
    SOURCE_FILE.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in seeds),
                           encoding="utf-8")
    lines: list[dict] = []
    for sid, en_q, _, fr_q, fr_a, quality, cleaning in SEEDS:
        new_id = translated_sample_id(make_sample_id(SOURCE_NAME, sid), TARGET)
        lines.append({"stage": TRANSLATE_STAGE, "sample_id": new_id, "text": fr_q,
                      "input_tokens": tokens(translate_messages(en_q, target=TARGET)),
                      "output_tokens": max(1, len(fr_q) // 4)})
        lines.append({"stage": REGENERATE_STAGE, "sample_id": new_id, "text": fr_a,
                      "input_tokens": tokens(regenerate_messages(fr_q, target=TARGET)),
                      "output_tokens": max(1, len(fr_a) // 4)})
        exchange = [{"role": "user", "content": fr_q}, {"role": "assistant", "content": fr_a}]
        lines.extend(judge_lines(new_id, exchange, quality, cleaning))
    config = load_config(LANDING / "luth.yaml")
    gathered = 0
    for name, source in config.sources.items():
        for batch in read_source_batches(name, source):
            for row in batch:
                if row["problem"] is not None:
                    continue
                quality, cleaning = gathered_verdicts(row["messages"])
                lines.extend(judge_lines(row["sample_id"], row["messages"], quality, cleaning))
                gathered += 1
    REPLAY_FILE.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    print(f"{SOURCE_FILE.name}: {len(seeds)} seeds; {REPLAY_FILE.name}: {len(lines)} answers "
          f"({len(SEEDS)} translated rows, {gathered} gathered candidates)")


if __name__ == "__main__":
    main()
