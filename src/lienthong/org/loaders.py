"""Load the real, current country into the unit tree (``lienthong load_units``).

The provinces and communes come from the ``vietnam-provinces`` package (34 provinces and
cities, 3,321 communes, wards and special zones since 01/07/2025, when the district level
was abolished — vn-rules.md §0); the central level and the standard departments of a
committee come from ``lienthong.org.data``.

Every loaded unit carries a stable ``source_key`` ("vn:central", "vn:central:vptw",
"vn:p:01", "vn:p:01:vp", "vn:w:00070"), so a second run updates what changed and never
duplicates. Units whose key is no longer in the package are kept (units are never
deleted, they close); they are counted as "absent" and closed only on request.

The mã định danh of Party bodies is not in the package (vn-rules.md §3.8): ``organ_id``
stays empty unless ``lienthong/org/data/organ_ids.json`` gives one for a ``source_key``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from lienthong.audit.services import Actor, record
from lienthong.org.choices import UnitKind, UnitLevel
from lienthong.org.data import (
    CENTRAL_DEPARTMENTS,
    CENTRAL_ROOT,
    ORGAN_IDS_PATH,
    PROVINCE_DEPARTMENTS,
)
from lienthong.org.models import Unit
from lienthong.org.services import node_ensure_local, unit_create, unit_update

__all__ = [
    "SOURCE_PREFIX",
    "LoadReport",
    "UnitSpec",
    "commune_source_key",
    "country_units",
    "province_source_key",
    "units_load",
]

#: Every ``source_key`` written by this loader starts with this prefix.
SOURCE_PREFIX = "vn:"
CENTRAL_KEY = f"{SOURCE_PREFIX}central"

# The words the package puts before a name, per division type (its enum values).
_PROVINCE_PREFIX = {"tỉnh": "Tỉnh ", "thành phố trung ương": "Thành phố "}
_PROVINCE_TITLE = {"tỉnh": "Tỉnh ủy", "thành phố trung ương": "Thành ủy"}
_COMMUNE_PREFIX = {"xã": "Xã ", "phường": "Phường ", "đặc khu": "Đặc khu "}

#: Short name of a provincial or city committee: Party numbering writes "Số 12-NQ/TU"
#: for a Tỉnh ủy and for a Thành ủy alike.
PROVINCE_SHORT_NAME = "TU"
#: Short name of a commune, ward or special-zone committee ("Số 3-NQ/ĐU").
COMMUNE_SHORT_NAME = "ĐU"


@dataclass(frozen=True)
class UnitSpec:
    """One unit of the reference list, before it is matched against the database."""

    source_key: str
    name: str
    short_name: str
    kind: str
    level: int
    parent_key: str | None
    sort_order: int


@dataclass
class LoadReport:
    """What a load did. ``as_json()`` is the ``--json`` contract of ``load_units``."""

    provinces: int = 0
    """Provincial and city committees in the reference list."""
    communes: int = 0
    """Commune, ward and special-zone committees in the reference list."""
    units_total: int = 0
    """Units in the reference list (``created + updated + unchanged``)."""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    absent: int = 0
    """Previously loaded units whose key is no longer in the package."""
    closed: int = 0
    """Absent units closed by this run (``close_absent``)."""
    absent_keys: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, int]:
        """The one-line JSON object of ``lienthong load_units --json`` (issue #2)."""
        return {
            "provinces": self.provinces,
            "communes": self.communes,
            "units_total": self.units_total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def province_source_key(code: int) -> str:
    """The ``source_key`` of a provincial committee ("vn:p:01")."""
    return f"{SOURCE_PREFIX}p:{int(code):02d}"


def commune_source_key(code: int) -> str:
    """The ``source_key`` of a commune committee ("vn:w:00070")."""
    return f"{SOURCE_PREFIX}w:{int(code):05d}"


def _strip_prefix(name: str, prefix: str | None) -> str:
    if prefix and name.casefold().startswith(prefix.casefold()):
        return name[len(prefix) :].strip()
    return name.strip()


def _division(value: Any) -> str:
    """The package's division type as its Vietnamese value ("tỉnh", "xã"…)."""
    return str(getattr(value, "value", value))


def country_units(province_codes: Iterable[int] | None = None) -> list[UnitSpec]:
    """Build the reference list of units, parents before children.

    Args:
        province_codes: only these provinces (and their communes); all when None. The
            central level is always included.

    Returns:
        The units: the central root and agencies, then per province the committee, its
        departments and its communes.
    """
    from vietnam_provinces import Province, Ward

    wanted = None if province_codes is None else {int(c) for c in province_codes}
    specs: list[UnitSpec] = [
        UnitSpec(
            CENTRAL_KEY,
            CENTRAL_ROOT.name,
            CENTRAL_ROOT.short_name,
            UnitKind.CENTRAL,
            UnitLevel.CENTRAL,
            None,
            0,
        )
    ]
    for order, dept in enumerate(CENTRAL_DEPARTMENTS, start=1):
        specs.append(
            UnitSpec(
                f"{CENTRAL_KEY}:{dept.key}",
                dept.name,
                dept.short_name,
                UnitKind.DEPARTMENT,
                UnitLevel.CENTRAL,
                CENTRAL_KEY,
                order,
            )
        )
    wards_by_province: dict[int, list[Any]] = {}
    for ward in Ward.iter_all():
        wards_by_province.setdefault(int(ward.province_code), []).append(ward)
    provinces = sorted(Province.iter_all(), key=lambda p: int(p.code))
    # The province committees come after the central agencies under the root.
    base = len(CENTRAL_DEPARTMENTS) + 1
    for order, province in enumerate(provinces):
        code = int(province.code)
        if wanted is not None and code not in wanted:
            continue
        division = _division(province.division_type)
        title = _PROVINCE_TITLE.get(division, "Tỉnh ủy")
        place = _strip_prefix(province.name, _PROVINCE_PREFIX.get(division))
        committee = f"{title} {place}"
        key = province_source_key(code)
        specs.append(
            UnitSpec(
                key,
                committee,
                PROVINCE_SHORT_NAME,
                UnitKind.COMMITTEE,
                UnitLevel.PROVINCE,
                CENTRAL_KEY,
                base + order,
            )
        )
        for dept_order, dept in enumerate(PROVINCE_DEPARTMENTS, start=1):
            specs.append(
                UnitSpec(
                    f"{key}:{dept.key}",
                    dept.name.format(committee=committee, title=title),
                    dept.short_name.format(committee=committee, title=title),
                    UnitKind.DEPARTMENT,
                    UnitLevel.PROVINCE,
                    key,
                    dept_order,
                )
            )
        wards = sorted(wards_by_province.get(code, []), key=lambda w: int(w.code))
        start = len(PROVINCE_DEPARTMENTS) + 1
        for ward_order, ward in enumerate(wards, start=start):
            kind_word = _division(ward.division_type)
            place = _strip_prefix(ward.name, _COMMUNE_PREFIX.get(kind_word))
            specs.append(
                UnitSpec(
                    commune_source_key(int(ward.code)),
                    f"Đảng ủy {kind_word} {place}",
                    COMMUNE_SHORT_NAME,
                    UnitKind.COMMUNE_COMMITTEE,
                    UnitLevel.COMMUNE,
                    key,
                    ward_order,
                )
            )
    return specs


def _organ_ids() -> dict[str, str]:
    """The optional ``source_key -> organ_id`` map (vn-rules.md §3.8); empty today."""
    try:
        data = json.loads(ORGAN_IDS_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {str(k): str(v) for k, v in data.items() if v} if isinstance(data, dict) else {}


def units_load(
    *,
    actor: Actor,
    province_codes: Iterable[int] | None = None,
    close_absent: bool = False,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Create or update the real country's units, in one transaction.

    Existing units are matched by ``source_key`` (read once into a dictionary); a unit is
    written only when its name, short name, kind, level, parent, order or (from the data
    file) organ id differs. One summary audit record is written (verb ``unit.load``).

    Args:
        actor: who loads (``SystemActor("load_units")`` on the command line).
        province_codes: load only these provinces; all 34 when None.
        close_absent: close (``active_to`` = today) previously loaded units that are no
            longer in the package. They are never deleted.
        progress: called with the number of units handled since the last call.

    Returns:
        The counts.

    Raises:
        django.core.exceptions.ValidationError: a reference unit is invalid (a bug in the
            data, never the user's input); nothing is written.
    """
    specs = country_units(province_codes)
    all_keys = {s.source_key for s in (specs if province_codes is None else country_units())}
    organ_ids = _organ_ids()
    report = LoadReport(
        provinces=sum(1 for s in specs if s.kind == UnitKind.COMMITTEE),
        communes=sum(1 for s in specs if s.kind == UnitKind.COMMUNE_COMMITTEE),
        units_total=len(specs),
    )
    with transaction.atomic():
        node = node_ensure_local(actor=actor)
        existing: dict[str, Unit] = {
            str(unit.source_key): unit
            for unit in Unit.objects.filter(source_key__startswith=SOURCE_PREFIX)
        }
        loaded: dict[str, Unit] = {}
        for spec in specs:
            parent = loaded[spec.parent_key] if spec.parent_key else None
            organ_id = organ_ids.get(spec.source_key)
            unit = existing.get(spec.source_key)
            if unit is None:
                unit = unit_create(
                    actor=actor,
                    audit=False,
                    name=spec.name,
                    kind=spec.kind,
                    level=spec.level,
                    parent=parent,
                    node=node,
                    short_name=spec.short_name,
                    organ_id=organ_id,
                    source_key=spec.source_key,
                    sort_order=spec.sort_order,
                )
                report.created += 1
            else:
                changes = _changes(unit, spec, parent, organ_id)
                if changes:
                    unit_update(actor=actor, unit=unit, audit=False, **changes)
                    unit.refresh_from_db()
                    report.updated += 1
                else:
                    report.unchanged += 1
            loaded[spec.source_key] = unit
            if progress is not None:
                progress(1)
        absent = sorted(key for key in existing if key not in all_keys)
        report.absent = len(absent)
        report.absent_keys = absent
        if close_absent:
            today = timezone.localdate()
            for key in absent:
                unit = existing[key]
                if unit.active_to is None:
                    unit_update(actor=actor, unit=unit, audit=False, active_to=today)
                    report.closed += 1
        summary = asdict(report)
        summary["absent_keys"] = absent[:100]
        record(actor=actor, verb="unit.load", data={"source": "vietnam-provinces", **summary})
    return report


def _changes(
    unit: Unit, spec: UnitSpec, parent: Unit | None, organ_id: str | None
) -> dict[str, Any]:
    """The fields of ``unit`` that differ from the reference ``spec``."""
    changes: dict[str, Any] = {}
    for name in ("name", "short_name", "kind", "level", "sort_order"):
        if getattr(unit, name) != getattr(spec, name):
            changes[name] = getattr(spec, name)
    if unit.parent_id != (parent.pk if parent else None):
        changes["parent"] = parent
    # An organ id is only ever set from the data file, never cleared: an administrator
    # may have entered the real one by hand.
    if organ_id and unit.organ_id != organ_id:
        changes["organ_id"] = organ_id
    return changes
