"""Reads that carry a rule (who may see what)."""
