"""Operations: the accounting every LLM-calling asset feeds (`ops/llm_calls`)."""
