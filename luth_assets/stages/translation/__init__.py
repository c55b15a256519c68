"""Translation stage (issue 3): English seed prompts, translation, regenerated answers, judges."""
