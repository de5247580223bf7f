"""Officer pages of the benefits app: the benefit policy of a coverage year and pooling region,
edited as one page with its parts inline, versioned like the contribution standards (draft,
publish, 新建修订版; see portal.standards.admin), with history and import/export.

The rules of a single value (rates between 0 and 1, amounts not negative, a tier's upper bound
above 0) live on the models, so that imports obey them too; the rules across the rows of one
page (tiers in ascending order, one open last tier, one row per hospital level) live in the
inline formsets below, and ``BenefitPolicy.validate_for_publishing`` checks them again before a
policy is published, whichever way its rows arrived.
"""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from benefits.models import (
    RATE,
    ZERO_TO_ONE,
    AssistanceCategoryRule,
    BenefitPolicy,
    CatastrophicTierRule,
    ChronicDisease,
    InpatientLevelRule,
)
from benefits.resources import (
    AssistanceCategoryRuleResource,
    BenefitPolicyResource,
    CatastrophicTierRuleResource,
    ChronicDiseaseResource,
    InpatientLevelRuleResource,
)
from portal.shared.vocabulary import AssistanceCategory
from portal.standards.admin import VERSION_FIELDSET, StandardPartAdmin, StandardPartInline, VersionedStandardAdmin


def _kept_forms(formset):
    """The rows that will be saved: filled in and not ticked for deletion, in page order."""
    return [
        form for form in formset.forms
        if form.has_changed() or form.instance.pk is not None
        if not (formset.can_delete and formset._should_delete_form(form))
    ]


class CatastrophicTierFormSet(BaseInlineFormSet):
    """Tiers are entered from the lowest up: each upper bound above the one before, and only the
    last one left blank (no upper bound). The engine sorts by upper bound, so a tier typed out of
    order would silently change which rate applies where; the officer is asked to fix it here."""

    def clean(self):
        # Before the formset's own uniqueness check, whose message for a repeated upper bound
        # ("请修改upper的重复数据") would not tell the officer what to do.
        if any(form.errors for form in self.forms) or self._order_errors():
            return
        super().clean()

    def _order_errors(self) -> bool:
        kept = _kept_forms(self)
        previous = None
        for position, form in enumerate(kept):
            upper = form.cleaned_data.get("upper")
            last = position == len(kept) - 1
            if upper is None and not last:
                form.add_error("upper", "只有最后一段可以不填上限；请填写这一段的上限，或把它移到最后。")
            elif upper is not None and previous is not None and upper <= previous:
                form.add_error("upper", f"分段须从小到大填写：这一段的上限须大于上一段的上限 {previous} 元。")
            if upper is not None:
                previous = upper
        return any(form.errors for form in kept)


class OneRowPerKeyFormSet(BaseInlineFormSet):
    """One row per hospital level, per assistance category or per disease code: a repeated one is
    named next to its field (Django's own message, "请修正重复的数据", does not say which)."""

    key_field = ""

    def clean(self):
        if any(form.errors for form in self.forms):
            return
        seen = set()
        for form in _kept_forms(self):
            key = form.cleaned_data.get(self.key_field)
            if key in seen:
                choices = getattr(form.fields[self.key_field], "choices", None)
                label = dict(choices).get(key, key) if choices else key
                form.add_error(self.key_field, f"“{label}”已经填过一行，每项只填一行；请改选其他项或删除这一行。")
            seen.add(key)
        if not any(form.errors for form in self.forms):
            super().clean()


class LevelFormSet(OneRowPerKeyFormSet):
    key_field = "level"


class CategoryFormSet(OneRowPerKeyFormSet):
    key_field = "category"


class DiseaseFormSet(OneRowPerKeyFormSet):
    key_field = "code"


class RateMessages:
    """A rate typed as a percentage ("70") would otherwise be told "确认小数点前不超过 1 位"."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(formfield, forms.DecimalField) and db_field.decimal_places == RATE["decimal_places"]:
            formfield.error_messages.update(max_whole_digits=ZERO_TO_ONE, max_digits=ZERO_TO_ONE)
        return formfield


class PolicyPartInline(RateMessages, StandardPartInline):
    """On a new policy's page the usual rows are there to fill in (a row left untouched is not
    saved), so the page works without the admin's "添加另一个" script."""

    def new_policy_rows(self) -> list[dict]:
        return []

    def get_extra(self, request, obj=None, **kwargs):
        return len(self.new_policy_rows()) if obj is None else super().get_extra(request, obj, **kwargs)


class InpatientLevelInline(PolicyPartInline):
    model = InpatientLevelRule
    formset = LevelFormSet
    fields = ["level", "deductible_adult", "deductible_student_child", "rate"]
    max_num = 3  # one row per hospital level

    def new_policy_rows(self) -> list[dict]:
        return [{"level": level} for level in (1, 2, 3)]


class CatastrophicTierInline(PolicyPartInline):
    model = CatastrophicTierRule
    formset = CatastrophicTierFormSet
    fields = ["upper", "rate"]

    def new_policy_rows(self) -> list[dict]:
        return [{}, {}, {}]


