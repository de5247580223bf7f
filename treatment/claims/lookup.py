"""This service's section of the public lookup (portal/shared/extensions.py, LookupSection): the
claimant's manual claims with their number, date and state, and the amount once the county has
approved it. No names, no invoice numbers."""

from datetime import date

from django.db.models import Exists, OuterRef
from django.utils import timezone

from portal.shared.extensions import LookupSection
from treatment.claims.models import Claim
from treatment.claims.workflow import Status

SHOWN = 5


def _claims_of(resident_id: int, *, today: date) -> dict | None:
    claims = Claim.objects.filter(resident_id=resident_id).order_by("-recorded_at", "-pk").only(
        "id", "recorded_at", "status", "reimbursed", "paid_amount", "paid_on")[:SHOWN]
    lines = []
    for claim in claims:
        line = (f"{timezone.localtime(claim.recorded_at):%Y年%-m月%-d日}申请（编号 {claim.number}）："
                f"{claim.get_status_display()}")
        if claim.status == Status.APPROVED:
            line += f"，应报销 {claim.reimbursed} 元"
        elif claim.status == Status.PAID:
            line += f"，{claim.paid_amount} 元已于 {claim.paid_on:%Y年%-m月%-d日}支付"
        elif claim.status == Status.RETURNED:
            line += "，请到受理的医保工作站补充材料"
        elif claim.status == Status.WITHDRAWN:
            line += "，如需报销请到医保工作站重新申请"
        lines.append(line)
    return {"title": "零星（手工）报销", "lines": lines} if lines else None


def _has_claimed(resident: OuterRef) -> Exists:
    return Exists(Claim.objects.filter(resident=resident))


LOOKUP_CLAIMS = LookupSection(applies=_has_claimed, build=_claims_of)
