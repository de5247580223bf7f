"""Department identity lists (民政, 乡村振兴): read a CSV or XLSX file, check every row, then
write all of it or nothing (DESIGN.md sections 8 and 10).

The admin's import page and the ``import_identities`` command share this module. Rows are
matched to residents by the ID digest only, never by name: an import reports who is not
registered yet and never guesses.
"""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from assistance.identities.services import categories_refresh
from assistance.models import CATEGORIES_OF_DEPARTMENT, AssistanceIdentity, Department, IdentityImport
from enrollment.models import Resident
from portal.privacy.id_numbers import IdNumberError, parse_id_number
from portal.privacy.id_vault import id_digest, id_encrypt
from portal.shared.vocabulary import AssistanceCategory
from portal.spreadsheets.reading import TableError, cell_text, table_records, table_rows

COLUMNS = ("身份证号", "姓名", "困难类别", "认定部门", "认定文号", "有效期起", "有效期止")
NAME_LENGTH = AssistanceIdentity._meta.get_field("name").max_length
DOCUMENT_LENGTH = AssistanceIdentity._meta.get_field("document_number").max_length
DEPARTMENTS = {text: member for member in Department for text in (member.value, member.label, f"{member.label}部门")}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
CHUNK = 2000

ListFileError = TableError  # a list that cannot be read; the message says what to fix


@dataclass(frozen=True)
class IdentityRow:
    row: int  # spreadsheet numbering: the header is row 1
    id_number: str
    name: str
    category: str
    department: str
    document_number: str
    valid_from: object
    valid_to: object


@dataclass(frozen=True)
class RowError:
    row: int | None
    message: str


@dataclass
class _Checked:
    row: int
    number: str
    masked: str
    digest: str
    name: str
    category: AssistanceCategory
    department: Department
    document_number: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class Unregistered:
    """A person of the list not registered as a resident (masked: the page shows it)."""

    row: int
    id_masked: str
    name: str


@dataclass
class IdentityImportReport:
    """The counts describe the rows that passed the checks; ``committed`` says whether they
    were written (never when any row was refused, never on a dry run). ``duplicates`` are rows
    of a person and category already on an earlier row: taken as that row's identity."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    matched_residents: int = 0
    unregistered: int = 0
    errors: list[RowError] = field(default_factory=list)
    duplicates: list[RowError] = field(default_factory=list)
    unregistered_people: list[Unregistered] = field(default_factory=list)
    committed: bool = False
    source: IdentityImport | None = None

    def as_json(self) -> dict:
        """Exactly the shape the command's ``--json`` promises."""
        return {
            "rows": self.rows, "created": self.created, "updated": self.updated,
            "matched_residents": self.matched_residents, "unregistered": self.unregistered,
            "errors": [asdict(error) for error in self.errors],
            "duplicates": [asdict(duplicate) for duplicate in self.duplicates],
        }


# -- Reading ---------------------------------------------------------------------------------

def read_identity_list(source, filename: str | None = None) -> list[IdentityRow]:
    """Rows of a CSV or XLSX list; ``source`` is a path or an open binary file. Raises
    ``ListFileError`` for a file that cannot be read."""
    rows = []
    for number, cells in table_rows(table_records(source, filename), COLUMNS):
        texts = [cell_text(cell) for cell in cells[:5]]
        if isinstance(cells[0], int | float):
            texts[0] = "EXCEL_NUMBER"
        rows.append(IdentityRow(number, *texts, cells[5], cells[6]))
    if not rows:
        raise ListFileError("文件中只有表头，没有要导入的人员")
    return rows


# -- Checking --------------------------------------------------------------------------------

def _date(value, label: str) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{label}“{text}”不是有效日期，请写成 2022-01-01 的形式")


def _check_row(row: IdentityRow, today: date) -> _Checked:
    """One row's own fields; raises ValueError with the Chinese reason."""
    if row.id_number == "EXCEL_NUMBER":
        raise ValueError("身份证号被 Excel 存成了数字，后几位已丢失；请把这一列设为“文本”格式后重新填写")
    try:
        parsed = parse_id_number(row.id_number, today=today)
    except IdNumberError as error:
        raise ValueError(f"身份证号有误：{error.message}") from error
    if not row.name:
        raise ValueError("姓名不能为空")
    if len(row.name) > NAME_LENGTH:
        raise ValueError(f"姓名超过 {NAME_LENGTH} 个字")
    try:
        category = AssistanceCategory.from_label_or_code(row.category)
    except ValueError:
        choices = "、".join(member.label for member in AssistanceCategory)
        raise ValueError(f"困难类别“{row.category}”无效，可选：{choices}") from None
    department = DEPARTMENTS.get(row.department)
    if department is None:
        raise ValueError(f"认定部门“{row.department}”无效，可选：{'、'.join(Department.labels)}")
    if category not in CATEGORIES_OF_DEPARTMENT[department]:
        raise ValueError(f"{department.label}部门不认定“{category.label}”，请核对困难类别或认定部门")
    if not row.document_number:
        raise ValueError("认定文号不能为空")
    if len(row.document_number) > DOCUMENT_LENGTH:
        raise ValueError(f"认定文号超过 {DOCUMENT_LENGTH} 个字")
    valid_from = _date(row.valid_from, "有效期起")
    if valid_from is None:
        raise ValueError("有效期起不能为空")
    valid_to = _date(row.valid_to, "有效期止")
    if valid_to is not None and valid_to < valid_from:
        raise ValueError(f"有效期止 {valid_to} 早于有效期起 {valid_from}")
    return _Checked(
        row=row.row, number=parsed.number, masked=parsed.masked, digest=id_digest(parsed.number),
        name=row.name, category=category, department=department, document_number=row.document_number,
        valid_from=valid_from, valid_to=valid_to,
    )


