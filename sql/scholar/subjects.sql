-- Clean scholar items per subject beside the paper's Scholar distribution (Luth paper, arXiv
-- 2510.05846: mathematics 67.23%, physics-chemistry 10.61%, computer science 9.08%,
-- engineering 6.04%, biology 5.51%; the remaining 1.53% as other). Each item's subject_area is
-- already one of those five or other (luth_assets/stages/scholar/subjects.py maps the exam's own
-- subject, from the manifest or the file names, then the words of its name).
with paper(paper_subject, paper_share) as (
    values ('mathematics', 0.6723), ('physics-chemistry', 0.1061), ('computer science', 0.0908),
           ('engineering', 0.0604), ('biology', 0.0551), ('other', 0.0153)
),
items as (
    select coalesce(subject_area, 'other') as paper_subject from silver.scholar_items_clean
),
counts as (
    select p.paper_subject, cast(p.paper_share as double) as paper_share,
           count(i.paper_subject) as items
    from paper p left join items i on i.paper_subject = p.paper_subject
    group by p.paper_subject, p.paper_share
)
select
    paper_subject as subject,
    items,
    round(items / nullif(sum(items) over (), 0), 4) as share,
    paper_share,
    round(items / nullif(sum(items) over (), 0) - paper_share, 4) as share_minus_paper
from counts
order by paper_share desc
