"""`luth plan`, data side: rows per stage and, per LLM step, requests, tokens and cost.

Every step is counted on the rows it reads, before its filter. A hub source reads its published
size (`expected_input_rows`, else `expected_rows` stands in) and its last filter keeps its
`expected_rows`; the language-ID slice keeps the share it keeps on a sample of the local rows;
translation makes one call per seed row with a prompt, regeneration one per translated prompt;
each judge one per row it reads of the sources in its scope (a judge is assumed to keep every
local row, so a later count over local rows is an upper bound);
Scholar one call per sujet chunk (from the local PDFs), then one answer and one cleaning call
per item (`scholar.expected_rows`). Input tokens are measured on the real prompts of sampled
rows; output tokens follow the rows (translation, regeneration) or `plan.output_tokens`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from luth_assets.lib.llm.call_summary import estimate_cost
from luth_assets.lib.llm.settings import LLMSettings
from luth_assets.lib.llm.types import GenerationParams, Message
from luth_assets.plan.counting import (
    SourceCount,
    TokenCounter,
    count_source,
    mean,
    slice_keep_share,
    turn_text,
)
from luth_assets.plan.scholar_exams import ExamEstimate, estimate_exams
from luth_assets.run_config import RunConfig
from luth_assets.stages.scholar import authors_prompts
from luth_assets.stages.scholar import prompts as scholar_prompts
from luth_assets.stages.scholar.vision import page_tokens, vision_llm_settings
from luth_assets.stages.translation.prompt_sets import prompt_set
from luth_assets.stages.translation.seeds import first_user_turn


@dataclass
class StepPlan:
    """One line of the plan: a stage step, its rows and (for an LLM step) its calls."""

    stage: str
    step: str
    input_rows: int
    output_rows: int
    rows_method: str
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    provider: str | None = None
    model: str | None = None
    cost_usd: float | None = None
    price_known: bool | None = None
    note: str = ""

    def row(self) -> dict:
        return asdict(self)


@dataclass
class SubsetRows:
    """Rows each SFT subset brings to curation, and tokens per row."""

    rows: dict[str, float] = field(default_factory=dict)
    tokens_per_row: dict[str, float] = field(default_factory=dict)


VISION_OUTPUT_TOKENS = 900   # a transcribed exam page (plan.output_tokens.scholar_vision wins)


def _message_tokens(messages: list[Message], count: TokenCounter) -> int:
    return sum(count(m.content) for m in messages)


def _cap(tokens: float, limit: int | None) -> float:
    return min(tokens, limit) if limit else tokens


class Planner:
    def __init__(self, config: RunConfig, count: TokenCounter):
        self.config = config
        self.count = count
        self.plan = config.plan
        self.target = config.target_language
        self.steps: list[StepPlan] = []
        self.subsets = SubsetRows()
        self.prompts = prompt_set(config.translation.prompts, config.target_language)
        self.row_lengths: list[int] = []   # tokens of sampled local rows (packing estimate)

    # ----------------------------------------------------------------------------- helpers
    def _llm_step(self, stage: str, step: str, rows: int, requests: int, tin: float, tout: float,
                  *, output_rows: int | None = None, method: str, note: str = "",
                  settings: LLMSettings | None = None) -> StepPlan:
        llm = (settings or self.config.llm).for_step(step)
        model = llm.resolved_model()
        cost, known = estimate_cost(model, self.config.llm.effective_prices(), int(tin), int(tout))
        if llm.provider == "replay":  # authored answers read from files: no bill
            cost, known, note = 0.0, True, (note + "; " if note else "") + "replay: no cost"
        if not known:
            note = (note + "; " if note else "") + f"no price for {model} (set llm.pricing)"
        plan = StepPlan(stage=stage, step=step, input_rows=rows,
                        output_rows=requests if output_rows is None else output_rows,
                        rows_method=method, requests=requests, input_tokens=round(tin),
                        output_tokens=round(tout), provider=llm.provider, model=model,
                        cost_usd=round(cost, 2) if known else None, price_known=known, note=note)
        self.steps.append(plan)
        return plan

    def _max_tokens(self, step: str, params: GenerationParams | int | None) -> int | None:
        over = self.config.llm.step(step)
        if over is not None and over.max_output_tokens:
            return over.max_output_tokens
        return params.max_output_tokens if isinstance(params, GenerationParams) else params

    def _row_tokens(self, src: SourceCount) -> tuple[float, float]:
        """(prompt, answer) tokens per row: measured on the sample, else the plan's assumption."""
        if not src.sample:
            return float(self.plan.assumed_prompt_tokens), float(self.plan.assumed_answer_tokens)
        usable = [r for r in src.sample if r["problem"] is None] or src.sample
        return (mean([self.count(turn_text(r["messages"], "user")) for r in usable]),
                mean([self.count(turn_text(r["messages"], "assistant")) for r in usable]))

    # ----------------------------------------------------------------------------- stages
    def sources(self) -> dict[str, tuple[SourceCount, float]]:
        """Gathered sources: rows read and kept by the language-ID slice. A hub source reads its
        published size; a source no judge reviews keeps its `expected_rows` there, one a judge
        reviews passes the slice whole (its filter is the judge: see `judges`)."""
        out = {}
        judges = self.config.translation.judges
        for name, source in self.config.sources.items():
            src = count_source(name, source, self.plan.sample_rows)
            if src.method != "counted":
                judged = judges.quality.applies(name) or judges.cleaning.applies(name)
                kept = float(src.rows if judged else min(src.rows, source.expected_rows or 0))
                method = (f"{src.method} (hub)" + ("" if src.method == "expected_input_rows" else
                          "; published size unknown") + ("; the judge filters" if judged else ""))
            else:
                share = slice_keep_share(src.sample, self.target, self.config.language_id)
                kept = src.rows * share
                method = f"counted; language-ID keep share {share:.3f} on {len(src.sample)} rows"
            out[name] = (src, kept)
            self.steps.append(StepPlan("sources", f"slice:{name}", src.rows, round(kept), method))
        return out

    def translation(self) -> dict[str, tuple[SourceCount, int]]:
        """Seed sources: one translate and one regenerate call per seed row with a prompt."""
        tcfg = self.config.translation
        seeds: dict[str, tuple[SourceCount, int]] = {}
        tr_in = tr_out = re_in = re_out = 0.0
        rows = calls = 0
        methods = set()
        for name, source in tcfg.sources.items():
            src = count_source(name, source, self.plan.sample_rows, limit=tcfg.limit)
            callable_rows = src.rows - self._seed_problems(src)
            seeds[name] = (src, callable_rows)
            prompt_t, answer_t = self._row_tokens(src)
            system_tr = _message_tokens(self.prompts.translate("", target=self.target,
                                                               source=tcfg.source_language),
                                        self.count)
            system_re = _message_tokens(self.prompts.regenerate("", target=self.target), self.count)
            tr_in += callable_rows * (system_tr + prompt_t)
            tr_out += callable_rows * _cap(prompt_t, self._max_tokens("translate", tcfg.translate))
            re_in += callable_rows * (system_re + prompt_t)
            re_out += callable_rows * _cap(answer_t, self._max_tokens("regenerate", tcfg.regenerate))
            rows += src.rows
            calls += callable_rows
            methods.add(src.method)
        if tcfg.sources:
            method = "+".join(sorted(methods))
            self._llm_step("translation", "translate", rows, calls, tr_in, tr_out, method=method,
                           note="output tokens ~ the English prompt's")
            self._llm_step("translation", "regenerate", calls, calls, re_in, re_out, method=method,
                           note="output tokens ~ the seed row's answer")
        return seeds

    def _seed_problems(self, src: SourceCount) -> int:
        """Seed rows without a usable prompt, as the seed stage flags them (scaled from the
        sample of a counted source; none assumed for a hub source)."""
        if not src.sample:
            return 0
        bad = sum(1 for r in src.sample if r["problem"] is not None
                  or not (first_user_turn(r["messages"]) or "").strip())
        return round(bad * src.rows / len(src.sample))

    def judges(self, gathered: dict[str, tuple[SourceCount, float]],
               seeds: dict[str, tuple[SourceCount, int]]) -> None:
        """Quality then cleaning judge, each counted on the rows it reads (before its filter).
        What a judge keeps: for a hub source, the last judge that reviews it ends at the
        source's `expected_rows` (the paper's count), the ones before keep every row; for a
        local source every judge is assumed to keep every row (an upper bound)."""
        cands: dict[str, tuple[float, SourceCount, str]] = {}
        expected: dict[str, int | None] = {}
        for name, (src, kept) in gathered.items():
            cands[name] = (kept, src, "gathered")
            expected[name] = self.config.sources[name].expected_rows
        for name, (src, callable_rows) in seeds.items():
            cands[name] = (float(callable_rows), src, "translated")
            expected[name] = self.config.translation.sources[name].expected_rows
        rows_now = {name: c[0] for name, c in cands.items()}
        judges = self.config.translation.judges
        order = (("quality_judge", judges.quality, self.prompts.judges["quality"]),
                 ("cleaning_judge", judges.cleaning, self.prompts.judges["cleaning"]))
        for i, (judge, scope, build) in enumerate(order):
            in_scope = [n for n in cands if scope.applies(n)]
            later = [s for _, s, _ in order[i + 1:]]
            read = sum(rows_now[n] for n in in_scope)
            tin = 0.0
            for name in in_scope:
                prompt_t, answer_t = self._row_tokens(cands[name][1])
                frame = _message_tokens(build([], target=self.target), self.count)
                tin += rows_now[name] * (frame + prompt_t + answer_t + 8)
            answer = self.plan.output_tokens.get(judge, self.prompts.judge_output_tokens)
            tout = read * _cap(answer, self._max_tokens(judge, self.config.translation.judge))
            ends_here = []
            for name in in_scope:
                last = not any(s.applies(name) for s in later)
                if last and cands[name][1].method != "counted" and expected[name] is not None:
                    rows_now[name] = min(rows_now[name], float(expected[name]))
                    ends_here.append(name)
            kept = sum(rows_now[n] for n in in_scope)
            note = "sources: " + (", ".join(sorted(in_scope)) or "none")
            if ends_here:
                note += f"; keeps expected_rows of {', '.join(sorted(ends_here))}"
            if any(cands[n][1].method == "counted" for n in in_scope):
                note += "; assumes it keeps every local row"
            self._llm_step("judges", judge, round(read), round(read), tin, tout,
                           output_rows=round(kept), method="rows read, in scope", note=note)
        for name, (_, src, subset) in cands.items():
            prompt_t, answer_t = self._row_tokens(src)
            rows = rows_now[name]
            self.subsets.rows[subset] = self.subsets.rows.get(subset, 0.0) + rows
            per_row = self.subsets.tokens_per_row
            per_row[subset] = per_row.get(subset, 0.0) + rows * (prompt_t + answer_t + 8)
            if src.sample:
                self.row_lengths.extend(self._sample_lengths(src))

    def _sample_lengths(self, src: SourceCount) -> list[int]:
        """Tokens of each sampled row (user + assistant turns + chat template), for the
        packing estimate."""
        usable = [r for r in src.sample if r["problem"] is None]
        return [self.count(turn_text(r["messages"], "user"))
                + self.count(turn_text(r["messages"], "assistant")) + 8 for r in usable]

    def scholar(self) -> ExamEstimate:
        """Question calls per sujet chunk, answer and cleaning calls per item; with the authors'
        chain four calls per exam, then the cleaning call per item."""
        scfg = self.config.scholar
        exams = estimate_exams(self.config, self.count)
        if scfg.vision.enabled:
            self._vision(exams)
        if exams.exams == 0 and scfg.expected_rows is None:
            return exams
        items = scfg.expected_rows
        note = "" if items is not None else "set scholar.expected_rows to count answer and " \
            "cleaning calls"
        items = items or 0
        a_out = _cap(self.plan.output_tokens_for("scholar_answers") or 0,
                     self._max_tokens("scholar_answers", scfg.max_output_tokens))
        q_per_call = _cap(self.plan.output_tokens_for("scholar_questions") or 0,
                          self._max_tokens("scholar_questions", scfg.max_output_tokens))
        if scfg.chain == "authors":
            q_tokens = self._authors_chain(exams, items, q_per_call, a_out, note)
        else:
            q_out = exams.chunks * q_per_call
            self._llm_step("scholar", "scholar_questions", exams.exams, round(exams.chunks),
                           exams.chunk_tokens
                           + exams.chunks * self.count(scholar_prompts.QUESTIONS_SYSTEM),
                           q_out, output_rows=items, method=exams.method, note=note)
            q_tokens = (self.plan.output_tokens_for("scholar_questions") or 0) / max(
                1.0, items / max(exams.chunks, 1.0))
            a_in = items * (exams.corrige_tokens + q_tokens
                            + self.count(scholar_prompts.ANSWERS_SYSTEM))
            self._llm_step("scholar", "scholar_answers", items, items, a_in, items * a_out,
                           method="scholar.expected_rows", note=note)
        c_out = _cap(self.plan.output_tokens_for("scholar_clean") or 0,
                     self._max_tokens("scholar_clean", scfg.max_output_tokens))
        frame = authors_prompts.CLEAN_SAMPLE if scfg.chain == "authors" else \
            scholar_prompts.CLEAN_SYSTEM
        c_in = items * (q_tokens + a_out + self.count(frame))
        self._llm_step("scholar", "scholar_clean", items, items, c_in, items * c_out,
                       method="scholar.expected_rows", note=note)
        self.subsets.rows["scholar"] = float(items)
        self.subsets.tokens_per_row["scholar"] = items * (q_tokens + c_out)
        return exams

    def _vision(self, exams: ExamEstimate) -> None:
        """One call per page the vision fallback sends: the page as an image (Gemini's tile
        count at `scholar.vision.dpi`, an A4 page) plus the prompt; `scholar.vision.model`
        prices it."""
        scfg = self.config.scholar
        pages = exams.vision_pages
        out = _cap(self.plan.output_tokens_for("scholar_vision") or VISION_OUTPUT_TOKENS,
                   self._max_tokens("scholar_vision", scfg.max_output_tokens))
        tin = pages * (page_tokens(scfg.vision.dpi) + self.count(scholar_prompts.VISION_SYSTEM)
                       + self.count(scholar_prompts.VISION_USER))
        self._llm_step("scholar", "scholar_vision", pages, pages, tin, pages * out,
                       method=f"garbled or image-only pages ({exams.method})",
                       note=f"image at {scfg.vision.dpi} dpi: {page_tokens(scfg.vision.dpi)} "
                       "tokens a page", settings=vision_llm_settings(self.config.llm, scfg))

    def _authors_chain(self, exams: ExamEstimate, items: int, q_per_call: float, a_out: float,
                       note: str) -> float:
        """`scholar.chain: authors`: per exam, two question-stage calls on the whole sujet
        (extract questions, add context) and two answer-stage calls (extract answers with the
        whole corrigé, enrich context); returns the tokens of one item's question."""
        n = max(exams.exams, 1)
        sujet = exams.chunk_tokens / n
        per_exam = items / n
        frame = sum(self.count(t) for t in (authors_prompts.EXTRACT_QUESTIONS,
                                            authors_prompts.ADD_CONTEXT))
        self._llm_step("scholar", "scholar_questions", exams.exams, 2 * exams.exams,
                       exams.exams * (2 * sujet + q_per_call + frame),
                       2 * exams.exams * q_per_call, output_rows=items, method=exams.method,
                       note="authors' chain: extract questions + add context, per exam"
                       + (f"; {note}" if note else ""))
        answers = per_exam * a_out
        frame = sum(self.count(t) for t in (authors_prompts.EXTRACT_ANSWERS,
                                            authors_prompts.ENRICH_CONTEXT))
        self._llm_step("scholar", "scholar_answers", exams.exams, 2 * exams.exams,
                       exams.exams * (exams.corrige_tokens + q_per_call + answers + frame),
                       2 * exams.exams * answers, output_rows=items, method=exams.method,
                       note="authors' chain: extract answers + enrich context, per exam")
        return q_per_call / max(1.0, per_exam)

    def curation(self) -> tuple[int, float]:
        """SFT mix rows (weights applied to the train share) and tokens."""
        mixing = self.config.curation.mixing
        share = mixing.validation_share
        total_rows = 0.0
        total_tokens = 0.0
        for subset, rows in self.subsets.rows.items():
            spec = mixing.subsets.get(subset)
            weight = spec.weight if spec is not None else 1.0
            per_row = self.subsets.tokens_per_row.get(subset, 0.0) / rows if rows else 0.0
            val = rows * share
            mix = val + (rows - val) * weight
            total_rows += mix
            total_tokens += mix * per_row
        inputs = round(sum(self.subsets.rows.values()))
        weights = {s: (mixing.subsets[s].weight if s in mixing.subsets else 1.0)
                   for s in self.subsets.rows}
        self.steps.append(StepPlan(
            "curation", "sft_mix", inputs, round(total_rows), "judged + scholar items, weighted",
            note=f"weights {weights}; before dedup/decontamination/length cap (not estimated)"))
        return round(total_rows), total_tokens
