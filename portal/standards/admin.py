"""Admin of versioned standards (portal.standards.versioned), for every app that has them.

An app's admin subclasses ``VersionedStandardAdmin`` (or combines ``VersionedStandardAdminMixin``
with its own ModelAdmin), puts ``VERSION_FIELDSET`` first in its fieldsets, and shows the parts
of a revision with a ``StandardPartInline``. A published revision is then read-only and cannot be
deleted; 发布 and 新建修订版 are buttons on the change page and actions on the list; history comes
from simple_history; import and export use the resources of portal.standards.resources.

An officer sees the standards of the pooling regions inside their scope and of the city their
scope lies in (a county officer reads their city's standards); superusers see all.
"""

import copy
from functools import cache
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from portal.accounts.admin_site import error_text
from portal.accounts.branches import branch_writable, may_write
from portal.accounts.scopes import staff_scope
from portal.network.codes import Level, RegionCodeError, pooling_region_code
from portal.privacy.admin_mixins import ScopedHistoryMixin
from portal.spreadsheets.admin_base import PortalImportExportAdmin
from portal.standards.changes import changes_between, compared_with, revision_changes
from portal.standards.cycle import moved, year_parts, year_start
from portal.standards.versioned import (
    PublishedStandardError,
    RevisionConflict,
    VersionedStandard,
    revision_conflicts,
    standard_publish,
    standard_revise,
)

# Shown first on every standard's page; apps add their own fieldsets after it.
VERSION_FIELDSET = (
    "版本",
    {"fields": [("year", "region"), ("revision", "status"), "effective_from", "superseded_revision",
                ("published_at", "published_by"), "notes"]},
)
VERSION_READONLY_FIELDS = ("revision", "status", "superseded_revision", "published_at", "published_by")


# --- Who may see which standards ---------------------------------------------------------------

def pooling_scope(user, lookup: str = "region") -> Q | None:
    """Rows whose pooling region (``lookup``, "" for Region itself) the user may see, or None."""
    if user.is_superuser:
        return Q()
    scope = staff_scope(user)
    if scope is None:
        return None
    code = f"{lookup}__code" if lookup else "code"
    visible = Q(**{f"{code}__startswith": scope.prefix})
    try:
        visible |= Q(**{code: pooling_region_code(scope.code)})
    except RegionCodeError:  # a province scope: every city is already under its prefix
        pass
    return visible


def scoped(queryset, user, lookup: str = "region"):
    visible = pooling_scope(user, lookup)
    return queryset.none() if visible is None else queryset.filter(visible)


