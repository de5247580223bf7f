"""The demo's manual claim: 张建国 of 华光路社区 (车站街道) was taken ill in 北京市 in July 2022 and
admitted through the emergency department of a third-level hospital, with no 异地就医备案 (the
filings demo's Beijing filing is 王秀兰's, years later), and paid the bill in full. The village
clerk `clerk_huaguang` recorded the claim; it waits for the township's pre-review, which
`clerk_chezhan` may take. Priced after his April outpatient settlement (the assistance demo):
(30000 − 700) × (60% − 20%) = 11720.00 basic, then catastrophic (18280 − 15000) × 60% = 1968.00.
Idempotent: the invoice is recorded once."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from assistance.demo import VILLAGE_CLERK
from enrollment.models import Resident
from portal.network.demo import demo_staff_give
from treatment.claims.models import Claim, ClaimReason, ClaimVisit
from treatment.claims.services import VisitInput, claim_submit

CLAIMANT = ("张建国", "370303001001")
INVOICE = "11002211000012345678"
STAY = VisitInput(
    kind="inpatient", visited_on=date(2022, 7, 5), left_on=date(2022, 7, 19), hospital="北京大学人民医院",
    level=3, child_order=None, outside=True, treatment_city="北京市", total=Decimal("36000.00"),
    policy_range=Decimal("30000.00"), invoice_number=INVOICE,
)


@transaction.atomic
def load() -> dict[str, int]:
    if not ClaimVisit.objects.filter(invoice_number=INVOICE).exists():
        clerk = demo_staff_give(*VILLAGE_CLERK)
        name, village = CLAIMANT
        resident = Resident.objects.get(name=name, region__code=village.ljust(12, "0"))
        # The stay is of 2022; a clock set earlier (the tests' collection window) must not make it
        # "later than today".
        claim_submit(resident=resident, clerk=clerk, year=2022, reason=ClaimReason.EMERGENCY_AWAY.value,
                     visits=[STAY], today=max(timezone.localdate(), date(2022, 12, 31)))
    return {"claims": Claim.objects.count()}
