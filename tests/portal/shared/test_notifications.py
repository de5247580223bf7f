import json

import pytest

from portal.shared.notifications import UnsafeMessage, notify


def test_a_message_reaches_the_backend(outbox):
    notify(phone="13800000000", kind="payment_recorded", message="您 2022 年度的医保费 350.00 元已缴纳。")
    assert [(n.phone, n.kind) for n in outbox] == [("13800000000", "payment_recorded")]


@pytest.mark.parametrize("message", ["身份证 370303195203151223 已核实", "号码37030319520315122X", "旧号 370303520315122"])
def test_a_full_id_number_is_refused_and_nothing_is_sent(outbox, message):
    with pytest.raises(UnsafeMessage):
        notify(phone="13800000000", kind="identity_verified", message=message)
    assert outbox == []


def test_a_masked_id_number_may_be_sent(outbox):
    notify(phone="13800000000", kind="identity_verified", message="370303********1223 的困难身份已核实")
    assert len(outbox) == 1


def test_without_a_phone_number_nothing_is_sent(outbox):
    assert notify(phone="", kind="payment_recorded", message="已缴费") is None
    assert outbox == []


def test_the_file_backend_writes_one_json_line_per_message(settings, tmp_path):
    settings.NOTIFICATION_BACKEND = "portal.shared.notifications.FileBackend"
    settings.NOTIFICATION_FILE_PATH = str(tmp_path / "sent.jsonl")
    notify(phone="13800000000", kind="payment_recorded", message="已缴费")
    notify(phone="13900000000", kind="payment_recorded", message="已缴费")
    lines = (tmp_path / "sent.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["phone"] for line in lines] == ["13800000000", "13900000000"]
