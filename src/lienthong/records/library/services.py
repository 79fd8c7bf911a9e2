"""Writes of the library of Party documents (issue #9 scope 5): keyword-only, one
transaction and one audit record each; the search index follows on commit.

The rules applied:

- vn-rules.md §2.3-2.4: the number and notation of a Party document ("57-NQ/TW": the
  type's abbreviation, a slash, the issuing body) and one entry per issuing body,
  number, notation and date (``Publication.clean`` and its constraints);
- vn-rules.md §5.2: classified content is never stored on a node connected to the
  Internet (``documents.services.guard.classification_guard``, the same check as for
  documents), before any file or row is written;
- a relation never points to its own publication, is never entered twice, and
  "replaces" never makes a cycle (A replaces B replaces A).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.choices import Clearance
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import holds_in
from lienthong.documents.services.files import file_read, file_store
from lienthong.documents.services.guard import classification_guard
from lienthong.records.library import search
from lienthong.records.library.choices import RelationKind, Visibility
from lienthong.records.library.models import Publication, PublicationRelation, Tag
from lienthong.records.library.text import pdf_text

__all__ = [
    "ADD",
    "CHANGE",
    "EDITABLE",
    "publication_create",
    "publication_file",
    "publication_relate",
    "publication_restore",
    "publication_update",
    "publication_withdraw",
    "tags_parse",
]

#: The permission to enter publications in a unit, and to change them (org/roles.py).
ADD = "library.add_publication"
CHANGE = "library.change_publication"

#: The fields a keeper writes (everything but the unit, the file and the bookkeeping).
EDITABLE = (
    "document_type",
    "number",
    "notation",
    "issued_on",
    "issuer_name",
    "issuer_unit",
    "term",
    "title",
    "visibility",
    "classification",
)


def _user(actor: Actor) -> Any:
    return actor if isinstance(actor, AbstractBaseUser) else None


def _refuse(error: ValidationError) -> None:
    """Turn a model's ValidationError into the service's InvalidInput (by field)."""
    fields: dict[str, str] = {}
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            fields[name if name != "__all__" else ""] = " ".join(problems)
    else:
        fields[""] = " ".join(error.messages)
    message = " ".join(fields.values())
    raise InvalidInput(message, extra={"fields": {k: v for k, v in fields.items() if k}})


def tags_parse(text: str | Iterable[str]) -> list[str]:
    """Tags as a person types them ("chuyển đổi số; khoa học, công nghệ"), cleaned and
    without duplicates (compared folded)."""
    from lienthong.core.text import fold

    raw = text.replace(";", ",").split(",") if isinstance(text, str) else list(text)
    names: list[str] = []
    keys: set[str] = set()
    for item in raw:
        name = " ".join(str(item).split())[:100]
        key = " ".join(fold(name).split())
        if name and key not in keys:
            keys.add(key)
            names.append(name)
    return names


def _set_tags(publication: Publication, names: Iterable[str]) -> None:
    from lienthong.core.text import fold

    tags = []
    for name in tags_parse(list(names)):
        key = " ".join(fold(name).split())
        tag = Tag.objects.filter(key=key).first()
        if tag is None:
            tag = Tag(name=name)
            tag.save()
        tags.append(tag)
    publication.tags.set(tags)
    publication.tags_text = ", ".join(t.name for t in tags)
    publication.save(update_fields=["tags_text", "updated_at"])


def _check_pdf(data: bytes, name: str) -> tuple[Any, str]:
    """Store the PDF (refused when it is not one) and read its text layer."""
    stored = file_store(data=data, name=name or "van-kien.pdf", expected="pdf")
    return stored, pdf_text(data)


def publication_create(
    *,
    actor: Actor,
    unit: Any,
    document_type: Any,
    number: int,
    notation: str,
    issued_on: Any,
    issuer_name: str,
    title: str,
    term: str = "",
    issuer_unit: Any = None,
    visibility: str = Visibility.INTERNAL,
    classification: int = Clearance.NONE,
    tags: Iterable[str] = (),
    pdf: bytes | None = None,
    pdf_name: str = "",
) -> Publication:
    """Enter a Party document in the library of ``unit``, with its PDF when there is one.

    The PDF must be a PDF (its content, not its name, is checked); the text of its text
    layer becomes the publication's full text, for search.

    Args:
        actor: the keeper (a person holding ``library.add_publication`` in ``unit``) or
            a system actor (demo, import).
        unit: the office that keeps the entry.
        document_type: a Party ``documents.DocumentType``.
        number, notation: "57" and "NQ/TW" (vn-rules.md §2.4).
        issued_on: the date of the document.
        issuer_name: the issuing body as the document names it.
        title: the trích yếu.
        term: the khóa ("XIII").
        issuer_unit: the issuing body among the network's units, if it is one.
        visibility: public, internal or restricted.
        classification: a ``Clearance`` value; only for a restricted publication.
        tags: subject tags.
        pdf: the PDF's bytes; pdf_name: its file name.

    Raises:
        NotFound: the actor may not keep publications in ``unit``.
        InvalidInput: a classified document on an Internet node (vn-rules.md §5.2), a
            file that is not a PDF, or a rule of the entry broken (by field); nothing is
            written then.
    """
    user = _user(actor)
    if user is not None and not holds_in(user, unit, ADD):
        raise NotFound(_("This unit does not exist or you may not do this there."))
    classification_guard(classification=classification)
    publication = Publication(
        unit=unit,
        document_type=document_type,
        number=number,
        notation=(notation or "").strip(),
        issued_on=issued_on,
        issuer_name=" ".join((issuer_name or "").split()),
        issuer_unit=issuer_unit,
        term=term or "",
        title=" ".join((title or "").split()),
        visibility=visibility,
        classification=int(classification or 0),
        created_by=user,
        updated_by=user,
    )
    try:
        publication.full_clean(exclude=["file"])
    except ValidationError as exc:
        _refuse(exc)
    stored = None
    if pdf is not None:
        stored, text = _check_pdf(pdf, pdf_name)
        publication.text_content = text
        publication.file = stored
        publication.file_name = (pdf_name or "van-kien.pdf")[:200]
    try:
        with transaction.atomic():
            publication.save()
            _set_tags(publication, tags)
            record(
                actor=actor,
                verb="publication.create",
                target=publication,
                data={
                    "number": publication.number_display,
                    "visibility": publication.visibility,
                    "file": stored.sha256 if stored is not None else "",
                },
            )
            search.index_on_commit(publication.pk)
    except IntegrityError:  # a concurrent entry took the number meanwhile
        try:
            publication.validate_constraints()
        except ValidationError as exc:
            _refuse(exc)
        raise
    return publication


def _changeable(actor: Actor, publication: Publication) -> None:
    user = _user(actor)
    if user is not None and not (
        Publication.objects.restrict(user, "change").filter(pk=publication.pk).exists()
    ):
        raise NotFound(_("This publication does not exist or you may not change it."))


def publication_update(
    *,
    actor: Actor,
    publication: Publication,
    tags: Iterable[str] | None = None,
    pdf: bytes | None = None,
    pdf_name: str = "",
    **values: Any,
) -> Publication:
    """Change a publication's entry (any of ``EDITABLE``), its tags, or its PDF.

    Raises:
        NotFound: the actor may not change it.
        InvalidInput: as for ``publication_create``; nothing is written then.
    """
    _changeable(actor, publication)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not fields of a publication: {sorted(unknown)}")
    classification_guard(classification=values.get("classification", publication.classification))
    before = {name: _value(publication, name) for name in EDITABLE}
    for name, value in values.items():
        if name in {"notation", "issuer_name", "title"}:
            value = " ".join(str(value or "").split())
        setattr(publication, name, value)
    publication.updated_by = _user(actor)
    try:
        publication.full_clean(exclude=["file"])
    except ValidationError as exc:
        publication.refresh_from_db()
        _refuse(exc)
    changed = sorted(name for name in EDITABLE if _value(publication, name) != before[name])
    if pdf is not None:
        stored, text = _check_pdf(pdf, pdf_name)
        publication.file = stored
        publication.file_name = (pdf_name or "van-kien.pdf")[:200]
        publication.text_content = text
        changed.append("file")
    with transaction.atomic():
        publication.save()
        if tags is not None:
            _set_tags(publication, tags)
            changed.append("tags")
        record(
            actor=actor,
            verb="publication.update",
            target=publication,
            data={"fields": changed},
        )
        search.index_on_commit(publication.pk)
    return publication


def _value(publication: Publication, name: str) -> Any:
    """A field's stored value (the id of a foreign key)."""
    field = Publication._meta.get_field(name)
    return getattr(publication, getattr(field, "attname", name))


