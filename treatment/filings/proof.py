"""The printed proof of a filing (备案凭证): its QR code opens the public check. The station's
print page and the resident's own (我的医保) show the same proof."""

import io

import segno
from django.urls import reverse
from django.utils.safestring import mark_safe

from portal.privacy.id_numbers import mask_name
from treatment.filings.models import Filing


def filing_proof_context(request, filing: Filing) -> dict:
    """What templates/treatment/filings/_filing_proof.html needs."""
    verify_url = request.build_absolute_uri(reverse("filing_verify", args=[filing.verification_code]))
    buffer = io.BytesIO()
    segno.make(verify_url, error="m").save(
        buffer, kind="svg", scale=4, xmldecl=False, svgns=True, title="扫码核验异地就医备案"
    )
    return {
        "filing": filing, "masked_name": mask_name(filing.resident.name), "verify_url": verify_url,
        # segno writes the SVG from the URL alone: nothing typed by anyone reaches this markup.
        "qr_svg": mark_safe(buffer.getvalue().decode()),
    }
