"""The access log of personal data (ASVS 16.2.1; 等保 2.0 8.1.4.3): what is written, that it
cannot be changed, and the officer's page to search it."""

import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.network.demo import DEMO_PASSWORD
from portal.privacy.models import AccessLogEntry, access_log_write
from tests.logins import otp_login

pytestmark = pytest.mark.django_db

WANG = "370303195203151223"  # 王秀兰, 华光路社区, 车站街道
SUN = "孙丽"  # 公园街道
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"




def entries(action: str):
    return AccessLogEntry.objects.filter(action=action)


# --- logins ---------------------------------------------------------------------------------


def test_a_sign_in_is_logged_with_the_user_and_the_address(clerk_chezhan, client):
    response = client.post(reverse("login"), {"username": "clerk_chezhan", "password": DEMO_PASSWORD},
                           REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 302
    entry = entries("login").get()
    assert (entry.user, entry.username, entry.address) == (clerk_chezhan, "clerk_chezhan", "10.20.30.40")


def test_a_failed_sign_in_is_logged_with_the_typed_name_and_no_user(demo_network, client):
    client.post(reverse("login"), {"username": "clerk_chezhan", "password": "wrong-password"}, REMOTE_ADDR="10.0.0.9")
    entry = entries("login_failed").get()
    assert (entry.user, entry.username, entry.address) == (None, "clerk_chezhan", "10.0.0.9")
    assert not entries("login").exists()


def test_with_a_second_factor_the_password_is_one_entry_and_the_sign_in_another_after_the_code(officer, client):
    from django_otp.oath import totp

    from portal.network.demo import DEMO_TOTP_KEY

    client.post(reverse("login"), {"username": "officer", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.7")
    assert list(AccessLogEntry.objects.values_list("action", flat=True)) == ["login_password"]
    client.post(reverse("login_code"), {"code": f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}"}, REMOTE_ADDR="10.0.0.7")
    assert entries("login").get().user == officer and entries("login_password").count() == 1


def test_a_long_typed_username_is_cut_to_a_usernames_length(demo_network, client):
    client.post(reverse("login"), {"username": "x" * 200, "password": "whatever"}, REMOTE_ADDR="10.0.0.9")
    assert entries("login_failed").get().username == "x" * 150


# --- what is logged -------------------------------------------------------------------------


@pytest.fixture
def clerk(demo, clerk_chezhan) -> Client:
    return otp_login(Client(), clerk_chezhan)


@pytest.fixture
def cases(demo, settings, tmp_path, django_capture_on_commit_callbacks):
    """Every app's demo: applications, settlements, an alert, re-assistance grants."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())


def wang():
    return apps.get_model("enrollment.Resident").objects.get(name="王秀兰")


def test_opening_an_application_at_the_station_is_logged(cases, clerk, clerk_chezhan):
    application = apps.get_model("assistance.Application").objects.filter(resident=wang()).first()
    assert clerk.get(reverse("assistance:application", args=[application.pk])).status_code == 200
    entry = entries("view_application").get()
    assert (entry.user, entry.subject_digest) == (clerk_chezhan, wang().id_digest)
    assert application.number in entry.detail


def test_opening_an_alert_with_its_settlements_is_logged(cases, clerk):
    alert = apps.get_model("assistance.HighCostAlert").objects.get()
    assert clerk.get(reverse("assistance:alert", args=[alert.pk])).status_code == 200
    assert entries("view_settlements").get().subject_digest == alert.resident.id_digest


def test_downloading_an_attachment_is_logged(cases, clerk):
    from assistance.cases.services import attachment_add

    application = apps.get_model("assistance.Application").objects.exclude(status__in=["rejected", "paid"]).first()
    attachment = attachment_add(application=application, upload=SimpleUploadedFile("a.pdf", PDF),
                                user=application.recorded_by)
    assert clerk.get(reverse("assistance:attachment", args=[attachment.pk])).status_code == 200
    assert entries("view_attachment").get().subject_digest == application.resident.id_digest


def test_another_townships_clerk_is_refused_and_nothing_is_logged(cases, clerk_other):
    application = apps.get_model("assistance.Application").objects.filter(resident=wang()).first()
    other = otp_login(Client(), clerk_other)
    assert other.get(reverse("assistance:application", args=[application.pk])).status_code == 404
    assert not entries("view_application").exists()


@pytest.mark.parametrize("model, action", [
    ("enrollment.Resident", "view_resident"),
    ("assistance.AssistanceIdentity", "view_identity"),
    ("assistance.Application", "view_application"),
    ("assistance.Settlement", "view_settlements"),
])
def test_opening_a_record_in_the_admin_is_logged(cases, officer_client, officer, model, action):
    model_class = apps.get_model(model)
    resident = wang()
    lookup = {"enrollment.Resident": {"pk": resident.pk}, "assistance.AssistanceIdentity": {"id_digest": resident.id_digest}}
    obj = model_class.objects.filter(**lookup.get(model, {"resident": resident})).first()
    url = reverse(f"admin:{model_class._meta.app_label}_{model_class._meta.model_name}_change", args=[obj.pk])
    assert officer_client.get(url).status_code == 200
    entry = entries(action).get()
    assert (entry.user, entry.subject_digest) == (officer, resident.id_digest)
    assert "管理后台" in entry.detail
    # The list itself, with masked numbers only, is not a look at anyone's record.
    officer_client.get(url.rsplit("/", 3)[0] + "/")
    assert entries(action).count() == 1


def test_the_reassistance_export_is_logged(cases, officer_client):
    grants = apps.get_model("assistance.ReassistanceGrant").objects.all()
    assert grants.exists(), "the demo computed no re-assistance"
    response = officer_client.post(reverse("admin:assistance_reassistancegrant_changelist"), {
        "action": "export_csv", "_selected_action": [g.pk for g in grants],
    })
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f"{grants.count()} 条" in entries("export_reassistance").get().detail


def test_the_payment_batch_items_export_is_logged(demo, officer_client, officer):
    from assistance.batches.services import batch_generate
    from enrollment.models import Enrollment
    from portal.network.models import Region

    chezhan = Region.objects.get(code="370303001000")
    owed = Enrollment.objects.within(chezhan).for_year(2022).filter(payments__isnull=True).first()
    Enrollment.objects.filter(pk=owed.pk).update(assistance_category="minimum_living", subsidy=Decimal("100.00"))
    batch_generate(year=2022, region=chezhan, officer=officer)
    url = reverse("admin:assistance_paymentbatchitem_export")
    form = officer_client.get(url).context["form"]
    data = {name: "on" for name, field in form.fields.items() if getattr(field.widget, "input_type", "") == "checkbox"}
    formats = [label.lower() for _, label in form.fields["format"].choices]
    response = officer_client.post(url, {**data, "format": formats.index("csv"), "resource": 0})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert entries("export_batch_items").count() == 1


# --- append-only ----------------------------------------------------------------------------


def request_of(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1")
    request.user = user
    return request


def test_an_entry_cannot_be_changed_or_deleted_through_the_orm(clerk_chezhan):
    access_log_write(request=request_of(clerk_chezhan), action="view_resident", subject_digest="d" * 64)
    entry = AccessLogEntry.objects.get(action="view_resident")
    entry.detail = "改过"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(detail="改过")
    with pytest.raises(ValidationError):
        AccessLogEntry.objects.filter(pk=entry.pk).delete()
    assert AccessLogEntry.objects.get(pk=entry.pk).detail == ""


def test_nobody_adds_changes_or_deletes_entries_in_the_admin_not_even_a_superuser(clerk_chezhan, officer):
    from django.contrib.auth.models import User

    access_log_write(request=request_of(clerk_chezhan), action="view_resident", detail="原文")
    entry = AccessLogEntry.objects.get(action="view_resident")
    root = User.objects.create_superuser("root", "root@example.com", "a-long-test-password")
    for user in (officer, root):
        client = otp_login(Client(), user)
        assert client.get(reverse("admin:portal_accesslogentry_add")).status_code == 403
        assert client.post(reverse("admin:portal_accesslogentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
        client.post(reverse("admin:portal_accesslogentry_change", args=[entry.pk]), {"detail": "改过"})
        client.post(reverse("admin:portal_accesslogentry_changelist"),
                    {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert AccessLogEntry.objects.get(pk=entry.pk).detail == "原文"


# --- the officer's search page --------------------------------------------------------------


def log_at(user, when: datetime, *, action="view_resident", digest="", detail=""):
    """An entry written at a given moment (the log takes its time from the clock, not the caller)."""
    original = timezone.now
    timezone.now = lambda: when
    try:
        access_log_write(request=request_of(user), action=action, subject_digest=digest, detail=detail)
    finally:
        timezone.now = original


def listed_details(response) -> set[str]:
    # The test clients' own sign-ins are in the log too; these tests look at the other rows.
    return {entry.detail for entry in response.context["cl"].result_list if entry.action != "login"}


@pytest.fixture
def history(demo, clerk_chezhan, clerk_other):
    from enrollment.models import Resident

    sun = Resident.objects.get(name=SUN)
    zone = timezone.get_current_timezone()
    log_at(clerk_chezhan, datetime(2022, 3, 1, 9, 0, tzinfo=zone), digest=wang().id_digest, detail="王-三月")
    log_at(clerk_chezhan, datetime(2022, 5, 20, 23, 30, tzinfo=zone), digest=wang().id_digest, detail="王-五月")
    log_at(clerk_other, datetime(2022, 5, 21, 8, 0, tzinfo=zone), digest=sun.id_digest, detail="孙-五月")


def test_the_officer_finds_a_residents_entries_by_typing_the_id_number(history, officer_client):
    response = officer_client.post(reverse("admin:portal_accesslogentry_resident"), {"id_number": WANG})
    assert response.status_code == 302
    assert WANG not in response["Location"]  # the number never goes into an address
    page = officer_client.get(response["Location"])
    assert listed_details(page) == {"王-三月", "王-五月"}
    assert WANG not in page.content.decode()


def test_a_wrong_id_number_is_explained_beside_the_box_and_lists_nothing(history, officer_client):
    response = officer_client.post(reverse("admin:portal_accesslogentry_resident"), {"id_number": "370303195203151224"})
    page = response.content.decode()
    assert response.status_code == 200 and "身份证号有误" in page and "校验位" in page
    assert "王-三月" not in page and "孙-五月" not in page


def test_the_officer_finds_a_staff_members_entries(history, officer_client):
    page = officer_client.get(reverse("admin:portal_accesslogentry_changelist"), {"q": "clerk_other"})
    assert listed_details(page) == {"孙-五月"}


def test_the_officer_filters_by_a_date_range_with_both_days_included(history, officer_client):
    url = reverse("admin:portal_accesslogentry_changelist")
    page = officer_client.get(url, {"at_from": "2022-05-01", "at_to": "2022-05-20"})
    assert listed_details(page) == {"王-五月"}
    assert listed_details(officer_client.get(url, {"at_from": "2022-05-21"})) == {"孙-五月"}


def test_nonsense_dates_are_ignored_not_an_error(history, officer_client):
    page = officer_client.get(reverse("admin:portal_accesslogentry_changelist"), {"at_from": "明天", "at_to": "2022-13-45"})
    assert page.status_code == 200 and len(listed_details(page)) == 3


def test_a_county_officer_sees_the_entries_of_their_own_staff_only(history):
    from portal.network.models import Region
    from tests.factories import staff_user

    zichuan = staff_user(role="officer", scope=Region.objects.get(code="370302000000"), username="officer_zichuan")
    page = otp_login(Client(), zichuan).get(reverse("admin:portal_accesslogentry_changelist"))
    assert page.status_code == 200 and listed_details(page) == set()


def test_failed_sign_ins_are_shown_to_the_officers_of_the_account_typed(history, client):
    from portal.network.models import Region
    from tests.factories import staff_user

    client.post(reverse("login"), {"username": "officer", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    client.post(reverse("login"), {"username": "clerk_chezhan", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    zhangdian = staff_user(role="officer", scope=Region.objects.get(code="370303000000"), username="o_zd_log")
    page = otp_login(Client(), zhangdian).get(reverse("admin:portal_accesslogentry_changelist"),
                                              {"action": "login_failed"})
    assert [entry.username for entry in page.context["cl"].result_list] == ["clerk_chezhan"]


def test_deleting_someones_authenticator_is_logged(demo_network):
    from django.contrib.auth.models import User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    root = User.objects.create_superuser("root_devices", password="a-long-test-password")
    client = otp_login(Client(), root)
    device = TOTPDevice.objects.create(user=User.objects.get(username="clerk_chezhan"), name="手机", confirmed=True)
    client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    entry = entries("delete_authenticator").get()
    assert entry.user == root and "clerk_chezhan" in entry.detail


def test_the_list_shows_no_full_digest(history, officer_client):
    html = officer_client.get(reverse("admin:portal_accesslogentry_changelist")).content.decode()
    assert wang().id_digest not in html and f"居民#{wang().id_digest[:8]}" in html



def test_opening_a_past_version_of_an_identity_is_logged(cases, officer_client):
    identity = apps.get_model("assistance.AssistanceIdentity").objects.get(id_digest=wang().id_digest)
    version = identity.history.order_by("history_id").first()
    url = reverse("admin:assistance_assistanceidentity_simple_history", args=[identity.pk, version.history_id])
    assert officer_client.get(url).status_code == 200
    entry = entries("view_identity").get()
    assert entry.subject_digest == wang().id_digest and "历史版本" in entry.detail
