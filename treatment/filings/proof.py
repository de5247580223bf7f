"""The printed proof of a filing (备案凭证): its QR code opens the public check. The station's
print page and the resident's own (我的医保) show the same proof."""

from django.urls import reverse

from portal.privacy.id_numbers import mask_name
from portal.shared.qr import check_qr_svg
from treatment.filings.models import Filing


def filing_proof_context(request, filing: Filing) -> dict:
    """What templates/treatment/filings/_filing_proof.html needs."""
    verify_url = request.build_absolute_uri(reverse("filing_verify", args=[filing.verification_code]))
    return {
        "filing": filing, "masked_name": mask_name(filing.resident.name), "verify_url": verify_url,
        "qr_svg": check_qr_svg(verify_url, title="扫码核验异地就医备案"),
    }
