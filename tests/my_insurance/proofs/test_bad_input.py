"""Random and hostile values posted to the 参保证明 form, and sent as a check code: never a server
error; the form writes nothing unless every year posted is one the person may prove."""

from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from my_insurance.proofs.models import InsuranceProof
from tests.my_insurance.proofs.helpers import person
from tests.my_insurance.signing_in import resident_client
from tests.test_fuzz_public import FUZZ, text

pytestmark = pytest.mark.django_db

PROVABLE = {"2021"}  # 刘桂英: 2021 paid, 2022 unpaid


@FUZZ
@given(years=st.lists(text, max_size=4))
def test_the_form_answers_hostile_years_without_error_and_writes_only_a_valid_choice(demo, years):
    cache.clear()
    before = InsuranceProof.objects.count()
    response = resident_client(person("刘桂英")).post("/my/proof/", {"years": years})
    assert response.status_code < 500
    valid = bool(years) and set(years) <= PROVABLE
    assert (response.status_code == 302) == valid
    assert InsuranceProof.objects.count() - before <= int(valid)
    InsuranceProof.objects.all().delete()


@FUZZ
@given(code=text)
def test_the_public_check_answers_any_code_as_not_found(demo, code):
    cache.clear()
    # Quoted whole: a "/" in the code reaches Django as part of the path and matches no route.
    response = Client().get(f"/verify/proof/{quote(code, safe='')}/")
    assert response.status_code in (400, 404), response.status_code
