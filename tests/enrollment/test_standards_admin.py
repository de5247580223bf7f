"""Officers maintain contribution standards in the admin: drafts, publishing, revisions, imports."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enrollment.models import AssistanceSubsidy, ContributionStandard, Enrollment, Refund
from enrollment.resources import AssistanceSubsidyResource, ContributionStandardResource
from portal.network.models import Region
from portal.standards.versioned import VersionedStandard, standard_publish, standard_revise
from tests.publishing import confirm_publish

pytestmark = pytest.mark.django_db

ZIBO = "370300000000"
CHANGELIST = "/admin/enrollment/contributionstandard/"


def change_url(standard) -> str:
    return reverse("admin:enrollment_contributionstandard_change", args=[standard.pk])


def revise_url(standard) -> str:
    return reverse("admin:enrollment_contributionstandard_revise", args=[standard.pk])


def published_2022() -> ContributionStandard:
    return ContributionStandard.objects.get(year=2022, region__code=ZIBO, revision=1)


@pytest.fixture
def other_officer(demo):
    from tests.factories import staff_user

    return staff_user(role="officer", scope=Region.objects.get(code=ZIBO), username="officer_two")


@pytest.fixture
def draft(demo) -> ContributionStandard:
    """A draft 2035 standard of 淄博市 with a subsidy row for each category."""
    standard = ContributionStandard.objects.create(
        year=2035, region=Region.objects.get(code=ZIBO), contribution_adult=Decimal("500.00"),
        contribution_student_child=Decimal("400.00"), fiscal_subsidy=Decimal("700.00"),
        window_start=date(2034, 9, 1), window_end=date(2034, 12, 31),
    )
    AssistanceSubsidy.objects.create(standard=standard, category="extreme_poverty", full=True)
    AssistanceSubsidy.objects.create(standard=standard, category="minimum_living", amount=Decimal("200.00"))
    for category in ("returned_to_poverty", "low_income_edge", "monitored"):  # publishing asks for every category
        AssistanceSubsidy.objects.create(standard=standard, category=category, amount=Decimal("0.00"))
    return standard


def form_data(standard, **changes) -> dict:
    """What the change page posts for ``standard`` and its subsidies, with ``changes`` applied."""
    data = {
        "year": standard.year, "region": standard.region_id,
        "effective_from": standard.effective_from.isoformat() if standard.effective_from else "",
        "notes": standard.notes,
        "contribution_adult": standard.contribution_adult, "contribution_student_child": standard.contribution_student_child,
        "fiscal_subsidy": standard.fiscal_subsidy, "window_start": standard.window_start.isoformat(),
        "window_end": standard.window_end.isoformat(), "waiting_days": standard.waiting_days,
        "newborn_grace_days": standard.newborn_grace_days, "participation_target": standard.participation_target,
    }
    subsidies = list(standard.subsidies.order_by("pk"))
    data.update({
        "subsidies-TOTAL_FORMS": len(subsidies), "subsidies-INITIAL_FORMS": len(subsidies),
        "subsidies-MIN_NUM_FORMS": 0, "subsidies-MAX_NUM_FORMS": 1000,
    })
    for index, subsidy in enumerate(subsidies):
        data.update({
            f"subsidies-{index}-id": subsidy.pk, f"subsidies-{index}-standard": standard.pk,
            f"subsidies-{index}-category": subsidy.category,
            f"subsidies-{index}-amount": "" if subsidy.amount is None else subsidy.amount,
        })
        if subsidy.full:
            data[f"subsidies-{index}-full"] = "on"
    data.update(changes)
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- publishing ---------------------------------------------------------------------------------

def test_an_officer_saves_and_publishes_a_draft_from_its_page(officer_client, officer, draft):
    saved = officer_client.post(change_url(draft), form_data(draft, contribution_adult="510.00", _publish="1",
                                                             publish_reason="按 2023 年度文件"))
    response = confirm_publish(officer_client, saved)
    draft.refresh_from_db()
    assert draft.status == VersionedStandard.Status.PUBLISHED
    assert (draft.published_by, draft.contribution_adult) == (officer, Decimal("510.00"))
    assert any("已发布" in message for message in messages_of(response))


def test_an_officer_publishes_drafts_from_the_list(officer_client, officer, draft):
    chosen = officer_client.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [draft.pk],
                                              "reason": "按 2023 年度文件"})
    response = confirm_publish(officer_client, chosen)
    draft.refresh_from_db()
    assert draft.is_published and draft.published_by == officer
    assert any("已发布" in message for message in messages_of(response))
    assert draft.history.latest().history_change_reason == "发布：按 2023 年度文件"


@pytest.mark.parametrize("where", ["list", "page"])
def test_publishing_without_a_reason_publishes_nothing_and_says_why(officer_client, draft, where):
    if where == "list":
        chosen = officer_client.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [draft.pk]})
    else:
        chosen = officer_client.post(change_url(draft), form_data(draft, _publish="1", publish_reason=" "))
    response = confirm_publish(officer_client, chosen)
    draft.refresh_from_db()
    assert not draft.is_published
    assert any("请写明发布原因" in message for message in messages_of(response))


def test_a_revision_shows_what_changed_from_the_one_it_supersedes(officer_client, officer):
    first = ContributionStandard.objects.get(year=2022, region__code="370300000000", revision=1)
    second = standard_revise(standard=first, effective_from=date(2022, 7, 1))
    second.contribution_adult = Decimal("430.00")
    second.save()
    second.subsidies.filter(category="minimum_living").update(amount=Decimal("300.00"))
    for url in (change_url(second), reverse("admin:enrollment_contributionstandard_history", args=[second.pk])):
        page = officer_client.get(url).content.decode()
        assert "与第 1 版相比的改动" in page and "410.00" in page and "430.00" in page, url
        assert "低保对象" in page and "300.00" in page, url
    assert "与第 1 版相比的改动" not in officer_client.get(change_url(first)).content.decode()


def test_the_draft_page_offers_publishing_and_the_published_page_offers_a_revision(officer_client, draft):
    draft_page = officer_client.get(change_url(draft)).content.decode()
    assert 'name="_publish"' in draft_page and 'name="contribution_adult"' in draft_page
    published_page = officer_client.get(change_url(published_2022())).content.decode()
    assert 'name="_publish"' not in published_page
    assert revise_url(published_2022()) in published_page


# --- a published revision is read-only ----------------------------------------------------------

def test_a_published_standard_shows_no_inputs_and_a_post_changes_nothing(officer_client):
    standard = published_2022()
    page = officer_client.get(change_url(standard)).content.decode()
    for name in ("contribution_adult", "window_end", "subsidies-0-amount", "effective_from"):
        assert f'name="{name}"' not in page, name
    assert "410.00" in page  # shown, as text

    response = officer_client.post(change_url(standard), form_data(standard, contribution_adult="1.00", **{"subsidies-0-amount": "1.00"}))
    assert response.status_code == 403
    standard.refresh_from_db()
    assert standard.contribution_adult == Decimal("410.00")
    assert not AssistanceSubsidy.objects.filter(standard=standard, amount=Decimal("1.00")).exists()


def test_a_published_standard_cannot_be_deleted(officer_client):
    standard = published_2022()
    delete_url = reverse("admin:enrollment_contributionstandard_delete", args=[standard.pk])
    assert officer_client.get(delete_url).status_code == 403
    assert officer_client.post(delete_url, {"post": "yes"}).status_code == 403
    officer_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [standard.pk], "post": "yes"})
    assert ContributionStandard.objects.filter(pk=standard.pk).exists()


def test_a_draft_can_be_deleted(officer_client, draft):
    delete_url = reverse("admin:enrollment_contributionstandard_delete", args=[draft.pk])
    assert officer_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not ContributionStandard.objects.filter(pk=draft.pk).exists()


def test_a_published_standards_subsidy_page_is_read_only(officer_client):
    subsidy = published_2022().subsidies.get(category="minimum_living")
    url = reverse("admin:enrollment_assistancesubsidy_change", args=[subsidy.pk])
    assert 'name="amount"' not in officer_client.get(url).content.decode()
    assert officer_client.post(url, {"standard": subsidy.standard_id, "category": "minimum_living", "amount": "1.00"}).status_code == 403
    subsidy.refresh_from_db()
    assert subsidy.amount == Decimal("200.00")
    changelist = "/admin/enrollment/assistancesubsidy/"
    officer_client.post(changelist, {"action": "delete_selected", "_selected_action": [subsidy.pk], "post": "yes"})
    assert AssistanceSubsidy.objects.filter(pk=subsidy.pk).exists()


def test_history_cannot_revert_a_published_standard(officer_client):
    standard = published_2022()
    version = standard.history.earliest("history_date")
    url = reverse("admin:enrollment_contributionstandard_simple_history", args=[standard.pk, version.history_id])
    assert officer_client.post(url, {}).status_code == 403
    assert ContributionStandard.objects.get(pk=standard.pk).is_published


# --- revisions ----------------------------------------------------------------------------------

def test_revise_creates_revision_2_as_a_draft_with_the_subsidies_and_the_date(officer_client):
    first = published_2022()
    assert "生效日期" in officer_client.get(revise_url(first)).content.decode()
    response = officer_client.post(revise_url(first), {"effective_from": "2021-11-01"})
    second = ContributionStandard.objects.get(year=2022, region__code=ZIBO, revision=2)
    assert response.status_code == 302 and response["Location"] == change_url(second)
    assert (second.status, second.effective_from, second.supersedes) == ("draft", date(2021, 11, 1), first)
    assert second.contribution_adult == first.contribution_adult
    copied = {(s.category, s.full, s.amount) for s in second.subsidies.all()}
    assert copied == {(s.category, s.full, s.amount) for s in first.subsidies.all()} and len(copied) == 5


def test_the_revise_action_leads_to_the_date_page(officer_client):
    first = published_2022()
    response = officer_client.post(CHANGELIST, {"action": "revise_selected", "_selected_action": [first.pk]})
    assert response.status_code == 302 and response["Location"] == revise_url(first)


def test_in_force_picks_revision_1_before_and_revision_2_from_the_effective_date(officer_client, officer):
    first = published_2022()
    officer_client.post(revise_url(first), {"effective_from": "2021-11-01"})
    second = ContributionStandard.objects.get(year=2022, region__code=ZIBO, revision=2)
    confirm_publish(officer_client, officer_client.post(
        change_url(second), form_data(second, contribution_adult="420.00", _publish="1", publish_reason="年中调整")))
    second.refresh_from_db()
    assert second.is_published and second.contribution_adult == Decimal("420.00")

    zibo = Region.objects.get(code=ZIBO)
    assert ContributionStandard.objects.in_force(year=2022, region=zibo, on=date(2021, 10, 31)) == first
    assert ContributionStandard.objects.in_force(year=2022, region=zibo, on=date(2021, 11, 1)) == second
    assert ContributionStandard.objects.in_force(year=2022, region=zibo, on=date(2022, 6, 1)) == second


def test_a_revision_dated_before_the_one_it_revises_is_refused_with_a_link(officer_client, officer):
    first = published_2022()
    second = standard_revise(standard=first, effective_from=date(2021, 11, 1))
    standard_publish(standard=second, officer=officer)
    page = officer_client.post(revise_url(second), {"effective_from": "2021-10-01"}).content.decode()
    assert "须晚于第 2 版的生效日期 2021-11-01" in page
    assert f'href="{change_url(second)}"' in page
    assert not ContributionStandard.objects.filter(year=2022, revision=3).exists()


def test_revising_a_superseded_revision_links_to_the_newer_one(officer_client):
    first = published_2022()
    second = standard_revise(standard=first, effective_from=date(2021, 11, 1))
    page = officer_client.post(revise_url(first), {"effective_from": "2021-12-01"}).content.decode()
    assert "已被" in page and f'href="{change_url(second)}"' in page


def test_a_draft_dated_on_the_previous_revisions_date_is_ambiguous_and_links_to_it(officer_client, officer):
    first = published_2022()
    second = standard_revise(standard=first, effective_from=date(2021, 11, 1))
    standard_publish(standard=second, officer=officer)
    third = standard_revise(standard=second, effective_from=date(2021, 12, 1))
    page = officer_client.post(change_url(third), form_data(third, effective_from="2021-11-01")).content.decode()
    assert "须晚于第 2 版的生效日期 2021-11-01" in page and f'href="{change_url(second)}"' in page
    third.refresh_from_db()
    assert third.effective_from == date(2021, 12, 1)


def test_a_second_standard_for_the_same_year_and_region_links_to_the_existing_one(officer_client):
    add_url = reverse("admin:enrollment_contributionstandard_add")
    data = form_data(published_2022())
    data.update({"subsidies-TOTAL_FORMS": 0, "subsidies-INITIAL_FORMS": 0})
    page = officer_client.post(add_url, data).content.decode()
    assert "已有第 1 版" in page and f'href="{change_url(published_2022())}"' in page
    assert ContributionStandard.objects.filter(year=2022).count() == 1


def test_a_window_ending_after_the_year_is_refused_in_chinese(officer_client, draft):
    page = officer_client.post(change_url(draft), form_data(draft, window_end="2036-01-05")).content.decode()
    assert "集中缴费期必须在 2035 年度结束" in page
    draft.refresh_from_db()
    assert draft.window_end == date(2034, 12, 31)


# --- history ------------------------------------------------------------------------------------

def test_history_records_who_changed_a_draft(officer_client, officer, draft):
    officer_client.post(change_url(draft), form_data(draft, notes="依据淄医保发〔2034〕1号"))
    latest = draft.history.latest("history_date")
    assert (latest.history_user, latest.notes, latest.history_type) == (officer, "依据淄医保发〔2034〕1号", "~")
    page = officer_client.get(reverse("admin:enrollment_contributionstandard_history", args=[draft.pk])).content.decode()
    assert officer.username in page


# --- import and export --------------------------------------------------------------------------

def csv_of(headers, *rows) -> bytes:
    return tablib.Dataset(*rows, headers=headers).export("csv").encode("utf-8")


STANDARD_HEADERS = [
    "year", "region_code", "revision", "effective_from", "contribution_adult", "contribution_student_child",
    "fiscal_subsidy", "window_start", "window_end", "waiting_days", "newborn_grace_days", "notes",
]


def standard_row(year=2035, region="370300", revision=1, effective_from="", adult="500.00", notes=""):
    window_start, window_end = f"{year - 1}-09-01", f"{year - 1}-12-31"
    return [year, region, revision, effective_from, adult, "400.00", "700.00", window_start, window_end, 90, 90, notes]


def admin_import(client, model: str, content: bytes):
    """The dry run; returns the page and, when it offers one, the confirmation's data."""
    url = f"/admin/enrollment/{model}/import/"
    choices = dict((label, value) for value, label in client.get(url).context["form"].fields["format"].choices)
    upload = SimpleUploadedFile("standards.csv", content, content_type="text/csv")
    response = client.post(url, {"resource": "0", "format": choices["csv"], "import_file": upload})
    confirm = response.context.get("confirm_form")
    return response, (confirm.initial if confirm else None)


