"""The panels of the internal home page (issue #10 scope 3): a hook for the apps above org.

The home page is served by ``org.views.home``; org sits low in the import order and may
not import the apps that know a person's work, calendar or notifications. Those apps
register a provider here from their ``AppConfig.ready()`` (DESIGN.md "hooks"); each
provider is called with the request and answers a ``HomePanel`` or None (nothing to show
to that person). A provider that fails is logged and left out: the home page always
renders.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

__all__ = ["HomePanel", "HomePanelProvider", "home_panels", "panels_for", "register_home_panel"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HomePanel:
    """One panel of the home page."""

    key: str
    """A short identifier, used as the panel's HTML id (``home-<key>``)."""
    title: str
    """The panel's heading, already translated."""
    template: str
    """The template that renders the panel's body, with ``panel`` in its context."""
    context: dict[str, Any] = field(default_factory=dict)
    """What the template shows."""
    order: int = 100
    """Smaller first."""


HomePanelProvider = Callable[[HttpRequest], "HomePanel | None"]

#: The registered providers, in registration order.
home_panels: list[HomePanelProvider] = []


def register_home_panel(provider: HomePanelProvider) -> None:
    """Add a provider of a home panel (idempotent: a provider is registered once)."""
    if provider not in home_panels:
        home_panels.append(provider)


def panels_for(request: HttpRequest) -> list[HomePanel]:
    """The panels to show to the person of ``request``, ordered."""
    panels: list[HomePanel] = []
    for provider in home_panels:
        try:
            panel = provider(request)
        except Exception:  # one broken panel must not take the home page down
            logger.exception("home panel %r failed", provider)
            continue
        if panel is not None:
            panels.append(panel)
    return sorted(panels, key=lambda p: (p.order, p.key))
