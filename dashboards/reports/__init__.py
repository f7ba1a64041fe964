"""Reports (舆情日报, 周报, the 专报 of one event): built from Elasticsearch into data (model.py), rendered as
HTML, PDF and DOCX, kept in the `reports` index and e-mailed on a schedule.

    build.py, event.py        Elasticsearch → Report / EventReport (queries.py, source.py and the parts)
    render.py, charts.py      the HTML (templates/reports/) with server-side SVG charts
    documents.py              HTML → PDF (dashboards/pdf.py, Chromium) and → DOCX (docx_writer.py)
    store.py, delivery.py     the `reports` index; the schedule and the e-mail, sent once
    cli.py                    `yuqing report …`
"""