def _period(item: _Checked) -> str:
    return f"{item.valid_from} 至 {item.valid_to or '长期'}"


def _check(rows: list[IdentityRow], today: date) -> tuple[list[_Checked], list[RowError], list[RowError]]:
    """The rows that pass, the refused ones, and the repeats of a person, category and validity
    already on an earlier row (one identity: the first row's). One list gives a person one
    category and one period: the same person under two of either is refused, naming both rows."""
    checked, errors, duplicates = [], [], []
    first: dict[str, _Checked] = {}
    for row in rows:
        try:
            item = _check_row(row, today)
        except ValueError as error:
            errors.append(RowError(row.row, str(error)))
            continue
        earlier = first.get(item.digest)
        if earlier is None:
            first[item.digest] = item
            checked.append(item)
        elif earlier.category == item.category and (earlier.valid_from, earlier.valid_to) == (item.valid_from, item.valid_to):
            duplicates.append(RowError(row.row, f"与第 {earlier.row} 行是同一人、同一困难类别，按第 {earlier.row} 行导入一条身份"))
        elif earlier.category == item.category:
            # Two periods of one category: the days between them decide a settlement's assistance,
            # so neither is dropped silently.
            errors.append(RowError(row.row, (
                f"与第 {earlier.row} 行是同一人、同一困难类别，有效期却不同（第 {earlier.row} 行 {_period(earlier)}，"
                f"本行 {_period(item)}）；请合并为一行，或把两个有效期分在两份名单中导入"
            )))
        else:
            errors.append(RowError(row.row, (
                f"与第 {earlier.row} 行是同一人，困难类别却不同（第 {earlier.row} 行“{earlier.category.label}”，"
                f"本行“{item.category.label}”）；一份名单中一人只能有一个困难类别，请核对这两行"
            )))
    return checked, errors, duplicates


# -- Writing ---------------------------------------------------------------------------------

_COMPARED = ("name", "department", "valid_from", "valid_to")


def identities_import(
    *, rows: list[IdentityRow], file_name: str, officer, dry_run: bool, today: date | None = None
) -> IdentityImportReport:
    """Check every row; write all of them only when none is refused and this is not a dry run.

    A row that matches an existing identity (same person, category and document number) updates
    it; if anything changed the identity goes back to pending, since an officer must confirm
    what the department now says. An unchanged row leaves its identity alone, revoked or not."""
    today = today or timezone.localdate()
    report = IdentityImportReport(rows=len(rows))
    checked, report.errors, report.duplicates = _check(rows, today)
    digests = {item.digest for item in checked}
    registered, existing = set(), {}
    ordered = sorted(digests)
    for start in range(0, len(ordered), CHUNK):  # within every database's parameter limit
        chunk = ordered[start:start + CHUNK]
        registered.update(Resident.objects.filter(id_digest__in=chunk).values_list("id_digest", flat=True))
        for identity in AssistanceIdentity.objects.filter(id_digest__in=chunk):
            existing[(identity.id_digest, identity.category, identity.document_number)] = identity
    report.matched_residents = len(registered)
    report.unregistered = len(digests - registered)
    report.unregistered_people = [
        Unregistered(item.row, item.masked, item.name) for item in checked if item.digest not in registered
    ]
    plans = []
    for item in checked:
        identity = existing.get((item.digest, item.category.value, item.document_number))
        if identity is None:
            report.created += 1
            plans.append((item, None))
        elif any(getattr(identity, name) != getattr(item, name) for name in _COMPARED):
            report.updated += 1
            plans.append((item, identity))
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        source = IdentityImport.objects.create(
            file_name=file_name[:255], imported_by=officer, rows=report.rows, created=report.created,
            updated=report.updated, matched_residents=report.matched_residents, unregistered=report.unregistered,
        )
        for item, identity in plans:
            _write(item, identity, source, officer)
        # An update may have set a verified identity back to pending: its category goes too.
        categories_refresh(digests=[item.digest for item, identity in plans if identity is not None], on=today)
    report.committed, report.source = True, source
    return report


def _write(item: _Checked, identity: AssistanceIdentity | None, source: IdentityImport, officer) -> None:
    if identity is None:
        identity = AssistanceIdentity(
            id_number_encrypted=id_encrypt(item.number), id_digest=item.digest, id_masked=item.masked,
            category=item.category.value, document_number=item.document_number,
        )
    identity.name, identity.department = item.name, item.department.value
    identity.valid_from, identity.valid_to = item.valid_from, item.valid_to
    identity.status = AssistanceIdentity.Status.PENDING
    identity.verified_by = identity.verified_at = None
    identity.revoked_by = identity.revoked_at = None
    identity.revoke_reason = ""
    identity.source, identity.imported_by = source, officer
    identity._change_reason = f"名单导入：{source.file_name} 第 {item.row} 行"
    identity.save()
