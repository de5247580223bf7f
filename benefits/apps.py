from django.apps import AppConfig

# Each part of a policy is edited on the policy's page and imported on its own list.
_POLICY_MODELS = (
    "benefitpolicy", "inpatientlevelrule", "catastrophictierrule", "assistancecategoryrule", "chronicdisease",
)


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = "待遇测算"
    demo_loader = "benefits.demo.load"
    # Copied when a year is started from the last (portal/standards/cycle.py).
    year_parts = ["benefits.models.BenefitPolicy"]

    # Permissions each role gets on this app's models (gathered by portal.accounts.roles.groups_sync).
    # Clerks estimate on the public page, which needs none.
    group_permissions: dict[str, list[str]] = {
        "clerk": [],
        "officer": [
            # Drafts are edited and deleted, published revisions never (the admin and models refuse).
            f"benefits.{action}_{model}"
            for model in _POLICY_MODELS
            for action in ("add", "change", "delete", "view")
        ],
    }
