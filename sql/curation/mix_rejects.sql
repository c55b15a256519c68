-- Why candidate rows were left out of the SFT mix: rows per curation step and reason, with an
-- example (for duplicates the row kept instead, for contamination the benchmark row).
-- Run: luth sql curation/mix_rejects.sql
select
    stage,
    reason,
    count(*) as rows,
    any_value(coalesce(duplicate_of, benchmark || '/' || benchmark_item_id,
                       cast(n_tokens as varchar))) as example_detail
from gold.sft_mix_rejects
group by stage, reason
order by stage, rows desc, reason
