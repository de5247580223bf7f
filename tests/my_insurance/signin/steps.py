"""The steps of signing in to 我的医保 as a test client takes them, and the demo's 王秀兰."""

import re
from datetime import date

from django.test import Client
from django.urls import reverse

from portal.privacy.id_numbers import make_id_number

WANG = "370303195203151223"
WANG_NAME = "王秀兰"
WANG_LAST_FOUR = "5122"  # her demo phone is 1390533 and four digits of her ID number (enrollment/demo.py)
NOBODY = make_id_number("370303", date(1980, 1, 1), 123)  # a valid number registered nowhere
CODE = re.compile(r"验证码是 ([0-9]{6})")


def details(**changes) -> dict:
    return {"name": WANG_NAME, "id_number": WANG, "phone_last_four": WANG_LAST_FOUR, **changes}


def ask_code(client: Client, **changes):
    return client.post(reverse("my_insurance:sign_in"), details(**changes))


def type_code(client: Client, code: str):
    return client.post(reverse("my_insurance:sign_in_code"), {"code": code})


def code_sent(outbox) -> str:
    """The code of the last sign-in text message."""
    return CODE.search([n for n in outbox if n.kind == "sign_in_code"][-1].message)[1]


def wrong(code: str) -> str:
    """A code that is not ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"