def test_an_import_targeting_a_published_revision_is_refused_and_commits_nothing(officer_client, draft):
    content = csv_of(
        STANDARD_HEADERS,
        standard_row(notes="草稿的说明"),  # a valid change of the 2035 draft
        standard_row(year=2022, adult="999.00"),  # the published 2022 revision 1
    )
    response, confirm = admin_import(officer_client, "contributionstandard", content)
    page = response.content.decode()
    assert confirm is None
    assert "淄博市 2022 年度第 1 版已于 2021-08-01 发布，不能通过导入修改" in page
    assert published_2022().contribution_adult == Decimal("410.00")
    draft.refresh_from_db()
    assert draft.notes == ""

    # The same file imported for real, past the admin's dry run, still writes nothing.
    result = ContributionStandardResource().import_data(tablib.Dataset().load(content.decode(), format="csv"), dry_run=False)
    assert result.has_validation_errors()
    draft.refresh_from_db()
    assert draft.notes == "" and published_2022().contribution_adult == Decimal("410.00")


def test_an_unchanged_row_of_a_published_revision_is_skipped(demo):
    exported = ContributionStandardResource().export(ContributionStandard.objects.filter(pk=published_2022().pk))
    result = ContributionStandardResource().import_data(exported, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()


def test_an_import_creates_a_draft_and_changes_drafts(officer_client, officer):
    content = csv_of(STANDARD_HEADERS, standard_row(year=2036, notes="新年度"))
    response, confirm = admin_import(officer_client, "contributionstandard", content)
    assert confirm is not None, response.content.decode()[:3000]
    assert not ContributionStandard.objects.filter(year=2036).exists()  # the dry run wrote nothing
    officer_client.post("/admin/enrollment/contributionstandard/process_import/", confirm)
    created = ContributionStandard.objects.get(year=2036)
    assert (created.status, created.revision, created.contribution_adult, created.notes) == (
        "draft", 1, Decimal("500.00"), "新年度",
    )

    _, confirm = admin_import(officer_client, "contributionstandard", csv_of(STANDARD_HEADERS, standard_row(year=2036, adult="520.00")))
    officer_client.post("/admin/enrollment/contributionstandard/process_import/", confirm)
    created.refresh_from_db()
    assert created.contribution_adult == Decimal("520.00") and created.status == "draft"


def test_an_imported_revision_copies_the_subsidies_of_the_one_it_revises(demo):
    row = standard_row(year=2022, revision=2, effective_from="2021-11-01", adult="420.00")
    row[7:9] = ["2021-09-01", "2021-12-31"]
    result = ContributionStandardResource().import_data(tablib.Dataset(row, headers=STANDARD_HEADERS), dry_run=False)
    assert not result.has_validation_errors(), [r.validation_error for r in result.invalid_rows]
    second = ContributionStandard.objects.get(year=2022, revision=2)
    assert (second.status, second.supersedes, second.contribution_adult) == ("draft", published_2022(), Decimal("420.00"))
    assert second.subsidies.count() == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({2: 3}, "第 3 版须修订已发布的第 2 版"),
        ({0: "二〇三五"}, "须为 2000 到 2100 之间的四位数字"),
        ({1: "370303"}, "统筹区须为市级区划"),
        ({4: "-5"}, "须为不小于 0 的金额"),
        ({7: "2034/09/01"}, "格式须为 YYYY-MM-DD"),
        ({8: "2036-01-05"}, "集中缴费期必须在 2035 年度结束"),
    ],
)
def test_bad_rows_get_chinese_errors(demo, change, message):
    row = standard_row()
    for index, value in change.items():
        row[index] = value
    result = ContributionStandardResource().import_data(tablib.Dataset(row, headers=STANDARD_HEADERS), dry_run=True)
    errors = [str(e) for r in result.invalid_rows for e in r.error_dict.values()]
    assert any(message in text for text in errors), errors
    assert not ContributionStandard.objects.filter(year=2035).exists()


