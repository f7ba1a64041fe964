"""Extensions of the crawler project, one per module."""
