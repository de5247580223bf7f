"""门诊慢特病认定 as a service item: seed 000 unifies the province's chronic and special diseases
and their recognition; the township station takes the application (treatment/chronic)."""

from django.db import migrations

CODE, NAME = "chronic_recognition", "门诊慢特病认定"


def add_item(apps, schema_editor):
    ServiceItem = apps.get_model("portal", "ServiceItem")
    order = (ServiceItem.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    ServiceItem.objects.get_or_create(code=CODE, defaults={"name": NAME, "order": order})


def remove_item(apps, schema_editor):
    apps.get_model("portal", "ServiceItem").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0008_notice_area")]
    operations = [migrations.RunPython(add_item, remove_item)]
