"""A resident's own filings online: the two kinds they may file, every check a clerk's filing
gets, and cancelling only what they filed online."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from enrollment.models import Resident
from tests.my_insurance.filings.conftest import TODAY, at_station, online
from treatment.filings.models import Filing, FilingKind
from treatment.filings.services import FilingAlreadyMade, filing_cancel, filing_cancel_online

pytestmark = pytest.mark.django_db


def refused(function, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        function(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize("kind", [FilingKind.EMERGENCY, FilingKind.OTHER_TEMPORARY])
def test_a_resident_files_each_temporary_kind_without_a_referral_online(wang, kind):
    filing = online(wang, kind=kind, province="江苏省", city=" 苏 州市 ", hospital=" 苏州大学附属第一医院 ")
    assert (filing.kind, filing.place, filing.hospital) == (kind, "江苏省苏州市", "苏州大学附属第一医院")
    assert (filing.valid_from, filing.valid_until) == (TODAY, date(2022, 9, 30))
    assert filing.filed_online and filing.recorded_by is None and filing.service_point is None
    assert filing.recorder_name == "居民本人网上办理" and filing.filed_how == "本人网上办理"
    assert filing.valid_on(TODAY) and len(filing.verification_code) >= 20


@pytest.mark.parametrize("kind", [FilingKind.REFERRAL, FilingKind.RETIRED_RESETTLED, FilingKind.LONG_TERM_RESIDENCE,
                                  FilingKind.WORKING_AWAY, "forever"])
def test_referrals_and_long_term_kinds_are_left_to_the_station(wang, kind):
    error = refused(online, wang, kind=kind)
    assert "网上只能办理急诊抢救和其他临时外出就医" in error.message_dict["kind"][0]
    assert "医保工作站办理" in error.message_dict["kind"][0]
    assert not Filing.objects.filter(resident=wang).exists()


@pytest.mark.parametrize("city", ["淄博市", "淄博", " 淄博市 "])
def test_care_in_the_residents_own_city_needs_no_filing(wang, city):
    error = refused(online, wang, province="山东省", city=city)
    assert error.message_dict["city"] == ["山东省淄博市是您参保的统筹区，在这里看病是本地就医，不需要异地就医备案。"]
    assert not Filing.objects.filter(resident=wang).exists()


def test_a_filing_backdated_more_than_thirty_days_is_refused(wang):
    error = refused(online, wang, valid_from=date(2022, 3, 1))
    assert error.message_dict["valid_from"][0].startswith("开始日期最早为 2022年3月2日：外出就医后 30 天内可以补办备案")
    assert not Filing.objects.filter(resident=wang).exists()
    assert online(wang, valid_from=date(2022, 3, 2)).valid_from == date(2022, 3, 2)  # the 30th day back still goes


def test_a_deceased_resident_is_refused(wang):
    Resident.objects.filter(pk=wang.pk).update(date_of_death=date(2022, 3, 20))
    assert "您已登记死亡（2022年3月20日）" in refused(online, wang).messages[0]
    assert not Filing.objects.filter(resident=wang).exists()


def test_an_unknown_province_is_refused(wang):
    assert refused(online, wang, province="火星").message_dict["province"] == ["请从列表中选择就医省份。"]


def test_the_same_filing_twice_is_one_filing_and_names_it(wang):
    first = online(wang)
    error = refused(online, wang, city=" 北京市")
    assert isinstance(error, FilingAlreadyMade) and error.filing == first
    assert f"编号 {first.number}" in error.messages[0] and "不用重复办理" in error.messages[0]
    assert Filing.objects.filter(resident=wang).count() == 1


def test_a_resident_cancels_their_own_online_filing(wang):
    filing = online(wang, kind=FilingKind.OTHER_TEMPORARY)
    cancelled = filing_cancel_online(filing_id=filing.pk, resident=wang, today=date(2022, 5, 1))
    cancelled.refresh_from_db()
    assert cancelled.status == Filing.Status.CANCELLED and cancelled.cancelled_online
    assert cancelled.cancel_reason == "居民本人网上撤销" and cancelled.cancelled_by is None
    assert cancelled.canceller_name == "居民本人网上撤销"
    assert cancelled.valid_until == date(2022, 9, 30)  # a temporary filing keeps its dates: the status ends it
    assert not cancelled.valid_on(date(2022, 5, 2))
    assert online(wang, kind=FilingKind.OTHER_TEMPORARY).status == Filing.Status.ACTIVE  # filed again afterwards


def test_a_clerks_filing_is_cancelled_at_the_station_not_online(wang, clerk_chezhan):
    filing = at_station(wang, clerk_chezhan)
    message = refused(filing_cancel_online, filing_id=filing.pk, resident=wang, today=TODAY).messages[0]
    assert f"备案 {filing.number} 是在车站街道医保工作站办理的，网上不能撤销" in message and "工作站撤销" in message
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ACTIVE


def test_another_residents_filing_is_not_found(wang, li):
    theirs = online(li)
    assert refused(filing_cancel_online, filing_id=theirs.pk, resident=wang, today=TODAY).messages == [
        "没有找到您的这份备案。"]
    theirs.refresh_from_db()
    assert theirs.status == Filing.Status.ACTIVE


def test_a_cancelled_filing_is_not_cancelled_again(wang, clerk_chezhan):
    filing = online(wang)
    filing_cancel(filing_id=filing.pk, clerk=clerk_chezhan, reason="居民电话要求", today=TODAY)
    message = refused(filing_cancel_online, filing_id=filing.pk, resident=wang, today=TODAY).messages[0]
    assert f"备案 {filing.number} 已于" in message and "不用再撤销" in message
    filing.refresh_from_db()
    assert filing.cancel_reason == "居民电话要求" and not filing.cancelled_online
    assert filing.canceller_name == f"{clerk_chezhan.last_name}{clerk_chezhan.first_name}"  # the clerk, by name


def test_a_clerk_may_still_cancel_an_online_filing_at_the_station(wang, clerk_chezhan):
    filing = online(wang)
    cancelled = filing_cancel(filing_id=filing.pk, clerk=clerk_chezhan, reason="居民到站要求撤销", today=TODAY)
    assert cancelled.cancelled_by == clerk_chezhan and not cancelled.cancelled_online
