"""System checks of the document search configuration (issue #4, scope 7).

- ``lienthong.documents.E001`` (every command, no database access): the ``postgres``
  search backend is chosen (``LIENTHONG_SEARCH_BACKEND=postgres``) but the database is not
  PostgreSQL — every search would fail, so the node must not start like this.
- ``lienthong.documents.W001`` (database check: ``lienthong migrate`` and
  ``lienthong check --database default``): on PostgreSQL with the ``postgres`` backend,
  the stored vector column or one of its indexes that ``lienthong search_index --rebuild``
  creates is missing — search still answers, but computes every vector on the fly and
  slows down with the corpus. Silent when the database cannot be reached or is not
  migrated yet: ``migrate`` runs database checks before it creates the tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, connections
from django.utils.translation import gettext as _

__all__ = ["check_search_backend_database", "check_search_index_present"]

_ALIAS = "default"


def _postgres_backend_chosen() -> bool:
    return str(getattr(settings, "SEARCH_BACKEND", "tantivy")) == "postgres"


@register(Tags.compatibility)
def check_search_backend_database(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse the ``postgres`` search backend on a database that is not PostgreSQL.

    ``connection.vendor`` comes from the configured engine: nothing is connected to.
    """
    if not _postgres_backend_chosen():
        return []
    vendor = connections[_ALIAS].vendor
    if vendor == "postgresql":
        return []
    return [
        Error(
            _(
                "LIENTHONG_SEARCH_BACKEND=postgres needs a PostgreSQL database; this node's "
                "database is %(vendor)s."
            )
            % {"vendor": vendor},
            hint=_(
                "Set LIENTHONG_SEARCH_BACKEND=tantivy, or point LIENTHONG_DATABASE_URL at "
                "PostgreSQL."
            ),
            id="lienthong.documents.E001",
        )
    ]


@register(Tags.database)
def check_search_index_present(
    app_configs: Any = None, databases: Iterable[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Warn when the PostgreSQL search structures of ``search_index --rebuild`` are missing.

    A database check (Django runs those only from ``migrate`` and ``check --database``), so
    ordinary start-up never waits on the database.
    """
    if not databases or _ALIAS not in databases or not _postgres_backend_chosen():
        return []
    connection = connections[_ALIAS]
    if connection.vendor != "postgresql":
        return []  # E001 says it
    from lienthong.documents.models import Document
    from lienthong.documents.search.postgres_backend import missing_structures

    try:
        if Document._meta.db_table not in connection.introspection.table_names():
            return []  # not migrated yet: migrate runs the checks before it creates tables
        missing = missing_structures(connection)
    except DatabaseError:
        return []  # unreachable: the connection error will speak for itself
    if not missing:
        return []
    return [
        Warning(
            _(
                "The PostgreSQL search structures are missing (%(missing)s): document "
                "search computes every text vector on the fly and slows down as documents "
                "accumulate."
            )
            % {"missing": ", ".join(missing)},
            hint=_(
                "Run `lienthong search_index --rebuild` after `lienthong migrate` (and after "
                "any migration that changed a searched column)."
            ),
            id="lienthong.documents.W001",
        )
    ]
