"""Training, calibration, evaluation and export of the scorer (the `train` extra: torch, transformers,
scikit-learn, the corpora), and the generator of the template posts (`templates`).

Nothing that scores imports this package; it imports `models.runtime` for the shapes and decisions it trains
and calibrates.
"""
