"""公安提示函 under a supervisor's control, over the real Elasticsearch, a real SMTP server and Debian's
Chromium: who may see them, edits and decisions under a version check, numbers, the PDF, one e-mail each."""

from __future__ import annotations

import asyncio
import io
import re
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from web_seed import PASSWORD, LiveServer, isolated, login

from bench.rig import Mailbox, free_port
from dashboards.accounts import Accounts
from streams.notify import letters as stream_letters
from yuqing import es as es_setup
from yuqing.config import load_stations
from yuqing.schema import TZ, Alert
from yuqing.settings import Settings

USERS = (
    ("admin1", "admin", None),
    ("sup", "supervisor", None),
    ("sup_xisan", "supervisor", "西三派出所"),
    ("ana", "analyst", None),
    ("duty_xisan", "duty_officer", "西三派出所"),
)
NUMBER = re.compile(r"^弥公提〔(\d{4})〕(\d+)号$")


@pytest.fixture(scope="module")
def mailbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mailbox]:
    box = Mailbox(tmp_path_factory.mktemp("letters-mail"), free_port()).start()
    yield box
    box.stop()


@pytest.fixture(scope="module")
def app_settings(initialized: Settings, mailbox: Mailbox) -> Settings:
    settings = isolated(initialized, "letters")
    smtp = settings.smtp.model_copy(update={"host": "127.0.0.1", "port": mailbox.port, "timeout_s": 5.0})
    settings = settings.model_copy(update={"smtp": smtp})

    async def add_users() -> None:
        client = es_setup.async_client(settings.es)
        try:
            accounts = Accounts(client, settings.es)
            for name, role, station in USERS:
                await accounts.add(name, PASSWORD, role, station)
        finally:
            await client.close()

    asyncio.run(add_users())
    return settings


