-- The whole pipeline's reconciliation in one query: for every filtering stage, input rows, kept,
-- rejected, whether input = kept + rejected, and the rejects by reason.
-- Inputs per stage: french_slices <- raw_multilingual; translated_prompts <- english_seed_prompts;
-- regenerated_responses <- translated_prompts; judged_samples <- french_slices +
-- regenerated_responses; scholar_items_clean <- scholar_items (items extracted from the exams);
-- sft_mix <- judged_samples + scholar_items_clean (distinct rows, weighted copies aside).
-- DuckDB views exist only for materialised tables: this needs the whole demo materialised
-- (`make demo`). Run: luth sql curation/pipeline_funnel.sql
with stages as (
    select 1 as step, 'sources: raw_multilingual -> french_slices' as stage,
        (select count(*) from bronze.raw_multilingual) as input_rows,
        (select count(*) from silver.french_slices) as kept_rows,
        (select count(*) from silver.french_slices_rejects) as rejected_rows
    union all
    select 2, 'translation: english_seed_prompts -> translated_prompts',
        (select count(*) from bronze.english_seed_prompts),
        (select count(*) from silver.translated_prompts),
        (select count(*) from silver.translated_prompts_rejects)
    union all
    select 3, 'translation: translated_prompts -> regenerated_responses',
        (select count(*) from silver.translated_prompts),
        (select count(*) from silver.regenerated_responses),
        (select count(*) from silver.regenerated_responses_rejects)
    union all
    select 4, 'judge: french_slices + regenerated_responses -> judged_samples',
        (select count(*) from silver.french_slices)
            + (select count(*) from silver.regenerated_responses),
        (select count(*) from silver.judged_samples),
        (select count(*) from silver.judged_samples_rejects)
    union all
    select 5, 'scholar: scholar_items -> scholar_items_clean',
        (select count(*) from silver.scholar_items),
        (select count(*) from silver.scholar_items_clean),
        (select count(*) from silver.scholar_items_clean_rejects)
    union all
    select 6, 'curation: judged_samples + scholar_items_clean -> sft_mix',
        (select count(*) from silver.judged_samples)
            + (select count(*) from silver.scholar_items_clean),
        (select count(distinct sample_id) from gold.sft_mix),
        (select count(*) from gold.sft_mix_rejects)
),
reasons as (
    select 1 as step, reason, count(*) as n from silver.french_slices_rejects group by reason
    union all
    select 2, reason, count(*) from silver.translated_prompts_rejects group by reason
    union all
    select 3, reason, count(*) from silver.regenerated_responses_rejects group by reason
    union all
    select 4, reason, count(*) from silver.judged_samples_rejects group by reason
    union all
    select 5, reason, count(*) from silver.scholar_items_clean_rejects group by reason
    union all
    select 6, stage || ':' || reason, count(*) from gold.sft_mix_rejects group by stage, reason
)
select
    s.step,
    s.stage,
    s.input_rows,
    s.kept_rows,
    s.rejected_rows,
    s.input_rows = s.kept_rows + s.rejected_rows as reconciles,
    coalesce(string_agg(r.reason || '=' || r.n, ', ' order by r.n desc, r.reason), '')
        as rejects_by_reason
from stages as s
left join reasons as r on r.step = s.step
group by all
order by s.step
