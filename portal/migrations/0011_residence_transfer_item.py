"""参保关系转移接续 as a service item: seeds 001 and 002 ask that moves leave no gap in coverage
(杜绝发生参保空档期); the township station takes a person in or records a move out
(enrollment/life_events/moves.py)."""

from django.db import migrations

CODE, NAME = "residence_transfer", "参保关系转移接续"


def add_item(apps, schema_editor):
    ServiceItem = apps.get_model("portal", "ServiceItem")
    order = (ServiceItem.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    ServiceItem.objects.get_or_create(code=CODE, defaults={"name": NAME, "order": order})


def remove_item(apps, schema_editor):
    apps.get_model("portal", "ServiceItem").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0010_life_events")]
    operations = [migrations.RunPython(add_item, remove_item)]
