"""The shared permission matrix every scoped model runs (STYLE habits 6 and 17).

An app declares, in ``<app>/tests/scope_cases.py``, a ``SCOPE_CASES`` list of
``ScopeCase``: how to make an object owned by a unit and, when the object has them, its
page and API detail URLs. ``tests/test_permission_matrix.py`` then runs, for every model
that ``core.permissions.scoped_models()`` finds, the none / full / constrained matrix
against the selector layer, the pages and the API. A scoped model without a case fails
the suite, so nobody can add one and forget its permission tests.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class ScopeCase:
    """How the matrix exercises one scoped model."""

    model: type[models.Model]
    """The scoped model."""
    make: Callable[[Any], models.Model]
    """Make an object owned by the given unit (and only that unit)."""
    page_url: Callable[[Any], str] | None = None
    """The object's page, when it has one."""
    api_url: Callable[[Any], str] | None = None
    """The object's REST detail URL, when it has one."""
    api_list_url: str | None = None
    """The REST list URL name (reversed by the test) that should list the object."""
    exclude_self: bool = field(default=False)
    """True when a person always sees their own row (people): the matrix ignores it."""
    network_wide: bool = field(default=False)
    """True when every office role reads the model across the whole network by design
    (the library of Party documents): the unit-isolation checks leave it out, and its
    own tests check what does restrict it (visibility and clearance)."""

    @property
    def label(self) -> str:
        """``app.model`` for test ids."""
        return self.model._meta.label_lower


def collect_scope_cases() -> dict[str, ScopeCase]:
    """Import every installed app's ``tests.scope_cases`` and return the cases by label."""
    cases: dict[str, ScopeCase] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("lienthong."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.scope_cases")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith("scope_cases"):
                continue
            raise
        for case in getattr(module, "SCOPE_CASES", []):
            cases[case.label] = case
    return cases
