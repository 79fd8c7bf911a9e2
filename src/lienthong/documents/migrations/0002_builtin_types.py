"""Load the built-in document types of NĐ 30 and QĐ 399 / HD 36 (issue #4, scope 1).

Hand-written data migration (STYLE habit 18): idempotent by (convention, name), so an
administrator's edits are kept; reversing removes the built-in types no document uses.
"""

from django.db import migrations

from lienthong.documents.types_data import BUILTIN_TYPES, builtin_types_load


def load_types(apps, schema_editor):
    builtin_types_load(apps.get_model("documents", "DocumentType"))


def unload_types(apps, schema_editor):
    document_type = apps.get_model("documents", "DocumentType")
    document = apps.get_model("documents", "Document")
    used = document.objects.values("document_type_id")
    for item in BUILTIN_TYPES:
        document_type.objects.filter(convention=item.convention, name=item.name).exclude(
            pk__in=used
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(load_types, unload_types)]