def _replaces_path(start: Publication, goal: Publication) -> bool:
    """True when ``start`` already replaces ``goal``, directly or through others."""
    seen: set[int] = set()
    frontier = {start.pk}
    while frontier:
        if goal.pk in frontier:
            return True
        seen |= frontier
        frontier = (
            set(
                PublicationRelation.objects.filter(
                    source_id__in=frontier, kind=RelationKind.REPLACES
                ).values_list("target_id", flat=True)
            )
            - seen
        )
    return False


def publication_relate(
    *, actor: Actor, source: Publication, target: Publication, kind: str
) -> PublicationRelation:
    """Record that ``source`` replaces / amends / guides / implements ``target``.

    "A replaces B" makes B show as replaced by A (``Publication.effective_status``).

    Raises:
        NotFound: the actor may not change ``source``.
        InvalidInput: ``target`` is ``source``, the relation exists already, or it would
            make a cycle of replacements.
    """
    _changeable(actor, source)
    if kind not in RelationKind.values:
        raise InvalidInput(_("Unknown relation."))
    if source.pk == target.pk:
        raise InvalidInput(_("A publication cannot relate to itself."))
    if PublicationRelation.objects.filter(source=source, target=target, kind=kind).exists():
        raise InvalidInput(_("These two publications are already related so."))
    if kind == RelationKind.REPLACES and _replaces_path(target, source):
        raise InvalidInput(
            _(
                "%(target)s already replaces %(source)s, directly or through others: "
                "the replacement would go round in a circle."
            )
            % {"target": target.number_display, "source": source.number_display}
        )
    relation = PublicationRelation(source=source, target=target, kind=kind, created_by=_user(actor))
    try:
        relation.full_clean()
    except ValidationError as exc:
        _refuse(exc)
    with transaction.atomic():
        relation.save()
        record(
            actor=actor,
            verb="publication.relate",
            target=source,
            data={"kind": kind, "target": target.pk, "target_number": target.number_display},
        )
        search.index_on_commit(source.pk)
        search.index_on_commit(target.pk)
    return relation


