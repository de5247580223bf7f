"""The resident's 参保证明 pages: choosing years, the printable proof, its PDF; bad input answered in
Chinese with nothing written; only one's own proofs; every view in the access log."""

import io
import re
from urllib.parse import unquote

import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from my_insurance.proofs.models import InsuranceProof
from my_insurance.proofs.services import proof_issue
from portal.privacy.models import AccessLogEntry
from tests.my_insurance.proofs.helpers import NOW, person
from tests.my_insurance.signing_in import resident_client

pytestmark = pytest.mark.django_db

PROOFS = "/my/proof/"


def text_of(response) -> str:
    # Inline spans (dates kept on one line) join their text; other tags separate it.
    body = re.sub(r"</?span[^>]*>", "", response.content.decode())
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def pdf_text(response) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)


def logged(action: str, resident) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(action=action, subject_digest=resident.id_digest))


# --- choosing years -----------------------------------------------------------------------------

def test_the_page_offers_paid_years_and_says_why_the_others_cannot_be_proven(demo):
    page = resident_client(person("刘桂英")).get(PROOFS)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="years" value="2021"' in body and 'name="years" value="2022"' not in body
    assert "2022 年度 不能开具：未缴费" in text_of(page)


def test_a_year_without_enrollment_is_listed_as_not_enrolled(demo):
    text = text_of(resident_client(person("赵伟")).get(PROOFS))
    assert "2022 年度 不能开具：未参保" in text


def test_choosing_years_issues_the_proof_and_opens_it(demo):
    wang = person("王秀兰")
    client = resident_client(wang)
    response = client.post(PROOFS, {"years": ["2021", "2022"]})

    proof = InsuranceProof.objects.get(resident=wang)
    assert proof.years == "2021,2022"
    assert response.status_code == 302 and response["Location"] == f"/my/proof/{proof.verification_code}/"
    # The list below the form links to it.
    assert f"/my/proof/{proof.verification_code}/pdf/" in client.get(PROOFS).content.decode()


@pytest.mark.parametrize(("years", "message"), [
    ([], "请至少选择一个年度。"),
    (["2022"], "所选年度不能开具参保证明"),  # 刘桂英's 2022 is unpaid: not offered, refused if forged
    (["2019"], "所选年度不能开具参保证明"),
    (["2021", "abc"], "所选年度不能开具参保证明"),
    (["2021\x00"], "所选年度不能开具参保证明"),
])
def test_bad_choices_are_refused_in_chinese_and_write_nothing(demo, years, message):
    client = resident_client(person("刘桂英"))
    response = client.post(PROOFS, {"years": years})
    assert response.status_code == 400
    assert message in response.content.decode() and "没有开具证明" in response.content.decode()
    assert not InsuranceProof.objects.exists()


def test_a_double_submit_opens_the_same_single_proof(demo):
    client = resident_client(person("王秀兰"))
    first = client.post(PROOFS, {"years": ["2022"]})
    second = client.post(PROOFS, {"years": ["2022"]})
    assert first["Location"] == second["Location"]
    assert InsuranceProof.objects.count() == 1


# --- the printable proof and its PDF ------------------------------------------------------------

def test_the_printed_proof_states_the_person_and_each_year(demo):
    wang = person("王秀兰")
    proof = proof_issue(resident=wang, years=[2021, 2022], now=NOW)
    page = resident_client(wang).get(f"/my/proof/{proof.verification_code}/")
    text = text_of(page)
    assert page.status_code == 200
    assert "城乡居民基本医疗保险参保证明" in text and "王秀兰" in text and "370303********1223" in text
    assert "性别 女" in text and "统筹区 淄博市" in text
    assert "参保地 山东省淄博市张店区车站街道华光路社区" in text and "参保类别 成年居民" in text
    assert "缴费状态 已缴费 缴费日期 2020-10-10" in text and "缴费状态 已缴费 缴费日期 2021-10-10" in text
    assert "待遇享受期 2021-01-01 至 2021-12-31" in text and "待遇享受期 2022-01-01 至 2022-12-31" in text
    assert "开具日期：2022年3月1日" in text
    verify = f"http://testserver/verify/proof/{proof.verification_code}/"
    assert verify in text and "<svg" in page.content.decode() and "在线核验" in text
    assert "370303195203151223" not in page.content.decode()


