-- Why questions gave no clean item: the extraction chain's rejects (needs_figure, answer_not_found,
-- llm_*) and the cleaning step's (sanity checks, anomaly), per step and reason.
select 'extraction:' || step as step, reason, count(*) as rows
from silver.scholar_items_rejects
group by step, reason
union all
select 'cleaning' as step, reason, count(*) as rows
from silver.scholar_items_clean_rejects
group by reason
order by step, rows desc, reason
