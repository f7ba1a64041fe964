"""The post page in headless Chromium over the real Elasticsearch: a correction saved twice (the second with
不改 on the level) shows both versions newest first, the form comes back pre-filled, the explain panel reads
in Chinese, and a post opened from search has its words marked. Screenshots go to var/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web_seed import SHOTS, LiveServer, isolated, seed
from web_seed import signed_in as web_signed_in

from yuqing.settings import Settings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(initialized: Settings) -> Iterator[LiveServer]:
    settings = isolated(initialized, "dashpostweb")
    seed(settings)
    with LiveServer(settings) as live:
        yield live


def signed_in(browser, server: LiveServer, username: str):
    return web_signed_in(browser, server, username, viewport=(1400, 1000))


def test_a_correction_saved_twice_keeps_its_history(browser, server: LiveServer) -> None:
    page = signed_in(browser, server, "ana")
    page.goto(server.url + "/posts/demo_weibo:p5")  # the model: 低, 消费纠纷
    form = "#correction-form"
    assert page.locator(f"{form} select[name=level]").input_value() == "low"
    assert page.locator("#correction-history").count() == 0
    page.select_option(f"{form} select[name=level]", "medium")
    page.check(f'{form} input[name=categories][value="safety"]')
    page.fill(f"{form} input[name=note]", "索道停运，游客滞留")
    page.click("#save-correction")
    page.wait_for_selector("#correction-saved")
    assert "第 1 版" in page.inner_text("#correction-saved")

    # Second save: 不改 on the level, only the sentiment changes.
    page.select_option(f"{form} select[name=level]", "")
    page.select_option(f"{form} select[name=sentiment]", "neu")
    page.click("#save-correction")
    page.wait_for_selector("#correction-saved")
    assert "第 2 版" in page.inner_text("#correction-saved")
    assert page.inner_text("#label-level").startswith("中")
    assert page.inner_text("#label-note") == "索道停运，游客滞留"
    assert "ana" in page.inner_text("#corrected-badge")

    rows = page.locator("#correction-history li").all_inner_texts()
    assert len(rows) == 2
    assert rows[0].startswith("第 2 版 · ana") and "情感 负面 → 中性" in rows[0] and "风险等级" not in rows[0]
    assert "风险等级 低 → 中" in rows[1] and "说明：索道停运，游客滞留" in rows[1]

    # The form shows the labels as they are now.
    assert page.locator(f"{form} select[name=level]").input_value() == "medium"
    assert page.locator(f"{form} select[name=sentiment]").input_value() == "neu"
    assert page.locator(f'{form} input[name=categories][value="safety"]').is_checked()
    assert page.locator(f"{form} input[name=note]").input_value() == "索道停运，游客滞留"

    # Saved again unchanged: nothing new.
    page.click("#save-correction")
    page.wait_for_selector("#correction-saved")
    assert "没有改动" in page.inner_text("#correction-saved")
    assert page.locator("#correction-history li").count() == 2
    page.screenshot(path=str(SHOTS / "post-correction-history.png"), full_page=True)
    assert page.errors == []
    page.close()


def test_opened_from_search_the_words_are_marked(browser, server: LiveServer) -> None:
    page = signed_in(browser, server, "ana")
    page.goto(server.url + "/search?q=溺水")
    page.wait_for_selector("#hits")
    page.locator("#hits a.title").first.click()
    page.wait_for_load_state("networkidle")
    assert "/posts/" in page.url and "q=" in page.url
    assert "溺水" in page.locator("#post-text mark").all_inner_texts()
    visible = page.inner_text("body")
    assert "relevance_rule" not in visible and "模型依据" in visible
    page.screenshot(path=str(SHOTS / "post-highlight.png"), full_page=True)
    page.close()
