"""Documents registered from the exchange inbox before issue #7 arrived electronically:
mark them so, for the digitisation rate (``Document.received_electronically``)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def mark(apps: Any, schema_editor: Any) -> None:
    inbox = apps.get_model("exchange", "InboxItem")
    document = apps.get_model("documents", "Document")
    registered = inbox.objects.filter(document__isnull=False).values("document_id")
    document.objects.filter(pk__in=registered).update(received_electronically=True)


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0002_inbox_recall_asked"),
        ("documents", "0005_intake"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
