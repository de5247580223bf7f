"""The service items the foundation names (DESIGN.md section 1; seeds 001 and 003 list what
moved down to township and village points)."""

from django.db import migrations

SERVICE_ITEMS = [
    ("registration", "参保登记"),
    ("payment", "缴费"),
    ("records", "信息查询及变更"),
    ("cross_region_filing", "异地就医备案"),
    ("reimbursement_review", "零星报销初审"),
    ("newborn", "新生儿参保"),
    ("assisted_enrollment", "困难群众资助参保"),
    ("assistance_application", "依申请救助"),
]


def add_items(apps, schema_editor):
    ServiceItem = apps.get_model("portal", "ServiceItem")
    for order, (code, name) in enumerate(SERVICE_ITEMS, start=1):
        ServiceItem.objects.update_or_create(code=code, defaults={"name": name, "order": order})


def remove_items(apps, schema_editor):
    apps.get_model("portal", "ServiceItem").objects.filter(code__in=[c for c, _ in SERVICE_ITEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(add_items, remove_items)]
