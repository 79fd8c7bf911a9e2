"""The numbering engine: which series a document takes its number from, and taking it.

A register numbers by three independent rules (vn-rules.md §1.2, §2.4; issue #4 scope 2):

* **period**: when numbers start again at 01: each calendar year (NĐ 30 Điều 15), each
  committee term (HD 36 Mục II.1.3) or once for a whole congress;
* **series**: one series for every type, or one per type;
* **classified documents**: their own series (NĐ 30 Điều 15.2) or the same one (HD 36).

Each rule is a small strategy class registered under its choice value, so a new rule is a
new class (``@period_strategy("…")``), not another branch of an if-chain. The rules give a
``(period_key, series_key)`` pair naming one ``NumberCounter`` row, which
``number_allocate`` locks and increments inside the caller's transaction.

Concurrency. On PostgreSQL the counter row is locked with ``SELECT … FOR UPDATE`` until
the issuing transaction commits. On SQLite ``select_for_update`` is a no-op, but the
database runs with ``transaction_mode=IMMEDIATE`` (config/env.py): every transaction
takes the write lock when it begins and keeps it to the end, so two allocations cannot
interleave; a writer waits up to the busy timeout. Nothing is retried inside an
allocation, so a number is never skipped: a failed transaction rolls its increment back.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput
from lienthong.documents.choices import Convention, PeriodKind, SecretSeries, SeriesKind
from lienthong.documents.models import (
    Document,
    DocumentType,
    NumberCounter,
    Register,
    UnitProfile,
)
from lienthong.documents.types_data import STATE_COPY_CODES

__all__ = [
    "NOTATION_MAX_LENGTH",
    "CongressPeriod",
    "NumberingKey",
    "OwnSecretSeries",
    "PerTypeSeries",
    "PeriodStrategy",
    "SecretStrategy",
    "SeriesStrategy",
    "SharedSecretSeries",
    "SingleSeries",
    "TermPeriod",
    "YearPeriod",
    "notation_for",
    "number_allocate",
    "number_assign",
    "numbering_key",
    "period_strategy",
    "secret_strategy",
    "series_strategy",
]

_NUMBER_FIELDS = (
    "code_number",
    "code_notation",
    "number_year",
    "issued_date",
    "register",
    "issuer_name",
)

#: Ký hiệu (CodeNotation) is at most 30 characters (NĐ 30 Phụ lục VI, vn-rules.md §1.7).
NOTATION_MAX_LENGTH = 30


# --- Strategies ---------------------------------------------------------------------


class PeriodStrategy(ABC):
    """When a register's numbers start again at 01."""

    @abstractmethod
    def period_key(self, register: Register, on: dt.date) -> str:
        """Name the period that contains ``on``.

        Raises:
            InvalidInput: ``on`` belongs to no period of this register.
        """


class SeriesStrategy(ABC):
    """Which series of a period a document type numbers in."""

    @abstractmethod
    def series_key(self, register: Register, document_type: DocumentType) -> str:
        """Name the series of ``document_type`` in ``register``."""


class SecretStrategy(ABC):
    """Whether classified documents number in a series of their own."""

    @abstractmethod
    def series_key(self, series_key: str, classification: int) -> str:
        """Turn the series of an ordinary document into that of one with ``classification``."""


_PERIODS: dict[str, PeriodStrategy] = {}
_SERIES: dict[str, SeriesStrategy] = {}
_SECRETS: dict[str, SecretStrategy] = {}

_P = TypeVar("_P", bound=type[PeriodStrategy])
_S = TypeVar("_S", bound=type[SeriesStrategy])
_C = TypeVar("_C", bound=type[SecretStrategy])


def period_strategy(kind: str) -> Callable[[_P], _P]:
    """Register a ``PeriodStrategy`` for ``Register.period_kind == kind``."""

    def decorate(cls: _P) -> _P:
        _PERIODS[kind] = cls()
        return cls

    return decorate


