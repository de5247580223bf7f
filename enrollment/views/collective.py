"""Station pages of 集体代缴: choose a group (a roll import, or a village's unpaid people of a
year), confirm the count and the total, then the result with every person's receipt.

A roll can hold a few thousand people. Up to CHECKBOXES_UP_TO the clerk ticks people off one by
one; above that the page pays for everyone of the group still unpaid and shows the list page by
page for checking: thousands of boxes are unusable on screen, and a school or a village committee
that pays for its roll pays for all of it. Whoever pays on their own meanwhile drops out of the
group by itself; anyone else is left out by narrowing the group (a roll by village).
"""

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from enrollment import selectors
from enrollment.collection.collective import collective_payment_record, collective_total
from enrollment.forms import VillageChoiceField, villages_in_scope
from enrollment.models import CollectivePayment, Enrollment, Payment, RollImport
from enrollment.views.station import add_service_errors
from portal.accounts.scopes import clerk_required
from portal.network.codes import Level
from portal.network.models import Region
from portal.privacy.models import access_log_page, access_log_write
from portal.shared.money import yuan_in_capitals
from portal.web.pagination import keyset_page

CHECKBOXES_UP_TO = 200
RECENT_ROLLS = 20
RECENT_PAYMENTS = 10
# By village, then name: the order of the roll's own sheet and of the printed list.
GROUP_ORDER = ("region__code", "resident__name", "pk")
PAYMENT_ORDER = ("enrollment__region__code", "enrollment__resident__name", "pk")
# A group larger than any township's population is no form a page made.
MAX_IDS = 50_000


def rolls_in(scope: Region):
    """Roll imports with someone of the scope on them: a village clerk sees their villagers of a
    township's roll, and only them."""
    return RollImport.objects.filter(Exists(Enrollment.objects.within(scope).filter(roll_import=OuterRef("pk"))))


def unpaid_in(scope: Region):
    """Enrollments a collective payment can be taken for: active, unpaid, something due."""
    return Enrollment.objects.within(scope).unpaid().filter(payable__gt=0)


