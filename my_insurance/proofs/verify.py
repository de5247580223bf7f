"""The public check a 参保证明's QR code opens: only the masked name, the years, when the proof was
issued and whether each year still holds (as a receipt's check shows no more than a receipt)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from my_insurance.proofs.models import InsuranceProof
from my_insurance.proofs.selectors import proof_standing
from portal.privacy.id_numbers import mask_name


@never_cache
@require_GET
def proof_verify(request: HttpRequest, code: str) -> HttpResponse:
    # A code with NUL matches nothing, and PostgreSQL would refuse it in a query (HTTP 500).
    proof = None if "\x00" in code else (
        InsuranceProof.objects.filter(verification_code=code).select_related("resident").first()
    )
    if proof is None:
        return render(request, "my_insurance/proofs/proof_verify.html", {"proof": None}, status=404)
    standing = proof_standing(proof)
    return render(request, "my_insurance/proofs/proof_verify.html", {
        "proof": proof, "masked_name": mask_name(proof.resident.name), "standing": standing,
        "all_hold": all(year.holds for year in standing), "today": timezone.localdate(),
    })