def test_the_pdf_states_the_same_and_downloads_under_its_years(demo):
    wang = person("王秀兰")
    proof = proof_issue(resident=wang, years=[2021, 2022], now=NOW)
    response = resident_client(wang).get(f"/my/proof/{proof.verification_code}/pdf/")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and unquote(disposition.split("''")[1]) == "参保证明-2021-2022.pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width == pytest.approx(595.27, abs=0.1)  # A4
    text = pdf_text(response).replace("\n", "")
    for stated in ("城乡居民基本医疗保险参保证明", "王秀兰", "370303********1223", "淄博市", "2021 年度", "2022 年度",
                   "2021-01-01 至", "2022-12-31", "成年居民", "开具日期：2022年3月1日",
                   f"http://testserver/verify/proof/{proof.verification_code}/"):
        assert stated in text, stated
    assert "370303195203151223" not in text


def test_another_residents_proof_is_not_found_as_if_it_did_not_exist(demo):
    proof = proof_issue(resident=person("王秀兰"), years=[2022], now=NOW)
    other = resident_client(person("孙丽"))
    for address in (f"/my/proof/{proof.verification_code}/", f"/my/proof/{proof.verification_code}/pdf/"):
        assert other.get(address).status_code == 404
        assert other.get(address.replace(proof.verification_code, "noSuchCode")).status_code == 404
    assert resident_client(person("王秀兰")).get(f"/my/proof/{proof.verification_code}/").status_code == 200


def test_the_pages_are_for_signed_in_residents_only(demo, clerk_chezhan):
    proof = proof_issue(resident=person("王秀兰"), years=[2022], now=NOW)
    for address in (PROOFS, f"/my/proof/{proof.verification_code}/", f"/my/proof/{proof.verification_code}/pdf/"):
        anonymous = Client().get(address)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("my_insurance:sign_in"))
    assert Client().post(PROOFS, {"years": ["2022"]}).status_code == 302
    assert InsuranceProof.objects.count() == 1


def test_the_pages_are_never_cached(demo):
    wang = person("王秀兰")
    proof = proof_issue(resident=wang, years=[2022], now=NOW)
    client = resident_client(wang)
    for address in (PROOFS, f"/my/proof/{proof.verification_code}/", f"/my/proof/{proof.verification_code}/pdf/"):
        assert "no-store" in client.get(address)["Cache-Control"]


# --- the access log -----------------------------------------------------------------------------

def test_issuing_viewing_and_downloading_are_each_logged_once_as_the_resident(demo):
    wang = person("王秀兰")
    client = resident_client(wang)
    client.get(PROOFS)
    assert len(logged("view_proof_years", wang)) == 1
    location = client.post(PROOFS, {"years": ["2022"]})["Location"]
    client.get(location)
    client.get(location + "pdf/")
    for action, detail in (("issue_proof", "开具参保证明（2022 年度）"), ("view_proof", "查看参保证明（2022 年度）"),
                           ("download_proof", "下载参保证明 PDF（2022 年度）")):
        entries = logged(action, wang)
        assert len(entries) == 1, action
        assert entries[0].detail == detail and entries[0].username == "（居民本人）" and entries[0].user is None


def test_a_refused_submission_is_logged_as_a_view_and_not_as_an_issue(demo):
    liu = person("刘桂英")
    resident_client(liu).post(PROOFS, {"years": ["2022"]})
    assert len(logged("view_proof_years", liu)) == 1 and not logged("issue_proof", liu)
