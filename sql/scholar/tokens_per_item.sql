-- Tokens per clean item: billed LLM tokens (answer + cleaning calls, as the provider counted
-- them) and the size of the training turns (characters / 4 as an estimate), per subject.
select
    subject,
    count(*) as items,
    round(avg(input_tokens), 1) as avg_llm_input_tokens,
    round(avg(output_tokens), 1) as avg_llm_output_tokens,
    round(avg(length(question) + length(context)) / 4, 1) as avg_user_tokens_est,
    round(avg(length(answer)) / 4, 1) as avg_answer_tokens_est,
    max(length(answer)) // 4 as max_answer_tokens_est
from silver.scholar_items_clean
group by subject
order by items desc, subject
