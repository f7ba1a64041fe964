"""Event snapshots are indexed by the batch that produced them, stamped with the moment they were read: on the
real Elasticsearch a snapshot that arrives late (a concurrent batch's older state) never overwrites a newer
one, and the same snapshot sent again (a bulk retried after a 503) is accepted."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bench.rig import own_prefix
from streams.indexing import bulk_until_done, event_actions
from yuqing import es as es_setup
from yuqing.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
def mine(live_services: Settings) -> Iterator[Settings]:
    with own_prefix(live_services) as settings:
        yield settings


def _snapshot(count: int) -> dict:
    return {
        "id": "evt-late",
        "first_post_id": "weibo:1",
        "title": "湖泉生态园 游船 事件",
        "first_seen": "2026-12-07T08:00:00+00:00",
        "last_seen": f"2026-12-07T08:{count:02d}:00+00:00",
        "post_count": count,
        "_internal": "not indexed",
    }


def test_an_older_snapshot_arriving_late_never_overwrites_a_newer_one(mine: Settings) -> None:
    async def run() -> list[list[str]]:
        client = es_setup.async_client(mine.es)
        try:
            refused = []
            for count, stamp in ((5, 2_000), (3, 1_000), (5, 2_000), (7, 3_000)):  # late, retried, newer
                found = await bulk_until_done(client, event_actions(mine.es, [_snapshot(count)], stamp), 5)
                refused.append([r.reason for r in found])
            return refused
        finally:
            await client.close()

    refused = asyncio.run(run())
    assert refused[0] == [] and refused[2] == [] and refused[3] == []
    assert len(refused[1]) == 1 and "version_conflict" in refused[1][0]
    client = es_setup.client(mine.es)
    try:
        doc = client.get(index=mine.es.name(es_setup.EVENTS), id="evt-late")
    finally:
        client.close()
    assert doc["_source"]["post_count"] == 7 and doc["_version"] == 3_000
    assert "_internal" not in doc["_source"]
