"""Every officers' import page of django-import-export answers a bad file in Chinese: a missing
column, a file in another encoding, rows that fail their checks; never the library's English
or its traceback (the portal's own translations: portal/locale/zh_Hans)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.test_no_full_id_numbers import url_patterns

pytestmark = pytest.mark.django_db

ENGLISH_SENTENCE = re.compile(r"[A-Za-z']{3,}(?: [A-Za-z'_]{2,}){3,}")
FILES = {
    # The library's answer, or the portal's own reader's (portal/spreadsheets/reading.py) on the
    # import pages that read files with it (the tax office's payments).
    "a missing column": ("名单.csv", "foo,bar\n1,2\n".encode("utf-8-sig"), ["文件缺少列", "表头缺少"]),
    # The portal's form refuses it first, or the library's reader (each in Chinese).
    "another encoding": ("名单.csv", "\xff\xfe\x00b\x00a\x00d".encode("latin-1"),
                         ["文件内容不是 csv 文本", "无法读取这个文件", "不是文本格式", "无法识别 CSV 文件的编码"]),
}


def import_pages() -> list[str]:
    return sorted(name for name, params in url_patterns().items()
                  if name.startswith("admin:") and name.endswith("_import") and not name.endswith("_process_import")
                  and not params
                  and name.split(":")[1].startswith(("portal_", "enrollment_", "benefits_")))


def visible_text(response) -> str:
    # The format menu's names (csv xlsx …) are file types, not words; scripts and styles are not read.
    body = re.sub(r"<(script|style|select)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_the_import_pages_are_found():
    assert {"admin:portal_region_import", "admin:enrollment_contributionstandard_import"} <= set(import_pages())


@pytest.mark.parametrize("what", FILES)
def test_every_import_page_answers_a_bad_file_in_chinese(officer_client, what):
    name, content, expected = FILES[what]
    for page in import_pages():
        # The library's pages take the file as import_file, the portal's own import pages as file.
        # The list of people insured elsewhere also asks whose list it is.
        response = officer_client.post(reverse(page), {"format": "0", "import_file": SimpleUploadedFile(name, content),
                                                       "file": SimpleUploadedFile(name, content), "dry_run": "on",
                                                       "scheme": "employee", "source": "淄博市职工医保经办机构"})
        text = visible_text(response)
        assert response.status_code == 200, page
        assert any(message in text for message in expected), (page, text[-300:])
        assert "Traceback" not in text and "import_export" not in text, page
        assert not ENGLISH_SENTENCE.search(text), (page, ENGLISH_SENTENCE.search(text)[0])


def test_rows_that_fail_their_checks_are_listed_in_chinese(officer_client):
    upload = SimpleUploadedFile("区划.csv", "code,name,parent_code\n370303001001,改名,\n".encode("utf-8-sig"))
    text = visible_text(officer_client.post(reverse("admin:portal_region_import"),
                                            {"format": "0", "import_file": upload}))
    assert "有些行没有通过检查，整个文件都没有导入" in text and "每个区划都要有上级区划" in text
    assert not ENGLISH_SENTENCE.search(text), ENGLISH_SENTENCE.search(text)[0]
