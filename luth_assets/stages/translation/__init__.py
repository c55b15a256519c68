"""Translation stage: English seed prompts, translation, regenerated answers, judges."""
