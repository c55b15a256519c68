"""Scholar stage: exam PDFs to question/answer items."""
