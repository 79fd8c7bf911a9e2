"""Pages of the organisation: the home page, the unit tree, unit and person pages.

Views stay thin (STYLE habit 7): every read goes through ``lienthong.org.selectors``,
which start from ``restrict(user, action)``; an object out of the person's scope answers
404 (STYLE habit 6), exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required as django_login_required
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from lienthong.org import selectors
from lienthong.org.forms import UnitSearchForm
from lienthong.org.models import Unit, UnitQuerySet, User

#: The most units a search shows; the page asks for more words beyond that.
SEARCH_LIMIT = 50


View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def login_required(view: View) -> View:
    """Django's ``login_required``, but an htmx request whose session has ended gets a
    whole-page redirect to the log-in page (not the log-in form swapped into a fragment).
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        htmx = getattr(request, "htmx", None)
        if htmx and not request.user.is_authenticated:
            page = htmx.current_url_abs_path or "/"
            login = resolve_url(settings.LOGIN_URL)
            return HttpResponseClientRedirect(f"{login}?{urlencode({'next': page})}")
        return django_login_required(view)(request, *args, **kwargs)

    return cast(View, wrapper)


def _with_has_children(units: UnitQuerySet, user: Any) -> UnitQuerySet:
    """Annotate each unit with ``has_children``: whether a visible unit sits under it."""
    visible_children = selectors.unit_list(user=user).filter(parent=OuterRef("pk"))
    return units.annotate(has_children=Exists(visible_children))


def _visible_roots(user: Any) -> UnitQuerySet:
    """The tops of the part of the tree ``user`` sees: visible units whose parent is not.

    A commune clerk's root is their commune; a provincial leader's, the province; an
    administrator at the central level sees the real roots.
    """
    visible = selectors.unit_list(user=user)
    roots = visible.active().exclude(parent__in=visible.values("pk"))
    return _with_has_children(roots.order_by("depth", "sort_order", "sort_key"), user)


def _search(request: HttpRequest) -> dict[str, Any]:
    """Run the unit search of the query string; return the template context."""
    form = UnitSearchForm(request.GET or None)
    query = ""
    results: list[Unit] = []
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"]
        if query:
            results = selectors.unit_search(user=request.user, query=query, limit=SEARCH_LIMIT)
    return {
        "form": form,
        "query": query,
        "results": results,
        "truncated": len(results) >= SEARCH_LIMIT,
        "search_limit": SEARCH_LIMIT,
    }


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The home page: a greeting, the person's own memberships and the panels the apps
    above org register (``org.home``: my work, notices, this week's calendar)."""
    from lienthong.org.home import panels_for

    person = cast(User, request.user)  # login_required: never anonymous here
    memberships = selectors.membership_list(user=person, person=person).active()
    return render(
        request, "core/home.html", {"memberships": memberships, "panels": panels_for(request)}
    )


@login_required
@require_GET
def unit_tree(request: HttpRequest) -> HttpResponse:
    """The unit tree with a search box (search as you type with htmx, plain GET without)."""
    context = _search(request)
    context["roots"] = _visible_roots(request.user)
    return render(request, "org/unit_tree.html", context)


@login_required
@require_GET
def unit_search_view(request: HttpRequest) -> HttpResponse:
    """Search units: the results fragment for htmx, the whole tree page otherwise."""
    if getattr(request, "htmx", False):
        return render(request, "org/_unit_search_results.html", _search(request))
    return unit_tree(request)


@login_required
@require_GET
def unit_children_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The visible units directly under unit ``pk``, as a fragment of the tree (htmx).

    Without htmx the unit's own page, which lists them too, is shown instead.
    """
    unit = selectors.unit_get(user=request.user, pk=pk)
    if not getattr(request, "htmx", False):
        return redirect("unit-detail", pk=unit.pk)
    children = _with_has_children(
        selectors.unit_children(user=request.user, parent=unit).active(), request.user
    )
    return render(request, "org/_tree_children.html", {"unit": unit, "children": children})


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit: its facts, the visible units above and below it, and its members."""
    unit = selectors.unit_get(user=request.user, pk=pk)
    # Only the ancestors the person may see appear in the breadcrumb.
    ancestors = (
        selectors.unit_list(user=request.user).filter(pk__in=unit.ancestor_ids()).order_by("depth")
    )
    children = selectors.unit_children(user=request.user, parent=unit)
    members = (
        selectors.membership_list(user=request.user, unit=unit)
        .active()
        .order_by("position__rank", "user__full_name", "user__username")
    )
    return render(
        request,
        "org/unit_detail.html",
        {"unit": unit, "ancestors": ancestors, "children": children, "members": members},
    )


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One person and the memberships of theirs that the viewer may see."""
    person = selectors.user_get(user=request.user, pk=pk)
    memberships = selectors.membership_list(user=request.user, person=person).order_by(
        "unit__path", "role__name"
    )
    return render(request, "org/person_detail.html", {"person": person, "memberships": memberships})
