"""The Chinese BERT scorer: training, evaluation, export and inference."""
