"""Applications for assistance (依申请救助): every step, every refusal, scope, attachments, and
what the applicant sees on the public lookup."""

import io
import os
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction

from assistance.cases.services import attachment_add
from assistance.cases.workflow import TRANSITIONS, Action, Role, Status, StepRefused, actions_from, check_step
from assistance.models import Application, ApplicationStep
from portal.privacy.scans import MAX_SCAN_BYTES as MAX_ATTACHMENT_BYTES
from portal.privacy.scans import ORPHAN_AFTER
from portal.privacy.scans import scans_sweep as attachments_sweep
from tests.assistance.case_helpers import WANG, region, step, submit
from tests.factories import staff_user

DAY = date(2022, 3, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


# -- The transition table (pure) -------------------------------------------------------------

def _check(status, action, *, roles=frozenset(Role), actor=3, recorder=1, previous=2, notes="说明"):
    return check_step(status=status, action=action, roles=frozenset(roles), actor_id=actor,
                      recorder_id=recorder, previous_actor_id=previous, notes=notes)


@pytest.mark.parametrize(("status", "action"), list(TRANSITIONS))
def test_every_listed_transition_leads_to_its_target(status, action):
    assert _check(status, action).target == TRANSITIONS[(status, action)].target


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", [a for a in Action if a != Action.SUBMIT])
def test_a_transition_not_in_the_table_is_refused_with_what_is_possible_now(status, action):
    if (status, action) in TRANSITIONS:
        return
    with pytest.raises(StepRefused, match="现在可以办理的是"):
        _check(status, action)


def test_rejected_and_paid_are_final():
    assert actions_from(Status.REJECTED) == [] and actions_from(Status.PAID) == []


def test_the_role_of_the_step_is_required():
    with pytest.raises(StepRefused, match="县\\(区\\)或市医保部门"):
        _check(Status.TOWNSHIP_REVIEWED, Action.APPROVE, roles={Role.CLERK, Role.REVIEWER})


def test_whoever_took_the_previous_step_may_not_take_the_next():
    with pytest.raises(StepRefused, match="上一步由您本人办理"):
        _check(Status.TOWNSHIP_REVIEWED, Action.APPROVE, actor=2, previous=2)


def test_the_recorder_may_not_decide_even_after_someone_else_reviewed():
    with pytest.raises(StepRefused, match="由您受理"):
        _check(Status.TOWNSHIP_REVIEWED, Action.APPROVE, actor=1, recorder=1, previous=2)


@pytest.mark.parametrize(("status", "action"), [
    (Status.SUBMITTED, Action.REVIEW), (Status.SUBMITTED, Action.RETURN),
    (Status.TOWNSHIP_REVIEWED, Action.REJECT), (Status.RETURNED, Action.RESUBMIT),
])
def test_steps_that_need_written_notes_refuse_empty_ones(status, action):
    with pytest.raises(StepRefused):
        _check(status, action, notes="   ")


# -- Services --------------------------------------------------------------------------------

@pytest.fixture
def submitted(wang, village_clerk):
    return submit(wang, village_clerk)


def _status(application) -> str:
    return Application.objects.get(pk=application.pk).status


@pytest.mark.django_db
def test_recording_an_application_records_the_first_step(submitted, village_clerk):
    assert submitted.status == "submitted"
    [first] = submitted.steps.all()
    assert (first.action, first.actor, first.to_status) == ("submit", village_clerk, "submitted")


@pytest.mark.django_db
def test_a_clerk_cannot_record_an_application_for_someone_outside_their_scope(wang, clerk_other):
    with pytest.raises(ValidationError, match="管辖范围"):
        submit(wang, clerk_other)
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_the_whole_way_from_submission_to_payment(submitted, clerk_chezhan, officer, outbox,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        step(submitted, "review", clerk_chezhan, DAY, notes="入户调查：家中无固定收入。")
        step(submitted, "approve", officer, DAY, approved_amount=Decimal("6000.00"))
        application = step(submitted, "publicise", clerk_chezhan, DAY + timedelta(days=1))
        assert (application.publicity_start, application.publicity_end) == (date(2022, 3, 2), date(2022, 3, 8))
        with pytest.raises(ValidationError, match="公示期到 2022-03-08 结束"):
            step(submitted, "pay", officer, date(2022, 3, 8))
        application = step(submitted, "pay", officer, date(2022, 3, 9))
    assert application.status == "paid"
    assert [s.action for s in application.steps.all()] == ["submit", "review", "approve", "publicise", "pay"]
    assert [s.actor.username for s in application.steps.all()][1:] == [
        "clerk_chezhan", "officer", "clerk_chezhan", "officer"]
    assert [n.kind for n in outbox] == ["application_decided", "application_decided"]
    assert "6000.00 元" in outbox[0].message and "王*兰" in outbox[0].message
    assert "已发放" in outbox[1].message
    assert all(WANG not in n.message for n in outbox)
    assert application.history.count() >= 5


@pytest.mark.django_db
def test_publicity_length_can_be_chosen(submitted, clerk_chezhan, officer):
    step(submitted, "review", clerk_chezhan, DAY)
    step(submitted, "approve", officer, DAY, approved_amount=Decimal("100.00"))
    application = step(submitted, "publicise", clerk_chezhan, DAY, publicity_days=10)
    assert application.publicity_end == date(2022, 3, 10)


@pytest.mark.django_db
def test_a_township_return_goes_back_to_the_recording_clerk_and_can_be_resubmitted(
        submitted, clerk_chezhan, village_clerk, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        step(submitted, "return", clerk_chezhan, DAY, notes="请补充住院结算单。")
    assert _status(submitted) == "returned"
    assert "请补充住院结算单" in outbox[-1].message
    step(submitted, "resubmit", village_clerk, DAY, notes="已补充结算单。")
    assert _status(submitted) == "submitted"


@pytest.mark.django_db
def test_the_county_can_return_a_reviewed_application(submitted, clerk_chezhan, officer):
    step(submitted, "review", clerk_chezhan, DAY)
    step(submitted, "return", officer, DAY, notes="请补充收入证明。")
    assert _status(submitted) == "returned"


@pytest.mark.django_db
def test_a_rejection_needs_a_written_reason_and_tells_the_resident(submitted, clerk_chezhan, officer, outbox,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        step(submitted, "review", clerk_chezhan, DAY)
        with pytest.raises(ValidationError, match="不予批准的理由"):
            step(submitted, "reject", officer, DAY, notes="")
        assert _status(submitted) == "township_reviewed" and outbox == []
        step(submitted, "reject", officer, DAY, notes="家庭收入高于认定标准。")
    assert _status(submitted) == "rejected"
    assert "未予批准，理由：家庭收入高于认定标准" in outbox[-1].message


@pytest.mark.django_db
def test_an_approval_needs_an_amount_no_larger_than_the_costs(submitted, clerk_chezhan, officer):
    step(submitted, "review", clerk_chezhan, DAY)
    for amount, message in ((None, "请填写批准的救助金额"), (Decimal("0"), "大于 0"), (Decimal("12800.01"), "超过了申请的医疗费用")):
        with pytest.raises(ValidationError, match=message):
            step(submitted, "approve", officer, DAY, approved_amount=amount)
    assert _status(submitted) == "township_reviewed"


def _refused(application, action, actor, match, **kwargs):
    steps_before = ApplicationStep.objects.count()
    status_before = _status(application)
    with pytest.raises(ValidationError, match=match):
        step(application, action, actor, DAY, **kwargs)
    assert _status(application) == status_before
    assert ApplicationStep.objects.count() == steps_before


@pytest.mark.django_db
def test_a_clerk_cannot_approve_and_an_officer_cannot_review(submitted, clerk_chezhan, officer):
    _refused(submitted, "review", officer, "工作站经办人员")
    step(submitted, "review", clerk_chezhan, DAY)
    _refused(submitted, "approve", clerk_chezhan, "县\\(区\\)或市医保部门", approved_amount=Decimal("1"))


@pytest.mark.django_db
def test_a_village_clerk_cannot_review(wang, clerk_chezhan, village_clerk):
    application = submit(wang, clerk_chezhan)
    _refused(application, "review", village_clerk, "乡镇\\(街道\\)")


@pytest.mark.django_db
def test_staff_of_another_region_cannot_act(submitted, clerk_chezhan, clerk_other, demo):
    other_county_officer = staff_user(role="officer", scope=region("370302000000"), username="officer_zichuan")
    _refused(submitted, "review", clerk_other, "工作站经办人员")
    step(submitted, "review", clerk_chezhan, DAY)
    _refused(submitted, "approve", other_county_officer, "县\\(区\\)或市医保部门", approved_amount=Decimal("1"))


@pytest.mark.django_db
def test_the_recorder_cannot_review_their_own_application(wang, clerk_chezhan):
    application = submit(wang, clerk_chezhan)
    _refused(application, "review", clerk_chezhan, "上一步由您本人办理")


@pytest.mark.django_db
def test_the_reviewer_cannot_approve_what_they_reviewed(submitted, county_officer, demo):
    # Someone with both powers (a county clerk who is also an officer) still may not do both.
    both = staff_user(role="clerk", scope=county_officer.staff_profile.scope, username="both")
    both.groups.add(*county_officer.groups.all())
    step(submitted, "review", both, DAY)
    _refused(submitted, "approve", both, "上一步由您本人办理", approved_amount=Decimal("1"))
    step(submitted, "approve", county_officer, DAY, approved_amount=Decimal("1"))


@pytest.mark.django_db
def test_a_county_officer_of_the_applicants_county_may_decide(submitted, clerk_chezhan, county_officer):
    step(submitted, "review", clerk_chezhan, DAY)
    assert step(submitted, "approve", county_officer, DAY, approved_amount=Decimal("10")).status == "county_approved"


@pytest.mark.django_db
def test_illegal_transitions_change_nothing(submitted, officer, clerk_chezhan):
    _refused(submitted, "approve", officer, "不能办理“县级批准”", approved_amount=Decimal("1"))
    _refused(submitted, "pay", officer, "不能办理")
    _refused(submitted, "publicise", clerk_chezhan, "不能办理")


# -- Attachments -----------------------------------------------------------------------------

@pytest.fixture
def private_root(tmp_path, settings):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT


@pytest.mark.django_db
def test_a_pdf_is_kept_in_private_storage(submitted, village_clerk, private_root):
    attachment = attachment_add(application=submitted, upload=SimpleUploadedFile("单据.pdf", PDF), user=village_clerk)
    assert attachment.content_type == "application/pdf"
    path = attachment.path
    assert path.read_bytes() == PDF and Path(private_root) in path.parents


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), [
    ("病历.pdf", b"MZ\x90\x00 this is a program", "不是 PDF、PNG 或 JPEG"),
    ("照片.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "不是 PDF、PNG 或 JPEG"),
    ("大文件.pdf", b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES, "超过 5 MB"),
])
def test_files_that_are_not_pdf_or_images_or_too_big_are_refused(submitted, village_clerk, private_root, name,
                                                                  content, message):
    with pytest.raises(ValidationError, match=message):
        attachment_add(application=submitted, upload=SimpleUploadedFile(name, content), user=village_clerk)
    assert not submitted.attachments.exists()
    assert not Path(private_root).exists() or not any(Path(private_root).rglob("*.*"))


@pytest.mark.django_db
def test_a_file_whose_upload_rolled_back_is_swept_after_an_hour(submitted, village_clerk, private_root):
    """The row of an upload inside a transaction that rolls back is gone, its file is not: the
    sweep deletes it once it is older than an upload in progress could be."""
    kept = attachment_add(application=submitted, upload=SimpleUploadedFile("单据.pdf", PDF), user=village_clerk)
    with pytest.raises(RuntimeError), transaction.atomic():
        attachment_add(application=submitted, upload=SimpleUploadedFile("发票.pdf", PDF), user=village_clerk)
        raise RuntimeError("the request failed after the upload")
    folder = kept.path.parent
    files = sorted(path.name for path in folder.iterdir())
    orphan = next(name for name in files if name != kept.stored_name)
    assert len(files) == 2 and submitted.attachments.count() == 1

    written = (folder / orphan).stat().st_mtime
    assert attachments_sweep(now=written + ORPHAN_AFTER.total_seconds() - 1) == []  # may be an upload in progress
    assert attachments_sweep(now=written + ORPHAN_AFTER.total_seconds() + 1, dry_run=True) == [orphan]
    assert len(list(folder.iterdir())) == 2
    assert attachments_sweep(now=written + ORPHAN_AFTER.total_seconds() + 1) == [orphan]
    assert [path.name for path in folder.iterdir()] == [kept.stored_name]
    assert kept.path.read_bytes() == PDF


@pytest.mark.django_db
def test_the_sweep_command_lists_then_deletes_old_files_without_a_row(submitted, village_clerk, private_root):
    kept = attachment_add(application=submitted, upload=SimpleUploadedFile("单据.pdf", PDF), user=village_clerk)
    folder = kept.path.parent
    orphan, fresh = folder / ("0" * 32 + ".pdf"), folder / ("1" * 32 + ".pdf")
    for path in (orphan, fresh):
        path.write_bytes(PDF)
    two_hours_ago = time.time() - 2 * 60 * 60
    for path in (orphan, kept.path):
        os.utime(path, (two_hours_ago, two_hours_ago))

    other = folder / "backup-2024.tar"  # not a name attachment_add gives: never the sweep's
    other.write_bytes(b"kept by an operator")
    os.utime(other, (two_hours_ago, two_hours_ago))

    out = io.StringIO()
    call_command("sweep_attachments", "--dry-run", stdout=out)
    assert f"将删除 {orphan.name}" in out.getvalue() and "将删除 1 个" in out.getvalue() and orphan.exists()
    call_command("sweep_attachments", stdout=out)
    assert not orphan.exists() and fresh.exists() and kept.path.exists() and other.exists()


@pytest.mark.django_db
def test_the_sweep_deletes_nothing_from_a_database_without_any_attachment_row(private_root):
    """Such a database is most likely the wrong one; its files are another database's rows."""
    folder = Path(private_root) / "applications"
    folder.mkdir(parents=True)
    orphan = folder / ("2" * 32 + ".png")
    orphan.write_bytes(b"\x89PNG\r\n\x1a\n")
    two_hours_ago = time.time() - 2 * 60 * 60
    os.utime(orphan, (two_hours_ago, two_hours_ago))
    with pytest.raises(CommandError, match="--force"):
        call_command("sweep_attachments", stdout=io.StringIO())
    assert orphan.exists()
    call_command("sweep_attachments", "--force", stdout=io.StringIO())
    assert not orphan.exists()


def test_private_storage_is_outside_every_public_directory():
    private = Path(settings.PRIVATE_STORAGE_ROOT).resolve()
    public = [Path(settings.STATIC_ROOT), *[Path(d[1] if isinstance(d, tuple) else d) for d in settings.STATICFILES_DIRS]]
    if getattr(settings, "MEDIA_ROOT", ""):
        public.append(Path(settings.MEDIA_ROOT))
    for directory in public:
        directory = directory.resolve()
        assert directory != private and directory not in private.parents and private not in directory.parents


# -- Pages -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(client, submitted):
    for url in ("/station/assistance/applications/", f"/station/assistance/applications/{submitted.pk}/",
                "/station/assistance/applications/new/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_clerk_of_another_township_gets_404_everywhere(client, submitted, clerk_other, village_clerk, private_root):
    attachment = attachment_add(application=submitted, upload=SimpleUploadedFile("a.png", PNG), user=village_clerk)
    client.force_login(clerk_other)
    assert client.get(f"/station/assistance/applications/{submitted.pk}/").status_code == 404
    assert client.get(f"/station/assistance/attachments/{attachment.pk}/").status_code == 404
    assert client.post(f"/station/assistance/applications/{submitted.pk}/step/",
                       {"action": "review", "notes": "x"}).status_code == 404
    assert _status(submitted) == "submitted"
    assert "王秀兰" not in client.get("/station/assistance/applications/?status=all").content.decode()


@pytest.mark.django_db
def test_a_clerk_records_an_application_with_an_attachment_through_the_page(client, village_clerk, wang, private_root):
    client.force_login(village_clerk)
    response = client.post("/station/assistance/applications/new/", {
        "id_number": WANG, "category_claimed": "illness_poverty", "household_income": "8000",
        "medical_costs": "23000.50", "reason": "肺癌术后化疗。", "attachment": SimpleUploadedFile("结算单.pdf", PDF),
    })
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/station/assistance/applications/{application.pk}/"
    assert application.medical_costs == Decimal("23000.50") and application.attachments.count() == 1
    download = client.get(f"/station/assistance/attachments/{application.attachments.get().pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


@pytest.mark.django_db
def test_a_bad_attachment_on_the_form_records_nothing(client, village_clerk, wang, private_root):
    client.force_login(village_clerk)
    response = client.post("/station/assistance/applications/new/", {
        "id_number": WANG, "category_claimed": "minimum_living", "household_income": "8000",
        "medical_costs": "100", "reason": "x", "attachment": SimpleUploadedFile("a.pdf", b"not a pdf"),
    })
    assert response.status_code == 200 and "不是 PDF、PNG 或 JPEG" in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_an_attachment_the_disk_cannot_take_records_nothing_and_says_so(client, village_clerk, wang, private_root,
                                                                       full_disk):
    client.force_login(village_clerk)
    response = client.post("/station/assistance/applications/new/", {
        "id_number": WANG, "category_claimed": "illness_poverty", "household_income": "8000",
        "medical_costs": "100", "reason": "x", "attachment": SimpleUploadedFile("结算单.pdf", PDF),
    })
    page = response.content.decode()
    assert response.status_code == 200 and "无法保存上传的文件" in page and "什么都没有保存" in page
    assert not Application.objects.exists()
    assert not [path for path in Path(private_root).rglob("*") if path.is_file()]  # no partial file left


@pytest.mark.django_db
def test_an_applicant_outside_the_scope_is_not_found_on_the_form(client, clerk_other, wang):
    client.force_login(clerk_other)
    response = client.post("/station/assistance/applications/new/", {
        "id_number": WANG, "category_claimed": "minimum_living", "household_income": "1",
        "medical_costs": "1", "reason": "x",
    })
    page = response.content.decode()
    assert "登记在您的管辖范围以外" in page and "车站街道医保工作站" in page and "王" not in page.split("申请人身份证号")[-1]
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_the_detail_page_offers_only_the_steps_the_viewer_may_take(client, submitted, clerk_chezhan, officer):
    client.force_login(clerk_chezhan)
    page = client.get(f"/station/assistance/applications/{submitted.pk}/").content.decode()
    assert "乡镇审核通过" in page and "县级批准" not in page
    client.force_login(officer)
    page = client.get(f"/station/assistance/applications/{submitted.pk}/").content.decode()
    assert "乡镇审核通过" not in page


@pytest.mark.django_db
def test_a_refused_step_on_the_page_shows_why_and_changes_nothing(client, wang, clerk_chezhan):
    application = submit(wang, clerk_chezhan)
    client.force_login(clerk_chezhan)
    response = client.post(f"/station/assistance/applications/{application.pk}/step/",
                           {"action": "review", "notes": "自己审自己"}, follow=True)
    assert "上一步由您本人办理" in response.content.decode()
    assert _status(application) == "submitted"


@pytest.mark.django_db
def test_the_public_lookup_shows_the_applicants_status(client, submitted, clerk_chezhan, officer, on_2022_window):
    step(submitted, "review", clerk_chezhan, on_2022_window)
    step(submitted, "approve", officer, on_2022_window, approved_amount=Decimal("500"))
    step(submitted, "publicise", clerk_chezhan, on_2022_window)
    page = client.post("/lookup/", {"name": "王秀兰", "id_number": WANG}).content.decode()
    assert "医疗救助申请" in page and "公示中" in page and "2021年10月21日" in page
    assert f"（编号 {submitted.number}）" in page


@pytest.mark.django_db
def test_the_public_lookup_shows_no_section_without_applications(client, demo, on_2022_window):
    assert "医疗救助申请" not in client.post("/lookup/", {"name": "王秀兰", "id_number": WANG}).content.decode()


@pytest.mark.django_db
def test_a_negative_income_and_no_category_are_refused_with_words_that_say_what_to_fix(client, village_clerk, wang):
    client.force_login(village_clerk)
    response = client.post("/station/assistance/applications/new/", {
        "id_number": WANG, "category_claimed": "", "household_income": "-8000",
        "medical_costs": "abc", "reason": "x",
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "请选择申请类别" in page and "金额不能是负数" in page and "请填写金额数字" in page
    assert not Application.objects.exists()
