"""Room on each page of the residents' table (PostgreSQL's fillfactor 90): the death list and a move
out set date_of_death or moved_out_on of many residents at once, and with room on the row's own
page PostgreSQL writes the new row version there without touching any of the table's indexes
(a heap-only update). Packed pages left from before take it only when the table is rewritten
(VACUUM FULL), which benchmarks/README.md ("Death list import") describes."""

from django.db import migrations


def room_on_each_page(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE enrollment_resident SET (fillfactor = 90)")


def packed_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE enrollment_resident RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0012_death_import_problems")]
    operations = [migrations.RunPython(room_on_each_page, packed_pages)]
