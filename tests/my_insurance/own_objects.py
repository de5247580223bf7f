"""Objects of 王秀兰's own that the pages of 我的医保 with an id open: a 参保证明 and a filing she
made online. Shared by the URL sweep (tests/test_scope_everywhere.py) and the CSRF sweep."""

from django.utils import timezone

from enrollment.models import Resident


def resident_objects(resident: Resident) -> dict:
    from my_insurance.proofs.selectors import year_choices
    from my_insurance.proofs.services import proof_issue
    from treatment.filings.models import FilingKind
    from treatment.filings.services import filing_create_online

    today = timezone.localdate()
    provable = [choice.year for choice in year_choices(resident, today) if choice.provable]
    return {
        "proof": proof_issue(resident=resident, years=provable[:1], now=timezone.now()),
        "online_filing": filing_create_online(resident=resident, kind=FilingKind.EMERGENCY, province="北京市",
                                              city="北京市", valid_from=today, today=today),
    }
