"""The FastAPI app: pages and the JSON API behind them (`/api/...`, documented at `/docs`)."""
