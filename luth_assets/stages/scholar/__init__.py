"""Scholar stage (issue 4): exam PDFs to question/answer items."""
