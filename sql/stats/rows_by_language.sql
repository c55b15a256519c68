-- Rows of one language across sources: luth sql stats/rows_by_language.sql -p language=fr
select source, count(*) as rows
from bronze.raw_multilingual
where language = $language
group by source
order by source
