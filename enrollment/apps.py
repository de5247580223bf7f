from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = "参保登记与缴费"
    demo_loader = "enrollment.demo.load"
    # The demo people's enrollments of each year made after the seeds' (portal/standards/demo.py).
    demo_year_loader = "enrollment.demo.load_year"
    # Three thousand made-up residents for the collection pages, enrolled as far as today.
    demo_today_loader = "enrollment.demo_crowd.load"
    # What the home page leads with: the collection open now, or how to register late.
    home_notices = ["enrollment.home.collection_notices"]
    # Copied when a year is started from the last (portal/standards/cycle.py).
    year_parts = ["enrollment.models.ContributionStandard"]
    # 重复参保 with its open count, for the clerks who resolve them.
    station_nav_links = ["enrollment.life_events.duplicates_views.station_nav_links",
                         "enrollment.life_events.newborn_views.station_nav_links"]

    # Permissions each role gets on this app's models (gathered by portal.accounts.roles.groups_sync).
    group_permissions: dict[str, list[str]] = {
        "clerk": [
            "enrollment.view_collection_progress", "enrollment.reconcile_tax_vouchers",
            "enrollment.resolve_duplicate",
            "enrollment.register_newborn",
        ],
        # A hospital's newborn desk: only the newborn pages, and no station permission
        # (enrollment/life_events/newborn_views.py).
        "hospital_clerk": ["enrollment.register_newborn"],
        "officer": [
            # Standards: drafts are edited and deleted, published revisions never (the admin refuses).
            "enrollment.add_contributionstandard", "enrollment.change_contributionstandard",
            "enrollment.delete_contributionstandard", "enrollment.view_contributionstandard",
            "enrollment.add_assistancesubsidy", "enrollment.change_assistancesubsidy",
            "enrollment.delete_assistancesubsidy", "enrollment.view_assistancesubsidy",
            # The province's floors: written by the province's officers (the admin scopes it).
            "enrollment.add_contributionfloor", "enrollment.change_contributionfloor",
            "enrollment.view_contributionfloor",
            # Look-ups; refunds are approved by an officer other than the clerk who asked.
            "enrollment.view_resident", "enrollment.view_household", "enrollment.view_enrollment",
            "enrollment.view_payment", "enrollment.view_refund", "enrollment.change_refund",
            "enrollment.approve_refund",
            # Collection: progress of the scope, the tax office's files, reminders.
            "enrollment.view_collection_progress", "enrollment.import_tax_payments",
            "enrollment.reconcile_tax_vouchers", "enrollment.view_taxpaymentimport", "enrollment.view_taxvoucher",
            "enrollment.send_collection_reminders", "enrollment.view_collectionreminder",
            "enrollment.view_collectivepayment",
            # Lists of people insured elsewhere (职工医保、外地居民医保) and their history.
            "enrollment.import_insured_elsewhere", "enrollment.view_elsewhereimport",
            # Death lists of civil affairs and public security, their history and unrecorded rows.
            "enrollment.import_deaths", "enrollment.view_deathimport", "enrollment.view_deathimportproblem",
            "enrollment.view_death",
        ],
    }