def admin_link(obj, site_name: str = "admin"):
    opts = obj._meta
    url = reverse(f"{site_name}:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj)


def conflict_html(conflict: RevisionConflict, site_name: str = "admin"):
    if conflict.other is None:
        return conflict.message
    return format_html("{}（冲突的版本：{}）", conflict.message, admin_link(conflict.other, site_name))


# --- Pages that the stock admin templates lack --------------------------------------------------

CHANGE_FORM = """{% extends "admin/change_form.html" %}
{% block form_top %}{{ block.super }}{% include "admin/standards/revision_changes.html" %}{% endblock %}
{% block submit_buttons_bottom %}{{ block.super }}
{% if standard_can_publish %}<div class="submit-row">
  <label for="id_publish_reason">发布原因</label>
  <input type="text" name="publish_reason" id="id_publish_reason" maxlength="200" size="40">
  <input type="submit" name="_publish" value="保存并发布">
  <span class="help">保存后先列出与上一年度（或被修订版本）相比改变的金额和比例，确认后才发布。发布原因记入修改历史，例如“按淄医保发〔2022〕20号调整”。发布后这个版本不能再修改或删除，更正要新建修订版。</span></div>
{% elif standard_revise_url %}<div class="submit-row">
  <a class="button" href="{{ standard_revise_url }}">新建修订版</a>
  <a class="button" href="{{ standard_start_year_url }}">以此为基础新建下一年度</a>
  <span class="help">已发布的版本不能修改；修订版是它的草稿副本，从您填写的日期起生效。新建下一年度把这一年度的各项标准复制为下一年度的草稿。</span></div>
{% endif %}{% endblock %}"""

REVISE_PAGE = """{% extends "admin/base_site.html" %}{% load admin_urls %}
{% block breadcrumbs %}<div class="breadcrumbs">
<a href="{% url 'admin:index' %}">首页</a> ›
<a href="{% url opts|admin_urlname:'changelist' %}">{{ opts.verbose_name_plural }}</a> ›
<a href="{% url opts|admin_urlname:'change' original.pk|admin_urlquote %}">{{ original }}</a> › 新建修订版
</div>{% endblock %}
{% block content %}
<p>新建第 {{ original.revision|add:1 }} 版：复制第 {{ original.revision }} 版的全部内容（含明细）为草稿，
修改后发布。生效日期之前登记的仍按第 {{ original.revision }} 版计算。</p>
<form method="post" novalidate>{% csrf_token %}
{{ form.non_field_errors }}
{% for field in form %}<div class="form-row">{{ field.errors }}{{ field.label_tag }} {{ field }}
{% if field.help_text %}<div class="help">{{ field.help_text }}</div>{% endif %}</div>{% endfor %}
<div class="submit-row"><input type="submit" class="default" value="新建修订版">
<a class="closelink" href="{% url opts|admin_urlname:'change' original.pk|admin_urlquote %}">取消</a></div>
</form>{% endblock %}"""


class StartYearForm(forms.Form):
    """The new year, and each date of the year's standards (the collection window), moved on by
    default from the source year's."""

    year = forms.IntegerField(label="新年度", min_value=2000, max_value=2100,
                              error_messages={"required": "请填写新年度。", "invalid": "年度须为四位数字。"})

    def __init__(self, *args, standard: VersionedStandard, **kwargs):
        super().__init__(*args, **kwargs)
        self.standard = standard
        self.fields["year"].initial = standard.year + 1
        self.fields["year"].help_text = f"只能是 {standard.year + 1}：每次从上一年度新建下一年度，日期顺延一年。"
        self.date_fields = []
        for part in year_parts():
            model = getattr(part, "model", None)
            source = part.source(region=standard.region, year=standard.year) if model else None
            for field in model._meta.concrete_fields if model else ():
                if type(field) is not models.DateField or field.name == "effective_from":
                    continue
                self.date_fields.append(field.name)
                self.fields[field.name] = forms.DateField(
                    label=f"{model._meta.verbose_name}：{field.verbose_name}", input_formats=["%Y-%m-%d"],
                    # ISO, as a date input must hold it (the locale's 2022/09/01 would show empty).
                    widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                    initial=moved(getattr(source, field.name), 1) if source else None,
                    help_text="新年度的日期，格式 YYYY-MM-DD；默认为上一年度的日期顺延一年。",
                    error_messages={"required": "请填写这个日期。", "invalid": "日期格式须为 YYYY-MM-DD。"},
                )

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year != self.standard.year + 1:
            raise ValidationError(f"新年度只能是 {self.standard.year + 1}：从 {self.standard.year} 年度复制的是它的下一年度。")
        return year

    def overrides(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.date_fields}

    def initial_overrides(self) -> dict:
        return {name: self.fields[name].initial for name in self.date_fields}


class PublishActionForm(ActionForm):
    """The admin's action bar with the reason a publication asks for (kept in the history)."""

    reason = forms.CharField(label="发布原因", required=False, max_length=200)


@cache
def _template(source: str):
    return engines["django"].from_string(source)


class ReviseForm(forms.Form):
    effective_from = forms.DateField(
        label="生效日期", input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"}),
        help_text="这一天及以后登记的按修订版计算，格式 YYYY-MM-DD。",
        error_messages={"required": "请填写修订版的生效日期。", "invalid": "日期格式须为 YYYY-MM-DD。"},
    )

    def __init__(self, *args, standard: VersionedStandard, site_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.standard = standard
        self.site_name = site_name

    def clean(self):
        data = super().clean()
        following = getattr(self.standard, "superseded_by", None)
        if following is not None:
            raise ValidationError(format_html(
                "这个版本已被 {} 取代，请在最新版本上新建修订版。", admin_link(following, self.site_name)
            ))
        if data.get("effective_from"):
            draft = copy.copy(self.standard)
            draft.pk, draft.revision, draft.effective_from = None, self.standard.revision + 1, data["effective_from"]
            for conflict in revision_conflicts(draft):
                self.add_error("effective_from", conflict_html(conflict, self.site_name))
        return data


# --- The admin ----------------------------------------------------------------------------------

def _frozen(request, standard) -> bool:
    """A standard's rows stay as they are once it is published, and to officers below its region."""
    return standard is not None and (standard.is_published or not may_write(request.user, standard.region))


class _FrozenOncePublished:
    """What the standard's admin and its parts' admin share: no way around the freeze."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        # The bulk delete deletes by query, past the models' refusal to delete published rows.
        actions.pop("delete_selected", None)
        return actions

    def revert_disabled(self, request, obj=None) -> bool:
        # History is a record, not an undo button: a revert could rewrite a published revision.
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PublishedStandardError as error:  # published by someone else meanwhile
            self.message_user(request, error_text(error), messages.ERROR)
            return HttpResponseRedirect(request.path)


class VersionedStandardAdminMixin(_FrozenOncePublished):
    """Draft/published life of a VersionedStandard in the admin. Combine it with a ModelAdmin
    (``VersionedStandardAdmin`` is the ready-made combination with import/export and history)."""

    list_display = ["year", "region", "revision", "status", "effective_from", "published_at", "published_by"]
    list_display_links = ["year", "region"]
    list_filter = ["year", "status"]
    list_select_related = ["region", "published_by"]
    search_fields = ["region__name", "region__code", "notes"]
    actions = ["publish_selected", "revise_selected", "start_year_selected"]

    # --- permissions: a published revision is read-only and stays ---
    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user)

    # A county officer reads their city's standards; only the city's officers change them.
    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and (obj.is_published or not may_write(request.user, obj.region)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and (obj.is_published or not may_write(request.user, obj.region)):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj._change_reason = "在管理后台修改草稿" if change else "在管理后台新建草稿"
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj)) + list(VERSION_READONLY_FIELDS)
        if obj is not None and obj.supersedes_id:
            readonly += ["year", "region"]  # a revision belongs to the year and region it revises
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "region" and field is not None:
            # A new standard for a city the officer writes for: their own, or under their province.
            cities, writable = field.queryset.model.objects.filter(level=Level.CITY), branch_writable(request.user, "")
            field.queryset = cities.none() if writable is None else cities.filter(writable)
        return field

    @admin.display(description="取代的版本")
    def superseded_revision(self, obj):
        if obj is None or obj.supersedes_id is None:
            return "—"
        return admin_link(obj.supersedes, self.admin_site.name)

    # --- the form: conflicts with other revisions, linked ---
    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        site_name = self.admin_site.name

        class StandardForm(form_class):
            def clean(self):
                data = super().clean()
                candidate = copy.copy(self.instance)
                for name in ("year", "region", "effective_from"):
                    if name in data:
                        setattr(candidate, name, data[name])
                for conflict in revision_conflicts(candidate):
                    field = conflict.field if conflict.field in self.fields else None
                    self.add_error(field, conflict_html(conflict, site_name))
                return data

        return StandardForm

    # --- publishing ---
    def _publish(self, request, standard, reason: str) -> bool:
        if not reason.strip():
            self.message_user(request, format_html(
                "{} 没有发布：请写明发布原因（记入修改历史），例如依据的文件。", admin_link(standard, self.admin_site.name),
            ), messages.ERROR)
            return False
        if not may_write(request.user, standard.region):
            self.message_user(request, format_html(
                "{} 不能发布：它属于{}，不在您的管辖范围内。", admin_link(standard, self.admin_site.name),
                standard.region.name,
            ), messages.ERROR)
            return False
        conflicts = revision_conflicts(standard)
        if conflicts:
            for conflict in conflicts:
                self.message_user(request, format_html(
                    "{} 不能发布：{}", admin_link(standard, self.admin_site.name),
                    conflict_html(conflict, self.admin_site.name),
                ), messages.ERROR)
            return False
        try:
            standard = standard_publish(standard=standard, officer=request.user, reason=reason.strip())
        except ValidationError as error:
            self.message_user(request, format_html(
                "{} 不能发布：{}", admin_link(standard, self.admin_site.name), error_text(error)
            ), messages.ERROR)
            return False
        self.message_user(request, format_html("已发布 {}。", admin_link(standard, self.admin_site.name)),
                          messages.SUCCESS)  # the link names the revision and its state, now 已发布
        return True

    @admin.action(description="发布所选草稿（先核对与上一年度的差异）", permissions=["change"])
    def publish_selected(self, request, queryset):
        drafts = [standard for standard in queryset if not standard.is_published]
        if len(drafts) != 1:
            self.message_user(request, "请一次选择一个草稿发布：发布前要逐个核对它与上一年度（或被修订版本）的差异。",
                              messages.ERROR)
            return None
        return HttpResponseRedirect(self._publish_url(drafts[0], request.POST.get("reason", "")))

    def response_change(self, request, obj):
        if "_publish" in request.POST:  # saved; now the differences, then the confirmation
            return HttpResponseRedirect(self._publish_url(obj, request.POST.get("publish_reason", "")))
        return super().response_change(request, obj)

    def _publish_url(self, standard, reason: str) -> str:
        url = reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_publish", args=[standard.pk])
        return f"{url}?{urlencode({'reason': reason.strip()})}" if reason.strip() else url

    def publish_view(self, request, object_id):
        """What publishing changes (old → new, against the year before or the revision it
        supersedes), the checks that would refuse it, and the confirmation with its reason."""
        standard = self.get_object(request, unquote(object_id))
        if standard is None:
            raise Http404("没有这个版本。")
        change_url = reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
                             args=[standard.pk])
        if standard.is_published:
            self.message_user(request, f"{standard} 已经发布。", messages.WARNING)
            return HttpResponseRedirect(change_url)
        if not self.has_change_permission(request, standard):
            raise PermissionDenied(f"{standard.region.name}的标准由其医保部门发布。")
        if request.method == "POST":
            self._publish(request, standard, request.POST.get("reason", ""))
            return HttpResponseRedirect(change_url)
        problems = [conflict.message for conflict in revision_conflicts(standard)]
        try:
            standard.full_clean()
            standard.validate_for_publishing()
        except ValidationError as error:
            problems += error.messages
        earlier = compared_with(standard)
        context = {
            **self.admin_site.each_context(request), "title": f"发布 {standard}", "opts": self.opts,
            "original": standard, "earlier": earlier, "problems": problems,
            "changes": changes_between(earlier, standard) if earlier else [],
            "reason": request.GET.get("reason", ""),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/standards/publish.html", context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is not None:
            extra_context["revision_changes"] = revision_changes(obj) if obj.supersedes_id else None
            extra_context["standard_can_publish"] = not obj.is_published and self.has_change_permission(request, obj)
            if obj.is_published and not hasattr(obj, "superseded_by") and self.has_add_permission(request):
                extra_context["standard_revise_url"] = reverse(
                    f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_revise", args=[obj.pk]
                )
                extra_context["standard_start_year_url"] = reverse(
                    f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_start_year", args=[obj.pk]
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    @property
    def change_form_template(self):
        return _template(CHANGE_FORM)

    # --- revising, and starting the next year ---
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/revise/", self.admin_site.admin_view(self.revise_view), name="%s_%s_revise" % info),
            path("<path:object_id>/start-year/", self.admin_site.admin_view(self.start_year_view),
                 name="%s_%s_start_year" % info),
            path("<path:object_id>/publish/", self.admin_site.admin_view(self.publish_view),
                 name="%s_%s_publish" % info),
        ] + super().get_urls()

    @admin.action(description="以此为基础新建下一年度（复制为草稿）", permissions=["add"])
    def start_year_selected(self, request, queryset):
        if queryset.count() != 1 or not queryset.get().is_published:
            self.message_user(request, "新建下一年度时请只选择一个已发布的版本。", messages.ERROR)
            return None
        return HttpResponseRedirect(reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_start_year", args=[queryset.get().pk]
        ))

    def start_year_view(self, request, object_id):
        standard = self.get_object(request, unquote(object_id))
        if standard is None or not standard.is_published:
            raise Http404("没有这个已发布的版本。")
        if not self.has_add_permission(request) or not may_write(request.user, standard.region):
            raise PermissionDenied(f"{standard.region.name}的年度标准由其医保部门新建。")
        made, problems = None, []
        if request.method == "POST":
            form = StartYearForm(request.POST, standard=standard)
            if form.is_valid():
                year = form.cleaned_data["year"]
                try:
                    started = year_start(region=standard.region, source_year=standard.year, year=year,
                                         overrides=form.overrides())
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.message_user(request, f"已新建 {year} 年度草稿（均未发布）：{'；'.join(started.made)}。"
                                               "请核对修改后逐项发布。", messages.SUCCESS)
                    return HttpResponseRedirect(reverse(
                        f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_changelist"
                    ) + f"?year={year}")
        else:
            form = StartYearForm(standard=standard)
            try:  # what the default choice would make, before the officer confirms
                made = year_start(region=standard.region, source_year=standard.year, year=standard.year + 1,
                                  overrides=form.initial_overrides(), dry_run=True).made
            except ValidationError as error:
                problems = error.messages
        context = {**self.admin_site.each_context(request), "title": f"新建下一年度：{standard}", "opts": self.opts,
                   "original": standard, "form": form, "made": made, "problems": problems}
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/standards/start_year.html", context)

    @admin.action(description="新建修订版", permissions=["add"])
    def revise_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "新建修订版时请只选择一个已发布的版本。", messages.ERROR)
            return None
        standard = queryset.get()
        return HttpResponseRedirect(reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_revise", args=[standard.pk]
        ))

    def revise_view(self, request, object_id):
        standard = self.get_object(request, unquote(object_id))
        if standard is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_add_permission(request) or not may_write(request.user, standard.region):
            raise PermissionDenied(f"{standard.region.name}的标准由其医保部门修订。")
        change_url = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change", args=[standard.pk]
        )
        if not standard.is_published:
            self.message_user(request, "草稿可以直接修改，不需要新建修订版。", messages.WARNING)
            return HttpResponseRedirect(change_url)
        form = ReviseForm(request.POST or None, standard=standard, site_name=self.admin_site.name)
        if request.method == "POST" and form.is_valid():
            try:
                draft = standard_revise(standard=standard, effective_from=form.cleaned_data["effective_from"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.log_addition(request, draft, [{"added": {}}])
                self.message_user(request, format_html(
                    "已新建 {}，从 {} 起生效。请修改后发布。", admin_link(draft, self.admin_site.name),
                    draft.effective_from.isoformat(),
                ), messages.SUCCESS)
                return HttpResponseRedirect(reverse(
                    f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change", args=[draft.pk]
                ))
        context = {
            **self.admin_site.each_context(request),
            "title": f"新建修订版：{standard}",
            "opts": self.opts,
            "original": standard,
            "form": form,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, _template(REVISE_PAGE), context)


class VersionedStandardAdmin(VersionedStandardAdminMixin, PortalImportExportAdmin, ScopedHistoryMixin, SimpleHistoryAdmin):
    """The mixin with import/export (set ``resource_classes``) and simple_history's history."""

    action_form = PublishActionForm
    object_history_template = "admin/standards/object_history.html"
    object_history_list_template = "admin/standards/object_history_list.html"

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        changes = revision_changes(obj) if obj is not None and obj.supersedes_id else None
        return super().history_view(request, object_id, {**(extra_context or {}), "revision_changes": changes})


class StandardPartInline(admin.TabularInline):
    """Rows of one revision (subsidies, tiers): editable with a draft, frozen with a published one."""

    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return not _frozen(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not _frozen(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _frozen(request, obj) and super().has_delete_permission(request, obj)


class StandardPartAdminMixin(_FrozenOncePublished):
    """A StandardPart model's own admin page (for import and export of the parts)."""

    def _parent(self, obj):
        return getattr(obj, self.model.standard_field) if obj is not None else None

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user, lookup=f"{self.model.standard_field}__region")

    def has_change_permission(self, request, obj=None) -> bool:
        return not _frozen(request, self._parent(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _frozen(request, self._parent(obj)) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == self.model.standard_field and field is not None:
            drafts = field.queryset.filter(status=VersionedStandard.Status.DRAFT)
            writable = branch_writable(request.user)
            field.queryset = drafts.none() if writable is None else drafts.filter(writable)
        return field


class StandardPartAdmin(StandardPartAdminMixin, PortalImportExportAdmin, ScopedHistoryMixin, SimpleHistoryAdmin):
    """The parts' mixin with import/export (set ``resource_classes``) and history."""

