"""The scoring runtime: what the stream worker, the web app and `yuqing score` import.

`scorer.Scorer` (texts in, scores out) over `engine` (ONNX Runtime), `tokenizer`, `features`, the n-gram
heads (`ngram`), the decisions (`relevance`, `reported`), the risk lexicon (`lexicon`, read from
config/lexicon.yaml) and the label names (`heads`). It needs onnxruntime, tokenizers and numpy, never torch,
transformers or anything of `models.training` (tests/unit/test_models_boundary.py); the one exception is
`MODEL_RUNTIME=torch`, which loads the torch engine from training code when asked for.
"""
