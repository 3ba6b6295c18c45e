"""The orchestration spec language: the typed model, its loader and its validator."""
