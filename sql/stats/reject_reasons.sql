-- Why rows left the target-language slice, per source.
select
    source,
    reason,
    count(*) as rows
from silver.french_slices_rejects
group by source, reason
order by source, rows desc, reason