def series_strategy(kind: str) -> Callable[[_S], _S]:
    """Register a ``SeriesStrategy`` for ``Register.series_kind == kind``."""

    def decorate(cls: _S) -> _S:
        _SERIES[kind] = cls()
        return cls

    return decorate


def secret_strategy(kind: str) -> Callable[[_C], _C]:
    """Register a ``SecretStrategy`` for ``Register.secret_series == kind``."""

    def decorate(cls: _C) -> _C:
        _SECRETS[kind] = cls()
        return cls

    return decorate


@period_strategy(PeriodKind.YEAR)
class YearPeriod(PeriodStrategy):
    """From 01 on 1 January to 31 December (NĐ 30 Điều 15.1; vn-rules.md §1.2)."""

    def period_key(self, register: Register, on: dt.date) -> str:
        """The year: ``"2026"``."""
        return f"{on.year:04d}"


@period_strategy(PeriodKind.TERM)
class TermPeriod(PeriodStrategy):
    """From 01 for the whole committee term (HD 36 Mục II.1.3; vn-rules.md §2.4)."""

    def period_key(self, register: Register, on: dt.date) -> str:
        """The term: ``"term:2025-10-01..2030-09-30"``; refuses a date outside it."""
        start, end = register.term_start, register.term_end
        if start is None or end is None:
            raise InvalidInput(_("The register is numbered by term but has no term dates."))
        if not start <= on <= end:
            raise InvalidInput(
                _("The date %(date)s is outside the register's term (%(start)s to %(end)s).")
                % {
                    "date": on.strftime("%d/%m/%Y"),
                    "start": start.strftime("%d/%m/%Y"),
                    "end": end.strftime("%d/%m/%Y"),
                }
            )
        return f"term:{start.isoformat()}..{end.isoformat()}"


@period_strategy(PeriodKind.CONGRESS)
class CongressPeriod(PeriodStrategy):
    """One series from the opening to the close of a congress (vn-rules.md §2.4): the
    register itself is the congress's, so its whole life is one period."""

    def period_key(self, register: Register, on: dt.date) -> str:
        """``"congress:<register id>"``."""
        return f"congress:{register.pk}"


@series_strategy(SeriesKind.ALL_TYPES)
class SingleSeries(SeriesStrategy):
    """One series for every type (the common choice under NĐ 30, and congresses)."""

    def series_key(self, register: Register, document_type: DocumentType) -> str:
        """``"*"``."""
        return "*"


@series_strategy(SeriesKind.PER_TYPE)
class PerTypeSeries(SeriesStrategy):
    """One series per type (HD 36 Mục II.1.3; an option under NĐ 30 §1.2).

    The key is the abbreviation, so two types sharing it (the Party's Quyết định and
    Quy định, both "QĐ") share a series and số + ký hiệu stays unique; a type without an
    abbreviation (State công văn) keys by its id.
    """

    def series_key(self, register: Register, document_type: DocumentType) -> str:
        """The type's abbreviation, or ``"id:<pk>"`` when it has none."""
        return document_type.code or f"id:{document_type.pk}"


@secret_strategy(SecretSeries.OWN)
class OwnSecretSeries(SecretStrategy):
    """Classified documents have their own series (NĐ 30 Điều 15.2)."""

    def series_key(self, series_key: str, classification: int) -> str:
        """``"<series>:secret"`` for a classified document."""
        return f"{series_key}:secret" if classification > 0 else series_key


@secret_strategy(SecretSeries.SHARED)
class SharedSecretSeries(SecretStrategy):
    """Classified documents take the same series (HD 36; vn-rules.md §2.4)."""

    def series_key(self, series_key: str, classification: int) -> str:
        """The series unchanged."""
        return series_key


@dataclass(frozen=True)
class NumberingKey:
    """The counter a document takes its number from."""

    period_key: str
    """Which period (``"2026"``, ``"term:…"``, ``"congress:…"``)."""
    series_key: str
    """Which series in the period (``"*"``, ``"NQ"``, ``"*:secret"``…)."""


