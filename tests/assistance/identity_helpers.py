"""Shared set-up of the identity tests (plain functions, so that D's conftest stays D's)."""

from datetime import date

from django.contrib.auth.models import User
from django.utils import timezone

from assistance.models import AssistanceIdentity, IdentityImport
from portal.network.models import Region
from portal.privacy.id_numbers import make_id_number, mask_id_number
from portal.privacy.id_vault import id_digest, id_encrypt
from tests.factories import staff_user

WANG = "370303195203151223"  # registered in the enrollment demo, village 370303001001 (车站街道)
SUN_LI = make_id_number("370303", date(1986, 12, 12), 66)  # registered, 公园街道
NOBODY = make_id_number("370303", date(1950, 5, 5), 82)  # on a list, not registered


def second_officer(username: str = "officer_two") -> User:
    return staff_user(role="officer", scope=Region.objects.get(code="370300000000"), username=username)


def identity(
    number: str = WANG, *, name: str = "王秀兰", category: str = "minimum_living", department: str = "civil_affairs",
    document: str = "张民低〔2021〕15号", valid_from: date = date(2021, 1, 1), valid_to: date | None = None,
    imported_by: User, verified_by: User | None = None, source: IdentityImport | None = None,
) -> AssistanceIdentity:
    verified = verified_by is not None
    return AssistanceIdentity.objects.create(
        id_number_encrypted=id_encrypt(number), id_digest=id_digest(number), id_masked=mask_id_number(number),
        name=name, category=category, department=department, document_number=document,
        valid_from=valid_from, valid_to=valid_to, imported_by=imported_by, source=source,
        status=AssistanceIdentity.Status.VERIFIED if verified else AssistanceIdentity.Status.PENDING,
        verified_by=verified_by, verified_at=timezone.now() if verified else None,
    )
