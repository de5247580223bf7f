"""Verify and revoke: pending -> verified, -> revoked with a reason; the importer never verifies
their own import; every refusal says why and changes nothing."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assistance.identities.services import identity_import_verify, identity_revoke, identity_verify
from assistance.models import AssistanceIdentity, IdentityImport
from enrollment.models import Resident
from portal.network.models import Region
from portal.privacy.id_numbers import ID_NUMBER_PATTERN
from tests.assistance.identity_helpers import NOBODY, WANG, identity, second_officer
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

ON = date(2022, 3, 1)


def fresh(item: AssistanceIdentity) -> AssistanceIdentity:
    return AssistanceIdentity.objects.get(pk=item.pk)


def test_another_officer_verifies_a_pending_identity(demo, officer):
    checker = second_officer()
    pending = identity(imported_by=officer)
    identity_verify(identity=pending, officer=checker, on=ON)
    verified = fresh(pending)
    assert verified.status == "verified" and verified.verified_by == checker and verified.verified_at
    assert [h.status for h in verified.history.order_by("history_date")] == ["pending", "verified"]


def test_the_importer_cannot_verify_their_own_import(demo, officer):
    pending = identity(imported_by=officer)
    with pytest.raises(ValidationError, match="您本人导入的，须由另一名经办人员核实"):
        identity_verify(identity=pending, officer=officer, on=ON)
    assert fresh(pending).status == "pending"
    assert Resident.objects.get(name="王秀兰").assistance_category == ""


def test_the_database_refuses_a_verifier_who_imported_it(demo, officer):
    pending = identity(imported_by=officer)
    pending.status, pending.verified_by = "verified", officer
    pending.verified_at = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        pending.save()


def test_verifying_twice_or_a_revoked_identity_is_refused(demo, officer):
    checker = second_officer()
    item = identity(imported_by=officer)
    identity_verify(identity=item, officer=checker, on=ON)
    with pytest.raises(ValidationError, match="只有待核实的身份可以核实"):
        identity_verify(identity=item, officer=checker, on=ON)
    identity_revoke(identity=item, officer=checker, reason="户籍迁出", on=ON)
    with pytest.raises(ValidationError, match="“已撤销”"):
        identity_verify(identity=item, officer=checker, on=ON)
    assert fresh(item).status == "revoked"


def test_a_clerk_may_not_verify_or_revoke(demo, officer, clerk_chezhan):
    item = identity(imported_by=officer)
    with pytest.raises(PermissionDenied):
        identity_verify(identity=item, officer=clerk_chezhan, on=ON)
    with pytest.raises(PermissionDenied):
        identity_revoke(identity=item, officer=clerk_chezhan, reason="x", on=ON)
    assert fresh(item).status == "pending"


def test_revoking_needs_a_reason_and_records_it(demo, officer):
    checker = second_officer()
    item = identity(imported_by=officer, verified_by=checker)
    with pytest.raises(ValidationError, match="请填写撤销原因"):
        identity_revoke(identity=item, officer=checker, reason="  ", on=ON)
    assert fresh(item).status == "verified"
    identity_revoke(identity=item, officer=checker, reason="民政通知已退出低保", on=ON)
    revoked = fresh(item)
    assert (revoked.status, revoked.revoke_reason, revoked.revoked_by) == ("revoked", "民政通知已退出低保", checker)
    with pytest.raises(ValidationError, match="已于 .* 撤销"):
        identity_revoke(identity=item, officer=checker, reason="再次", on=ON)
    assert fresh(item).revoke_reason == "民政通知已退出低保"


def test_a_pending_identity_may_be_revoked_by_its_importer(demo, officer):
    item = identity(imported_by=officer)
    identity_revoke(identity=item, officer=officer, reason="导入有误", on=ON)
    assert fresh(item).status == "revoked"


def test_a_whole_import_is_verified_at_once_but_never_by_its_importer(demo, officer):
    source = IdentityImport.objects.create(file_name="低保.csv", imported_by=officer, rows=2, created=2)
    first = identity(imported_by=officer, source=source)
    second = identity(NOBODY, name="马春兰", document="张民低2号", imported_by=officer, source=source)
    with pytest.raises(ValidationError, match="“低保.csv”是您本人导入的"):
        identity_import_verify(source=source, officer=officer, on=ON)
    assert {fresh(first).status, fresh(second).status} == {"pending"}
    assert identity_import_verify(source=source, officer=second_officer(), on=ON) == 2
    assert {fresh(first).status, fresh(second).status} == {"verified"}
    with pytest.raises(ValidationError, match="没有待核实的身份"):
        identity_import_verify(source=source, officer=second_officer("officer_three"), on=ON)


def test_a_verified_identity_tells_the_registered_resident_without_their_id_number(
    demo, officer, outbox, django_capture_on_commit_callbacks
):
    wang = Resident.objects.get(name="王秀兰")
    with django_capture_on_commit_callbacks(execute=True):
        identity_verify(identity=identity(imported_by=officer), officer=second_officer(), on=ON)
    assert [(n.phone, n.kind) for n in outbox] == [(wang.phone, "identity_verified")]
    assert "低保对象" in outbox[0].message and "王*兰" in outbox[0].message
    assert not ID_NUMBER_PATTERN.search(outbox[0].message) and WANG not in outbox[0].message


def test_an_unregistered_person_is_not_told_and_a_refused_verify_tells_nobody(
    demo, officer, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        identity_verify(identity=identity(NOBODY, name="马春兰", imported_by=officer), officer=second_officer(), on=ON)
        with pytest.raises(ValidationError):
            identity_verify(identity=identity(imported_by=officer), officer=officer, on=ON)
    assert outbox == []


def test_a_county_officer_with_the_permission_can_verify_the_citys_import(demo, officer):
    # The permission decides: identities are lists of the whole city, not of one region.
    from portal.network.models import Region

    other = staff_user(role="officer", scope=Region.objects.get(code="370303000000"), username="county_officer")
    item = identity(imported_by=officer)
    identity_verify(identity=item, officer=other, on=ON)
    assert fresh(item).verified_by == other


# -- the officers' admin pages -------------------------------------------------------------------

def test_admin_verify_action_refuses_the_importer_and_verifies_for_another(demo, officer, client):
    item = identity(imported_by=officer)
    client.force_login(officer)
    response = client.post("/admin/assistance/assistanceidentity/",
                           {"action": "verify_selected", "_selected_action": [item.pk]}, follow=True)
    assert "须由另一名经办人员核实" in response.content.decode()
    assert fresh(item).status == "pending"
    client.force_login(second_officer())
    client.post("/admin/assistance/assistanceidentity/", {"action": "verify_selected", "_selected_action": [item.pk]})
    assert fresh(item).status == "verified"


def test_admin_revoke_asks_for_a_reason_first(demo, officer, client):
    item = identity(imported_by=officer, verified_by=second_officer())
    client.force_login(officer)
    response = client.post("/admin/assistance/assistanceidentity/", {"action": "revoke_selected", "_selected_action": [item.pk]})
    assert response.status_code == 302 and "/revoke/" in response["Location"]
    form_page = client.get(response["Location"])
    assert "撤销原因" in form_page.content.decode() and fresh(item).status == "verified"
    empty = client.post("/admin/assistance/assistanceidentity/revoke/", {"ids": str(item.pk), "reason": ""})
    assert empty.status_code == 200 and fresh(item).status == "verified"
    client.post("/admin/assistance/assistanceidentity/revoke/", {"ids": str(item.pk), "reason": "户籍迁出本市"})
    assert (fresh(item).status, fresh(item).revoke_reason) == ("revoked", "户籍迁出本市")


def test_admin_pages_never_show_a_full_number_and_search_by_it(demo, officer, client):
    item = identity(imported_by=officer)
    client.force_login(officer)
    for url in ("/admin/assistance/assistanceidentity/", f"/admin/assistance/assistanceidentity/{item.pk}/change/",
                f"/admin/assistance/assistanceidentity/{item.pk}/history/"):
        page = client.get(url).content.decode()
        assert WANG not in page and item.id_digest not in page, url
    # A full number is searched by POST, never in the URL; the GET search box refuses it.
    assert list(client.get("/admin/assistance/assistanceidentity/", {"q": WANG}).context["cl"].result_list) == []
    found = client.post("/admin/assistance/assistanceidentity/find/", {"id_number": WANG})
    assert found.context["matches"] == [item]


def test_admin_verifies_a_whole_import_from_the_import_list(demo, officer, client):
    source = IdentityImport.objects.create(file_name="低保.csv", imported_by=officer)
    item = identity(imported_by=officer, source=source)
    client.force_login(second_officer())
    client.post("/admin/assistance/identityimport/", {"action": "verify_imports", "_selected_action": [source.pk]})
    assert fresh(item).status == "verified"


def test_a_malformed_revoke_request_changes_nothing(demo, officer, client):
    item = identity(imported_by=officer, verified_by=second_officer())
    client.force_login(officer)
    response = client.post("/admin/assistance/assistanceidentity/revoke/", {"ids": "abc,,", "reason": "x"})
    assert response.status_code == 302 and fresh(item).status == "verified"


def test_an_officer_cannot_verify_a_whole_import_that_reaches_outside_their_scope(demo, officer):
    source = IdentityImport.objects.create(file_name="全市低保.csv", imported_by=officer, rows=2, created=2)
    first = identity(imported_by=officer, source=source)  # 王秀兰, registered in 车站街道 (张店区)
    second = identity(NOBODY, name="马春兰", document="张民低2号", imported_by=officer, source=source)
    zichuan = staff_user(role="officer", scope=Region.objects.get(code="370302000000"), username="officer_zichuan")
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        identity_import_verify(source=source, officer=zichuan, on=ON)
    assert {fresh(first).status, fresh(second).status} == {"pending"}
