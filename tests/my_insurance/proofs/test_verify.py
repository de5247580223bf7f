"""The public check of a 参保证明 (/verify/proof/<code>/): masked name, years and whether each year
still holds today; a code nobody was given is a 404 saying so."""

import re
from datetime import date

import pytest
from django.test import Client

from enrollment import services as enrollment_services
from enrollment.life_events.deaths import death_record
from enrollment.models import Enrollment, Refund
from my_insurance.proofs.services import proof_issue
from tests.my_insurance.proofs.helpers import NOW, enrollment_of, person

pytestmark = pytest.mark.django_db


def check(code: str):
    return Client().get(f"/verify/proof/{code}/")


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def wang_proof(demo):
    return proof_issue(resident=person("王秀兰"), years=[2021, 2022], now=NOW)


def test_a_proof_that_holds_shows_masked_name_years_and_valid(wang_proof):
    response = check(wang_proof.verification_code)
    text = text_of(response)
    assert response.status_code == 200
    assert "2022年3月1日 开具" in text and "参保人 王*兰" in text and "证明有效" in text
    assert "2021 年度 有效" in text and "2022 年度 有效" in text and "失效" not in text


def test_the_check_shows_nothing_more_than_masked_name_years_and_state(wang_proof):
    body = check(wang_proof.verification_code).content.decode()
    for private in ("王秀兰", "370303********1223", "1223", "华光路社区", "成年居民", "2022-12-31", "女"):
        assert private not in body, private


def test_after_a_refund_the_check_says_which_year_no_longer_holds(wang_proof, clerk_chezhan, officer):
    refund = enrollment_services.refund_request(enrollment=enrollment_of("王秀兰", 2022), reason=Refund.Reason.OTHER,
                                                note="重复参保", clerk=clerk_chezhan)
    text = text_of(check(wang_proof.verification_code))
    assert "部分年度现已失效" in text and "证明有效" not in text
    assert "2021 年度 有效" in text and "2022 年度 已失效：该年度已申请退费" in text

    enrollment_services.refund_approve(refund=refund, approver=officer)
    assert "2022 年度 已失效：该年度已退费" in text_of(check(wang_proof.verification_code))


def test_after_a_cancellation_or_changed_coverage_the_year_no_longer_holds(wang_proof):
    Enrollment.objects.filter(pk=enrollment_of("王秀兰", 2021).pk).update(status=Enrollment.Status.CANCELLED)
    Enrollment.objects.filter(pk=enrollment_of("王秀兰", 2022).pk).update(coverage_start=date(2022, 3, 1))
    text = text_of(check(wang_proof.verification_code))
    assert "2021 年度 已失效：该年度已注销" in text
    assert "2022 年度 已失效：该年度待遇享受期已变更，与证明所载不符" in text


def test_a_death_before_the_end_of_a_stated_year_ends_that_year_only(wang_proof, clerk_chezhan):
    death_record(resident=person("王秀兰"), date_of_death=date(2022, 5, 4), clerk=clerk_chezhan, today=date(2022, 5, 10))
    text = text_of(check(wang_proof.verification_code))
    assert "2021 年度 有效" in text
    assert "2022 年度 已失效：参保人在待遇享受期内死亡，待遇已终止" in text


def test_an_unknown_code_is_a_404_saying_there_is_no_such_proof(demo):
    for code in ("noSuchCode", "x" * 300, "王秀兰"):
        response = check(code)
        assert response.status_code == 404 and "没有找到这份参保证明" in response.content.decode()


def test_a_code_with_nul_is_a_404_not_an_error(rf, demo):
    from my_insurance.proofs.verify import proof_verify

    response = proof_verify(rf.get("/verify/proof/x/"), "abc\x00def")
    assert response.status_code == 404 and "没有找到这份参保证明".encode() in response.content


def test_the_check_is_never_kept_by_a_shared_cache(wang_proof):
    control = check(wang_proof.verification_code)["Cache-Control"]
    assert "no-store" in control and "private" in control
