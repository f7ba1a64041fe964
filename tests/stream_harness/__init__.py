"""The stream test harness: the real worker, mailbox and producer helpers live in `bench.rig` (the stream
benchmark runs the same rig), re-exported here for the tests."""

from bench.rig import (
    Mailbox,
    Worker,
    consume_all,
    corpus,
    es_count,
    es_docs,
    expected_documents,
    free_port,
    own_prefix,
    post_record,
    produce,
    wait_idle,
    wait_until,
    worker_env,
)

__all__ = [
    "Mailbox",
    "Worker",
    "consume_all",
    "corpus",
    "es_count",
    "es_docs",
    "expected_documents",
    "free_port",
    "own_prefix",
    "post_record",
    "produce",
    "wait_idle",
    "wait_until",
    "worker_env",
]
