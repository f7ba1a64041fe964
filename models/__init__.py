"""The Chinese BERT scorer: `runtime` scores (ONNX Runtime, no torch), `training` trains, calibrates,
evaluates and exports it, `data` holds the labelled posts, `shipped` the checkpoint."""
