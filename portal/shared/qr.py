"""The QR code printed on a receipt, a filing or a 参保证明, which opens its public check."""

import io

import segno
from django.utils.safestring import SafeString, mark_safe


def check_qr_svg(url: str, *, title: str) -> SafeString:
    """Inline SVG of a QR code for ``url``. segno writes the markup from the URL and the title
    alone, both the portal's own: nothing anyone typed reaches it, so it is safe as it is."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True, title=title)
    return mark_safe(buffer.getvalue().decode())
