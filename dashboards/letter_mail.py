"""A 公安提示函 as a document and an e-mail: the HTML (templates/letter_doc.html), the PDF that Chromium
prints from the same HTML (dashboards/pdf.py), the message with the PDF attached, and `deliver`, which
numbers, claims, sends and records a letter once.

Exceptions, drawn:

    LetterPdfError     (dashboards.pdf.PdfError) Chromium missing, failing or too slow (the letter stays
                       approved, to be sent again)
    (yuqing.smtp)      TransientSmtpError / PermanentSmtpError: the relay's answer, shown on the letter
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from jinja2 import Environment

from dashboards.alerts import hhmm
from dashboards.letters import LetterError, LetterStore, approved_year, claim_open, message_id, now_iso
from dashboards.messages import say
from dashboards.pdf import PdfError as LetterPdfError
from dashboards.pdf import print_pdf
from yuqing.schema import TZ
from yuqing.settings import Settings
from yuqing.smtp import PermanentSmtpError, TransientSmtpError, send_once


def chinese_date(value: Any) -> str:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else datetime.now(UTC)
    moment = moment.astimezone(TZ)
    return f"{moment.year}年{moment.month}月{moment.day}日"


def render_html(templates: Environment, letter: dict[str, Any]) -> str:
    return templates.get_template("letter_doc.html").render(
        letter=letter, date=chinese_date(letter.get("approved_at"))
    )


def plain_text(templates: Environment, letter: dict[str, Any], date: str) -> str:
    """The e-mail's text part, from the same kind of template as the letter itself (letter_mail.txt)."""
    return templates.get_template("letter_mail.txt").render(letter=letter, date=date).rstrip("\n") + "\n"


def compose(
    templates: Environment, letter: dict[str, Any], html: str, pdf: bytes, sender: str
) -> EmailMessage:
    """The e-mail to the agency: the letter as text and HTML, the PDF attached, its fixed Message-ID."""
    msg = EmailMessage()
    msg["Subject"] = say("letter_mail_subject", number=letter["number"], subject=letter["subject"])
    msg["From"] = sender
    msg["To"] = letter["agency_email"]
    msg["Message-ID"] = letter["message_id"]
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg.set_content(plain_text(templates, letter, chinese_date(letter.get("approved_at"))))
    msg.add_alternative(html, subtype="html")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{letter['number']}.pdf")
    return msg


def failure_text(exc: Exception) -> str:
    if isinstance(exc, TransientSmtpError):
        return say("smtp_transient", error=exc)
    if isinstance(exc, PermanentSmtpError):
        return say("smtp_permanent", error=exc)
    return str(exc)


async def deliver(
    store: LetterStore, templates: Environment, settings: Settings, letter: dict[str, Any]
) -> dict[str, Any]:
    """Number (once), claim, print, send and record an approved letter; the letter as it is afterwards
    (status `sent`, or still `approved` with `send_error`). LetterError when it is sent or being sent."""
    if letter.get("status") == "sent":
        raise LetterError(
            say("letter_already_sent", at=hhmm(letter.get("sent_at")), number=letter.get("number"))
        )
    if letter.get("status") != "approved":
        raise LetterError(say("letter_not_approved"))
    if claim_open(letter):
        raise LetterError(say("letter_sending"))
    if not letter.get("number"):
        number = await store.allocate_number(letter["id"], approved_year(letter))
        fixed = {"number": number, "message_id": message_id(letter["id"], number)}
        letter = await store.update(letter, fixed)
    letter = await store.update(letter, {"sending_at": now_iso()})  # the claim: one sender at a time
    try:
        html = render_html(templates, letter)
        pdf = await print_pdf(settings.web.chromium, html)
        await send_once(settings.smtp, compose(templates, letter, html, pdf, settings.smtp.sender))
    except (LetterPdfError, TransientSmtpError, PermanentSmtpError) as exc:
        return await store.update(letter, {"sending_at": None, "send_error": failure_text(exc)})
    return await store.update(
        letter, {"status": "sent", "sent_at": now_iso(), "sending_at": None, "send_error": None}
    )
