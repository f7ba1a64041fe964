"""`yuqing init`: Kafka topics, Elasticsearch templates, indices and aliases. Idempotent."""

from __future__ import annotations

from yuqing import es as es_setup
from yuqing.kafka import ensure_topics
from yuqing.settings import Settings
from yuqing.webstore import ensure_web_indices


def initialize(settings: Settings, grow_partitions: bool = False) -> list[str]:
    """Create what is missing; running it again changes nothing. One line per topic, template, index."""
    lines = ensure_topics(settings, grow_partitions)
    client = es_setup.client(settings.es)
    try:
        lines += es_setup.ensure_indices(client, settings.es)
        lines += ensure_web_indices(client, settings.es)
    finally:
        client.close()
    return lines
