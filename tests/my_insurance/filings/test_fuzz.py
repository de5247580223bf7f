"""Hostile and random values sent to the online filing form and the cancel page never give a
server error, and never file or cancel anything they should not."""

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from tests.my_insurance.filings.conftest import online
from tests.my_insurance.signing_in import resident_client
from tests.test_fuzz_public import FUZZ, maybe_text, present, text
from treatment.filings.models import ONLINE_KINDS, PROVINCES, Filing

pytestmark = pytest.mark.django_db

# Real values among the hostile ones, so that some examples get past the form to the service.
kind = st.one_of(maybe_text, st.sampled_from(["emergency", "other_temporary", "referral", "working_away"]))
province = st.one_of(maybe_text, st.sampled_from(["北京市", "山东省"]))
day = st.one_of(maybe_text, st.dates().map(str))


@FUZZ
@given(kind=kind, province=province, city=maybe_text, valid_from=day, hospital=maybe_text)
def test_the_filing_form(wang, today, kind, province, city, valid_from, hospital):
    cache.clear()
    before = Filing.objects.count()
    response = resident_client(wang).post("/my/filings/new/", present({
        "kind": kind, "province": province, "city": city, "valid_from": valid_from, "hospital": hospital}))
    assert response.status_code < 500, response.content[:500]
    made = Filing.objects.order_by("-pk").first() if Filing.objects.count() > before else None
    if made is None:
        return
    # Something was filed: only from a clean form, and only what the resident may file.
    assert response.status_code == 302 and Filing.objects.count() == before + 1
    assert made.resident == wang and made.filed_online and made.kind in ONLINE_KINDS and made.province in PROVINCES
    assert made.city and made.city not in ("淄博", "淄博市") and (made.valid_from - today).days >= -30
    made.delete()


@FUZZ
@given(segment=text, confirm=maybe_text)
def test_the_cancel_page(wang, today, segment, confirm):
    cache.clear()
    filing = online(wang)
    client = resident_client(wang)
    for url in (f"/my/filings/{segment}/cancel/", f"/my/filings/{segment}/print/"):
        assert client.post(url, present({"confirm": confirm})).status_code < 500
        assert client.get(url).status_code < 500
    filing.refresh_from_db()
    if str(filing.pk) != segment:
        assert filing.status == Filing.Status.ACTIVE
    filing.delete()