def test_a_file_without_the_key_columns_says_which_are_missing(demo):
    dataset = tablib.Dataset([2035, "370300", "500.00"], headers=["year", "region_code", "contribution_adult"])
    result = ContributionStandardResource().import_data(dataset, dry_run=True)
    assert any("文件缺少列：revision" in str(error.error) for error in result.base_errors)
    assert not ContributionStandard.objects.filter(year=2035).exists()


def test_an_officer_of_another_city_neither_sees_nor_imports_these_standards(client, demo):
    from tests.factories import staff_user

    qingdao = Region.objects.create(code="370200000000", name="青岛市", parent=Region.objects.get(code="370000000000"))
    stranger = staff_user(role="officer", scope=qingdao, username="officer_qingdao")
    client.force_login(stranger)
    assert "淄博市" not in client.get(CHANGELIST).content.decode()
    assert client.get(change_url(published_2022())).status_code == 302  # "does not exist" back to the list
    response, confirm = admin_import(client, "contributionstandard", csv_of(STANDARD_HEADERS, standard_row()))
    assert confirm is None and "淄博市不在您的管辖范围内" in response.content.decode()


SUBSIDY_HEADERS = ["year", "region_code", "revision", "category", "full", "amount"]


def test_subsidies_import_into_a_draft_by_code_or_label(officer_client, draft):
    content = csv_of(
        SUBSIDY_HEADERS,
        [2035, "370300", 1, "低保对象", "否", "250.00"],
        [2035, "370300000000", 1, "monitored", "否", "100"],
    )
    _, confirm = admin_import(officer_client, "assistancesubsidy", content)
    assert confirm is not None
    officer_client.post("/admin/enrollment/assistancesubsidy/process_import/", confirm)
    amounts = dict(draft.subsidies.values_list("category", "amount"))
    assert amounts["minimum_living"] == Decimal("250.00") and amounts["monitored"] == Decimal("100.00")


