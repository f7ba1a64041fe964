"""Item pipelines, in order: validate → relevance gate → incremental → sink (Kafka or JSON lines)."""
