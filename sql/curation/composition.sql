-- The SFT mix by subset and split: distinct rows, rows with weighted copies, tokens, token share.
-- The paper's table of subsets. Run: luth sql curation/composition.sql
select
    subset,
    split,
    count(*) filter (where copy = 0) as distinct_rows,
    count(*) as rows_with_copies,
    sum(n_tokens) as tokens,
    round(100.0 * sum(n_tokens) / sum(sum(n_tokens)) over (), 1) as token_share_pct,
    round(median(n_tokens), 1) as median_tokens,
    max(n_tokens) as max_tokens
from gold.sft_mix
group by subset, split
order by subset, split
