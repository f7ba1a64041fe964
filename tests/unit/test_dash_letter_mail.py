"""A 公安提示函's e-mail: its text part from letter_mail.txt (crawled text kept as written, never
HTML-escaped), its subject from the catalogue, the PDF attached under the letter's number."""

from __future__ import annotations

from dashboards.api.render import templates_env
from dashboards.letter_mail import compose

LETTER = {
    "agency_name": "弥勒市文化和旅游局",
    "subject": "关于湖泉生态园<游船>超载的提示",
    "number": "弥公提〔2026〕7号",
    "facts": "网民反映游船超载 & 无救生衣。",
    "excerpt": "",
    "requested_action": "请核查并回复。",
    "agency_email": "wlj@mile.example",
    "message_id": "<letter-abc@yuqing.mile>",
    "approved_at": "2026-12-07T02:00:00+00:00",
}


def test_the_text_part_reads_as_a_letter_and_keeps_crawled_text_as_written() -> None:
    msg = compose(templates_env(), LETTER, "<html></html>", b"%PDF-1.4", "yuqing@mile.example")
    text = msg.get_body(("plain",)).get_content()
    opening = "弥勒市文化和旅游局：\n\n现将弥勒市公安局《关于湖泉生态园<游船>超载的提示》（弥公提〔2026〕7号"
    assert text.startswith(opening)
    assert "超载 & 无救生衣" in text and "&amp;" not in text and "&lt;" not in text
    assert "网民原帖摘录" not in text  # no excerpt, no heading for it
    assert text.rstrip().endswith("弥勒市公安局\n2026年12月7日")
    assert str(msg["Subject"]) == "公安提示函 弥公提〔2026〕7号：关于湖泉生态园<游船>超载的提示"
    (pdf,) = [part for part in msg.iter_attachments()]
    assert pdf.get_filename() == "弥公提〔2026〕7号.pdf" and pdf.get_content() == b"%PDF-1.4"


def test_an_excerpt_gets_its_heading() -> None:
    letter = {**LETTER, "excerpt": "湖泉的船太挤了"}
    text = compose(templates_env(), letter, "", b"", "s@x.example").get_body(("plain",)).get_content()
    assert "\n\n网民原帖摘录：\n湖泉的船太挤了\n\n请核查并回复。" in text
