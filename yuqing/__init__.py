"""Yuqing (舆情): the shared kernel every stage builds on."""
