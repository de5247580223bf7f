"""未参保名单: the people of a scope expected to be insured for a year who have no enrollment
for it, whether or not they were ever enrolled (精准锁定未参保人群, 医保发〔2022〕20号)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from enrollment.collection.progress import expected_residents
from enrollment.models import Enrollment, InsuredElsewhere, Resident
from portal.accounts.scopes import staff_scope
from portal.network.models import Region

# By village then name; the id makes each place unique, which keyset pagination needs.
UNINSURED_ORDER = ("region__code", "name", "pk")


def uninsured(scope: Region, *, year: int, today):
    """Expected residents living ``today`` without an active enrollment for ``year``, each
    annotated with why they are expected: ``enrolled_last_year`` and the assistance category; every one of them
    lives in the scope's villages."""
    of_resident = Enrollment.objects.filter(resident=OuterRef("pk")).active()
    return (
        expected_residents(scope, year=year, today=today)
        # Counted as expected if alive when the year began (the rate's denominator), but nobody
        # to follow up from the day they died (确保死亡人员不再享受政府补助).
        .exclude(date_of_death__lte=today)
        # Nor anyone who has moved out of the city since (转移接续): they enrol where they went.
        .exclude(moved_out_on__lte=today)
        .exclude(Exists(of_resident.filter(year=year)))
        .annotate(enrolled_last_year=Exists(of_resident.filter(year=year - 1)))
        .select_related("region")
        .order_by(*UNINSURED_ORDER)
    )


def reasons(resident: Resident) -> list[str]:
    """Why the person is on the list, most pressing first."""
    found = []
    if resident.assistance_category:
        found.append(f"困难群众（{resident.get_assistance_category_display()}）")
    if resident.enrolled_last_year:
        found.append("上年度参保")
    found.append(f"{resident.region.name}居民")
    return found


@transaction.atomic
def insured_elsewhere_record(*, resident: Resident, year: int, scheme: str, note: str = "", clerk) -> InsuredElsewhere:
    """Record that ``resident`` is insured elsewhere for ``year``. Refused for someone enrolled
    here that year (a duplicate to refund, not a record) and for a second record of the year."""
    scope = staff_scope(clerk)
    if scope is None or not resident.region.code.startswith(scope.prefix):
        raise ValidationError("这位居民不在您的管辖范围内。", code="out_of_scope")
    if scheme not in InsuredElsewhere.Scheme.values:
        raise ValidationError({"scheme": "请选择此人在哪里参保。"})
    if resident.enrollments.active().filter(year=year).exists():
        raise ValidationError(
            f"{resident.name} 已登记 {year} 年度居民医保。若确已在他处参保，属重复参保，请在参保登记页申请退费注销。",
            code="enrolled_here",
        )
    try:
        with transaction.atomic():
            return InsuredElsewhere.objects.create(resident=resident, year=year, scheme=scheme, note=note.strip(),
                                                   recorded_by=clerk)
    except IntegrityError:
        raise ValidationError(f"{resident.name} {year} 年度已记录在他处参保。", code="already_recorded") from None
