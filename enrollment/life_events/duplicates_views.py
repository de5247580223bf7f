"""Station pages of duplicate enrollments (重复参保): the open ones of the clerk's scope, found by
an import of a list of people insured elsewhere, and resolving one (退费注销 or 核实保留,
enrollment/life_events/duplicates.py). The link in the station navigation counts the open ones.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from enrollment.life_events.duplicates import CANCEL, KEEP, NOTE_LENGTH, duplicate_resolve
from enrollment.life_events.models import DuplicateEnrollment
from portal.accounts.scopes import scope_required, staff_scope
from portal.privacy.models import access_log_page, access_log_write
from portal.web.pagination import keyset_page

PERMISSION = "enrollment.resolve_duplicate"
resolver_required = scope_required(PERMISSION, refused="只有医保工作站经办人员可以处理重复参保。")
# The longest-waiting first; the id makes each place unique, which keyset pagination needs.
ORDER = ("pk",)


class DuplicateResolveForm(forms.Form):
    action = forms.ChoiceField(choices=[(CANCEL, "退费注销"), (KEEP, "核实保留")],
                               error_messages={"required": "请选择处理方式。", "invalid_choice": "请选择处理方式。"})
    note = forms.CharField(label="处理说明", max_length=NOTE_LENGTH, required=False,
                           error_messages={"max_length": f"处理说明最多 {NOTE_LENGTH} 个字。"})


def station_nav_links(request: HttpRequest) -> list[tuple[str, str]]:
    """重复参保 for the clerks who resolve them. No count: every station page would pay for it
    (23 to 43 ms at a million residents, benchmarks/README.md); the list says how many wait."""
    user = getattr(request, "user", None)
    if staff_scope(user) is None or not user.has_perm(PERMISSION):
        return []
    return [(reverse("station:duplicates"), "重复参保")]


@resolver_required
def duplicate_list(request: HttpRequest) -> HttpResponse:
    visible = DuplicateEnrollment.objects.visible_to(request.user)
    duplicates = visible.open().select_related("enrollment__resident", "enrollment__region", "found_in")
    page = keyset_page(duplicates, ordering=ORDER, keys=visible, params=request.GET)
    access_log_page(request=request, action="view_duplicates", what="重复参保待处理", page=page)
    return render(request, "enrollment/life_events/duplicate_list.html", {"page": page, "note_length": NOTE_LENGTH})


@resolver_required
@require_POST
def duplicate_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    duplicate = get_object_or_404(DuplicateEnrollment.objects.visible_to(request.user)
                                  .select_related("enrollment__resident"), pk=pk)
    resident = duplicate.enrollment.resident
    form = DuplicateResolveForm(request.POST)
    access_log_write(request=request, action="resolve_duplicate", subject_digest=resident.id_digest,
                     detail=f"处理重复参保（{duplicate.enrollment.year} 年度）")
    who = f"{resident.name}（{resident.id_masked}）{duplicate.enrollment.year} 年度"
    if not form.is_valid():
        messages.error(request, f"{who}：" + "；".join(message for errors in form.errors.values() for message in errors))
        return redirect("station:duplicates")
    try:
        done = duplicate_resolve(duplicate=duplicate, action=form.cleaned_data["action"],
                                 note=form.cleaned_data["note"], clerk=request.user, now=timezone.now())
    except ValidationError as error:
        messages.error(request, f"{who}：{'；'.join(error.messages)}")
        return redirect("station:duplicates")
    if done.status == DuplicateEnrollment.Status.CHECKED:
        messages.success(request, f"{who}：已核实保留本地参保。")
    elif hasattr(done.enrollment, "refund") and not done.enrollment.refund.is_approved:
        messages.success(request, f"{who}：已申请退还个人缴费 {done.enrollment.refund.amount} 元，"
                                  "由县(区)医保局工作人员审批后注销参保登记。")
    else:
        messages.success(request, f"{who}：个人未缴费，参保登记已注销。")
    return redirect("station:duplicates")
