"""`yuqing bench stream` without services: reading a process's CPU time, the ratios and goals, the table, and
the minimal consumer's offsets to commit."""

from __future__ import annotations

import math
import os
import time
from types import SimpleNamespace

from aiokafka import TopicPartition

from bench.minimal_consumer import consumer_env, next_offsets
from bench.stream_bench import (
    Row,
    Run,
    cpu_seconds,
    format_table,
    latency_rows,
    process_cpu,
    ratio,
    throughput_rows,
    verdict,
)

# A real line's shape: pid, (comm), state, then fields 4..; utime 14 = 250, stime 15 = 50 ticks.
STAT = (
    "4242 (python3) S 4200 4242 4200 34816 4242 4194304 21870 0 1 0 250 50 0 0 20 0 7 0 "
    "123456 987654321 12345 18446744073709551615 1 1 0 0 0 0 0 16781312 1090 0 0 0 17 1 0 0 0 0 0"
)


def test_cpu_seconds_is_user_plus_system_in_ticks() -> None:
    assert cpu_seconds(STAT, 100) == 3.0
    assert cpu_seconds(STAT, 250) == 1.2


def test_cpu_seconds_counts_fields_after_a_command_name_with_spaces_and_parentheses() -> None:
    odd = STAT.replace("(python3)", "(a b) c (d))")
    assert cpu_seconds(odd, 100) == 3.0


def test_process_cpu_reads_this_process_and_grows_with_work() -> None:
    before = process_cpu(os.getpid())
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    after = process_cpu(os.getpid())
    assert after >= before >= 0
    assert after - before >= 0.02  # clock ticks are 10 ms: 50 ms of work shows


def test_ratio_is_nan_when_there_is_nothing_to_divide_by() -> None:
    assert ratio(3, 4) == 0.75
    assert math.isnan(ratio(1, 0))
    assert math.isnan(ratio(float("nan"), 2))
    assert math.isnan(ratio(2, float("nan")))


def test_verdict_names_the_bound_and_whether_it_is_met() -> None:
    assert verdict(0.9, at_least=0.8) == "≥ 0.8: met"
    assert verdict(0.8, at_least=0.8) == "≥ 0.8: met"
    assert verdict(0.5, at_least=0.8) == "≥ 0.8: **not met**"
    assert verdict(1.5, at_most=2) == "≤ 2: met"
    assert verdict(2.5, at_most=2) == "≤ 2: **not met**"
    assert verdict(float("nan"), at_most=2) == "≤ 2: not measured"


def test_run_gives_posts_per_second_and_cpu_ms_per_post() -> None:
    run = Run(posts=2000, documents=1990, seconds=16.0, cpu_s=30.0)
    assert run.rate == 125.0
    assert run.cpu_ms == 15.0
    assert math.isnan(Run(0, 0, 0.0, 0.0).rate)


def test_format_table_has_the_five_columns() -> None:
    table = format_table([Row("m", "1", "b 2", "0.50", "≥ 0.8: **not met**")])
    assert table.splitlines() == [
        "| measure | stream | baseline | ratio | goal |",
        "| --- | --- | --- | --- | --- |",
        "| m | 1 | b 2 | 0.50 | ≥ 0.8: **not met** |",
    ]


def test_throughput_rows_put_each_figure_beside_its_baseline() -> None:
    stream = Run(2000, 1990, 20.0, 24.0)  # 100 posts/s, 12 ms a post
    minimal = Run(2000, 2000, 16.0, 10.0)  # 125 posts/s, 5 ms a post
    bare = Run(2000, 2000, 2.5, 8.0)  # 800 posts/s, 4 ms a post
    vs_minimal, vs_bare, cpu_bare, cpu_minimal = throughput_rows(2000, stream, minimal, bare)
    assert "2,000 posts" in vs_minimal.measure
    assert (vs_minimal.stream, vs_minimal.baseline, vs_minimal.ratio) == (
        "100.0",
        "minimal consumer 125.0",
        "0.80",
    )
    assert vs_minimal.goal == "≥ 0.8: met"
    assert (vs_bare.baseline, vs_bare.ratio) == ("bare scorer 800.0", "0.12")
    assert vs_bare.goal.startswith("≥ 0.75: **not met**")
    assert "CPU per post" in cpu_bare.measure
    assert (cpu_bare.stream, cpu_bare.baseline, cpu_bare.ratio) == ("12.00", "bare scorer 4.00", "3.00")
    assert cpu_bare.goal == "≤ 2: **not met**"
    assert (cpu_minimal.baseline, cpu_minimal.ratio) == ("minimal consumer 5.00", "2.40")


def test_latency_rows_with_and_without_mail() -> None:
    lat = {"searchable": [0.5] * 90 + [2.0] * 10, "mail": [0.4, 0.6, 1.5], "emergencies": [3.0]}
    searchable, mail = latency_rows(lat)
    assert searchable.stream == "0.50 / 2.00"
    assert searchable.goal.startswith("≤ 3: met")
    assert mail.ratio == "40× faster"
    assert mail.goal == "every emergency mailed: 3 of 3"
    _, none = latency_rows({"searchable": [], "mail": [], "emergencies": [2.0]})
    assert none.stream == "— / —"
    assert none.ratio == "—"
    assert none.goal == "every emergency mailed: 0 of 2"


def test_next_offsets_are_one_past_the_last_of_each_partition() -> None:
    records = [SimpleNamespace(topic="t", partition=p, offset=o) for p, o in [(0, 5), (1, 2), (0, 7), (0, 6)]]
    assert next_offsets(records) == {TopicPartition("t", 0): 8, TopicPartition("t", 1): 3}
    assert next_offsets([]) == {}


def test_consumer_env_points_at_the_settings_prefixes(settings) -> None:
    env = consumer_env(settings)
    assert env["KAFKA_TOPIC_PREFIX"] == settings.kafka.topic_prefix
    assert env["ES_INDEX_PREFIX"] == settings.es.index_prefix
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == settings.kafka.bootstrap_servers
