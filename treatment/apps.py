from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "treatment"
    verbose_name = "就医经办（异地备案、零星报销、慢特病认定）"
    demo_loader = "treatment.demo.load"

    # Permissions each role gets on this app's models (gathered by portal.accounts.roles.groups_sync).
    group_permissions: dict[str, list[str]] = {
        "clerk": [
            # Township clerks pre-review manual claims (初审); any station clerk records them.
            "treatment.prereview_claim",
        ],
        "officer": [
            "treatment.view_filing",
            "treatment.view_claim", "treatment.decide_claim",
            "treatment.view_chronicrecognition", "treatment.decide_recognition",
        ],
    }

    # What this app adds to enrollment's pages (treatment/contributions.py; the hooks are
    # described in portal/shared/extensions.py).
    station_nav_links = ["treatment.contributions.station_nav_links"]
    lookup_sections = [
        "treatment.contributions.LOOKUP_FILINGS",
        "treatment.contributions.LOOKUP_CLAIMS",
        "treatment.contributions.LOOKUP_RECOGNITIONS",
    ]
