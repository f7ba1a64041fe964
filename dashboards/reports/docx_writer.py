"""A report as DOCX (python-docx) for offices that edit it before sending: the same sections and figures as
the HTML, each count a hyperlink to its search; the breakdowns and the timeline as tables (Word has no SVG
renderer that python-docx can feed, so the charts stay in the HTML and the PDF)."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from dashboards.alert_labels import LEVEL_LABELS, STATUS_NAMES
from dashboards.letters import STATUS_NAMES as LETTER_STATUS_NAMES
from dashboards.reports.model import AlertLine, EventReport, Figure, PostLine, Report, Row
from dashboards.reports.overview import POST_LEVEL_NAMES
from dashboards.reports.render import EVENT_STATUS_NAMES, change, duration, mile, share
from yuqing.labels import rule_name, source_name

FONT = "宋体"
LINK_COLOUR = "1F5FA8"


def _document() -> Document:
    doc = Document()
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title"):
        style = doc.styles[name]
        style.font.name = FONT
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    doc.styles["Normal"].font.size = Pt(10.5)
    return doc


def link(paragraph: Paragraph, text: str, url: str) -> None:
    """A hyperlink run (python-docx has no API for one: the relationship and the element are made here)."""
    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    element = OxmlElement("w:hyperlink")
    element.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), LINK_COLOUR)
    props.append(colour)
    run.append(props)
    node = OxmlElement("w:t")
    node.text = text
    node.set(qn("xml:space"), "preserve")
    run.append(node)
    element.append(run)
    paragraph._p.append(element)


def fig(paragraph: Paragraph, figure: Figure) -> None:
    link(paragraph, str(figure.count), figure.url)


def _table(doc: Document, header: list[str], rows: list[list[str | Figure]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            if isinstance(value, Figure):
                fig(cell.paragraphs[0], value)
            else:
                cell.text = value


def _rows(doc: Document, rows: list[Row], name: str, before: bool = True) -> None:
    header = [name, "本期", "占比"] + (["上期", "变化"] if before else [])
    body = []
    for r in rows:
        line: list[str | Figure] = [r.label, r.now, share(r.share)]
        if before:
            line += [r.before or "", change(r.now.count, r.before.count if r.before else None)]
        body.append(line)
    _table(doc, header, body)


def _post(doc: Document, p: PostLine, capture: bool = False) -> None:
    para = doc.add_paragraph(style="List Bullet")
    link(para, p.text, p.page)
    when = f"发布 {mile(p.published_at) or '未注明'}" + (f" · 采集 {mile(p.crawled_at)}" if capture else "")
    para.add_run(f"（{source_name(p.source)}{' · ' + p.author if p.author else ''} · {when}）")


def _alert(para: Paragraph, a: AlertLine) -> None:
    link(para, f"{LEVEL_LABELS.get(a.level, a.level)} · {rule_name(a.rule)}", a.url)
    text = f"：{STATUS_NAMES.get(a.status, a.status)}"
    if a.acknowledged_by:
        text += f"，{a.acknowledged_by} 签收（{duration(a.ack_s)}）"
    elif a.waiting:
        text += f"，尚未签收（已等待 {duration(a.ack_s)}）"
    if a.resolved_by:
        text += f"，{a.resolved_by} 于 {mile(a.resolved_at, '%m-%d %H:%M')} 办结"
    para.add_run(text)


def _title(doc: Document, title: str, meta: str) -> None:
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(title)
    run.bold, run.font.size, run.font.color.rgb = True, Pt(18), RGBColor(0xB3, 0x26, 0x1E)
    sub = doc.add_paragraph(meta)
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _save(doc: Document) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def period_docx(report: Report) -> bytes:
    """The 日报/周报 as DOCX."""
    doc, o, al = _document(), report.overview, report.alerts
    _title(
        doc,
        report.title,
        f"{report.period_label} · 弥勒市公安局网安大队 · 生成于 {mile(report.generated_at)}",
    )
    doc.add_heading("一、总体态势", level=2)
    para = doc.add_paragraph()
    if o.total.count == 0:
        para.add_run("本期未监测到涉旅相关舆情（上期 ")
        fig(para, o.previous)
        para.add_run(" 条）。")
    else:
        para.add_run("本期共监测到涉旅相关舆情 ")
        fig(para, o.total)
        para.add_run(" 条，上期 ")
        fig(para, o.previous)
        para.add_run(
            " 条，"
            + ("较上期" + change(o.total.count, o.previous.count) if o.previous.count else "上期无相关舆情")
            + "。"
        )
        doc.add_heading("舆情走势", level=3)
        _table(
            doc,
            ["时段", "帖数", "负面", "中性", "正面"],
            [
                [p.label, p.total, *(str(p.by_sentiment.get(k, 0)) for k in ("neg", "neu", "pos"))]
                for p in o.trend
            ],
        )
        for rows, name, heading in (
            (o.by_platform, "平台", "各平台"),
            (o.by_spot, "景区", "各景区"),
            (o.by_station, "派出所", "各属地派出所"),
            (o.sentiment, "情感", "情感倾向"),
            (o.levels, "等级", "风险等级"),
        ):
            if rows:
                doc.add_heading(heading, level=3)
                _rows(doc, rows, name)
    doc.add_heading("二、重点事件", level=2)
    if not report.events:
        doc.add_paragraph("本期无重点事件。")
    for i, e in enumerate(report.events, 1):
        head = doc.add_heading(level=3)
        head.add_run(f"{i}. 【{POST_LEVEL_NAMES.get(e.level, e.level)}】")
        link(head, e.title, e.report_url)
        para = doc.add_paragraph(
            f"景区：{'、'.join(e.spots) or '—'}；属地：{e.station or '—'}；"
            f"首次发现：{mile(e.first_seen)}；状态：{EVENT_STATUS_NAMES.get(e.status or '', '—')}；本期 "
        )
        fig(para, e.in_period)
        para.add_run(" 条，累计 ")
        fig(para, e.total)
        para.add_run(" 条；平台：" + "；".join(f"{p.label} {p.now.count} 条" for p in e.platforms))
        doc.add_paragraph("摘要：")
        for p in e.summary:
            _post(doc, p)
        for a in e.alerts:
            _alert(doc.add_paragraph("处置："), a)
    doc.add_heading("三、预警与处置", level=2)
    para = doc.add_paragraph("本期产生预警 ")
    fig(para, al.total)
    r = al.response
    para.add_run(
        f" 条。签收用时中位数 {duration(r.median_s)}；1 分钟内签收 {share(r.within.get(60))}，"
        f"3 分钟内 {share(r.within.get(180))}，5 分钟内 {share(r.within.get(300))}。"
    )
    for rows, name in ((al.by_level, "等级"), (al.by_station, "派出所"), (al.by_status, "状态")):
        if rows:
            _rows(doc, rows, name, before=False)
    if r.late:
        doc.add_heading(f"超过 3 分钟签收的预警（{r.late_total} 条）", level=3)
        _table(
            doc,
            ["预警", "属地", "生成时间", "签收用时", "签收人"],
            [
                [
                    a.summary or a.alert_id,
                    a.station or "—",
                    mile(a.raised_at, "%m-%d %H:%M"),
                    duration(a.ack_s) + ("（未签收）" if a.waiting else ""),
                    a.acknowledged_by or "—",
                ]
                for a in r.late
            ],
        )
    para = doc.add_paragraph("公安提示函：本期批准 ")
    fig(para, al.letters_approved)
    para.add_run(" 份，发出 ")
    fig(para, al.letters_sent)
    para.add_run(" 份。")
    if al.letters:
        _table(
            doc,
            ["文号", "标题", "发往", "状态", "发出时间"],
            [
                [
                    x.number or "（未编号）",
                    x.subject,
                    x.agency_name,
                    LETTER_STATUS_NAMES.get(x.status, x.status),
                    mile(x.sent_at) or "—",
                ]
                for x in al.letters
            ],
        )
    doc.add_heading("四、热点词", level=2)
    if report.words:
        _table(
            doc,
            ["词", "本期", "上期", "变化"],
            [[w.word, w.now, w.before, change(w.now.count, w.before.count)] for w in report.words],
        )
    else:
        doc.add_paragraph("本期无明显上升的热点词。")
    doc.add_heading("五、研判建议", level=2)
    doc.add_paragraph(report.notes or "（待研判人员填写）")
    return _save(doc)


def event_docx(report: EventReport) -> bytes:
    """The 专报 as DOCX."""
    doc, c = _document(), report.chain
    _title(
        doc,
        report.title,
        f"弥勒市公安局网安大队 · 事件编号 {report.event_id} · 生成于 {mile(report.generated_at)}",
    )
    doc.add_heading("一、事件概况", level=2)
    para = doc.add_paragraph(
        f"风险等级：{POST_LEVEL_NAMES.get(report.level, report.level)}；"
        f"状态：{EVENT_STATUS_NAMES.get(report.status or '', '—')}；"
        f"景区：{'、'.join(report.spots) or '—'}；属地：{report.station or '—'}；"
        f"首次发现：{mile(report.first_seen)}；"
        f"最近：{mile(report.last_seen)}；共 "
    )
    fig(para, report.total)
    para.add_run(f" 条，{len(report.platforms)} 个平台。")
    for p in report.summary:
        _post(doc, p)
    doc.add_heading("二、传播时间线", level=2)
    _table(
        doc,
        [f"时段（每 {report.interval_min} 分钟）", "帖数", "平台分布"],
        [
            [
                mile(b.start, "%m-%d %H:%M"),
                b.total,
                "；".join(f"{source_name(s)} {n}" for s, n in b.by_source.items()),
            ]
            for b in report.timeline
            if b.total.count
        ],
    )
    if report.platforms:
        _rows(doc, report.platforms, "平台", before=False)
    doc.add_heading("首发帖", level=3)
    if report.first_post:
        _post(doc, report.first_post, capture=True)
    doc.add_heading("各平台最早的帖子", level=3)
    for p in report.earliest:
        _post(doc, p, capture=True)
    doc.add_heading("三、转发链与传播账号", level=2)
    doc.add_paragraph(
        f"转发 / 回复链最深 {c.depth} 层；{c.linked} 条帖子转发或回复了本事件中的其他帖子，{c.roots} 条为原创"
        + (f"（按最早的 {c.analysed} 条计）" if c.capped else "")
        + "。"
    )
    if c.carriers:
        _table(
            doc,
            ["账号", "平台", "发帖", "其下转发/回复", "向下层数", "互动量"],
            [
                [
                    a.author,
                    source_name(a.source),
                    str(a.posts),
                    str(a.reposts_below),
                    str(a.depth_below),
                    str(a.engagement),
                ]
                for a in c.carriers
            ],
        )
    doc.add_heading("四、证据帖", level=2)
    for p in report.evidence:
        _post(doc, p, capture=True)
    doc.add_heading("五、预警与处置", level=2)
    for h in report.alerts:
        _alert(doc.add_paragraph(), h.alert)
        _table(
            doc,
            ["时间", "经过", "处置人"],
            [[mile(x.at, "%m-%d %H:%M:%S"), x.what, x.by or "—"] for x in h.lines],
        )
    if not report.alerts:
        doc.add_paragraph("该事件未触发预警。")
    if report.letters:
        _table(
            doc,
            ["文号", "标题", "发往", "状态", "发出"],
            [
                [
                    x.number or "（未编号）",
                    x.subject,
                    x.agency_name,
                    LETTER_STATUS_NAMES.get(x.status, x.status),
                    mile(x.sent_at) or "—",
                ]
                for x in report.letters
            ],
        )
    doc.add_heading("六、研判建议", level=2)
    doc.add_paragraph(report.notes or "（待研判人员填写）")
    return _save(doc)
