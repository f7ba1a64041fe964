"""Faust stream workers: validate, normalise, place, deduplicate, score, alert."""