def _strategy(table: dict[str, Any], kind: str, label: str) -> Any:
    try:
        return table[kind]
    except KeyError:
        raise InvalidInput(
            _("The register has an unknown numbering rule: %(rule)s.") % {"rule": f"{label}={kind}"}
        ) from None


def numbering_key(
    *, register: Register, document_type: DocumentType, classification: int, on: dt.date
) -> NumberingKey:
    """Work out which counter of ``register`` numbers this document.

    Args:
        register: the register and its rules.
        document_type: the type of the document.
        classification: ``core.choices.Clearance`` of the document (0 = not classified).
        on: the date of the document.

    Returns:
        The period and series keys.

    Raises:
        InvalidInput: the date is outside the register's term, or a rule is unknown.
    """
    period = _strategy(_PERIODS, register.period_kind, "period").period_key(register, on)
    if document_type.convention == Convention.STATE and document_type.code in STATE_COPY_CODES:
        # Copies share one series whatever the register's series rule (NĐ 30 Phụ lục I
        # Phần II.II.1.c; vn-rules.md §1.1).
        series = "copy"
    else:
        series = _strategy(_SERIES, register.series_kind, "series").series_key(
            register, document_type
        )
    series = _strategy(_SECRETS, register.secret_series, "secret").series_key(
        series, classification
    )
    return NumberingKey(period_key=period, series_key=series)


# --- Allocation ---------------------------------------------------------------------


def number_allocate(
    *, register: Register, document_type: DocumentType, classification: int, on: dt.date
) -> int:
    """Take the next number of the series, inside the caller's transaction.

    Call it from the transaction that stores the number on the document: if that
    transaction rolls back, so does the increment, and no number is lost. The counter row
    is locked until the transaction ends (see the module docstring for SQLite).

    Args:
        register: the register numbering the document.
        document_type: the document's type.
        classification: the document's classification (0 = not classified).
        on: the date of the document (picks the period).

    Returns:
        The number, 1 for the first document of the period and series.

    Raises:
        InvalidInput: the date is outside the term, or the register is not in use.
    """
    if not register.is_active:
        raise InvalidInput(_("The register %(name)s is no longer in use.") % {"name": register})
    key = numbering_key(
        register=register, document_type=document_type, classification=classification, on=on
    )
    with transaction.atomic():
        counter, _created = NumberCounter.objects.get_or_create(
            register=register, period_key=key.period_key, series_key=key.series_key
        )
        counter = NumberCounter.objects.select_for_update().get(pk=counter.pk)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        return counter.last_number


def notation_for(
    *, document: Document, unit_profile: UnitProfile, drafting_unit_code: str = ""
) -> str:
    """Build the ký hiệu of an outgoing document (vn-rules.md §1.2, §2.4).

    * State, a type with an abbreviation: ``"QĐ-UBND"`` (type - issuing body);
    * State công văn (no abbreviation): ``"UBND-VP"`` (issuing body - drafting unit);
    * Party: ``"NQ/TU"``, and ``"CV/TU"`` for a công văn (type / issuing body).

    The separator before the ký hiệu ("15/…" or "12-…") is the document's
    ``number_display``'s business.

    Args:
        document: the document (its convention and type).
        unit_profile: the issuing unit's settings (its ``issuer_code``).
        drafting_unit_code: the drafting unit's abbreviation, for a State công văn.

    Returns:
        The ký hiệu, at most 30 characters (Phụ lục VI).

    Raises:
        InvalidInput: no issuer abbreviation, a Party type without abbreviation, or a
            ký hiệu longer than 30 characters.
    """
    issuer = unit_profile.issuer_code.strip()
    if not issuer:
        raise InvalidInput(
            _("The unit has no issuing body abbreviation; set it in the unit's document settings.")
        )
    doc_type = document.document_type
    code = doc_type.code.strip()
    drafting = drafting_unit_code.strip()
    if document.convention == Convention.PARTY:
        if not code:
            raise InvalidInput(
                _("The type %(type)s has no abbreviation; set one before numbering it.")
                % {"type": doc_type.name}
            )
        notation = f"{code}/{issuer}"
    elif doc_type.is_letter or not code:
        notation = f"{issuer}-{drafting}" if drafting else issuer
    else:
        notation = f"{code}-{issuer}"
    if len(notation) > NOTATION_MAX_LENGTH:
        raise InvalidInput(
            _("The notation %(notation)s is longer than %(max)d characters (NĐ 30 Phụ lục VI).")
            % {"notation": notation, "max": NOTATION_MAX_LENGTH}
        )
    return notation


