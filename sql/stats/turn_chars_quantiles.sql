-- Characters per turn: quantiles per source and role.
select
    source,
    turn.role as role,
    count(*) as turns,
    round(quantile_cont(length(turn.content), 0.05), 1) as p05,
    quantile_cont(length(turn.content), 0.5) as p50,
    round(quantile_cont(length(turn.content), 0.95), 1) as p95,
    max(length(turn.content)) as max_chars
from (select source, unnest(messages) as turn from bronze.raw_multilingual)
group by source, role
order by source, role
