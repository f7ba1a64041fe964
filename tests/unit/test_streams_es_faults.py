"""Elasticsearch answering 429 or 5xx (overloaded, shards recovering after a restart) is waited out, never a
crash: the bulk indexer and the notifier retry it; a timer's failure is logged and tried at its next tick."""

from __future__ import annotations

import asyncio

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import ApiError

from streams.indexing import BulkRetry, bulk
from streams.notify.delivery import Notifier
from yuqing.config import load_stations
from yuqing.settings import Settings


def _api_error(status: int) -> ApiError:
    meta = ApiResponseMeta(status, "1.1", HttpHeaders(), 0.01, NodeConfig("http", "127.0.0.1", 9200))
    return ApiError("search_phase_execution_exception", meta, {"status": status})


class Flaky:
    def __init__(self, statuses: list[int]) -> None:
        self.statuses, self.calls = statuses, 0

    async def bulk(self, operations):
        self.calls += 1
        raise _api_error(self.statuses.pop(0))

    async def get(self, index, id):
        self.calls += 1
        if self.statuses:
            raise _api_error(self.statuses.pop(0))
        return {"_source": {"id": id}, "_seq_no": 1, "_primary_term": 1}


@pytest.mark.parametrize("status", [429, 503])
def test_a_refused_bulk_request_is_retried_not_dropped(status: int) -> None:
    with pytest.raises(BulkRetry):
        asyncio.run(bulk(Flaky([status]), [{"index": {"_id": "1"}}, {}]))


def test_a_bad_bulk_request_is_not_retried() -> None:
    with pytest.raises(ApiError):
        asyncio.run(bulk(Flaky([400]), [{"index": {"_id": "1"}}, {}]))


def test_the_notifier_waits_out_shards_that_are_not_yet_available() -> None:
    settings = Settings()
    settings = settings.model_copy(
        update={"stream": settings.stream.model_copy(update={"retry_max_s": 0.01})}
    )
    client = Flaky([503, 503, 429])
    notifier = Notifier(settings, client, load_stations(), {"low"})
    found = asyncio.run(notifier._read("event:1"))
    assert found is not None and found[0] == {"id": "event:1"} and client.calls == 4
