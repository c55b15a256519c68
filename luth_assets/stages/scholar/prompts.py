"""Prompts and structured-output schemas of the scholar extraction chain (the paper's steps).

1. ``scholar_questions`` (one call per sujet chunk): list the student questions with the part of
   the statement each needs (context), and flag those that need a figure.
2. ``scholar_answers`` (one call per question): the answer from the corrigé, whether the
   question is multi-step, and the results of earlier questions it relies on (context
   enrichment).
3. ``scholar_clean`` (one call per item): fix spelling, grammar and LaTeX, translate stray
   English, expand the reasoning into steps keeping the answer equivalent; anomaly verdict.

And ``scholar_vision`` (one call per page, an image part): the transcription of a page whose
text layer is unusable (vision.py).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

STAGE_QUESTIONS = "scholar_questions"
STAGE_ANSWERS = "scholar_answers"
STAGE_CLEAN = "scholar_clean"
STAGE_VISION = "scholar_vision"


class ExtractedQuestion(BaseModel):
    number: str = Field(description="numéro de la question, ex. 'Exercice 1 - 2.b'")
    question: str = Field(description="la consigne posée à l'élève, mot pour mot")
    context: str = Field("", description="l'énoncé nécessaire pour répondre (données, définitions)")
    needs_figure: bool = Field(False, description="vrai si la question exige une figure absente")
    pages: list[int] = Field(default_factory=list, description="pages du sujet (1 = première)")


class QuestionList(BaseModel):
    questions: list[ExtractedQuestion]


class AnswerExtraction(BaseModel):
    found: bool = Field(description="faux si le corrigé ne traite pas cette question")
    answer: str = Field("", description="la réponse du corrigé, avec son raisonnement")
    multi_step: bool = Field(False, description="la question dépend de résultats précédents")
    extra_context: str = Field(
        "", description="résultats des questions précédentes nécessaires (si multi_step)")


class CleanedItem(BaseModel):
    question: str
    context: str = ""
    answer: str
    anomaly: bool = Field(False, description="vrai si l'item est incohérent ou inutilisable")
    anomaly_reason: str = ""


QUESTIONS_SYSTEM = (
    "Tu extrais les questions d'un sujet d'examen français (baccalauréat, CPGE). Réponds en JSON. "
    "Pour chaque question posée à l'élève, donne son numéro, son texte exact, le contexte de "
    "l'énoncé nécessaire pour y répondre sans le reste du sujet (données, fonctions, "
    "définitions), les pages où elle figure, et needs_figure=true si elle ne peut pas être "
    "traitée sans une figure, un graphique ou une annexe absents du texte. N'invente rien."
)

ANSWERS_SYSTEM = (
    "Tu extrais d'un corrigé officiel la réponse à une question d'examen. Réponds en JSON. "
    "Recopie la réponse du corrigé avec son raisonnement (LaTeX entre $...$ pour les "
    "formules). found=false si le corrigé ne traite pas la question. Si la question s'appuie "
    "sur des résultats de questions précédentes, multi_step=true et extra_context les énonce."
)

CLEAN_SYSTEM = (
    "Tu relis un item question/réponse issu d'un examen français. Réponds en JSON. Corrige "
    "l'orthographe, la grammaire et le LaTeX, traduis en français tout passage en anglais, et "
    "développe le raisonnement de la réponse en étapes claires sans changer le résultat. "
    "anomaly=true (avec anomaly_reason) si la question et la réponse ne correspondent pas, si "
    "la réponse est fausse ou s'il manque une information indispensable."
)

VISION_SYSTEM = (
    "Tu transcris une page d'un sujet ou d'un corrigé d'examen français (baccalauréat, CPGE) "
    "donnée en image. Recopie tout le texte de la page dans l'ordre de lecture, en français, "
    "sans traduire, résumer ni compléter : Markdown pour les titres et les listes, LaTeX entre "
    "$...$ (ou $$...$$ en display) pour toute formule. Décris une figure en une ligne entre "
    "crochets, [Figure : ...]. Réponds par la transcription seule."
)
VISION_USER = "Transcris cette page."


def questions_prompt(exam: str, subject: str, chunk_text: str, part: int, parts: int) -> str:
    return (f"Sujet : {exam} ({subject}), partie {part}/{parts}.\n"
            f"Texte du sujet (les marqueurs [page N] donnent les pages) :\n\n{chunk_text}")


def answers_prompt(number: str, question: str, context: str, corrige_text: str) -> str:
    return (f"Question {number} :\n{question}\n\nContexte de l'énoncé :\n{context or '(aucun)'}\n\n"
            f"Corrigé :\n\n{corrige_text}")


def clean_prompt(question: str, context: str, answer: str) -> str:
    return (f"Contexte :\n{context or '(aucun)'}\n\nQuestion :\n{question}\n\n"
            f"Réponse :\n{answer}")
