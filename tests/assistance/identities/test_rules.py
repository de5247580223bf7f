"""The resident's assistance category: strongest verified identity current on the day, nothing
otherwise; kept in step on verify, revoke, import, registration and the daily refresh."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from assistance.identities.rules import IdentityPeriod, category_on, strongest_category
from assistance.identities.services import categories_refresh, identity_revoke, identity_verify
from enrollment.models import Resident
from portal.privacy.id_vault import id_digest
from portal.shared.vocabulary import AssistanceCategory
from tests.assistance.identity_helpers import NOBODY, WANG, identity, second_officer

ON = date(2022, 3, 1)
A = AssistanceCategory


# -- the pure rule ----------------------------------------------------------------------------

def test_extreme_poverty_beats_minimum_living_whatever_the_order():
    assert strongest_category([A.MINIMUM_LIVING, A.EXTREME_POVERTY]) == A.EXTREME_POVERTY
    assert strongest_category([A.MONITORED, A.LOW_INCOME_EDGE, A.RETURNED_TO_POVERTY]) == A.RETURNED_TO_POVERTY
    assert strongest_category([A.MONITORED, A.LOW_INCOME_EDGE]) == A.LOW_INCOME_EDGE
    assert strongest_category([]) is None


def test_pending_ended_and_future_identities_give_no_category():
    pending = IdentityPeriod(A.EXTREME_POVERTY, False, date(2021, 1, 1), None)
    ended = IdentityPeriod(A.MINIMUM_LIVING, True, date(2021, 1, 1), date(2022, 2, 28))
    future = IdentityPeriod(A.LOW_INCOME_EDGE, True, date(2022, 3, 2), None)
    assert category_on([pending, ended, future], ON) is None
    assert category_on([ended], date(2022, 2, 28)) == A.MINIMUM_LIVING  # the end day still counts


periods = st.builds(
    IdentityPeriod,
    category=st.sampled_from(list(A)),
    verified=st.booleans(),
    valid_from=st.dates(date(2020, 1, 1), date(2023, 12, 31)),
    valid_to=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2024, 12, 31))),
)


@given(st.lists(periods, max_size=6), st.dates(date(2020, 1, 1), date(2024, 12, 31)))
def test_the_category_is_a_current_one_and_none_current_is_stronger(identities, on):
    result = category_on(identities, on)
    current = [i.category for i in identities if i.current_on(on)]
    if not current:
        assert result is None
    else:
        assert result in current
        assert all(list(A).index(result) <= list(A).index(c) for c in current)


@given(st.lists(periods, max_size=6), periods, st.dates(date(2020, 1, 1), date(2024, 12, 31)))
def test_adding_an_identity_never_weakens_the_category(identities, extra, on):
    before, after = category_on(identities, on), category_on([*identities, extra], on)
    if before is not None:
        assert after is not None and list(A).index(after) <= list(A).index(before)


# -- keeping Resident.assistance_category in step ---------------------------------------------

def wang() -> Resident:
    return Resident.objects.get(id_digest=id_digest(WANG))


@pytest.mark.django_db
def test_verify_sets_and_revoke_clears_the_residents_category(demo, officer):
    pending = identity(imported_by=officer)
    assert wang().assistance_category == ""
    identity_verify(identity=pending, officer=second_officer(), on=ON)
    assert wang().assistance_category == "minimum_living"
    identity_revoke(identity=pending, officer=second_officer("officer_three"), reason="已退出低保", on=ON)
    assert wang().assistance_category == ""


@pytest.mark.django_db
def test_two_verified_identities_give_the_stronger_and_revoking_it_falls_back(demo, officer):
    checker = second_officer()
    identity(imported_by=officer, verified_by=checker)
    poorest = identity(imported_by=officer, verified_by=checker, category="extreme_poverty", document="张民特1号")
    categories_refresh(on=ON)
    assert wang().assistance_category == "extreme_poverty"
    identity_revoke(identity=poorest, officer=checker, reason="认定有误", on=ON)
    assert wang().assistance_category == "minimum_living"


@pytest.mark.django_db
def test_the_daily_refresh_clears_an_identity_that_ended_and_sets_one_that_started(demo, officer):
    checker = second_officer()
    identity(imported_by=officer, verified_by=checker, valid_to=date(2022, 6, 30))
    call_command("refresh_assistance_categories", "--date", "2022-06-30", stdout=io.StringIO())
    assert wang().assistance_category == "minimum_living"
    call_command("refresh_assistance_categories", "--date", "2022-07-01", stdout=io.StringIO())
    assert wang().assistance_category == ""
    identity(imported_by=officer, verified_by=checker, category="monitored", department="rural_revitalization",
             document="张振监9号", valid_from=date(2022, 8, 1))
    categories_refresh(on=date(2022, 7, 31))
    assert wang().assistance_category == ""
    categories_refresh(on=date(2022, 8, 1))
    assert wang().assistance_category == "monitored"


@pytest.mark.django_db
def test_a_category_not_backed_by_any_identity_is_cleared(demo):
    Resident.objects.filter(name="王秀兰").update(assistance_category="extreme_poverty")
    assert categories_refresh(on=ON) == 1
    assert wang().assistance_category == ""


@pytest.mark.django_db
def test_a_person_on_a_verified_list_gets_the_category_when_registered(demo, officer, clerk_chezhan):
    from enrollment.services import resident_register
    from portal.network.models import Region

    identity(NOBODY, name="马春兰", category="extreme_poverty", document="张民特2号",
             valid_from=date.today() - timedelta(days=30), imported_by=officer, verified_by=second_officer())
    resident = resident_register(
        id_number=NOBODY, name="马春兰", region=Region.objects.get(code="370303001002"), clerk=clerk_chezhan,
        today=date.today(),
    )
    assert resident.assistance_category == "extreme_poverty"
    assert Resident.objects.get(pk=resident.pk).assistance_category == "extreme_poverty"


@pytest.mark.django_db
def test_registering_someone_on_no_list_leaves_the_category_empty(demo, clerk_chezhan, officer):
    from enrollment.services import resident_register
    from portal.network.models import Region

    identity(WANG, imported_by=officer, verified_by=second_officer())  # someone else's identity
    resident = resident_register(
        id_number=NOBODY, name="马春兰", region=Region.objects.get(code="370303001002"), clerk=clerk_chezhan,
        today=date.today(),
    )
    assert Resident.objects.get(pk=resident.pk).assistance_category == ""
