"""Scoring: rule sets read from YAML (rules) and the pure computation of a unit's figures under one (compute)."""
