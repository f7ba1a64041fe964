"""The web app: monitoring screen, analyst search, alert console."""
