-- Language distribution per source (row-level language: 'mixed' when turns disagree).
select
    source,
    language,
    count(*) as rows,
    round(count(*) / sum(count(*)) over (partition by source), 4) as share
from bronze.raw_multilingual
group by source, language
order by source, rows desc, language
