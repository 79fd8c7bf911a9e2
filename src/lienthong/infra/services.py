"""Writes of the infra app (issue #8 scope 1), one keyword-only function per use case
(STYLE habit 2): each checks the actor's scope, records the change in the asset's
history and in the audit log, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import holds_in
from lienthong.infra.choices import AssetKind, AssetStatus, Funding
from lienthong.infra.models import FIRST_YEAR, Asset, AssetChange, serial_key

__all__ = ["EDITABLE", "asset_check", "asset_create", "asset_update"]

#: The fields a person gives or changes.
EDITABLE = (
    "kind",
    "make",
    "model",
    "serial",
    "year_acquired",
    "funding",
    "status",
    "quantity",
    "location",
    "note",
)


def _person(actor: Actor) -> Any:
    return actor if hasattr(actor, "get_username") and getattr(actor, "pk", None) else None


def _may(actor: Actor, unit: Any, permission: str) -> bool:
    return holds_in(actor, unit, permission)  # type: ignore[arg-type]


def asset_check(values: dict[str, Any], *, today: dt.date | None = None) -> dict[str, str]:
    """The problems of an asset's values, by field (empty when they are fine): the kind,
    status and funding are known; the year is between 1990 and this year; the quantity is
    a whole number of at least 1."""
    problems: dict[str, str] = {}
    year_now = (today or timezone.localdate()).year
    if values.get("kind") not in AssetKind.values:
        problems["kind"] = _("Unknown kind of equipment.")
    if values.get("status", AssetStatus.IN_USE) not in AssetStatus.values:
        problems["status"] = _("Unknown status.")
    if values.get("funding", Funding.OTHER) not in Funding.values:
        problems["funding"] = _("Unknown funding programme.")
    year = values.get("year_acquired")
    if not isinstance(year, int) or not FIRST_YEAR <= year <= year_now:
        problems["year_acquired"] = _("The year acquired must be between %(a)s and %(b)s.") % {
            "a": FIRST_YEAR,
            "b": year_now,
        }
    quantity = values.get("quantity", 1)
    if not isinstance(quantity, int) or quantity < 1:
        problems["quantity"] = _("The quantity is a whole number of at least 1.")
    for name, limit in (("make", 100), ("model", 100), ("serial", 100), ("location", 200)):
        if len(str(values.get(name) or "")) > limit:
            problems[name] = _("At most %(n)s characters.") % {"n": limit}
    return problems


def _raise(problems: dict[str, str]) -> None:
    if problems:
        raise InvalidInput(" ".join(problems.values()), extra={"fields": problems})


def _duplicate(make: str, serial: str, *, other_than: int | None = None) -> bool:
    key = serial_key(make, serial)
    if not key:
        return False
    qs = Asset.objects.filter(serial_key=key)
    if other_than is not None:
        qs = qs.exclude(pk=other_than)
    return qs.exists()


def _save(asset: Asset) -> None:
    try:
        asset.full_clean(exclude=["unit"])
        with transaction.atomic():
            asset.save()
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), extra={"fields": exc.message_dict}) from exc
    except IntegrityError as exc:
        raise InvalidInput(_("Another asset has this make and serial number.")) from exc


def asset_create(
    *, actor: Actor, unit: Any, action: str = AssetChange.Action.CREATED, **values: Any
) -> Asset:
    """Add a piece of equipment to ``unit`` (``infra.add_asset`` there).

    Args:
        actor: the IT officer.
        unit: the unit that holds it.
        action: how it came (added by hand, or imported).
        values: the ``EDITABLE`` fields.

    Raises:
        NotFound: the unit is outside the actor's scope.
        InvalidInput: a value is wrong, or the make and serial are taken.
    """
    if not _may(actor, unit, "infra.add_asset"):
        raise NotFound(_("This unit does not exist or you may not do this there."))
    values = {k: v for k, v in values.items() if k in EDITABLE}
    _raise(asset_check(values))
    if _duplicate(str(values.get("make") or ""), str(values.get("serial") or "")):
        raise InvalidInput(_("Another asset has this make and serial number."))
    with transaction.atomic():
        asset = Asset(unit=unit, **values)
        _save(asset)
        AssetChange.objects.create(
            asset=asset,
            action=action,
            fields={k: [None, _plain(getattr(asset, k))] for k in EDITABLE},
            changed_by=_person(actor),
        )
        record(actor=actor, verb=f"asset.{action}", target=asset, data={"kind": asset.kind})
    return asset


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def asset_update(*, actor: Actor, asset: Asset, **values: Any) -> Asset:
    """Change an asset (``infra.change_asset`` in its unit); the history keeps each
    field's value before and after.

    Raises:
        NotFound: the asset is outside the actor's scope.
        InvalidInput: a value is wrong, or the make and serial are taken.
    """
    with transaction.atomic():
        locked = (
            Asset.objects.restrict(actor, "change")  # type: ignore[arg-type]
            .select_for_update(of=("self",))
            .filter(pk=asset.pk)
            .first()
        )
        if locked is None:
            raise NotFound(_("This asset does not exist or you may not change it."))
        before = {k: getattr(locked, k) for k in EDITABLE}
        after = {**before, **{k: v for k, v in values.items() if k in EDITABLE}}
        _raise(asset_check(after))
        if _duplicate(str(after["make"] or ""), str(after["serial"] or ""), other_than=locked.pk):
            raise InvalidInput(_("Another asset has this make and serial number."))
        changed = {
            k: [_plain(before[k]), _plain(after[k])] for k in EDITABLE if before[k] != after[k]
        }
        if not changed:
            return locked
        for name, value in after.items():
            setattr(locked, name, value)
        _save(locked)
        AssetChange.objects.create(
            asset=locked,
            action=AssetChange.Action.CHANGED,
            fields=changed,
            changed_by=_person(actor),
        )
        record(actor=actor, verb="asset.changed", target=locked, data={"fields": sorted(changed)})
    return locked
