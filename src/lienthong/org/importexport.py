"""Units to and from XLSX workbooks, as the offices keep their lists (openpyxl).

The sheet ``units`` has one header row and one unit per row:

======================  ===============================================================
column                  meaning
======================  ===============================================================
``organ_id``            mã định danh (vn-rules.md §3.8); optional, unique
``name``                required
``short_name``          used in document numbers ("TU", "ĐU")
``kind``                a ``UnitKind`` code (``committee``, ``department``…)
``level``               a ``UnitLevel`` number (1 central, 2 province, 4 commune…)
``parent_organ_id``     the parent's organ id (in the database or on an earlier row)
``parent_path``         else the parent's names from the top down, joined by " / "; the
                        trailing part is enough when it is unique ("Thành ủy Hà Nội")
``active_from``         date (a date cell, ``YYYY-MM-DD`` or ``DD/MM/YYYY``)
``active_to``           date
======================  ===============================================================

No parent means a root unit (only someone whose scope is the whole tree may add one).
Importing is all or nothing: every row is checked first, and one bad row means nothing
is written and every error is reported by row and column (issue #2 acceptance).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput
from lienthong.core.permissions import AllUnits, allowed_units
from lienthong.org.choices import UnitKind, UnitLevel
from lienthong.org.models import ORGAN_ID_VALIDATOR, Unit, UnitQuerySet
from lienthong.org.services import unit_create

__all__ = [
    "COLUMNS",
    "PATH_SEPARATOR",
    "ImportReport",
    "RowError",
    "export_units",
    "units_export",
    "units_import",
]

COLUMNS = (
    "organ_id",
    "name",
    "short_name",
    "kind",
    "level",
    "parent_organ_id",
    "parent_path",
    "active_from",
    "active_to",
)
REQUIRED_COLUMNS = ("name", "kind", "level")
PATH_SEPARATOR = " / "
SHEET_NAME = "units"
#: A larger list is a mistake or an attack; the whole country has about 3,500 units.
MAX_ROWS = 20_000


@dataclass(frozen=True)
class RowError:
    """One reason a row was refused."""

    row: int
    """Row number as the spreadsheet shows it (the header is row 1)."""
    column: str
    message: str


@dataclass
class ImportReport:
    """The result of an import."""

    rows: int = 0
    """Data rows read (empty rows are skipped)."""
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no row was refused."""
        return not self.errors


@dataclass
class _Row:
    number: int
    organ_id: str | None
    name: str
    short_name: str
    kind: str
    level: int
    parent_unit: Unit | None
    parent_row: _Row | None
    chain: tuple[str, ...]
    active_from: dt.date | None
    active_to: dt.date | None
    unit: Unit | None = None


def _scope(user: Any | None, action: str) -> UnitQuerySet:
    """Units ``user`` may ``action``; every unit when ``user`` is None (system use)."""
    if user is None:
        return Unit.objects.get_queryset()
    return Unit.objects.restrict(user, action)  # type: ignore[return-value]


def _may_add_roots(user: Any | None) -> bool:
    return user is None or isinstance(allowed_units(user, "org.add_unit"), AllUnits)


def _chains(units: Iterable[Unit]) -> dict[int, tuple[str, ...]]:
    """Names from the root down to each unit, with one query for every ancestor."""
    units = list(units)
    ids = {pk for u in units for pk in u.ancestor_ids()} | {u.pk for u in units}
    names = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {
        u.pk: tuple(names[pk] for pk in [*u.ancestor_ids(), u.pk] if pk in names) for u in units
    }


# --- Export ---------------------------------------------------------------------------


