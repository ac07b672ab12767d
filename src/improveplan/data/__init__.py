"""Data files shipped with improveplan (the demo plan)."""
