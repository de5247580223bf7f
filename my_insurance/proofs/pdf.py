"""The 参保证明 as an A4 PDF (reportlab), stating what the printable page states.

The text is set in reportlab's built-in CID font STSong-Light: the PDF names the font and every
reader supplies it, so no font file ships with the portal and the text stays extractable (the
masking sweep reads it back). The QR code is drawn module by module from segno's matrix, the same
code the printable page shows as SVG.
"""

import io
from xml.sax.saxutils import escape

import segno
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from my_insurance.proofs.document import HOW_ISSUED, ONLINE_NOTE, TITLE, ProofDocument

FONT = "STSong-Light"
QR_SIZE = 32 * mm
MARGIN = 20 * mm

pdfmetrics.registerFont(UnicodeCIDFont(FONT))

# wordWrap="CJK" breaks lines between any two Chinese characters, as Chinese text is set.
BODY = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, wordWrap="CJK")
CELL = ParagraphStyle("cell", parent=BODY, fontSize=10, leading=14)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=9, leading=13)
HEADING = ParagraphStyle("heading", parent=BODY, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=6 * mm)
GRID = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
])


def _qr_drawing(url: str) -> Drawing:
    rows = list(segno.make(url, error="m").matrix_iter(scale=1, border=4))
    module = QR_SIZE / len(rows)
    drawing = Drawing(QR_SIZE, QR_SIZE)
    for row_number, row in enumerate(rows):
        top = QR_SIZE - (row_number + 1) * module
        for column, dark in enumerate(row):
            if dark:
                drawing.add(Rect(column * module, top, module, module, fillColor=colors.black, strokeColor=None))
    return drawing


def _text(text: str, style: ParagraphStyle) -> Paragraph:
    # A Paragraph reads its text as markup: a name or an address with "&" or "<" is escaped.
    return Paragraph(escape(text), style)


def _cells(*texts: str) -> list[Paragraph]:
    return [_text(text, CELL) for text in texts]


def proof_pdf(document: ProofDocument) -> bytes:
    buffer = io.BytesIO()
    page = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                             bottomMargin=MARGIN, title=TITLE, creator="城乡居民医保服务平台")
    width = A4[0] - 2 * MARGIN
    person = Table([
        _cells("姓名", document.name, "性别", document.gender),
        _cells("身份证号", document.masked_id, "统筹区", document.pooling_region),
    ], colWidths=[width * share for share in (0.15, 0.4, 0.15, 0.3)], style=TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    years = Table(
        [_cells("参保年度", "参保地", "参保类别", "缴费状态", "待遇享受期")]
        + [_cells(year.year, year.place, year.category, year.payment, year.coverage) for year in document.years],
        colWidths=[width * share for share in (0.12, 0.27, 0.12, 0.24, 0.25)], style=GRID, repeatRows=1,
    )
    check = Table(
        [[_qr_drawing(document.verify_url), [_text(ONLINE_NOTE, SMALL), Spacer(1, 2 * mm),
                                             _text(f"核验地址：{document.verify_url}", SMALL)]]],
        colWidths=[QR_SIZE + 4 * mm, width - QR_SIZE - 4 * mm],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (0, 0), 0)]),
    )
    page.build([
        _text(TITLE, HEADING),
        _text(document.opening, BODY), Spacer(1, 4 * mm),
        person, Spacer(1, 4 * mm),
        years, Spacer(1, 6 * mm),
        _text("特此证明。", BODY),
        _text(f"开具日期：{document.issued_text}", BODY),
        _text(HOW_ISSUED, BODY), Spacer(1, 8 * mm),
        KeepTogether([check]),
    ])
    return buffer.getvalue()
