from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = "困难群众医疗保障"
    demo_loader = "assistance.demo.load"

    # Permissions each role gets on this app's models (gathered by portal.accounts.roles.groups_sync).
    group_permissions: dict[str, list[str]] = {
        "clerk": [
            # Applications (依申请救助): clerks record them, township clerks review and publicise.
            "assistance.review_application",
        ],
        "officer": [
            # Applications: county or city officers approve, reject and record payment.
            "assistance.view_application", "assistance.decide_application",
            # Settlements, alert thresholds and re-assistance (assistance/settlements).
            "assistance.view_settlement", "assistance.import_settlements",
            "assistance.view_alertthreshold", "assistance.add_alertthreshold",
            "assistance.change_alertthreshold", "assistance.view_highcostalert",
            "assistance.view_reassistancegrant", "assistance.approve_reassistance",
            # Identities: imported and verified by two different officers (the service refuses
            # the importer; the permission says who may verify at all).
            "assistance.view_assistanceidentity", "assistance.add_assistanceidentity",
            "assistance.verify_assistanceidentity", "assistance.view_identityimport",
            # Special payment batches: generated, pushed and marked paid by officers.
            "assistance.view_paymentbatch", "assistance.add_paymentbatch", "assistance.change_paymentbatch",
            "assistance.view_paymentbatchitem",
        ],
    }

    # What assistance adds to enrollment's pages (assistance/contributions.py; the hooks are
    # described in portal/shared/extensions.py).
    station_nav_links = ["assistance.contributions.station_nav_links"]
    station_dashboard_panels = ["assistance.contributions.dashboard_panel"]
    lookup_sections = ["assistance.contributions.LOOKUP_APPLICATIONS"]
    # Copied when a year is started from the last (portal/standards/cycle.py).
    year_parts = ["assistance.contributions.ALERT_THRESHOLDS"]

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from assistance.identities.services import resident_category_on_registration
        from enrollment.models import Resident

        # A person on a verified list who registers today gets their category at once, so that
        # the enrollment that follows is subsidised without waiting for the nightly refresh.
        post_save.connect(resident_category_on_registration, sender=Resident, dispatch_uid="assistance_category_on_registration")
