"""Filing, cancelling and changing a cross-region treatment filing: validity, one long-term
filing at a time (checked, and held by the database), every refusal, scope, documents, and the
place a visit gets from the filings."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from enrollment.models import Resident
from portal.network.models import Region
from portal.shared.vocabulary import Place
from tests.factories import staff_user
from tests.treatment.filings.conftest import PDF, TODAY, long_term, referral
from treatment.filings import services
from treatment.filings.models import Filing, FilingKind
from treatment.filings.services import (
    MAX_ATTACHMENTS,
    filing_attachment_add,
    filing_cancel,
    filing_change,
    place_for,
)

pytestmark = pytest.mark.django_db


def refused(function, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        function(**kwargs)
    return " ".join(caught.value.messages)


# -- Validity --------------------------------------------------------------------------------

def test_a_referral_holds_six_months_from_its_start(wang, clerk_chezhan):
    filing = referral(wang, clerk_chezhan)
    assert (filing.valid_from, filing.valid_until) == (date(2022, 3, 1), date(2022, 8, 31))
    assert not filing.long_term and filing.status == Filing.Status.ACTIVE
    assert filing.valid_on(date(2022, 8, 31)) and not filing.valid_on(date(2022, 9, 1))
    assert filing.service_point == clerk_chezhan.staff_profile.home_service_point
    assert filing.recorded_by == clerk_chezhan and len(filing.verification_code) >= 20


def test_a_long_term_filing_holds_until_cancelled(li, clerk_chezhan):
    filing = long_term(li, clerk_chezhan)
    assert filing.long_term and filing.valid_until is None
    assert filing.valid_on(date(2040, 1, 1)) and not filing.valid_on(date(2022, 2, 28))
    assert filing.validity == "2022年3月1日起长期有效（撤销前）"


def test_every_temporary_kind_ends_and_every_long_term_kind_does_not(wang, clerk_chezhan):
    for kind in FilingKind:
        filing = referral(wang, clerk_chezhan, kind=kind, city=f"{kind.value}市")
        assert (filing.valid_until is None) == filing.long_term
        if filing.long_term:
            filing_cancel(filing_id=filing.pk, clerk=clerk_chezhan, reason="测试", today=TODAY)


# -- One long-term filing at a time -----------------------------------------------------------

def test_a_second_long_term_filing_is_refused_naming_the_first(li, clerk_chezhan):
    first = long_term(li, clerk_chezhan)
    message = refused(long_term, resident=li, clerk=clerk_chezhan, kind=FilingKind.WORKING_AWAY, province="上海市",
                      city="上海市")
    assert f"编号 {first.number}" in message and "异地长期居住" in message and "苏州市" in message
    assert "一人同时只能有一份长期备案" in message and "变更" in message
    assert Filing.objects.filter(resident=li).count() == 1


def test_a_temporary_filing_may_stand_beside_a_long_term_one(li, clerk_chezhan):
    long_term(li, clerk_chezhan)
    referral(li, clerk_chezhan)
    assert Filing.objects.filter(resident=li, status=Filing.Status.ACTIVE).count() == 2


def test_the_database_refuses_a_second_active_long_term_filing(li, clerk_chezhan):
    first = long_term(li, clerk_chezhan)
    second = Filing(resident=li, kind=FilingKind.RETIRED_RESETTLED, province="海南省", city="三亚市",
                    valid_from=TODAY, verification_code="another-code", recorded_by=clerk_chezhan)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    filing_cancel(filing_id=first.pk, clerk=clerk_chezhan, reason="已回本地居住", today=TODAY)
    second.save()  # once the first is cancelled, a new one may be filed
    assert second.pk


def test_when_two_clerks_file_at_once_the_constraint_answers_in_chinese(li, clerk_chezhan, monkeypatch):
    first = long_term(li, clerk_chezhan)
    real = services._existing_long_term
    calls = []

    def missed_once(resident):
        # The other clerk's filing committed just after this one's check: the check sees none.
        calls.append(resident)
        return None if len(calls) == 1 else real(resident)

    monkeypatch.setattr(services, "_existing_long_term", missed_once)
    message = refused(long_term, resident=li, clerk=clerk_chezhan, kind=FilingKind.WORKING_AWAY, city="南京市")
    assert f"编号 {first.number}" in message and "一人同时只能有一份长期备案" in message
    assert Filing.objects.filter(resident=li).count() == 1


def test_the_same_filing_twice_is_refused_as_a_double_submit(wang, clerk_chezhan):
    first = referral(wang, clerk_chezhan)
    message = refused(referral, resident=wang, clerk=clerk_chezhan)
    assert f"编号 {first.number}" in message and "不用重复办理" in message
    assert Filing.objects.filter(resident=wang).count() == 1


# -- Refusals --------------------------------------------------------------------------------

@pytest.mark.parametrize("city", ["淄博市", "淄博", " 淄博市 "])
def test_care_inside_the_residents_own_pooling_region_needs_no_filing(wang, clerk_chezhan, city):
    with pytest.raises(ValidationError) as caught:
        referral(wang, clerk_chezhan, province="山东省", city=city)
    assert "山东省淄博市是王秀兰参保的统筹区" in caught.value.message_dict["city"][0]
    assert not Filing.objects.filter(resident=wang).exists()


def test_another_city_of_the_province_is_outside_the_pooling_region(wang, clerk_chezhan):
    filing = referral(wang, clerk_chezhan, province="山东省", city="济南市", hospital="山东大学齐鲁医院")
    assert filing.place == "山东省济南市"


def test_a_referral_needs_both_hospitals_and_the_referral_number(wang, clerk_chezhan):
    with pytest.raises(ValidationError) as caught:
        referral(wang, clerk_chezhan, hospital="", referring_hospital=" ", referral_number="")
    assert set(caught.value.message_dict) == {"hospital", "referring_hospital", "referral_number"}
    assert "转诊单编号" in caught.value.message_dict["referral_number"][0]
    assert not Filing.objects.exists()


def test_an_emergency_needs_no_hospital(wang, clerk_chezhan):
    filing = referral(wang, clerk_chezhan, kind=FilingKind.EMERGENCY, hospital="", referring_hospital="",
                      referral_number="")
    assert filing.valid_until == date(2022, 8, 31)


def test_a_deceased_resident_is_refused(wang, clerk_chezhan):
    Resident.objects.filter(pk=wang.pk).update(date_of_death=date(2022, 2, 1))
    assert "已登记死亡" in refused(referral, resident=wang, clerk=clerk_chezhan)
    assert not Filing.objects.exists()


def test_a_start_more_than_a_year_ahead_is_refused(wang, clerk_chezhan):
    assert "一年以后" in refused(referral, resident=wang, clerk=clerk_chezhan, valid_from=date(2032, 3, 1))


def test_a_filing_is_made_afterwards_within_thirty_days_only(wang, li, clerk_chezhan):
    # Today is 1 March 2022: 30 days back is 30 January.
    assert refused(referral, resident=wang, clerk=clerk_chezhan, valid_from=date(2022, 1, 29)) == (
        "开始日期最早为 2022年1月30日：外出就医后 30 天内可以补办备案，更早开始的就医不能补办，按未备案的异地就医报销。")
    assert refused(long_term, resident=li, clerk=clerk_chezhan, valid_from=date(2021, 3, 1)).startswith(
        "开始日期最早为 2022年1月30日")
    assert not Filing.objects.exists()
    assert referral(wang, clerk_chezhan, valid_from=date(2022, 1, 30)).valid_from == date(2022, 1, 30)


def test_an_unknown_province_or_kind_is_refused(wang, clerk_chezhan):
    assert "请从列表中选择就医省份" in refused(referral, resident=wang, clerk=clerk_chezhan, province="火星")
    assert "请选择备案类型" in refused(referral, resident=wang, clerk=clerk_chezhan, kind="forever")


def test_only_station_staff_of_the_residents_scope_may_file(wang, clerk_other, officer):
    for outsider in (clerk_other, officer):
        assert "管辖范围内" in refused(referral, resident=wang, clerk=outsider)
    village = staff_user(role="clerk", scope=Region.objects.get(code="370303001001"), username="clerk_village_f")
    assert referral(wang, village).recorded_by == village  # 华光路社区's own clerk files too
    assert Filing.objects.count() == 1


# -- Cancelling and changing -----------------------------------------------------------------

def test_cancelling_a_long_term_filing_ends_it_today_and_frees_the_place(li, clerk_chezhan):
    filing = long_term(li, clerk_chezhan)
    day = date(2022, 6, 30)
    cancelled = filing_cancel(filing_id=filing.pk, clerk=clerk_chezhan, reason="已回本地居住", today=day)
    assert cancelled.status == Filing.Status.CANCELLED and cancelled.valid_until == day
    assert cancelled.cancelled_by == clerk_chezhan and cancelled.cancel_reason == "已回本地居住"
    assert cancelled.cancelled_at is not None and not cancelled.valid_on(day)
    assert long_term(li, clerk_chezhan, valid_from=day).status == Filing.Status.ACTIVE


def test_a_long_term_filing_cancelled_before_it_starts_ends_on_its_start(li, clerk_chezhan):
    filing = long_term(li, clerk_chezhan, valid_from=date(2022, 5, 1))
    cancelled = filing_cancel(filing_id=filing.pk, clerk=clerk_chezhan, reason="不去了", today=TODAY)
    assert cancelled.valid_until == date(2022, 5, 1)


def test_a_cancellation_needs_a_reason_and_happens_once(wang, clerk_chezhan, clerk_other):
    filing = referral(wang, clerk_chezhan)
    assert "请填写撤销原因" in refused(filing_cancel, filing_id=filing.pk, clerk=clerk_chezhan, reason="  ")
    assert "管辖范围内" in refused(filing_cancel, filing_id=filing.pk, clerk=clerk_other, reason="误办")
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ACTIVE
    filing_cancel(filing_id=filing.pk, clerk=clerk_chezhan, reason="误办", today=TODAY)
    assert "已于" in refused(filing_cancel, filing_id=filing.pk, clerk=clerk_chezhan, reason="再撤一次")


def test_a_change_cancels_the_old_filing_and_files_the_new_one(li, clerk_chezhan):
    old = long_term(li, clerk_chezhan)
    day = date(2022, 7, 1)
    new = filing_change(filing_id=old.pk, clerk=clerk_chezhan, kind=FilingKind.LONG_TERM_RESIDENCE,
                        province="浙江省", city="杭州市", valid_from=day, today=day)
    old.refresh_from_db()
    assert old.status == Filing.Status.CANCELLED and old.cancel_reason == "变更" and old.valid_until == day
    assert new.status == Filing.Status.ACTIVE and new.place == "浙江省杭州市" and new.pk != old.pk
    assert list(Filing.objects.filter(resident=li).order_by("pk")) == [old, new]
    assert old.history.count() == 2  # filed, then cancelled: the old one's record stays


def test_a_refused_change_leaves_the_old_filing_in_force(wang, clerk_chezhan):
    old = referral(wang, clerk_chezhan)
    with pytest.raises(ValidationError):
        filing_change(filing_id=old.pk, clerk=clerk_chezhan, kind=FilingKind.REFERRAL, province="上海市",
                      city="上海市", valid_from=TODAY, today=TODAY)  # no hospitals, no referral number
    old.refresh_from_db()
    assert old.status == Filing.Status.ACTIVE and Filing.objects.filter(resident=wang).count() == 1


# -- The place of a visit --------------------------------------------------------------------

def test_care_outside_is_filed_on_the_days_a_filing_holds(wang, clerk_chezhan):
    referral(wang, clerk_chezhan)
    assert place_for(wang, date(2022, 4, 1), outside=False) == Place.LOCAL
    assert place_for(wang, date(2022, 4, 1), outside=True, city="北京市") == Place.OUTSIDE_FILED
    assert place_for(wang, date(2022, 8, 31), outside=True, city="北京") == Place.OUTSIDE_FILED
    assert place_for(wang, date(2022, 9, 1), outside=True, city="北京市") == Place.OUTSIDE_UNFILED
    assert place_for(wang, date(2022, 2, 28), outside=True, city="北京市") == Place.OUTSIDE_UNFILED


def test_a_filing_covers_care_in_its_own_city_only(wang, clerk_chezhan):
    referral(wang, clerk_chezhan)  # 北京市
    assert place_for(wang, date(2022, 4, 1), outside=True, city="上海市") == Place.OUTSIDE_UNFILED
    assert place_for(wang, date(2022, 4, 1), outside=True) == Place.OUTSIDE_UNFILED  # no city: nothing matches
    assert place_for(wang, date(2022, 4, 1), outside=True, city=" 北 京 ") == Place.OUTSIDE_FILED


def test_care_before_a_cancellation_stays_filed_and_care_after_it_does_not(wang, clerk_chezhan):
    filing = referral(wang, clerk_chezhan)
    filing_cancel(filing_id=filing.pk, clerk=clerk_chezhan, reason="已回本地", today=date(2022, 5, 10))
    Filing.objects.filter(pk=filing.pk).update(
        cancelled_at=timezone.make_aware(timezone.datetime(2022, 5, 10, 9, 30)))
    assert place_for(wang, date(2022, 5, 1), outside=True, city="北京市") == Place.OUTSIDE_FILED
    assert place_for(wang, date(2022, 5, 11), outside=True, city="北京市") == Place.OUTSIDE_UNFILED


def test_another_persons_filing_does_not_count(wang, li, clerk_chezhan):
    long_term(li, clerk_chezhan)
    assert place_for(wang, date(2022, 4, 1), outside=True, city="苏州市") == Place.OUTSIDE_UNFILED


# -- Documents -------------------------------------------------------------------------------

def test_documents_are_kept_up_to_the_limit_and_not_after_cancelling(wang, clerk_chezhan, clerk_other, settings,
                                                                     tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    filing = referral(wang, clerk_chezhan)
    first = filing_attachment_add(filing=filing, upload=SimpleUploadedFile("转诊单.pdf", PDF), user=clerk_chezhan)
    assert first.path.read_bytes() == PDF and first.uploaded_by == clerk_chezhan
    assert "不是 PDF" in refused(filing_attachment_add, filing=filing,
                                 upload=SimpleUploadedFile("a.txt", b"hello"), user=clerk_chezhan)
    assert "管辖范围内" in refused(filing_attachment_add, filing=filing,
                                   upload=SimpleUploadedFile("b.pdf", PDF), user=clerk_other)
    for number in range(MAX_ATTACHMENTS - 1):
        filing_attachment_add(filing=filing, upload=SimpleUploadedFile(f"{number}.pdf", PDF), user=clerk_chezhan)
    assert f"最多上传 {MAX_ATTACHMENTS} 个" in refused(
        filing_attachment_add, filing=filing, upload=SimpleUploadedFile("x.pdf", PDF), user=clerk_chezhan)
    filing_cancel(filing_id=filing.pk, clerk=clerk_chezhan, reason="误办", today=TODAY)
    filing.attachments.all().delete()
    assert "已撤销" in refused(filing_attachment_add, filing=filing, upload=SimpleUploadedFile("y.pdf", PDF),
                               user=clerk_chezhan)
    assert len(list(tmp_path.joinpath("filings").iterdir())) == MAX_ATTACHMENTS


def test_the_demo_files_for_two_residents_of_chezhan_once(demo):
    from treatment.filings.demo import load

    assert load() == {"filings": 2} and load() == {"filings": 2}
    today = timezone.localdate()
    wang, li = (Filing.objects.get(resident__name=name) for name in ("王秀兰", "李秀梅"))
    assert wang.kind == FilingKind.REFERRAL and wang.province == "北京市" and wang.valid_on(today)
    assert li.long_term and li.valid_on(today) and li.recorded_by == User.objects.get(username="clerk_chezhan")
    assert wang.valid_from == today - timedelta(days=20) and li.valid_from == today - timedelta(days=400)
