-- Clean scholar items per subject beside the paper's Scholar distribution (Luth paper, arXiv
-- 2510.05846: mathematics 67.23%, physics-chemistry 10.61%, computer science 9.08%,
-- engineering 6.04%, biology 5.51%; the remaining 1.53% as other). Our subjects (from the
-- manifest or file names: mathematiques, physique-chimie, nsi, svt, ...) map onto the paper's
-- five; anything else is other.
with paper(paper_subject, paper_share) as (
    values ('mathematics', 0.6723), ('physics-chemistry', 0.1061), ('computer science', 0.0908),
           ('engineering', 0.0604), ('biology', 0.0551), ('other', 0.0153)
),
items as (
    select case
        when lower(subject) in ('mathematiques', 'mathematique', 'maths', 'math') then 'mathematics'
        when lower(subject) in ('physique-chimie', 'physique', 'chimie') then 'physics-chemistry'
        when lower(subject) in ('nsi', 'informatique', 'snt') then 'computer science'
        when lower(subject) in ('sciences-ingenieur', 'si', 'sii', 'ingenierie') then 'engineering'
        when lower(subject) in ('svt', 'biologie') then 'biology'
        else 'other'
    end as paper_subject
    from silver.scholar_items_clean
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