class GroupForm(forms.Form):
    """Which group: a roll (optionally one village of it), or a village and a year."""

    roll = forms.ModelChoiceField(
        label="导入名单", queryset=RollImport.objects.none(), required=False, empty_label="请选择导入名单",
        error_messages={"invalid_choice": "这份名单不在您的管辖范围内或已不存在，请从列表中选择。"},
    )
    village = VillageChoiceField(
        label="村(社区)", queryset=Region.objects.none(), required=False, to_field_name="code",
        empty_label="请选择村(社区)", error_messages={"invalid_choice": "请从列表中选择本辖区的村(社区)。"},
    )
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False,
                                  error_messages={"invalid_choice": "这个年度没有公布缴费标准，请从列表中选择。"})

    def __init__(self, *args, scope: Region, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["roll"].queryset = rolls_in(scope)
        # Validation accepts any roll of the scope (a result page links to its own); the list
        # offers the recent ones, with what is still unpaid of each.
        self.fields["roll"].choices = [("", "请选择导入名单")] + [
            (roll.pk, f"{roll.filename}（{roll.year} 年度，{roll.imported_at:%Y-%m-%d}，未缴费 {roll.unpaid} 人）")
            for roll in _recent_rolls(scope)
        ]
        self.fields["village"].queryset = villages_in_scope(scope)
        self.fields["year"].choices = [(year, f"{year} 年度") for year in years]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("roll") is None and data.get("village") is None:
            if self.scope.level != Level.VILLAGE:
                raise ValidationError("请选择一份导入名单，或选择村(社区)和年度。")
            data["village"] = self.scope  # a village clerk has one village to choose
        if not self.errors and data.get("roll") is None and not data.get("year"):
            raise ValidationError("请选择年度。")
        return data


def _recent_rolls(scope: Region):
    unpaid = (unpaid_in(scope).filter(roll_import=OuterRef("pk")).order_by().values("roll_import")
              .annotate(people=Count("pk")).values("people"))
    return (rolls_in(scope).annotate(unpaid=Coalesce(Subquery(unpaid, output_field=IntegerField()), 0))
            .order_by("-imported_at", "-pk")[:RECENT_ROLLS])


@dataclass(frozen=True)
class Group:
    year: int
    roll: RollImport | None
    village: Region | None

    @classmethod
    def chosen(cls, form: GroupForm) -> "Group":
        data = form.cleaned_data
        roll = data.get("roll")
        return cls(year=roll.year if roll else data["year"], roll=roll, village=data.get("village"))

    def rows(self, scope: Region):
        rows = unpaid_in(self.village or scope).filter(year=self.year)
        return rows.filter(roll_import=self.roll) if self.roll else rows

    @property
    def title(self) -> str:
        where = f"{self.village.name}" if self.village else ""
        if self.roll:
            return f"导入名单“{self.roll.filename}”{f'（{where}）' if where else ''}"
        return where

    @property
    def params(self) -> dict:
        if self.roll:
            return {"roll": self.roll.pk, **({"village": self.village.code} if self.village else {})}
        return {"village": self.village.code, "year": self.year}


class RecordForm(forms.Form):
    payer_name = forms.CharField(
        label="代缴单位", max_length=100, widget=forms.TextInput(attrs={"placeholder": "如：淄博市张店区实验小学"}),
        error_messages={"required": "请填写代缴单位，如“淄博市张店区实验小学”或“某某村村民委员会”。",
                        "max_length": "代缴单位名称不能超过 100 个字，请写单位的规范简称。"},
    )
    method = forms.ChoiceField(label="缴费方式", choices=Payment.Method.at_the_counter, widget=forms.RadioSelect,
                               error_messages={"required": "请选择缴费方式。", "invalid_choice": "请选择缴费方式。"})
    confirmed_total = forms.DecimalField(
        label="实收合计（元）", max_digits=14, decimal_places=2, min_value=0,
        help_text="请输入代缴单位实际交来的金额，须与上面的应缴合计一致。",
        error_messages={"required": "请输入实收合计金额，核对与应缴合计一致后再确认。",
                        "invalid": "实收合计请填写金额数字，如 12300.00。",
                        "min_value": "实收合计不能为负数。",
                        "max_digits": "实收合计金额过大，请核对。", "max_decimal_places": "金额最多保留两位小数（到分）。"},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    token = forms.UUIDField(widget=forms.HiddenInput,
                            error_messages={"invalid": "页面已过期，请回到“集体代缴”重新选择名单。"})
    ids = forms.CharField(widget=forms.HiddenInput,
                          error_messages={"required": "页面已过期，请回到“集体代缴”重新选择名单。"})

    def clean_ids(self) -> list[int]:
        parts = self.cleaned_data["ids"].split(",")
        if len(parts) > MAX_IDS or not all(part.isascii() and part.isdigit() and len(part) <= 18 for part in parts):
            raise ValidationError("页面已过期，请回到“集体代缴”重新选择名单。")
        return [int(part) for part in parts]


def _group_form(request: HttpRequest, data) -> GroupForm:
    years = selectors.collection_years(request.scope)
    initial = {"year": selectors.year_that_matters(request.scope, timezone.localdate())}
    return GroupForm(data, scope=request.scope, years=years, initial=initial)


@clerk_required
@require_GET
def collective_select(request: HttpRequest) -> HttpResponse:
    """The group chooser; once a group is chosen, its unpaid people with the payable of each."""
    chosen = bool({"roll", "village", "year"} & set(request.GET))
    form = _group_form(request, request.GET if chosen else None)
    context = {"form": form, "checkboxes_up_to": CHECKBOXES_UP_TO, "villages_to_choose": request.scope.level < Level.VILLAGE,
               "has_rolls": len(form.fields["roll"].choices) > 1,
               "recent": CollectivePayment.objects.visible_to(request.user).order_by("-recorded_at")[:RECENT_PAYMENTS]}
    if chosen and form.is_valid():
        group = Group.chosen(form)
        rows = group.rows(request.scope).select_related("resident", "region")
        people, total = collective_total(rows)
        boxes = people <= CHECKBOXES_UP_TO
        page = keyset_page(rows, ordering=GROUP_ORDER, keys=Enrollment.objects.within(request.scope),
                           params=request.GET, per_page=CHECKBOXES_UP_TO if boxes else 50)
        access_log_page(request=request, action="view_collective_group",
                        what=f"集体代缴 {group.year} 年度{group.title}未缴费人员", page=page)
        context.update(group=group, people=people, total=total, page=page, boxes=boxes,
                       query=urlencode(group.params))
    return render(request, "enrollment/collection/collective_select.html", context)


@clerk_required
@require_POST
def collective_confirm(request: HttpRequest) -> HttpResponse:
    """Review (the people chosen, counted and totalled) then record, both by POST: the record
    form carries its token, so a second click or a retry records nothing twice."""
    form = _group_form(request, request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect("station:collective")
    group = Group.chosen(form)
    back = f"{reverse('station:collective')}?{urlencode(group.params)}"
    if request.POST.get("action") == "record":
        return _record(request, group, back)
    rows = group.rows(request.scope)
    if request.POST.get("whole") != "1":
        ticked = [int(value) for value in request.POST.getlist("enrollment") if value.isascii() and value.isdigit()
                  and len(value) <= 18]
        rows = rows.filter(pk__in=ticked)
    ids = sorted(rows.values_list("pk", flat=True))
    if not ids:
        messages.error(request, "没有选择任何人员：请至少勾选一名未缴费人员。")
        return redirect(back)
    record = RecordForm(initial={"ids": _joined(ids), "token": uuid.uuid4(), "method": Payment.Method.CASH})
    return _confirm_page(request, group, record, back, ids)


def _record(request: HttpRequest, group: Group, back: str) -> HttpResponse:
    record = RecordForm(request.POST)
    if record.is_valid():
        data = record.cleaned_data
        try:
            collective = collective_payment_record(
                enrollment_ids=data["ids"], payer_name=data["payer_name"], method=data["method"],
                confirmed_total=data["confirmed_total"], token=data["token"], clerk=request.user,
                roll_import=group.roll,
            )
        except ValidationError as error:
            add_service_errors(record, error)
        else:
            access_log_write(request=request, action="record_collective_payment", detail=(
                f"集体代缴 {collective.payer_name} {collective.year} 年度 {collective.people} 人 {collective.total} 元"
            ))
            messages.success(request, (
                f"已记录 {collective.payer_name} 集体代缴 {collective.people} 人，合计 {collective.total} 元，每人一张收据。"
            ))
            return redirect("station:collective_detail", pk=collective.pk)
    if "ids" in record.errors or "token" in record.errors:
        messages.error(request, "页面已过期，请重新选择名单。")
        return redirect(back)
    # Refused: the form again for the people who can still be paid for, under a new token (the
    # refused submit recorded nothing). A changed group empties the total the clerk confirmed.
    asked = record.cleaned_data["ids"]
    rows = group.rows(request.scope).filter(pk__in=asked)
    ids = sorted(rows.values_list("pk", flat=True))
    record.data = record.data.copy()
    record.data["ids"], record.data["token"] = _joined(ids), str(uuid.uuid4())
    if ids != asked:
        record.data["confirmed_total"] = ""
    return _confirm_page(request, group, record, back, ids, status=400, updated=ids != asked)


def _confirm_page(request: HttpRequest, group: Group, record: RecordForm, back: str, ids: list[int],
                  status: int = 200, updated: bool = False) -> HttpResponse:
    people, total = collective_total(group.rows(request.scope).filter(pk__in=ids))
    access_log_write(request=request, action="view_collective_group",
                     detail=f"集体代缴核对 {group.year} 年度{group.title}：{people} 人")
    context = {"group": group, "record": record, "people": people, "total": total, "back": back, "updated": updated,
               "total_in_capitals": yuan_in_capitals(total)}
    return render(request, "enrollment/collection/collective_confirm.html", context, status=status)


def _joined(ids: list[int]) -> str:
    return ",".join(map(str, ids))


@clerk_required
def collective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The recorded payment: who paid, how much, and each person with their receipt; with
    ``?print=1`` the whole list on one page to print for the payer."""
    collective = get_object_or_404(
        CollectivePayment.objects.visible_to(request.user).select_related("region", "recorded_by", "taken_at", "roll_import"),
        pk=pk,
    )
    payments = (Payment.objects.visible_to(request.user).filter(collective=collective)
                .select_related("enrollment__resident", "enrollment__region"))
    context = {"collective": collective, "total_in_capitals": yuan_in_capitals(collective.total)}
    what = f"集体代缴 {collective.payer_name} {collective.year} 年度"
    if request.GET.get("print") == "1":
        rows = list(payments.order_by(*PAYMENT_ORDER))
        access_log_write(request=request, action="view_collective_payment", detail=f"打印{what}清单：{len(rows)} 人")
        return render(request, "enrollment/collection/collective_print.html", {**context, "rows": rows})
    page = keyset_page(payments, ordering=PAYMENT_ORDER, keys=Payment.objects.visible_to(request.user),
                       params=request.GET)
    access_log_page(request=request, action="view_collective_payment", what=what, page=page)
    return render(request, "enrollment/collection/collective_detail.html", {**context, "page": page})
