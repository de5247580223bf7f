"""门诊慢特病认定: recording an application, deciding it, its documents, and which disease a
person is recognised for on a day."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from enrollment.models import Resident
from tests.treatment.chronic.conftest import PDF, TODAY, apply
from treatment.chronic.models import ChronicRecognition
from treatment.chronic.services import (
    attachment_add,
    default_valid_until,
    disease_policy,
    recognised_disease_on,
    recognition_decide,
)

pytestmark = pytest.mark.django_db


def decide(recognition, officer, *, recognise=True, valid_from=TODAY, valid_until=None, notes=""):
    return recognition_decide(recognition_id=recognition.pk, officer=officer, recognise=recognise,
                              valid_from=valid_from, valid_until=valid_until, notes=notes)


def status_of(recognition) -> str:
    return ChronicRecognition.objects.get(pk=recognition.pk).status


# -- recording ------------------------------------------------------------------------------------

def test_a_township_clerk_records_an_application_for_a_disease_on_the_years_list(wang, clerk_chezhan):
    recognition = apply(wang, clerk_chezhan)
    assert (recognition.status, recognition.disease_code, recognition.disease_name) == (
        "applied", "M00101", "高血压（高危）")
    assert recognition.recorded_by == clerk_chezhan and recognition.valid_from is None
    assert recognition.service_point.name == "车站街道医保工作站"


def test_a_village_point_sends_the_person_to_the_township_station(wang, village_clerk):
    with pytest.raises(ValidationError, match="由乡镇\\(街道\\)医保工作站受理"):
        apply(wang, village_clerk)
    assert not ChronicRecognition.objects.exists()


def test_the_list_is_that_of_the_year_that_matters(wang):
    # In the 2022 collection window the year being collected matters; in the spring, the year in force.
    assert disease_policy(wang.region, date(2021, 10, 15)).year == 2022
    assert disease_policy(wang.region, date(2021, 3, 1)).year == 2021
    # A year with no published policy yet falls back to the latest one before it.
    assert disease_policy(wang.region, date(2030, 3, 1)).year == 2022


def test_a_disease_not_on_the_list_is_refused_saying_where_the_list_is(wang, clerk_chezhan):
    with pytest.raises(ValidationError, match="病种编码“M09999”不在淄博市 2022 年度门诊慢特病病种目录中") as refused:
        apply(wang, clerk_chezhan, "M09999")
    assert "“门诊慢特病病种”中维护" in refused.value.messages[0]
    assert not ChronicRecognition.objects.exists()


def test_a_clerk_outside_the_residents_scope_records_nothing(wang, clerk_other):
    with pytest.raises(ValidationError, match="管辖范围"):
        apply(wang, clerk_other)
    assert not ChronicRecognition.objects.exists()


def test_an_officer_does_not_record_applications(wang, officer):
    with pytest.raises(ValidationError, match="管辖范围"):
        apply(wang, officer)


def test_a_deceased_resident_is_refused(wang, clerk_chezhan):
    Resident.objects.filter(pk=wang.pk).update(date_of_death=date(2022, 2, 1))
    with pytest.raises(ValidationError, match="已登记死亡"):
        apply(wang, clerk_chezhan)
    assert not ChronicRecognition.objects.exists()


def test_an_empty_diagnosis_is_refused(wang, clerk_chezhan):
    with pytest.raises(ValidationError, match="请填写诊断医院及诊断"):
        apply(wang, clerk_chezhan, diagnosis="   ")


def test_a_second_pending_application_for_the_same_disease_is_refused(wang, clerk_chezhan, clerk_and_officer):
    first = apply(wang, clerk_and_officer)
    with pytest.raises(ValidationError, match=f"已有待认定的申请（编号 {first.number}，") as refused:
        apply(wang, clerk_chezhan)
    assert "不要重复受理" in refused.value.messages[0]
    apply(wang, clerk_chezhan, "M00201")  # another disease is another application
    assert ChronicRecognition.objects.filter(resident=wang).count() == 2


def test_the_database_refuses_a_second_pending_application_past_the_service(wang, clerk_chezhan):
    first = apply(wang, clerk_chezhan)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChronicRecognition.objects.create(resident=wang, disease_code=first.disease_code, disease_name="高血压（高危）",
                                          diagnosis="重复", recorded_by=clerk_chezhan)


def test_while_a_recognition_holds_a_new_application_is_refused_naming_until_when(wang, clerk_chezhan,
                                                                                  county_officer):
    decide(apply(wang, clerk_chezhan), county_officer, valid_from=date(2022, 3, 1), valid_until=date(2023, 2, 28))
    with pytest.raises(ValidationError, match="已经认定.*有效期至 2023年2月28日"):
        apply(wang, clerk_chezhan, today=date(2022, 6, 1))
    # Once it has run out, the person may apply again.
    assert apply(wang, clerk_chezhan, today=date(2023, 3, 1)).status == "applied"


def test_a_refused_application_may_be_made_again(wang, clerk_chezhan, county_officer):
    decide(apply(wang, clerk_chezhan), county_officer, recognise=False, notes="诊断证明非二级及以上医院出具")
    assert apply(wang, clerk_chezhan).status == "applied"


# -- deciding -------------------------------------------------------------------------------------

def test_a_county_officer_recognises_for_two_years_by_default_and_the_person_is_told(
        wang, clerk_chezhan, county_officer, outbox, django_capture_on_commit_callbacks):
    Resident.objects.filter(pk=wang.pk).update(phone="13800000000")
    recognition = apply(wang, clerk_chezhan)
    with django_capture_on_commit_callbacks(execute=True):
        decided = decide(recognition, county_officer, notes="材料齐全")
    # Two years from 1 March 2022 end on 29 February 2024 (2024 is a leap year).
    assert (decided.status, decided.valid_from, decided.valid_until) == ("recognised", TODAY, date(2024, 2, 29))
    assert decided.decided_by == county_officer and decided.decided_at is not None
    assert default_valid_until(date(2022, 1, 1)) == date(2023, 12, 31)
    (message,) = outbox
    assert "王*兰您好" in message.message and "有效期 2022年3月1日 至 2024年2月29日" in message.message
    assert "王秀兰" not in message.message


def test_the_city_officer_decides_too_with_a_period_of_their_own(wang, clerk_chezhan, officer):
    decided = decide(apply(wang, clerk_chezhan), officer, valid_from=date(2022, 4, 1), valid_until=date(2022, 12, 31))
    assert (decided.valid_from, decided.valid_until) == (date(2022, 4, 1), date(2022, 12, 31))


def test_a_clerk_cannot_decide(wang, clerk_and_officer, clerk_chezhan):
    recognition = apply(wang, clerk_and_officer)
    with pytest.raises(ValidationError, match="县\\(区\\)或市医保部门"):
        decide(recognition, clerk_chezhan)
    assert status_of(recognition) == "applied"


@pytest.mark.parametrize("who", ["township_officer", "zichuan_officer"])
def test_an_officer_of_a_township_or_another_county_cannot_decide(request, wang, clerk_chezhan, who):
    recognition = apply(wang, clerk_chezhan)
    with pytest.raises(ValidationError, match="管辖范围"):
        decide(recognition, request.getfixturevalue(who))
    assert status_of(recognition) == "applied"


def test_whoever_recorded_the_application_may_not_decide_it(wang, clerk_and_officer, county_officer):
    recognition = apply(wang, clerk_and_officer)
    with pytest.raises(ValidationError, match="这份申请由您受理"):
        decide(recognition, clerk_and_officer)
    assert status_of(recognition) == "applied"
    assert decide(recognition, county_officer).status == "recognised"


def test_recognising_needs_a_start_and_an_end_not_before_it(wang, clerk_chezhan, county_officer):
    recognition = apply(wang, clerk_chezhan)
    with pytest.raises(ValidationError, match="请填写认定起始日期"):
        decide(recognition, county_officer, valid_from=None)
    with pytest.raises(ValidationError, match="早于起始日期 2022-03-01"):
        decide(recognition, county_officer, valid_until=date(2022, 2, 28))
    assert status_of(recognition) == "applied"
    # One day is a period.
    assert decide(recognition, county_officer, valid_until=TODAY).valid_until == TODAY


def test_refusing_needs_a_reason_which_the_person_is_told(wang, clerk_chezhan, county_officer, outbox,
                                                          django_capture_on_commit_callbacks):
    Resident.objects.filter(pk=wang.pk).update(phone="13800000000")
    recognition = apply(wang, clerk_chezhan)
    with pytest.raises(ValidationError, match="不予认定须写明理由"):
        decide(recognition, county_officer, recognise=False, notes="  ")
    assert status_of(recognition) == "applied" and not outbox
    with django_capture_on_commit_callbacks(execute=True):
        refused = decide(recognition, county_officer, recognise=False, notes="血压记录不足三次。")
    assert (refused.status, refused.decision_notes, refused.valid_from) == ("refused", "血压记录不足三次。", None)
    assert "未予认定，理由：血压记录不足三次。" in outbox[0].message


def test_a_decided_application_is_not_decided_again(wang, clerk_chezhan, county_officer, officer):
    recognition = decide(apply(wang, clerk_chezhan), county_officer)
    with pytest.raises(ValidationError, match="已经办结（已认定）"):
        decide(recognition, officer, recognise=False, notes="改判")
    assert status_of(recognition) == "recognised"


# -- which disease on a day ------------------------------------------------------------------------

def test_the_recognised_disease_is_that_valid_on_the_day(wang, li, clerk_chezhan, county_officer):
    assert recognised_disease_on(wang, TODAY) is None
    decide(apply(wang, clerk_chezhan), county_officer, valid_from=date(2022, 3, 1), valid_until=date(2022, 12, 31))
    assert recognised_disease_on(wang, date(2022, 2, 28)) is None
    assert recognised_disease_on(wang, date(2022, 3, 1)) == "M00101"
    assert recognised_disease_on(wang.pk, date(2022, 12, 31)) == "M00101"
    assert recognised_disease_on(wang, date(2023, 1, 1)) is None
    assert recognised_disease_on(li, date(2022, 6, 1)) is None  # someone else's recognition is not hers


def test_of_several_recognitions_the_first_recorded_is_used_and_pending_or_refused_ones_never(
        wang, clerk_chezhan, county_officer):
    apply(wang, clerk_chezhan, "M00301")  # pending
    decide(apply(wang, clerk_chezhan, "M00501"), county_officer, recognise=False, notes="不符合认定标准")
    assert recognised_disease_on(wang, TODAY) is None
    decide(apply(wang, clerk_chezhan, "M00201"), county_officer)
    decide(apply(wang, clerk_chezhan, "M00101"), county_officer)
    assert recognised_disease_on(wang, TODAY) == "M00201"


# -- attachments ----------------------------------------------------------------------------------

def test_documents_are_kept_until_the_decision(wang, clerk_chezhan, county_officer, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    recognition = apply(wang, clerk_chezhan)
    kept = attachment_add(recognition=recognition, upload=SimpleUploadedFile("诊断证明.pdf", PDF), user=clerk_chezhan)
    assert kept.path.read_bytes() == PDF and kept.path.parent == tmp_path / "chronic"
    with pytest.raises(ValidationError, match="不是 PDF、PNG 或 JPEG"):
        attachment_add(recognition=recognition, upload=SimpleUploadedFile("a.pdf", b"MZ\x90"), user=clerk_chezhan)
    decide(recognition, county_officer)
    with pytest.raises(ValidationError, match="已经办结"):
        attachment_add(recognition=recognition, upload=SimpleUploadedFile("b.pdf", PDF), user=clerk_chezhan)
    assert recognition.attachments.count() == 1


def test_a_clerk_of_another_township_uploads_nothing(wang, clerk_chezhan, clerk_other, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    recognition = apply(wang, clerk_chezhan)
    with pytest.raises(ValidationError, match="管辖范围"):
        attachment_add(recognition=recognition, upload=SimpleUploadedFile("a.pdf", PDF), user=clerk_other)
    assert not recognition.attachments.exists() and not (tmp_path / "chronic").exists()


@pytest.mark.parametrize("valid_from, valid_until, message", [
    (date(9999, 1, 1), None, "不在 2000-01-01 至"),
    (date(1900, 1, 1), None, "不在 2000-01-01 至"),
    (None, date(9999, 12, 31), "最长 10 年"),
])
def test_recognition_dates_far_from_today_are_refused_and_change_nothing(
        wang, clerk_chezhan, county_officer, valid_from, valid_until, message):
    recognition = apply(wang, clerk_chezhan, "M00101")
    valid_from = valid_from or timezone.localdate()
    with pytest.raises(ValidationError, match=message):
        recognition_decide(recognition_id=recognition.pk, officer=county_officer, recognise=True,
                           valid_from=valid_from, valid_until=valid_until)
    recognition.refresh_from_db()
    assert recognition.status == ChronicRecognition.Status.APPLIED