@pytest.fixture(scope="module")
def server(app_settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(app_settings) as live:
        yield live


def client_for(server: LiveServer, username: str | None) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    if username:
        assert login(client, username).status_code == 303
        client.headers["X-CSRF-Token"] = client.get("/api/me").json()["csrf"]
    return client


@pytest.fixture(scope="module")
def people(server: LiveServer) -> dict[str, httpx.Client]:
    return {name: client_for(server, name) for name, _, _ in USERS}


def _alert(key: str, station: str, spot: str) -> Alert:
    return Alert(
        id=f"alert-{key}",
        event_id=f"event-{key}",
        rule="consumer_dispute",
        rule_type="level",
        level="medium",
        summary=f"{spot}游客反映被宰客（{key}）",
        spots=[spot],
        jurisdiction=station,
        categories=["consumer"],
        agencies=["market"],
        evidence={
            "post_id": f"demo_weibo:{key}",
            "url": f"https://weibo.example/{key}",
            "source": "demo_weibo",
            "author": f"网友{key}",
            "excerpt": f"在{spot}吃了一顿饭要了八百块，老板还凶人（{key}）",
            "published_at": "2026-05-01T02:00:00+00:00",
        },
    )


def make_letter(settings: Settings, key: str, station: str = "西三派出所", spot: str = "可邑小镇") -> str:
    """A draft as the stream writes it (streams/notify/letters.py)."""
    agency = next(a for a in load_stations().agencies if a.key == "market")
    letter = stream_letters.draft(_alert(key, station, spot), agency)
    client = es_setup.client(settings.es)
    try:
        client.index(
            index=settings.es.name("letters"),
            id=letter.id,
            document=letter.model_dump(mode="json"),
            refresh=True,
        )
    finally:
        client.close()
    return letter.id


def mails_for(mailbox: Mailbox, letter: dict[str, Any]) -> list[Any]:
    return [m for m in mailbox.messages() if str(m["Message-ID"]) == letter["message_id"]]


def pdf_of(message: Any) -> tuple[str, PdfReader]:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(parts) == 1, [p.get_content_type() for p in message.iter_attachments()]
    return parts[0].get_filename(), PdfReader(io.BytesIO(parts[0].get_content()))


def embedded_fonts(reader: PdfReader) -> list[str]:
    """Base names of the fonts whose program is embedded in the PDF (FontFile, FontFile2 or FontFile3)."""
    found = []
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for d in descendants:
                desc = d.get("/FontDescriptor")
                desc = desc.get_object() if desc else {}
                if any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    found.append(str(d.get("/BaseFont")))
    return found


def audit_actions(settings: Settings, letter_id: str) -> list[dict[str, Any]]:
    client = es_setup.client(settings.es)
    try:
        client.indices.refresh(index=settings.es.name("audit"))
        hits = client.search(
            index=settings.es.name("audit"),
            query={"term": {"target": letter_id}},
            sort=[{"at": "asc"}],
            size=100,
        )["hits"]["hits"]
    finally:
        client.close()
    return [h["_source"] for h in hits]


def test_only_supervisors_and_admins_work_letters(app_settings: Settings, server, people) -> None:
    lid = make_letter(app_settings, "roles")
    for name in ("ana", "duty_xisan"):
        client = people[name]
        assert client.get("/api/letters").status_code == 403, name
        assert client.get(f"/api/letters/{lid}").status_code == 403, name
        assert client.get("/letters", headers={"accept": "text/html"}).status_code == 403, name
        assert client.post(f"/api/letters/{lid}/approve", json={}).status_code == 403, name
    anon = client_for(server, None)
    assert anon.get("/api/letters").status_code == 401
    assert anon.post(f"/api/letters/{lid}/approve", json={}).status_code == 401
    # Without the session's CSRF token nothing is done, even by a supervisor.
    bare = httpx.Client(base_url=server.url, cookies=people["sup"].cookies, timeout=30)
    assert bare.post(f"/api/letters/{lid}/approve", json={}).status_code == 403
    assert people["sup"].get(f"/api/letters/{lid}").json()["status"] == "draft"
    # The nav shows the letters only to those who may work them.
    assert 'href="/letters"' in people["sup"].get("/screen", headers={"accept": "text/html"}).text
    assert 'href="/letters"' not in people["ana"].get("/screen", headers={"accept": "text/html"}).text


def test_the_list_is_scoped_by_status_and_station(app_settings: Settings, people) -> None:
    mine = make_letter(app_settings, "scope-xisan")
    other = make_letter(app_settings, "scope-miyang", station="弥阳派出所", spot="湖泉生态园")
    everyone = people["sup"].get("/api/letters", params={"status": "draft", "size": 100}).json()
    ids = {x["id"] for x in everyone["letters"]}
    assert {mine, other} <= ids and everyone["counts"]["draft"] >= 2
    scoped = people["sup_xisan"].get("/api/letters", params={"status": "any", "size": 100}).json()
    assert mine in {x["id"] for x in scoped["letters"]}
    assert all(x["jurisdiction"] == "西三派出所" for x in scoped["letters"])
    assert people["sup_xisan"].get(f"/api/letters/{other}").status_code == 404
    assert people["admin1"].get(f"/api/letters/{other}").status_code == 200
    assert people["sup"].get("/api/letters", params={"status": "sent"}).json()["status"] == "sent"
    assert people["sup"].get("/api/letters", params={"status": "bogus"}).status_code == 422
    page = people["sup_xisan"].get("/letters", headers={"accept": "text/html"})
    assert page.status_code == 200 and "公安提示函" in page.text and "待审批" in page.text


def test_edit_then_approve_numbers_prints_and_mails_once(
    app_settings: Settings, people, mailbox: Mailbox
) -> None:
    lid = make_letter(app_settings, "approve")
    sup = people["sup"]
    letter = sup.get(f"/api/letters/{lid}").json()
    facts = "经核查，可邑小镇某餐馆存在明显的价格欺诈行为，游客反映强烈。"
    edited = sup.post(
        f"/api/letters/{lid}/edit",
        json={"facts": facts, "requested_action": "请依法查处并反馈。", "version": letter["version"]},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["facts"] == facts and edited.json()["edited_by"] == "sup"
    # The stream refreshing the draft with new evidence keeps the supervisor's wording.
    agency = next(a for a in load_stations().agencies if a.key == "market")
    refreshed = stream_letters.draft(_alert("approve", "西三派出所", "可邑小镇"), agency, edited.json())
    assert refreshed.facts == facts and refreshed.edited_by == "sup"
    # Nothing changed is refused; so is an emptied required text.
    assert sup.post(f"/api/letters/{lid}/edit", json={"facts": facts}).status_code == 400
    empty = sup.post(f"/api/letters/{lid}/edit", json={"subject": " "})
    assert empty.status_code == 400 and "标题不能为空" in empty.json()["detail"]

    approved = sup.post(f"/api/letters/{lid}/approve", json={"version": edited.json()["version"]})
    assert approved.status_code == 200, approved.text
    done = approved.json()
    assert done["status"] == "sent" and done["approved_by"] == "sup" and done["sent_at"]
    match = NUMBER.match(done["number"])
    assert match and int(match.group(1)) == datetime.now(TZ).year
    assert done["message_id"].startswith("<letter-") and not done.get("send_error")

    mails = mails_for(mailbox, done)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["To"] == "scjg@gov.example" and done["number"] in mail["Subject"]
    assert facts in mail.get_body(("plain",)).get_content()
    assert facts in mail.get_body(("html",)).get_content()
    filename, reader = pdf_of(mail)
    assert filename == f"{done['number']}.pdf"
    text = "".join(page.extract_text() for page in reader.pages)
    for expected in ("公安提示函", done["number"], "弥勒市市场监督管理局", "价格欺诈", "请依法查处并反馈"):
        assert expected in text.replace("\n", ""), expected
    fonts = embedded_fonts(reader)
    assert any(re.search(r"WenQuanYi|Noto.*CJK|SourceHan", f) for f in fonts), fonts

    # Never twice: approving again and sending again are refused, and the mailbox saw one message.
    again = sup.post(f"/api/letters/{lid}/approve", json={})
    assert again.status_code == 409 and "已被 sup 于" in again.json()["detail"]
    resend = people["admin1"].post(f"/api/letters/{lid}/send", json={})
    assert resend.status_code == 409 and "不会重复发送" in resend.json()["detail"]
    assert len(mails_for(mailbox, done)) == 1 and done["message_id"] not in str(mailbox.resent())

    actions = [(e["action"], e["user"]) for e in audit_actions(app_settings, lid)]
    assert actions == [("letter_edit", "sup"), ("letter_approve", "sup"), ("letter_send", "sup")]
    entries = audit_actions(app_settings, lid)
    assert entries[0]["details"]["changed"] == ["facts", "requested_action"]
    assert entries[1]["details"]["number"] == done["number"] and entries[1]["role"] == "supervisor"
    page = sup.get(f"/letters/{lid}", headers={"accept": "text/html"}).text
    assert done["number"] in page and "已发送" in page and "批准" in page


def test_two_approvals_at_once_give_one_number_and_one_mail(
    app_settings: Settings, people, mailbox: Mailbox
) -> None:
    lid = make_letter(app_settings, "race")
    version = people["sup"].get(f"/api/letters/{lid}").json()["version"]
    answers: dict[str, httpx.Response] = {}
    start = threading.Barrier(2)

    def approve(name: str) -> None:
        start.wait()
        answers[name] = people[name].post(f"/api/letters/{lid}/approve", json={"version": version})

    threads = [threading.Thread(target=approve, args=(n,)) for n in ("sup", "admin1")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in answers.values())
    assert codes == [200, 409], {n: r.text for n, r in answers.items()}
    winner = next(n for n, r in answers.items() if r.status_code == 200)
    loser = next(r for r in answers.values() if r.status_code == 409)
    assert f"已被 {winner} 于" in loser.json()["detail"] and "批准" in loser.json()["detail"]
    letter = people["sup"].get(f"/api/letters/{lid}").json()
    assert letter["status"] == "sent" and letter["approved_by"] == winner
    assert len(mails_for(mailbox, letter)) == 1
    client = es_setup.client(app_settings.es)
    try:
        client.indices.refresh(index=app_settings.es.name("letter_numbers"))
        numbers = client.search(
            index=app_settings.es.name("letter_numbers"), query={"term": {"letter_id": lid}}
        )["hits"]["hits"]
    finally:
        client.close()
    assert len(numbers) == 1
    approvals = [e for e in audit_actions(app_settings, lid) if e["action"] == "letter_approve"]
    assert [e["user"] for e in approvals] == [winner]


def test_approvals_of_different_letters_at_once_take_distinct_sequential_numbers(
    app_settings: Settings, people
) -> None:
    ids = [make_letter(app_settings, f"seq-{i}") for i in range(4)]
    answers: list[httpx.Response] = []
    start = threading.Barrier(len(ids))

    def approve(lid: str, who: str) -> None:
        start.wait()
        answers.append(people[who].post(f"/api/letters/{lid}/approve", json={}))

    threads = [
        threading.Thread(target=approve, args=(lid, ("sup", "admin1")[i % 2])) for i, lid in enumerate(ids)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status_code == 200 for r in answers), [r.text for r in answers]
    seqs = sorted(int(NUMBER.match(r.json()["number"]).group(2)) for r in answers)
    assert len(set(seqs)) == 4 and seqs == list(range(seqs[0], seqs[0] + 4))


def test_a_stale_edit_is_a_conflict_naming_the_colleague(app_settings: Settings, people) -> None:
    lid = make_letter(app_settings, "stale")
    version = people["sup"].get(f"/api/letters/{lid}").json()["version"]
    first = people["sup"].post(
        f"/api/letters/{lid}/edit", json={"subject": "关于可邑小镇餐饮价格的提示函", "version": version}
    )
    assert first.status_code == 200
    second = people["admin1"].post(
        f"/api/letters/{lid}/edit", json={"subject": "另一个标题", "version": version}
    )
    assert second.status_code == 409
    assert "已被 sup 于" in second.json()["detail"] and "修改" in second.json()["detail"]
    stale_approve = people["admin1"].post(f"/api/letters/{lid}/approve", json={"version": version})
    assert stale_approve.status_code == 409
    letter = people["sup"].get(f"/api/letters/{lid}").json()
    assert letter["subject"] == "关于可邑小镇餐饮价格的提示函" and letter["status"] == "draft"


def test_reject_needs_a_reason_and_ends_the_letter(app_settings: Settings, people) -> None:
    lid = make_letter(app_settings, "reject")
    sup = people["sup_xisan"]
    for body in ({}, {"reason": "   "}):
        refused = sup.post(f"/api/letters/{lid}/reject", json=body)
        assert refused.status_code == 400 and refused.json()["detail"] == "驳回须填写原因"
    done = sup.post(f"/api/letters/{lid}/reject", json={"reason": "已电话通报市场监管局，不再发函"})
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    assert done.json()["reject_reason"] == "已电话通报市场监管局，不再发函"
    late = people["sup"].post(f"/api/letters/{lid}/approve", json={})
    assert late.status_code == 409 and "已被 sup_xisan 于" in late.json()["detail"]
    assert "驳回" in late.json()["detail"]
    assert people["sup"].post(f"/api/letters/{lid}/edit", json={"facts": "改"}).status_code == 409
    entries = audit_actions(app_settings, lid)
    assert [(e["action"], e["user"], e["details"].get("reason")) for e in entries] == [
        ("letter_reject", "sup_xisan", "已电话通报市场监管局，不再发函")
    ]
    rejected = sup.get("/api/letters", params={"status": "rejected"}).json()
    assert lid in {x["id"] for x in rejected["letters"]}


def test_smtp_down_leaves_it_approved_with_the_error_then_a_retry_sends_it_once(
    app_settings: Settings, people, mailbox: Mailbox
) -> None:
    lid = make_letter(app_settings, "smtp-down")
    mailbox.stop()
    try:
        approved = people["sup"].post(f"/api/letters/{lid}/approve", json={})
    finally:
        mailbox.start()
    assert approved.status_code == 200, approved.text
    letter = approved.json()
    assert letter["status"] == "approved" and NUMBER.match(letter["number"])
    assert "邮件服务器暂时无法投递" in letter["send_error"] and not letter.get("sent_at")
    page = people["sup"].get(f"/letters/{lid}", headers={"accept": "text/html"}).text
    assert "发送失败" in page and 'id="resend"' in page and "邮件服务器暂时无法投递" in page
    listed = people["sup"].get("/api/letters", params={"status": "approved"}).json()["letters"]
    assert lid in {x["id"] for x in listed}

    retried = people["admin1"].post(f"/api/letters/{lid}/send", json={})
    assert retried.status_code == 200, retried.text
    sent = retried.json()
    assert sent["status"] == "sent" and sent["number"] == letter["number"] and not sent.get("send_error")
    assert sent["message_id"] == letter["message_id"] and len(mails_for(mailbox, sent)) == 1
    actions = [e["action"] for e in audit_actions(app_settings, lid)]
    assert actions == ["letter_approve", "letter_send_failed", "letter_send"]


def test_form_posts_go_back_to_the_page_with_a_chinese_notice(app_settings: Settings, people) -> None:
    lid = make_letter(app_settings, "form")
    sup = people["sup"]
    page = sup.get(f"/letters/{lid}", headers={"accept": "text/html"}).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    no_reason = sup.post(f"/api/letters/{lid}/reject", data={"csrf": csrf, "version": version, "reason": ""})
    assert no_reason.status_code == 303 and no_reason.headers["location"].endswith("notice=reason")
    saved = sup.post(
        f"/api/letters/{lid}/edit",
        data={"csrf": csrf, "version": version, "subject": "关于可邑小镇的提示函（改）"},
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("notice=saved")
    stale = sup.post(f"/api/letters/{lid}/approve", data={"csrf": csrf, "version": version})
    assert stale.status_code == 303 and stale.headers["location"].endswith("notice=conflict")
    shown = sup.get(stale.headers["location"], headers={"accept": "text/html"}).text
    assert "已被 sup 于" in shown and "修改" in shown
    preview = sup.get(f"/letters/{lid}/preview")
    assert (
        preview.status_code == 200 and "关于可邑小镇的提示函（改）" in preview.text and "草稿" in preview.text
    )
    pdf = sup.get(f"/letters/{lid}/letter.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "草稿" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


def index_evidence_post(settings: Settings, key: str, station: str, spot: str) -> str:
    """The post a letter's evidence names (`demo_weibo:<key>`), as the stream indexes it."""
    from web_seed import scored_post

    text = f"在{spot}吃了一顿饭要了八百块（{key}）"
    row = {"sid": key, "minutes_ago": 30, "spots": [spot], "station": station, "level": "medium",
           "categories": ["consumer"], "sentiment": "neg", "text": text}  # fmt: skip
    post = scored_post(row, datetime.now(TZ))
    client = es_setup.client(settings.es)
    try:
        es_setup.index_post(client, settings.es, post, refresh=True)
    finally:
        client.close()
    return post.id


def test_a_supervisor_opens_the_evidence_posts_city_wide(app_settings: Settings, people) -> None:
    """The letter page links its evidence to /posts/<id>. A supervisor reads posts as the screen and the
    alerts let them (city-wide; a station narrows only their letters); a duty officer stays in theirs."""
    lid = make_letter(app_settings, "evidence")
    mine = index_evidence_post(app_settings, "evidence", "西三派出所", "可邑小镇")
    other = index_evidence_post(app_settings, "evidence-miyang", "弥阳派出所", "湖泉生态园")
    page = people["sup_xisan"].get(f"/letters/{lid}", headers={"accept": "text/html"}).text
    link = re.search(r'href="(/posts/[^"]+)">帖子</a>', page).group(1)
    assert link == "/posts/demo_weibo%3Aevidence"
    for name in ("sup_xisan", "sup"):
        opened = people[name].get(link, headers={"accept": "text/html"})
        assert opened.status_code == 200 and "八百块" in opened.text, name
        assert people[name].get(f"/api/posts/{other}").json()["post"]["jurisdiction"] == "弥阳派出所", name
    assert people["duty_xisan"].get(f"/api/posts/{mine}").status_code == 200
    refused = people["duty_xisan"].get(f"/api/posts/{other}")
    assert refused.status_code == 403 and refused.json()["detail"] == "该帖子属于其他派出所辖区，无权查看"


def test_the_pdf_names_chromium_when_it_is_missing(app_settings: Settings, tmp_path: Path) -> None:
    from dashboards.letter_mail import LetterPdfError, print_pdf

    with pytest.raises(LetterPdfError, match="无法启动"):
        asyncio.run(print_pdf(str(tmp_path / "no-chromium"), "<p>x</p>"))


@pytest.mark.browser
def test_a_supervisor_edits_and_approves_a_letter_in_the_page(
    app_settings: Settings, server: LiveServer, mailbox: Mailbox
) -> None:
    from web_seed import SHOTS, chromium, signed_in

    lid = make_letter(app_settings, "browser")
    with chromium() as browser:
        page = signed_in(browser, server, "sup", path="/letters")
        page.click(f'tr[data-id="{lid}"] a')
        page.wait_for_selector("#edit-form")
        page.fill("#f-facts", "经核实，可邑小镇一餐馆对游客明显高价收费。")
        page.click("#save")
        page.wait_for_selector("#notice")
        assert page.inner_text("#notice") == "已保存修改"
        assert page.input_value("#f-facts") == "经核实，可邑小镇一餐馆对游客明显高价收费。"
        page.click("#approve")
        page.wait_for_selector("#letter-sent")
        assert page.inner_text("#notice") == "已批准并发送"
        assert page.inner_text("#letter-status") == "已发送"
        number = page.inner_text("#letter-number")
        assert NUMBER.match(number), number
        assert page.locator("#approve").count() == 0 and page.locator("#resend").count() == 0
        page.screenshot(path=str(SHOTS / "letter-sent.png"), full_page=True)
        assert page.errors == []
    letter = people_letter(app_settings, lid)
    mails = mails_for(mailbox, letter)
    assert len(mails) == 1 and "高价收费" in "".join(p.extract_text() for p in pdf_of(mails[0])[1].pages)


def people_letter(settings: Settings, letter_id: str) -> dict[str, Any]:
    client = es_setup.client(settings.es)
    try:
        return client.get(index=settings.es.name("letters"), id=letter_id)["_source"]
    finally:
        client.close()
