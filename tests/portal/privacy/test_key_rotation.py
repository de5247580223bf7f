"""Rotating the ID-number key (manage.py rotate_id_number_key): no downtime, digests stay valid."""

import base64
import os
from io import StringIO

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import CommandError, call_command

from assistance.models import AssistanceIdentity
from enrollment.models import Resident
from enrollment.services import resident_find_by_id_number
from portal.privacy.id_vault import _derive, current_prefix, id_decrypt, id_digest, id_encrypt
from tests.assistance.identity_helpers import WANG, identity

pytestmark = pytest.mark.django_db

KEY_A = "rotation-test-key-a"
KEY_B = "rotation-test-key-b"


def legacy_v1_token(number: str, secret: str) -> str:
    """A ciphertext as the portal wrote it before key ids existed ("v1:", no key id)."""
    cipher = AESGCM(_derive(secret, b"portal id-number encryption"))
    nonce = os.urandom(12)
    return "v1:" + base64.b64encode(nonce + cipher.encrypt(nonce, number.encode(), b"v1")).decode()


@pytest.fixture
def written_under_a(settings, demo, officer):
    """The demo residents and one assistance identity, all encrypted under key A; one resident
    still carries a legacy v1 ciphertext. Returns the numbers by resident pk."""
    residents = list(Resident.objects.order_by("pk"))
    numbers = {resident.pk: resident.id_number for resident in residents}  # under the demo's key
    settings.ID_NUMBER_KEY = KEY_A
    settings.ID_DIGEST_KEY = ""
    settings.ID_NUMBER_KEY_PREVIOUS = ""
    for resident in residents:
        resident.id_number_encrypted = id_encrypt(numbers[resident.pk])
        resident.id_digest = id_digest(numbers[resident.pk])
    Resident.objects.bulk_update(residents, ["id_number_encrypted", "id_digest"])
    legacy = residents[0]
    Resident.objects.filter(pk=legacy.pk).update(id_number_encrypted=legacy_v1_token(numbers[legacy.pk], KEY_A))
    identity(WANG, imported_by=officer)
    assert len(numbers) >= 4  # enough rows for several batches of two
    return numbers


def switch_to_b(settings, *, keep_digest_key: bool = True, keep_previous: bool = True) -> None:
    settings.ID_DIGEST_KEY = KEY_A if keep_digest_key else ""
    settings.ID_NUMBER_KEY_PREVIOUS = KEY_A if keep_previous else ""
    settings.ID_NUMBER_KEY = KEY_B


def all_decrypted() -> dict:
    return {row.pk: row.id_number for row in Resident.objects.all()}


def test_after_switching_keys_old_rows_still_decrypt_before_the_command_runs(settings, written_under_a):
    switch_to_b(settings)
    assert all_decrypted() == written_under_a
    assert resident_find_by_id_number(WANG).name == "王秀兰"
    # New writes already use key B.
    assert id_encrypt(WANG).startswith(current_prefix())


def test_rotation_reencrypts_everything_and_lookups_still_find_people(settings, written_under_a):
    switch_to_b(settings)
    old_tokens = set(Resident.objects.values_list("id_number_encrypted", flat=True))
    call_command("rotate_id_number_key", batch_size=2, stdout=StringIO())

    prefix = current_prefix()
    for token in Resident.objects.values_list("id_number_encrypted", flat=True):
        assert token.startswith(prefix) and token not in old_tokens
    assert AssistanceIdentity.objects.get().id_number_encrypted.startswith(prefix)

    # Key A can now be retired: everything opens with key B alone, and digests still match.
    settings.ID_NUMBER_KEY_PREVIOUS = ""
    assert all_decrypted() == written_under_a
    assert AssistanceIdentity.objects.get().id_number == WANG
    assert resident_find_by_id_number(WANG).name == "王秀兰"


def test_without_the_previous_key_an_unrotated_row_cannot_be_read(settings, written_under_a):
    switch_to_b(settings, keep_previous=False)
    token = Resident.objects.order_by("pk").last().id_number_encrypted
    with pytest.raises(ValueError):
        id_decrypt(token)


def test_a_second_run_changes_nothing(settings, written_under_a):
    switch_to_b(settings)
    call_command("rotate_id_number_key", stdout=StringIO())
    after_first = dict(Resident.objects.values_list("pk", "id_number_encrypted"))
    out = StringIO()
    call_command("rotate_id_number_key", stdout=out)
    assert dict(Resident.objects.values_list("pk", "id_number_encrypted")) == after_first
    assert "enrollment.Resident.id_number_encrypted: 重新加密 0 行" in out.getvalue()


def test_an_interrupted_run_keeps_finished_batches_and_the_next_run_completes(settings, written_under_a, monkeypatch):
    from portal.management.commands import rotate_id_number_key as command_module

    switch_to_b(settings)
    calls = {"n": 0}
    real = command_module.Command._reencrypt

    def fail_on_third_row(model, row, column, *, check_digest):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        real(model, row, column, check_digest=check_digest)

    monkeypatch.setattr(command_module.Command, "_reencrypt", staticmethod(fail_on_third_row))
    with pytest.raises(RuntimeError):
        call_command("rotate_id_number_key", batch_size=2, stdout=StringIO())
    prefix = current_prefix()
    assert Resident.objects.filter(id_number_encrypted__startswith=prefix).count() == 2  # the first batch

    monkeypatch.setattr(command_module.Command, "_reencrypt", staticmethod(real))
    call_command("rotate_id_number_key", batch_size=2, stdout=StringIO())
    assert not Resident.objects.exclude(id_number_encrypted__startswith=prefix).exists()
    settings.ID_NUMBER_KEY_PREVIOUS = ""
    assert all_decrypted() == written_under_a


def test_a_changed_digest_key_stops_the_rotation_before_anything_is_written(settings, written_under_a):
    switch_to_b(settings, keep_digest_key=False)
    before = dict(Resident.objects.values_list("pk", "id_number_encrypted"))
    with pytest.raises(CommandError, match="ID_DIGEST_KEY"):
        call_command("rotate_id_number_key", stdout=StringIO())
    assert dict(Resident.objects.values_list("pk", "id_number_encrypted")) == before


def test_a_missing_previous_key_stops_the_rotation_with_a_clear_message(settings, written_under_a):
    switch_to_b(settings, keep_previous=False)
    before = dict(Resident.objects.values_list("pk", "id_number_encrypted"))
    with pytest.raises(CommandError, match="ID_NUMBER_KEY_PREVIOUS"):
        call_command("rotate_id_number_key", stdout=StringIO())
    assert dict(Resident.objects.values_list("pk", "id_number_encrypted")) == before


def test_payout_accounts_are_rotated_with_the_id_numbers_and_empty_ones_left_empty(settings, written_under_a):
    from enrollment.services import payout_account_set

    wang = Resident.objects.get(name="王秀兰")
    payout_account_set(wang, "6217 0012 3456 7890 123")
    wang.save()
    switch_to_b(settings)
    call_command("rotate_id_number_key", batch_size=2, stdout=StringIO())
    settings.ID_NUMBER_KEY_PREVIOUS = ""
    wang.refresh_from_db()
    assert wang.payout_account_encrypted.startswith(current_prefix())
    assert (wang.payout_account, wang.payout_account_masked) == ("6217001234567890123", "6217****0123")
    assert set(Resident.objects.exclude(pk=wang.pk).values_list("payout_account_encrypted", flat=True)) == {""}
