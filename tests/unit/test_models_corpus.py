"""The sentiment split and the vocabulary: deterministic, deduplicated, no test leakage."""

from __future__ import annotations

import pytest

from models.training.corpus import sentiment_corpus, split_of
from models.training.vocab import bracket_tokens, build_vocab, write_tokenizer
from yuqing.text import normalize_text


@pytest.fixture(scope="module")
def corpus():
    return sentiment_corpus()


def test_split_is_a_function_of_the_text():
    assert split_of("这家酒店很好") == split_of("这家酒店很好")
    buckets = [split_of(f"句子{i}") for i in range(2000)]
    assert 0.75 < buckets.count("train") / 2000 < 0.85
    assert 0.07 < buckets.count("test") / 2000 < 0.13


def test_corpus_is_deduplicated_and_disjoint(corpus):
    sizes = {k: len(v) for k, v in corpus.items()}
    assert 16_500 < sum(sizes.values()) < 18_000  # about 17,000 unique, non-contradictory sentences
    texts = {k: {e.text for e in v} for k, v in corpus.items()}
    assert sum(len(t) for t in texts.values()) == sum(sizes.values())  # no duplicates
    assert not texts["train"] & texts["test"] and not texts["dev"] & texts["test"]
    assert all(split_of(e.text) == k for k, v in corpus.items() for e in v[:200])
    labels = {e.label for e in corpus["test"]}
    assert labels == {0, 1}


def test_texts_are_normalised(corpus):
    assert all(normalize_text(e.text) == e.text for e in corpus["test"][:300])


def test_vocab_makes_bracket_words_single_tokens(tmp_path):
    tokens = build_vocab(["弥勒湖泉的温泉很好", "太坑了，宰客"] * 2, always=["可邑小镇"])
    tok = write_tokenizer(tokens, tmp_path)
    text = normalize_text("湖泉太坑了😡 http://t.cn/abc 可邑")
    pieces = tok.tokenize(text)
    assert "[愤怒]" in pieces and "[链接]" in pieces
    assert set(bracket_tokens()) <= set(tokens)
    assert tok.tokenize("可邑") == ["可", "邑"]  # one token per Chinese character
    assert tok.convert_tokens_to_ids("[UNK]") == 1 and tok.pad_token_id == 0


def test_normalisation_cases_the_model_relies_on():
    assert normalize_text("彌勒湖泉生態園") == "弥勒湖泉生态园"  # traditional → simplified
    assert normalize_text("ＡＢＣ１２３") == "ABC123"  # full width → half width
    assert normalize_text("气死了😡😡") == "气死了[愤怒][愤怒]"
    assert "[链接]" in normalize_text("看这里 https://weibo.com/123")
    assert normalize_text("<script>alert(1)</script>好") == "好"


def test_inews_is_read_from_the_installed_package_with_its_own_split():
    from models.training.corpus import inews

    data = inews()
    assert {k: len(v) for k, v in data.items()} == {"train": 5355, "dev": 999, "test": 999}
    assert {n.sentiment for n in data["train"]} == {"neg", "neu", "pos"}
    # the package's label 2 is negative news
    assert sum(n.sentiment == "neg" for n in data["train"]) == 2105
    head = data["dev"][2].head()
    # 160 characters before normalising (℃ becomes °C)
    assert len(head) <= 165 and "\\n" not in head and head.startswith("天气变化早知道")


def test_training_posts_are_mostly_written_and_dev_is_written_only():
    from models.data.written import load_written
    from models.training.corpus import load_tourism, training_posts

    data = training_posts()
    written_ids = {p["id"] for p in load_written()}
    train_written = [p for p in data["train"] if p.get("id") in written_ids]
    assert len(train_written) >= 3000
    assert len(train_written) / len(data["train"]) >= 0.6  # templates augment, never the majority
    assert data["dev"] and all(p["id"] in written_ids and p["split"] == "dev" for p in data["dev"])
    dev_texts = {p["text"] for p in data["dev"]}
    assert not dev_texts & {p["text"] for p in data["train"]}
    assert data["test"] == load_tourism()["test"]


def test_pretraining_text_includes_news_but_never_held_out_news():
    from models.training.corpus import inews, news_lines

    train = set(news_lines(inews()["train"]))
    test_lines = set(news_lines(inews()["test"]))
    assert len(train) > 20_000
    # the order probe's held-out news (iNews dev) and the test split are not pretrained on
    dev_only = set(news_lines(inews()["dev"][:300])) - train
    assert len(dev_only) > 1000 and len(test_lines - train) > 1000
