"""CSRF on every form of 我的医保: every address of the app (found from the URL configuration, so
the parts other helpers add are in it) and the public check of a 参保证明 refuse a POST without
the token, for a visitor and for a signed-in resident; every form on their pages carries it."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.my_insurance.own_objects import resident_objects
from tests.my_insurance.signin.steps import ask_code
from tests.my_insurance.signing_in import resident_client
from tests.test_scope_everywhere import RESIDENT_OBJECTS, addresses

pytestmark = pytest.mark.django_db

POST_FORM = re.compile(r"<form\b[^>]*\bmethod=\"post\"[^>]*>.*?</form>", re.IGNORECASE | re.DOTALL)
TOKEN_FIELD = 'name="csrfmiddlewaretoken"'
PUBLIC_CHECKS = {"proof_verify": ("proof", "verification_code")}


def pages_with_values(objects: dict) -> list[tuple[str, str]]:
    """(name, url) of every address of 我的医保 and of the public check of a proof, its id filled
    with 王秀兰's object."""
    found = []
    for address in addresses():
        if not address.name or not (address.name.startswith("my_insurance:") or address.name in PUBLIC_CHECKS):
            continue
        rule = RESIDENT_OBJECTS.get(address.name) or PUBLIC_CHECKS.get(address.name)
        values = [getattr(objects[rule[0]], rule[1])] if rule else []
        found.append((address.name, address.url(*values)))
    return found


@pytest.fixture
def pages(wang) -> list[tuple[str, str]]:
    return pages_with_values(resident_objects(wang))


def test_the_sweep_finds_the_pages_of_every_part_of_my_insurance(pages):
    names = {name for name, _ in pages}
    assert {"my_insurance:sign_in", "my_insurance:sign_in_code", "my_insurance:sign_out", "my_insurance:home",
            "proof_verify"} <= names
    assert set(RESIDENT_OBJECTS) <= names


def test_every_address_refuses_a_post_without_the_csrf_token(wang, pages):
    visitor = Client(enforce_csrf_checks=True)
    ask_code(visitor)  # a sign-in waiting for its code: the code page is there to post to
    resident = resident_client(wang, Client(enforce_csrf_checks=True))
    accepted = []
    for who, client in (("a visitor", visitor), ("王秀兰", resident)):
        for name, url in pages:
            response = client.post(url, {"code": "123456", "name": "王秀兰"})
            if response.status_code != 403:
                accepted.append(f"{who} POST {url} ({name}): {response.status_code}")
    assert not accepted, "\n".join(accepted)


def test_the_same_post_with_the_token_is_taken(wang, outbox):
    # Proof that the 403s above come from the missing token, not from the post itself.
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("my_insurance:sign_in"))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("my_insurance:sign_in"), {"name": "王秀兰", "id_number": "370303195203151223",
                                                             "phone_last_four": "5122", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and outbox


def test_every_form_on_the_pages_carries_the_token(wang, pages):
    visitor = Client()
    ask_code(visitor)
    resident = resident_client(wang)
    forms_seen, missing = 0, []
    for name, url in pages:
        client = visitor if name in ("my_insurance:sign_in", "my_insurance:sign_in_code") else resident
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for form in POST_FORM.findall(response.content.decode()):
            forms_seen += 1
            if TOKEN_FIELD not in form:
                missing.append(f"{url}: {form[:120]}")
    assert forms_seen >= 5  # sign-in, code, sign-out on every page, filing and proof forms
    assert not missing, "\n".join(missing)
