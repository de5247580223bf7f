"""The demo's newborn: 陈志强's child, born ten days before the demo is loaded, registered with its
birth certificate at the demo hospital's newborn desk by the demo account "hospital", enrolled
with the newborn rule and not paid yet, without an ID number (the station adds it later).
Idempotent: the certificate is registered once."""

from datetime import date, timedelta

from django.contrib.auth.models import User

from enrollment.life_events.newborns import certificate_key, newborn_register
from enrollment.models import Resident
from portal.network.demo import NEWBORN_DESK
from portal.network.models import ServicePoint
from portal.privacy.id_numbers import make_id_number
from portal.privacy.id_vault import id_digest

# Made up; tests/test_no_full_id_numbers.py looks for it on every page it sweeps.
DEMO_CERTIFICATE = "Q370123456"
PARENT = make_id_number("370303", date(1980, 1, 15), 33)  # 陈志强 (enrollment/demo.py)


def load(*, today: date) -> dict[str, int]:
    if Resident.objects.filter(birth_certificate_digest=certificate_key(DEMO_CERTIFICATE)).exists():
        return {"newborns": 0}
    newborn_register(
        certificate=DEMO_CERTIFICATE, name="陈安安", gender="female", birth_date=today - timedelta(days=10),
        parent=Resident.objects.get(id_digest=id_digest(PARENT)), clerk=User.objects.get(username="hospital"),
        today=today, born_at=ServicePoint.objects.get(name=NEWBORN_DESK[1]),
    )
    return {"newborns": 1}
