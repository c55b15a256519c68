-- Clean scholar items per subject, level and year, with each subject's share (the paper: 67% maths).
select
    subject,
    level,
    year,
    count(*) as items,
    count(distinct exam_id) as exams,
    round(sum(count(*)) over (partition by subject) / sum(count(*)) over (), 4) as subject_share
from silver.scholar_items_clean
group by subject, level, year
order by items desc, subject, level, year
