import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.network.models import Region, ServicePoint
from portal.network.resources import RegionResource, ServicePointResource

pytestmark = pytest.mark.django_db

HEADERS = ("code", "name", "parent_code")


def import_regions(rows, *, dry_run=False):
    dataset = tablib.Dataset(*rows, headers=HEADERS)
    return RegionResource().import_data(dataset, dry_run=dry_run, rollback_on_validation_errors=True)


def row_errors(result) -> dict[int, str]:
    """Row number -> all its messages, for invalid rows."""
    return {
        row.number: " ".join(" ".join(messages) for messages in row.error_dict.values())
        for row in result.invalid_rows
    }


# A province the demo does not have (41 河南省), so that the demo's regions stay out of every count.
GOOD_ROWS = [
    ("410000000000", "河南省", ""),
    ("410100", "郑州市", "410000"),
    ("410102", "中原区", "410100"),
    ("410102001", "林山寨街道", "410102"),
    ("410102001001", "建设路社区", "410102001000"),
]


def test_the_division_table_imports_with_levels_from_the_codes():
    result = import_regions(GOOD_ROWS)
    assert not result.has_errors() and not result.has_validation_errors()
    levels = dict(Region.objects.filter(code__startswith="41").values_list("code", "level"))
    assert levels == {"410000000000": 1, "410100000000": 2, "410102000000": 3, "410102001000": 4, "410102001001": 5}
    assert Region.objects.get(code="410102001001").parent.name == "林山寨街道"


def test_reimporting_the_table_updates_names_without_duplicates():
    import_regions(GOOD_ROWS)
    renamed = [*GOOD_ROWS[:-1], ("410102001001", "建设路社区居委会", "410102001000")]
    result = import_regions(renamed)
    assert not result.has_validation_errors()
    assert Region.objects.filter(code__startswith="41").count() == 5
    assert Region.objects.get(code="410102001001").name == "建设路社区居委会"


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (("410102001002", "未知上级社区", "410102009000"), "上级区划代码 410102009000 不存在"),
        (("4101020010", "位数不对", "410102001000"), "有 10 位，应为 12 位"),
        (("410102001001", "重复社区", "410102001000"), "在文件中重复出现（第 5 行已有）"),
        (("410103001001", "挂错上级", "410102001000"), "不是 410103001001 的上级"),
        (("410102001003", "", "410102001000"), "名称不能为空"),
    ],
)
def test_one_bad_row_is_reported_in_chinese_and_nothing_is_committed(bad_row, message):
    result = import_regions([*GOOD_ROWS, bad_row])
    errors = row_errors(result)
    assert list(errors) == [6], errors
    assert message in errors[6]
    assert not Region.objects.filter(code__startswith="41").exists()


def test_the_admin_import_shows_row_errors_and_commits_nothing(client, officer):
    before = Region.objects.count()
    client.force_login(officer)
    data = tablib.Dataset(("370303001009", "某社区", "370399001000"), headers=HEADERS).export("csv")
    response = client.post(
        "/admin/portal/region/import/",
        {"import_file": SimpleUploadedFile("regions.csv", data.encode("utf-8")), "format": "0"},
    )
    assert response.status_code == 200
    assert "上级区划代码 370399001000 不存在" in response.content.decode()
    assert Region.objects.count() == before


def test_the_admin_export_lists_codes_and_parent_codes(client, officer):
    client.force_login(officer)
    response = client.post("/admin/portal/region/export/", {"format": "0", "resource": "0", **{
        f"regionresource_{name}": "on" for name in ("code", "name", "parent")
    }})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "370303001001,华光路社区,370303001000" in text


POINT_HEADERS = ("name", "kind", "region_code", "address", "phone", "opening_hours", "services", "latitude", "longitude", "active")


def test_service_points_import_with_chinese_kinds_and_service_names(demo_network):
    dataset = tablib.Dataset(
        ("华光路卫生室", "定点医疗机构", "370303001001", "华光路 8 号", "0533-1234567", "全天", "参保登记、缴费", "36.8", "118.05", "1"),
        headers=POINT_HEADERS,
    )
    result = ServicePointResource().import_data(dataset, rollback_on_validation_errors=True)
    assert not result.has_validation_errors(), row_errors(result)
    point = ServicePoint.objects.get(name="华光路卫生室")
    assert point.kind == ServicePoint.Kind.HOSPITAL
    assert set(point.services.values_list("name", flat=True)) == {"参保登记", "缴费"}


@pytest.mark.parametrize(
    ("kind", "services", "message"),
    [
        ("卫生院", "缴费", "网点类型“卫生院”无效"),
        ("定点零售药店", "缴费、报销", "未知的服务事项：报销"),
    ],
)
def test_service_point_rows_with_unknown_values_commit_nothing(demo_network, kind, services, message):
    before = ServicePoint.objects.count()
    dataset = tablib.Dataset(
        ("新网点", kind, "370303001001", "", "", "", services, "", "", "1"), headers=POINT_HEADERS
    )
    result = ServicePointResource().import_data(dataset, rollback_on_validation_errors=True)
    assert message in row_errors(result)[1]
    assert ServicePoint.objects.count() == before


def test_exported_cells_that_look_like_formulas_are_neutralised(demo_network):
    point = ServicePoint.objects.get(name="华光路社区医保服务点")
    point.address = "=HYPERLINK(\"http://evil\")"
    point.save()
    exported = ServicePointResource().export(ServicePoint.objects.filter(pk=point.pk))
    assert exported.dict[0]["地址"] == "'=HYPERLINK(\"http://evil\")"
    assert io.StringIO(exported.csv).read().count("'=HYPERLINK") == 1