def test_a_subsidy_row_of_a_published_revision_is_refused(officer_client):
    content = csv_of(SUBSIDY_HEADERS, [2022, "370300", 1, "minimum_living", "否", "300.00"])
    response, confirm = admin_import(officer_client, "assistancesubsidy", content)
    assert confirm is None
    assert "第 1 版已发布，它的明细不能通过导入修改" in response.content.decode()
    assert published_2022().subsidies.get(category="minimum_living").amount == Decimal("200.00")


def test_the_export_holds_the_natural_keys(officer_client):
    dataset = ContributionStandardResource().export(ContributionStandard.objects.filter(year=2022))
    assert dataset.headers[:3] == ["年度", "统筹区代码", "修订版次"]
    row = dict(zip(dataset.headers, dataset[0]))
    # Numbers and days as such (a spreadsheet sums and sorts them); codes stay text.
    assert (row["年度"], row["统筹区代码"], row["修订版次"], row["状态"]) == (2022, "370300", 1, "已发布")
    assert (row["成年居民个人缴费"], row["集中缴费期结束"], row["发布人"]) == (Decimal("410.00"), date(2021, 12, 31), "officer")

    subsidies = AssistanceSubsidyResource().export(AssistanceSubsidy.objects.filter(standard=published_2022()))
    assert subsidies.headers == ["年度", "统筹区代码", "修订版次", "困难类别", "全额资助", "定额资助金额"]
    rows = {r[3]: r for r in subsidies}
    assert rows["extreme_poverty"] == (2022, "370300", "1", "extreme_poverty", "是", "")
    assert rows["minimum_living"] == (2022, "370300", "1", "minimum_living", "否", Decimal("200.00"))