def number_assign(
    *,
    actor: Actor,
    document: Document,
    register: Register,
    on: dt.date | None = None,
    drafting_unit_code: str = "",
) -> Document:
    """Give an outgoing document its number, ký hiệu and date, and enter it in the register.

    The system assigns the number (NĐ 30 Điều 15.3); the same number serves the paper and
    the electronic copy. A number already used with the same ký hiệu and issuing body in
    the year is refused (Phụ lục VI III.1.h) and nothing is changed.

    Args:
        actor: who issues (the clerk, or a system actor).
        document: an outgoing document without a number yet.
        register: an outgoing register of the document's unit.
        on: the date of issue; today when not given.
        drafting_unit_code: the drafting unit's abbreviation (State công văn, "UBND-VP").

    Returns:
        The document, saved with ``code_number``, ``code_notation``, ``number_year``,
        ``issued_date`` and ``register``.

    Raises:
        InvalidInput: the register does not fit the document, the document already has a
            number, the unit has no document settings, the date is outside the term, the
            ký hiệu is too long, or the number is a duplicate.
    """
    day = on or timezone.localdate()
    if register.unit_id != document.unit_id or register.direction != document.direction:
        raise InvalidInput(_("This register does not belong to the document's unit and direction."))
    profile = UnitProfile.objects.filter(unit_id=document.unit_id).first()
    if profile is None:
        raise InvalidInput(_("The unit has no document settings (issuing body abbreviation)."))
    notation = notation_for(
        document=document, unit_profile=profile, drafting_unit_code=drafting_unit_code
    )
    before = {name: getattr(document, name) for name in _NUMBER_FIELDS}
    try:
        with transaction.atomic():
            locked = Document.objects.select_for_update().get(pk=document.pk)
            if locked.code_number is not None:
                raise InvalidInput(
                    _("The document already has the number %(number)s.")
                    % {"number": locked.number_display}
                )
            number = number_allocate(
                register=register,
                document_type=document.document_type,
                classification=document.classification,
                on=day,
            )
            document.code_number = number
            document.code_notation = notation
            document.number_year = day.year
            document.issued_date = day
            document.register = register
            if not document.issuer_name:
                document.issuer_name = document.unit.name
            document.full_clean()
            document.save()
            record(
                actor=actor,
                verb="document.number",
                target=document,
                data={
                    "number": document.number_display,
                    "register": register.pk,
                    "date": day.isoformat(),
                },
            )
    except ValidationError as exc:
        _restore(document, before)
        raise InvalidInput(" ".join(exc.messages), extra={"fields": exc.message_dict}) from exc
    except IntegrityError as exc:
        # Two concurrent duplicates both passed full_clean; the constraint caught one.
        _restore(document, before)
        raise InvalidInput(
            _("A document with this number, notation and issuing body already exists.")
        ) from exc
    except InvalidInput:
        _restore(document, before)
        raise
    return document


def _restore(document: Document, before: dict[str, Any]) -> None:
    """Put the in-memory document back as it was before a refused numbering."""
    for name, value in before.items():
        setattr(document, name, value)
