-- Exam documents set aside before any LLM call (corrupt, encrypted, no_text_layer, garbled),
-- per reason and role, with an example file.
select
    reason,
    role,
    count(*) as documents,
    min(path) as example
from silver.exam_quarantine
group by reason, role
order by documents desc, reason, role
