-- Rows per source: read, kept in the target-language slice, rejected.
select
    r.source,
    count(*) as input_rows,
    count(k.sample_id) as kept_rows,
    count(x.sample_id) as rejected_rows,
    round(count(k.sample_id) / count(*), 4) as kept_share
from bronze.raw_multilingual r
left join silver.french_slices k using (sample_id)
left join silver.french_slices_rejects x using (sample_id)
group by r.source
order by r.source
