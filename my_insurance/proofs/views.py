"""参保证明 pages of the signed-in resident: choosing years, the printable proof and its PDF."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from my_insurance.pages import render_mine
from my_insurance.proofs import selectors, services
from my_insurance.proofs.document import HOW_ISSUED, ONLINE_NOTE, TITLE, proof_document
from my_insurance.proofs.forms import ProofForm
from my_insurance.proofs.models import InsuranceProof
from my_insurance.proofs.pdf import proof_pdf as render_pdf
from my_insurance.proofs.rules import proof_filename
from my_insurance.session import resident_required
from portal.privacy.models import access_log_write
from portal.shared.qr import check_qr_svg

# The proofs listed under the form: enough for anyone; older ones still verify.
LISTED = 20


def _own_proof(request: HttpRequest, code: str) -> InsuranceProof:
    """The signed-in resident's proof with this code; anyone else's, or none, is 404 alike."""
    # A code with NUL matches nothing, and PostgreSQL would refuse it in a query (HTTP 500).
    proof = None if "\x00" in code else (
        InsuranceProof.objects.filter(resident=request.resident, verification_code=code)
        .select_related("resident").first()
    )
    if proof is None:
        raise Http404("没有这份参保证明。")
    return proof


def _verify_url(request: HttpRequest, proof: InsuranceProof) -> str:
    return request.build_absolute_uri(reverse("proof_verify", args=[proof.verification_code]))


@resident_required
@require_http_methods(["GET", "POST"])
def proofs(request: HttpRequest) -> HttpResponse:
    """Choose the years to prove (only enrolled and paid ones), and the proofs issued before."""
    resident = request.resident
    choices = selectors.year_choices(resident, timezone.localdate())
    provable = [choice.year for choice in choices if choice.provable]
    # Bound on every POST, an empty one too (nothing ticked is an error to show, not a fresh form).
    form = ProofForm(request.POST if request.method == "POST" else None, years=provable)
    if request.method == "POST" and form.is_valid():
        try:
            proof = services.proof_issue(resident=resident, years=form.cleaned_data["years"], now=timezone.now())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            access_log_write(request=request, action="issue_proof", subject_digest=resident.id_digest,
                             detail=f"开具参保证明（{proof.years_text} 年度）")
            return redirect("my_insurance:proof", code=proof.verification_code)
    access_log_write(request=request, action="view_proof_years", subject_digest=resident.id_digest,
                     detail="查看可开具参保证明的年度")
    return render_mine(request, "my_insurance/proofs/proofs.html", {
        "form": form, "choices": choices, "provable": bool(provable),
        # The years ticked before a refused submission stay ticked; anything else posted is ignored.
        "chosen": {choice.year for choice in choices if str(choice.year) in request.POST.getlist("years")},
        "issued": InsuranceProof.objects.filter(resident=resident)[:LISTED],
    }, status=400 if form.errors else 200)


@resident_required
@require_GET
def proof(request: HttpRequest, code: str) -> HttpResponse:
    """The printable proof: the browser's print leaves out the site's and the app's navigation."""
    proof = _own_proof(request, code)
    access_log_write(request=request, action="view_proof", subject_digest=request.resident.id_digest,
                     detail=f"查看参保证明（{proof.years_text} 年度）")
    verify_url = _verify_url(request, proof)
    return render_mine(request, "my_insurance/proofs/proof.html", {
        "proof": proof, "document": proof_document(proof, verify_url=verify_url), "title": TITLE,
        "online_note": ONLINE_NOTE, "how_issued": HOW_ISSUED, "qr_svg": check_qr_svg(verify_url, title="扫码核验参保证明"),
    })


@resident_required
@require_GET
def proof_pdf(request: HttpRequest, code: str) -> HttpResponse:
    proof = _own_proof(request, code)
    access_log_write(request=request, action="download_proof", subject_digest=request.resident.id_digest,
                     detail=f"下载参保证明 PDF（{proof.years_text} 年度）")
    document = proof_document(proof, verify_url=_verify_url(request, proof))
    response = HttpResponse(render_pdf(document), content_type="application/pdf")
    filename = proof_filename(proof.year_list)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