class AssistanceCategoryInline(PolicyPartInline):
    model = AssistanceCategoryRule
    formset = CategoryFormSet
    fields = [
        "category", "inpatient_deductible_exempt", "catastrophic_preferential", "assistance_deductible",
        "assistance_rate", "assistance_cap", "reassistance_eligible",
    ]

    def new_policy_rows(self) -> list[dict]:
        return [{"category": category.value} for category in AssistanceCategory]


class ChronicDiseaseInline(PolicyPartInline):
    model = ChronicDisease
    formset = DiseaseFormSet
    fields = ["code", "name", "deductible", "rate", "documents"]
    extra = 1  # a row to fill in on a draft's page, without the admin's "添加另一个" script

    def new_policy_rows(self) -> list[dict]:
        return [{}, {}, {}]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "documents":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 36})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(BenefitPolicy)
class BenefitPolicyAdmin(RateMessages, VersionedStandardAdmin):
    resource_classes = [BenefitPolicyResource]
    inlines = [InpatientLevelInline, CatastrophicTierInline, AssistanceCategoryInline, ChronicDiseaseInline]
    fieldsets = [
        VERSION_FIELDSET,
        ("基本医保 住院", {
            "fields": [("first_admission_factor", "second_admission_factor", "later_admission_factor"),
                       "basic_annual_cap"],
            "description": "各级医院的起付线和支付比例在页面下方“住院待遇（按医院等级）”中填写。"
                           "起付线系数：一年内第几次住院按起付线的多少倍计算，如 1、0.5、0。",
        }),
        ("基本医保 门诊", {
            "fields": [("outpatient_deductible", "outpatient_rate", "outpatient_cap"),
                       ("two_diseases_rate", "two_diseases_cap"), ("chronic_deductible", "chronic_rate")],
            "description": "门诊慢特病的起付线和比例是通用标准；各病种在页面下方“门诊慢特病病种”中填写，"
                           "病种的起付线或比例留空即按通用标准。",
        }),
        ("异地就医（转外就医调减比例）", {
            "fields": [("outside_filed_reduction", "outside_unfiled_reduction")],
            "description": "在统筹区外就医时，住院、门诊慢特病、普通门诊和两病用药的基本医保支付比例各降低的"
                           "百分点，如 0.05 表示降低 5 个百分点；未备案的降低不能少于已备案的。",
        }),
        ("生育", {"fields": [("maternity_first", "maternity_second", "maternity_third")]}),
        ("大病保险", {
            "fields": [("catastrophic_deductible", "catastrophic_cap"),
                       ("poorest_deductible_factor", "poorest_rate_bonus", "poorest_uncapped")],
            "description": "分段在页面下方“大病保险分段”中从低到高填写，最后一段上限留空。倾斜人员指在"
                           "“困难群众待遇”中勾选了“大病保险倾斜”的类别。封顶线留空表示不设封顶线。",
        }),
        ("再救助", {
            "fields": [("reassistance_threshold", "reassistance_rate", "reassistance_cap")],
            "description": "可享受再救助的类别在“困难群众待遇”中勾选。限额留空表示不设限额。",
        }),
    ]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if obj.pk is None:  # on POST too: a row equal to its initial values is an unused row
            kwargs["initial"] = inline.new_policy_rows()
        return kwargs


class PolicyPartAdmin(RateMessages, StandardPartAdmin):
    """A part's own list, for importing and exporting it; it is edited on the policy's page."""

    list_filter = ["policy__year", "policy__status"]
    list_select_related = ["policy__region"]


@admin.register(InpatientLevelRule)
class InpatientLevelRuleAdmin(PolicyPartAdmin):
    resource_classes = [InpatientLevelRuleResource]
    list_display = ["policy", "level", "deductible_adult", "deductible_student_child", "rate"]
    fields = ["policy", "level", "deductible_adult", "deductible_student_child", "rate"]


@admin.register(CatastrophicTierRule)
class CatastrophicTierRuleAdmin(PolicyPartAdmin):
    resource_classes = [CatastrophicTierRuleResource]
    list_display = ["policy", "upper", "rate"]
    fields = ["policy", "upper", "rate"]


@admin.register(AssistanceCategoryRule)
class AssistanceCategoryRuleAdmin(PolicyPartAdmin):
    resource_classes = [AssistanceCategoryRuleResource]
    list_display = ["policy", "category", "assistance_deductible", "assistance_rate", "assistance_cap"]
    list_filter = PolicyPartAdmin.list_filter + ["category"]
    fields = ["policy", *AssistanceCategoryInline.fields]


@admin.register(ChronicDisease)
class ChronicDiseaseAdmin(PolicyPartAdmin):
    resource_classes = [ChronicDiseaseResource]
    list_display = ["policy", "code", "name", "deductible", "rate"]
    search_fields = ["code", "name"]
    fields = ["policy", *ChronicDiseaseInline.fields]