def publication_withdraw(*, actor: Actor, publication: Publication, reason: str) -> Publication:
    """Take a publication out of the library (it stays, hidden, for its keepers).

    Raises:
        NotFound: the actor may not change it.
        InvalidInput: no reason given, or it is withdrawn already.
    """
    _changeable(actor, publication)
    reason = " ".join((reason or "").split())
    if not reason:
        message = _("Say why the publication is withdrawn.")
        raise InvalidInput(message, extra={"fields": {"reason": message}})
    if publication.withdrawn_at is not None:
        raise InvalidInput(_("This publication is already withdrawn."))
    with transaction.atomic():
        publication.withdrawn_at = timezone.now()
        publication.withdrawn_reason = reason[:500]
        publication.updated_by = _user(actor)
        publication.save(
            update_fields=["withdrawn_at", "withdrawn_reason", "updated_by", "updated_at"]
        )
        record(
            actor=actor, verb="publication.withdraw", target=publication, data={"reason": reason}
        )
        search.index_on_commit(publication.pk)
    return publication


def publication_restore(*, actor: Actor, publication: Publication) -> Publication:
    """Put a withdrawn publication back in the library.

    Raises:
        NotFound: the actor may not change it.
        InvalidInput: it is not withdrawn.
    """
    _changeable(actor, publication)
    if publication.withdrawn_at is None:
        raise InvalidInput(_("This publication is not withdrawn."))
    with transaction.atomic():
        publication.withdrawn_at = None
        publication.withdrawn_reason = ""
        publication.updated_by = _user(actor)
        publication.save(
            update_fields=["withdrawn_at", "withdrawn_reason", "updated_by", "updated_at"]
        )
        record(actor=actor, verb="publication.restore", target=publication)
        search.index_on_commit(publication.pk)
    return publication


def publication_file(publication: Publication) -> bytes:
    """The PDF of a publication already resolved for its reader (system use: the page
    resolves the publication through ``selectors.publication_get`` first)."""
    if publication.file is None:
        raise NotFound(_("This publication has no file."))
    return file_read(publication.file)
