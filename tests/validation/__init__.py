"""Validation: the brief's "Patterns the model should reproduce", each over 20 paired seeds."""