def test_the_admin_xlsx_export_has_amounts_and_days_as_typed_cells(officer_client):
    url = "/admin/enrollment/contributionstandard/export/"
    form = officer_client.get(url).context["form"]
    xlsx_format = next(value for value, label in form.fields["format"].choices if label == "xlsx")
    data = {"format": xlsx_format, "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("contributionstandardresource_")})
    sheet = openpyxl.load_workbook(io.BytesIO(officer_client.post(url, data).content)).active
    header = [cell.value for cell in sheet[1]]
    row = next(dict(zip(header, cells)) for cells in sheet.iter_rows(min_row=2) if cells[0].value == 2022)
    assert row["成年居民个人缴费"].value == 410 and row["成年居民个人缴费"].number_format == "0.00"
    assert row["集中缴费期结束"].is_date and row["统筹区代码"].value == "370300"


def test_the_admin_export_downloads_a_csv_with_the_natural_keys(officer_client):
    url = "/admin/enrollment/contributionstandard/export/"
    form = officer_client.get(url).context["form"]
    csv_format = next(value for value, label in form.fields["format"].choices if label == "csv")
    data = {"format": csv_format, "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("contributionstandardresource_")})
    response = officer_client.post(url, data)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("年度,统筹区代码,修订版次,")
    assert any(line.startswith("2022,370300,1,") for line in lines[1:])


# --- who may come in ----------------------------------------------------------------------------

def test_a_clerk_cannot_open_any_of_these_pages(client, demo, clerk_chezhan):
    clerk_chezhan.is_staff = True  # even a clerk made staff by mistake
    clerk_chezhan.save()
    client.force_login(clerk_chezhan)
    standard = published_2022()
    urls = [
        CHANGELIST, change_url(standard), revise_url(standard),
        reverse("admin:enrollment_contributionstandard_add"),
        reverse("admin:enrollment_contributionstandard_history", args=[standard.pk]),
        "/admin/enrollment/contributionstandard/import/", "/admin/enrollment/contributionstandard/export/",
        "/admin/enrollment/assistancesubsidy/", "/admin/enrollment/resident/", "/admin/enrollment/refund/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    response = client.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [standard.pk]})
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- look-ups ------------------------------------------------------------------------------------

def test_the_resident_pages_never_show_the_encrypted_number(officer_client):
    from enrollment.models import Resident

    resident = Resident.objects.get(name="王秀兰")
    page = officer_client.get(reverse("admin:enrollment_resident_change", args=[resident.pk])).content.decode()
    assert resident.id_masked in page
    assert resident.id_number_encrypted not in page and resident.id_digest not in page
    assert "370303195203151223" not in page


def test_a_full_id_number_finds_its_resident_without_being_stored(officer_client):
    page = officer_client.post("/admin/enrollment/resident/find/", {"id_number": "370303195203151223"}).content.decode()
    assert "王秀兰" in page and "张建国" not in page
    assert "王秀兰" in officer_client.get("/admin/enrollment/resident/", {"q": "1223"}).content.decode()


def test_a_refund_is_approved_by_another_officer_not_the_one_who_asked(officer_client, officer, other_officer):
    enrollment = Enrollment.objects.filter(year=2022, paid_at__isnull=False).first()
    refund = Refund.objects.create(enrollment=enrollment, amount=enrollment.payable, reason="duplicate", requested_by=officer)
    url = "/admin/enrollment/refund/"
    response = officer_client.post(url, {"action": "approve_selected", "_selected_action": [refund.pk]}, follow=True)
    assert any("不能由申请人本人审批" in m for m in messages_of(response))
    refund.refresh_from_db()
    assert not refund.is_approved

    officer_client.force_login(other_officer)
    officer_client.post(url, {"action": "approve_selected", "_selected_action": [refund.pk]})
    refund.refresh_from_db()
    enrollment.refresh_from_db()
    assert refund.approved_by == other_officer and enrollment.status == Enrollment.Status.CANCELLED


def test_an_officer_changes_only_the_note_of_a_refund(officer_client, officer):
    enrollment = Enrollment.objects.filter(year=2022, paid_at__isnull=False).first()
    refund = Refund.objects.create(enrollment=enrollment, amount=enrollment.payable, reason="duplicate", requested_by=officer)
    url = reverse("admin:enrollment_refund_change", args=[refund.pk])
    officer_client.post(url, {"note": "已核实重复参保", "amount": "0.01", "reason": "other"})
    refund.refresh_from_db()
    assert (refund.note, refund.amount, refund.reason) == ("已核实重复参保", enrollment.payable, "duplicate")


def test_residents_and_payments_are_view_only(officer_client):
    from enrollment.models import Resident

    resident = Resident.objects.get(name="王秀兰")
    url = reverse("admin:enrollment_resident_change", args=[resident.pk])
    assert 'name="name"' not in officer_client.get(url).content.decode()
    assert officer_client.post(url, {"name": "改名"}).status_code == 403
    assert officer_client.get(reverse("admin:enrollment_payment_add")).status_code == 403