def units_export(*, user: Any | None, path_or_stream: str | Path | IO[bytes]) -> int:
    """Write the units ``user`` may view to an XLSX workbook, parents before children.

    A unit whose parent is outside the user's view gets no parent columns, so nothing
    out of scope is written.

    Args:
        user: the person exporting; None for system use (every unit, the CLI).
        path_or_stream: a file name or a binary stream.

    Returns:
        The number of units written.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    visible = list(_scope(user, "view"))
    by_pk = {u.pk: u for u in visible}
    units = _tree_order(visible, by_pk)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for unit in units:
        parent = by_pk.get(unit.parent_id) if unit.parent_id else None
        chain: list[str] = []
        node = parent
        while node is not None:
            chain.append(node.name)
            node = by_pk.get(node.parent_id) if node.parent_id else None
        sheet.append(
            [
                unit.organ_id or "",
                unit.name,
                unit.short_name,
                unit.kind,
                unit.level,
                (parent.organ_id or "") if parent else "",
                PATH_SEPARATOR.join(reversed(chain)),
                unit.active_from,
                unit.active_to,
            ]
        )
    for row in sheet.iter_rows(min_row=2, min_col=8, max_col=9):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFGHI", (18, 50, 12, 18, 6, 18, 60, 12, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    workbook.save(path_or_stream)
    return len(units)


def _tree_order(units: list[Unit], by_pk: dict[int, Unit]) -> list[Unit]:
    """Depth first, siblings by order then name: every parent comes before its children."""
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        parent_id = unit.parent_id if unit.parent_id in by_pk else None
        children.setdefault(parent_id, []).append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (u.sort_order, u.name, u.pk))
    ordered: list[Unit] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(reversed(children.get(unit.pk, [])))
    return ordered


#: The name the issue uses; same function.
export_units = units_export


# --- Import ---------------------------------------------------------------------------


def _read_rows(stream: Any) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The header and the non-empty data rows of the workbook's units sheet."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InvalidInput(_("The file is not a readable XLSX workbook.")) from exc
    except Exception as exc:  # openpyxl raises its own types for broken parts
        raise InvalidInput(_("The file is not a readable XLSX workbook.")) from exc
    try:
        sheet = workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames else workbook.active
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise InvalidInput(_("The workbook is empty."))
        header = [str(h).strip().lower() if h is not None else "" for h in header_row]
        data: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            data.append((number, list(values)))
            if len(data) > MAX_ROWS:
                raise InvalidInput(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
    finally:
        workbook.close()
    return header, data


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    """A date cell or text; raises ValueError when it is neither empty nor a date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _ends_with(chain: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    return len(chain) >= len(wanted) and chain[len(chain) - len(wanted) :] == wanted


class _ParentFinder:
    """Resolve ``parent_path`` against the database (in the add scope) and earlier rows."""

    def __init__(self, user: Any | None) -> None:
        self.user = user
        self._db_cache: dict[tuple[str, ...], list[Unit]] = {}
        self._db_chains: dict[int, tuple[str, ...]] = {}

    def in_database(self, wanted: tuple[str, ...]) -> list[Unit]:
        if wanted not in self._db_cache:
            candidates = list(_scope(self.user, "add").filter(name=wanted[-1])[:50])
            chains = _chains(candidates)
            self._db_chains.update(chains)
            self._db_cache[wanted] = [u for u in candidates if _ends_with(chains[u.pk], wanted)]
        return self._db_cache[wanted]

    def chain(self, unit: Unit) -> tuple[str, ...]:
        if unit.pk not in self._db_chains:
            self._db_chains.update(_chains([unit]))
        return self._db_chains[unit.pk]


def _check_rows(
    user: Any | None, header: list[str], data: list[tuple[int, list[Any]]]
) -> tuple[list[_Row], list[RowError]]:
    """Check every row; return the rows ready to create and every error found."""
    errors: list[RowError] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        for column in missing:
            errors.append(RowError(1, column, _("This column is missing from the header.")))
        return [], errors
    # Other columns (notes an office keeps) are ignored.
    index = {name: header.index(name) for name in COLUMNS if name in header}
    kinds = set(UnitKind.values)
    levels = set(UnitLevel.values)
    finder = _ParentFinder(user)
    may_add_roots = _may_add_roots(user)
    by_organ_id: dict[str, _Row] = {}
    rows: list[_Row] = []

    for number, values in data:

        def cell(column: str, values: list[Any] = values) -> Any:
            position = index.get(column)
            return values[position] if position is not None and position < len(values) else None

        def fail(column: str, message: str, number: int = number) -> None:
            errors.append(RowError(number, column, message))

        before = len(errors)
        name = _text(cell("name"))
        if not name:
            fail("name", _("A name is required."))
        organ_id = _text(cell("organ_id")) or None
        if organ_id is not None:
            try:
                ORGAN_ID_VALIDATOR(organ_id)
            except ValidationError as exc:
                fail("organ_id", " ".join(str(m) for m in exc.messages))
                organ_id = None
        if organ_id is not None:
            if organ_id in by_organ_id:
                fail(
                    "organ_id",
                    _("This organisation id is already used on row %(row)d.")
                    % {"row": by_organ_id[organ_id].number},
                )
            elif Unit.objects.filter(organ_id=organ_id).exists():
                fail("organ_id", _("A unit with this organisation id already exists."))
        kind = _text(cell("kind"))
        if kind not in kinds:
            fail(
                "kind",
                _("Unknown kind %(kind)r; use one of: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(UnitKind.values)},
            )
        level_text = _text(cell("level"))
        level = int(level_text) if level_text.isdigit() else 0
        if level not in levels:
            fail(
                "level",
                _("Unknown level %(level)r; use one of: %(levels)s.")
                % {"level": level_text, "levels": ", ".join(str(v) for v in UnitLevel.values)},
            )
        dates: dict[str, dt.date | None] = {}
        for column in ("active_from", "active_to"):
            try:
                dates[column] = _date(cell(column))
            except ValueError:
                fail(column, _("Not a date; write YYYY-MM-DD or DD/MM/YYYY."))
                dates[column] = None
        if (
            dates["active_from"]
            and dates["active_to"]
            and dates["active_to"] < dates["active_from"]
        ):
            fail("active_to", _("A unit cannot close before it opens."))

        # The parent: by organ id, else by path of names; in the database or earlier rows.
        parent_unit: Unit | None = None
        parent_row: _Row | None = None
        parent_organ_id = _text(cell("parent_organ_id"))
        parent_path = tuple(
            part.strip()
            for part in _text(cell("parent_path")).split(PATH_SEPARATOR.strip())
            if part.strip()
        )
        parent_column = "parent_organ_id" if parent_organ_id else "parent_path"
        if parent_organ_id:
            parent_row = by_organ_id.get(parent_organ_id)
            if parent_row is None:
                parent_unit = _scope(user, "add").filter(organ_id=parent_organ_id).first()
                if parent_unit is None:
                    fail(
                        "parent_organ_id",
                        _(
                            "No unit with this organisation id, in the database or on an "
                            "earlier row, under which you may add units."
                        ),
                    )
        elif parent_path:
            in_file = [r for r in rows if _ends_with(r.chain, parent_path)]
            in_db = finder.in_database(parent_path)
            if len(in_file) + len(in_db) == 0:
                fail(
                    "parent_path",
                    _(
                        "No unit with this path, in the database or on an earlier row, "
                        "under which you may add units."
                    ),
                )
            elif len(in_file) + len(in_db) > 1:
                fail(
                    "parent_path",
                    _("Several units match this path; give more of it or the parent's id."),
                )
            elif in_file:
                parent_row = in_file[0]
            else:
                parent_unit = in_db[0]
        elif not may_add_roots:
            fail("parent_path", _("A parent is required: you may not add a top-level unit."))

        if parent_row is not None:
            chain = (*parent_row.chain, name)
            if any(r.parent_row is parent_row and r.name == name for r in rows):
                fail("name", _("A unit with this name already exists under this parent."))
        elif parent_unit is not None:
            chain = (*finder.chain(parent_unit), name)
            if Unit.objects.filter(parent=parent_unit, name=name).exists():
                fail("name", _("A unit with this name already exists under this parent."))
        else:
            chain = (name,)
            if any(r.chain == chain for r in rows) or (
                Unit.objects.filter(parent__isnull=True, name=name).exists()
            ):
                fail("name", _("A unit with this name already exists under this parent."))

        # The model's own checks (lengths…) on what was parsed.
        if len(errors) == before:
            candidate = Unit(
                name=name,
                short_name=_text(cell("short_name")),
                kind=kind,
                level=level,
                organ_id=organ_id,
                active_from=dates["active_from"],
                active_to=dates["active_to"],
            )
            try:
                candidate.full_clean(
                    exclude=["path", "node", "parent", "successor", "source_key", "name_folded"]
                )
            except ValidationError as exc:
                for field_name, messages in exc.message_dict.items():
                    column = field_name if field_name in COLUMNS else parent_column
                    if field_name == "__all__":
                        column = "active_to"
                    for message in messages:
                        fail(column, message)

        row = _Row(
            number=number,
            organ_id=organ_id,
            name=name,
            short_name=_text(cell("short_name")),
            kind=kind,
            level=level,
            parent_unit=parent_unit,
            parent_row=parent_row,
            chain=chain,
            active_from=dates["active_from"],
            active_to=dates["active_to"],
        )
        rows.append(row)
        if organ_id is not None and organ_id not in by_organ_id:
            by_organ_id[organ_id] = row
    return rows, errors


def units_import(*, actor: Actor, user: Any | None, stream: Any) -> ImportReport:
    """Create the units listed in an XLSX workbook, all or nothing.

    Every row is checked before anything is written: the name is given; the kind and
    level are known; the dates are dates in order; the organ id is well formed
    (QĐ 20/2020/QĐ-TTg, vn-rules.md §3.8) and used neither on an earlier row nor in the
    database; the parent exists, in the database within the user's "add" scope or on an
    earlier row; no sibling has the same name. Then all units are created in one
    transaction, each with its audit record, plus one summary record (``unit.import``).

    Args:
        actor: who imports (the person, or a ``SystemActor`` on the command line).
        user: whose scope limits the parents (``restrict(user, "add")``); None for system
            use with the whole tree in scope (``lienthong import_units``).
        stream: a binary stream or a path of an XLSX file.

    Returns:
        The report, with the units created.

    Raises:
        InvalidInput: the file is unreadable, or at least one row is refused; nothing is
            written. ``extra["errors"]`` lists ``{"row", "column", "message"}``.
    """
    header, data = _read_rows(stream)
    rows, errors = _check_rows(user, header, data)
    report = ImportReport(rows=len(data), errors=errors)
    if errors:
        raise InvalidInput(
            _("The file was not imported: %(count)d error(s).") % {"count": len(errors)},
            extra={"errors": [asdict(e) for e in errors], "rows": len(data)},
        )
    try:
        with transaction.atomic():
            for row in rows:
                parent = row.parent_row.unit if row.parent_row is not None else row.parent_unit
                row.unit = unit_create(
                    actor=actor,
                    name=row.name,
                    kind=row.kind,
                    level=row.level,
                    parent=parent,
                    short_name=row.short_name,
                    organ_id=row.organ_id,
                    active_from=row.active_from,
                )
                if row.active_to is not None:
                    row.unit.active_to = row.active_to
                    row.unit.full_clean(exclude=["path"])
                    row.unit.save(update_fields=["active_to", "updated_at"])
                report.units.append(row.unit)
            report.created = len(rows)
            record(
                actor=actor,
                verb="unit.import",
                data={"rows": report.rows, "created": report.created},
            )
    except ValidationError as exc:  # a race with another writer: still all or nothing
        raise InvalidInput(
            _("The file was not imported: %(count)d error(s).") % {"count": 1},
            extra={"errors": [{"row": 0, "column": "", "message": "; ".join(exc.messages)}]},
        ) from exc
    return report
