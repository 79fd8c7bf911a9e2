"""The counting board's pages (issue #6): congresses and elections, the ballots to print,
keyboard-fast double entry, reconciliation and the board's decisions, the count, the
result on a projector, the minutes to sign and the evidence package.

Thin views: every object comes through ``restrict`` (STYLE habit 6: out of scope is 404)
and every change through ``services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lienthong.core.errors import ApplicationError, InvalidInput
from lienthong.core.permissions import AllUnits, allowed_units, get_restricted_or_404, user_can
from lienthong.documents.views._common import person, verified
from lienthong.elections import services, tally
from lienthong.elections.choices import RoundState, ScanState, Team
from lienthong.elections.forms import (
    BoardForm,
    CandidatesForm,
    CongressForm,
    CopiesForm,
    CountForm,
    DecisionForm,
    ElectionForm,
)
from lienthong.elections.models import (
    BallotRecord,
    Congress,
    Election,
    JournalEntry,
    Round,
    ScanBatch,
)
from lienthong.org.models import Unit
from lienthong.org.views import login_required
from lienthong.trust.second_factor import second_factor_required

#: The ground of an invalid ballot, as the board reads it (tally's reason codes).
INVALID_REASONS = {
    "too_many_kept": gettext_lazy("more names kept than seats"),
    "all_crossed_out": gettext_lazy("all names crossed out"),
    "not_official": gettext_lazy("not the official ballot, or no stamp"),
    "written_in": gettext_lazy("a name written in"),
    "extra_mark": gettext_lazy("a special mark or added content"),
}


#: The set-up findings of ``checks`` in the page's language (190 Arts. 8, 14; §A5).
ISSUE_TEXT = {
    "no_surplus": gettext_lazy(
        "%(candidates)s candidates for %(seats)s seats: this list needs more candidates than seats."
    ),
    "surplus_too_large": gettext_lazy(
        "%(surplus)s more candidates than seats; at most %(allowed)s for %(seats)s seats "
        "unless the congress decides otherwise."
    ),
    "no_quorum": gettext_lazy(
        "%(present)s present of %(convened)s convened: less than two thirds."
    ),
    "board_member_is_candidate": gettext_lazy(
        "%(name)s stands in this election and cannot sit on its counting board."
    ),
}


def _issue_text(issue: Any) -> str:
    text = ISSUE_TEXT.get(issue.code)
    return str(text) % issue.params if text is not None else issue.detail


def _fail(request: HttpRequest, exc: ApplicationError) -> None:
    messages.error(request, _("Not done: %(reason)s") % {"reason": exc.message})


def _congress(request: HttpRequest, pk: int, action: str = "view") -> Congress:
    return get_restricted_or_404(
        Congress.objects.select_related("unit"), request.user, action, pk=pk
    )


def _election(request: HttpRequest, pk: int, action: str = "view") -> Election:
    return get_restricted_or_404(
        Election.objects.select_related("congress__unit"), request.user, action, pk=pk
    )


def _round(request: HttpRequest, pk: int, action: str = "view") -> Round:
    return get_restricted_or_404(
        Round.objects.select_related("election__congress__unit"), request.user, action, pk=pk
    )


def _units_for_new_congress(user: Any) -> list[Unit]:
    units = allowed_units(user, "elections.add_congress")
    if units is None:
        return []
    if isinstance(units, AllUnits):
        return list(Unit.objects.order_by("depth", "sort_order", "pk")[:200])
    return list(Unit.objects.filter(pk__in=units).order_by("depth", "sort_order", "pk")[:200])


@login_required
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """The congresses the person may see, and a new one."""
    units = _units_for_new_congress(request.user)
    form = CongressForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            congress = services.congress_create(actor=person(request), **form.cleaned_data)
        except ApplicationError as exc:
            _fail(request, exc)
        else:
            return redirect("elections-congress", congress.pk)
    congresses = (
        Congress.objects.restrict(request.user, "view")
        .select_related("unit")
        .annotate(n_elections=Count("elections"))
        .order_by("-held_on", "pk")
    )
    return render(
        request,
        "elections/home.html",
        {"congresses": congresses, "form": form if units else None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def congress(request: HttpRequest, pk: int) -> HttpResponse:
    """A congress: its elections, and a new one."""
    item = _congress(request, pk)
    may_add = user_can(request.user, "elections.add_election")
    form = ElectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            election = services.election_create(
                actor=person(request), congress=item, **form.cleaned_data
            )
        except ApplicationError as exc:
            _fail(request, exc)
        else:
            return redirect("elections-election", election.pk)
    elections = Election.objects.restrict(request.user, "view").filter(congress=item)
    return render(
        request,
        "elections/congress.html",
        {"congress": item, "elections": elections, "form": form if may_add else None},
        status=400 if request.method == "POST" else 200,
    )


def _next_round(election: Election) -> dict[str, Any] | None:
    """What the last counted round asks for: a runoff among the tied, or another round
    for the seats left (the congress chooses the names), vote-rules.md §A3.3, §A3.5."""
    last = election.rounds.order_by("-number").first()
    if last is None or last.state != RoundState.COUNTED or not last.result:
        return None
    status = last.result.get("status")
    if status == "tie" and last.result.get("tie"):
        tie = last.result["tie"]
        return {"kind": "tie", "names": list(tie["candidates"]), "seats": int(tie["seats"])}
    if status == "shortfall":
        elected = set(last.result.get("elected", []))
        return {
            "kind": "shortfall",
            "names": [n for n in last.names if n not in elected],
            "seats": int(last.result.get("shortfall", 0)),
        }
    return None


@login_required
@require_GET
def election(request: HttpRequest, pk: int) -> HttpResponse:
    """An election: candidates in ballot order, the board, warnings, rounds."""
    item = _election(request, pk)
    may_change = user_can(request.user, "elections.change_election")
    candidates = list(item.candidates.all())
    order = {name: i for i, name in enumerate(services.ballot_order_of(item))}
    candidates.sort(key=lambda c: order.get(c.full_name, len(order)))
    rounds = item.rounds.order_by("number")
    return render(
        request,
        "elections/election.html",
        {
            "election": item,
            "candidates": candidates,
            "issues": [
                {"code": i.code, "blocking": i.blocking, "text": _issue_text(i)}
                for i in services.setup_issues(item)
            ],
            "rounds": rounds,
            "next_round": _next_round(item),
            "may_change": may_change,
            "candidates_form": CandidatesForm() if may_change and not rounds else None,
            "board_form": BoardForm(
                initial={
                    "members": "\n".join(
                        f"{m['name']}; {m['username']}".rstrip("; ") for m in item.board
                    )
                }
            )
            if may_change
            else None,
        },
    )


@login_required
@require_POST
def candidates_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _election(request, pk, "change")
    form = CandidatesForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("names", []):
            messages.error(request, str(error))
        return redirect("elections-election", item.pk)
    added = 0
    for name, born in form.cleaned_data["names"]:
        try:
            services.candidate_add(actor=person(request), election=item, full_name=name, born=born)
        except ApplicationError as exc:
            _fail(request, exc)
        else:
            added += 1
    if added:
        messages.success(request, _("%(count)s names added to the list.") % {"count": added})
    return redirect("elections-election", item.pk)


@login_required
@require_POST
def board_set(request: HttpRequest, pk: int) -> HttpResponse:
    item = _election(request, pk, "change")
    form = BoardForm(request.POST)
    if form.is_valid():
        try:
            services.board_set(
                actor=person(request), election=item, members=form.cleaned_data["members"]
            )
        except ApplicationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("The counting board is recorded."))
    return redirect("elections-election", item.pk)


@login_required
@require_POST
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the first round (all candidates), or the round the last one asks for."""
    item = _election(request, pk, "change")
    following = _next_round(item)
    names: list[str] | None = None
    seats: int | None = None
    if following is not None:
        chosen = request.POST.getlist("names") or following["names"]
        names = [n for n in chosen if n in following["names"]]
        seats = following["seats"]
    elif item.rounds.exists():
        messages.error(request, _("The last round is complete or not counted yet."))
        return redirect("elections-election", item.pk)
    try:
        opened = services.round_open(actor=person(request), election=item, names=names, seats=seats)
    except ApplicationError as exc:
        _fail(request, exc)
        return redirect("elections-election", item.pk)
    return redirect("elections-round", opened.pk)


@login_required
@require_GET
def ballots_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's ballot, ``copies`` identical pages (no serial number: §B6)."""
    from lienthong.elections.ballots import ballot_pdf

    item = _round(request, pk)
    form = CopiesForm(request.GET or None)
    copies = form.cleaned_data["copies"] if form.is_valid() else 1
    election = item.election
    try:
        data = ballot_pdf(
            congress=election.congress.name,
            election=str(election.get_kind_display()),
            round_number=item.number,
            names=list(item.names),
            seats=item.seats,
            copies=copies,
        )
    except ValueError:
        messages.error(request, _("Not done: these names do not fit on one ballot."))
        return redirect("elections-round", item.pk)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-bau-{item.pk}.pdf"'
    return response


def _team_summary(item: Round) -> dict[int, dict[str, int]]:
    rows = (
        BallotRecord.objects.filter(round=item)
        .values("team")
        .annotate(n=Count("pk"), last=Max("number"))
    )
    out = {int(Team.FIRST): {"n": 0, "last": 0}, int(Team.SECOND): {"n": 0, "last": 0}}
    for row in rows:
        out[int(row["team"])] = {"n": row["n"], "last": row["last"] or 0}
    return out


def _reading_text(row: BallotRecord, names: list[str]) -> str:
    """One team's reading of a ballot, in words (for the side-by-side comparison)."""
    parts = []
    if row.kept is not None:
        struck = [n for n in names if n not in row.kept]
        parts.append(
            _("struck: %(names)s") % {"names": ", ".join(struck)} if struck else _("none struck")
        )
    else:
        parts.append(", ".join(f"{n}: {v}" for n, v in (row.boxes or {}).items()))
    if not row.official:
        parts.append(_("not official"))
    if not row.stamped:
        parts.append(_("no stamp"))
    if row.written_in:
        parts.append(_("written in: %(names)s") % {"names": "; ".join(row.written_in)})
    if row.extra_mark:
        parts.append(_("special mark"))
    return " · ".join(parts)


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A round: the two entries compared ballot by ballot, the board's decisions, the
    count; once counted, the result, the minutes and the evidence package."""
    item = _round(request, pk)
    names = list(item.names)
    check = services.reconcile(item)
    differences = [
        (n, _reading_text(a, names), _reading_text(b, names))
        for n, (a, b) in sorted(check.pairs.items())
    ]
    result = item.result or None
    rows = []
    if result:
        most = max([c["votes"] for c in result["candidates"]] + [1])
        rows = [{**c, "most": most} for c in result["candidates"]]
    user = request.user
    username = user.get_username()
    signed = {s.get("username") for s in item.minutes_signed_by}
    return render(
        request,
        "elections/round.html",
        {
            "round": item,
            "election": item.election,
            "teams": _team_summary(item),
            "check": check,
            "differences": differences,
            "decision_form": DecisionForm(),
            "count_form": CountForm(initial={"issued": None, "received": None}),
            "result": result,
            "rows": rows,
            "invalid_reasons": [
                (INVALID_REASONS.get(code, code), count)
                for code, count in (result or {}).get("invalid_by_reason", {}).items()
            ],
            "may_enter": user_can(user, "elections.add_ballotrecord"),
            "may_decide": user_can(user, "elections.add_ballotdecision"),
            "may_count": user_can(user, "elections.change_round"),
            "may_sign": any(m.get("username") == username for m in item.election.board)
            and username not in signed,
            "copies_form": CopiesForm(),
            **_scans_context(item, check),
        },
    )


def _scans_context(item: Round, check: Any) -> dict[str, Any]:
    batches = list(ScanBatch.objects.filter(round=item).order_by("pk"))
    return {
        "batches": batches,
        "scans_pending": any(b.state in (ScanState.QUEUED, ScanState.RUNNING) for b in batches),
        "scans_read": len(check.agreed) if check.scanned else 0,
        "scans_review": check.review,
        "typed": not check.scanned
        and BallotRecord.objects.filter(round=item, team__in=[Team.FIRST, Team.SECOND]).exists(),
    }


@login_required
@require_GET
def scans_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The scan files of a round and how far their reading is (htmx: every 2 s while
    any is being read)."""
    item = _round(request, pk)
    context = {
        "round": item,
        "may_enter": user_can(request.user, "elections.add_ballotrecord"),
        **_scans_context(item, services.reconcile(item)),
    }
    return render(request, "elections/_scans.html", context)


@login_required
@require_POST
def scans_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Scan files to read (several at once: PDF, PNG, JPEG, TIFF)."""
    from lienthong.elections.scanning import MAX_SCAN_BYTES, scans_upload

    item = _round(request, pk)
    uploads = request.FILES.getlist("scans")
    if not uploads:
        messages.error(request, _("Not done: choose the scan files."))
    for upload in uploads:
        if (upload.size or 0) > MAX_SCAN_BYTES:
            messages.error(request, _("%(name)s is too large.") % {"name": upload.name})
            continue
        try:
            scans_upload(
                actor=person(request), round_=item, data=upload.read(), name=upload.name or ""
            )
        except ApplicationError as exc:
            messages.error(
                request, _("%(name)s: %(reason)s") % {"name": upload.name, "reason": exc.message}
            )
        else:
            messages.success(request, _("%(name)s is being read.") % {"name": upload.name})
    return redirect("elections-round", item.pk)


@login_required
@require_GET
def scan_image(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The scanned page of ballot ``number`` (for the person who confirms it)."""
    from lienthong.documents.services import files

    item = _round(request, pk)
    if not user_can(request.user, "elections.view_ballotrecord"):
        raise Http404
    row = (
        BallotRecord.objects.restrict(request.user, "view")
        .filter(round=item, team=Team.SCANNER, number=number)
        .select_related("scan")
        .first()
    )
    if row is None or row.scan is None:
        raise Http404
    response = HttpResponse(files.file_read(row.scan), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The scanned ballots a person must confirm, one per screen beside its image; the
    keys work as on the entry page (vote-rules.md §B6)."""
    from lienthong.elections.scanning import scan_review

    item = _round(request, pk)
    queue = list(
        BallotRecord.objects.filter(round=item, team=Team.SCANNER, review=True)
        .order_by("number")
        .values_list("number", flat=True)
    )
    status = 200
    if request.method == "POST":
        number = _number(request.POST.get("number"))
        reading = _posted_reading(request, item)
        try:
            if number is None:
                raise InvalidInput(_("Give the ballot's number in the stack."))
            scan_review(actor=person(request), round_=item, number=number, **reading)
        except ApplicationError as exc:
            _fail(request, exc)
            status = 400
        else:
            messages.success(request, _("Ballot %(number)s confirmed.") % {"number": number})
            return redirect("elections-review", item.pk)
    number = _number(request.GET.get("so")) or (queue[0] if queue else None)
    row = (
        BallotRecord.objects.filter(round=item, team=Team.SCANNER, number=number).first()
        if number
        else None
    )
    if row is None:
        if not queue:
            messages.success(request, _("No scanned ballot waits for a person."))
        return redirect("elections-round", item.pk)
    names = list(item.names)
    omr_rows = {r["name"]: r for r in (row.omr or {}).get("rows", [])}
    rows = [
        {
            "index": i,
            "name": name,
            "struck": row.kept is not None and name not in row.kept,
            "box": (row.boxes or {}).get(name, "none"),
            "unsure": omr_rows.get(name, {}).get("decision") == "unsure",
            "reason": omr_rows.get(name, {}).get("reason", ""),
        }
        for i, name in enumerate(names, start=1)
    ]
    return render(
        request,
        "elections/entry.html",
        {
            "round": item,
            "election": item.election,
            "team": Team.SCANNER,
            "review_mode": True,
            "number": row.number,
            "entered": len(queue),
            "rows": rows,
            "boxes_form": len(names) == item.seats,
            "box_values": tally.BOX_VALUES,
            "current": {
                "official": row.official,
                "stamped": row.stamped,
                "extra_mark": row.extra_mark,
                "doubtful": row.doubtful,
            },
            "written_in": "; ".join(row.written_in or []),
            "reasons": (row.omr or {}).get("reasons", []),
            "stamp_seen": (row.omr or {}).get("stamped"),
            "image_url": reverse("elections-scan-image", args=[item.pk, row.number]),
            "closed": item.state != RoundState.ENTERING,
        },
        status=status,
    )


def _posted_reading(request: HttpRequest, item: Round) -> dict[str, Any]:
    """The ballot as the entry page posts it: ``s-<i>`` struck, ``b-<i>`` box values."""
    names = list(item.names)
    boxes_form = len(names) == item.seats
    reading: dict[str, Any] = {
        "official": request.POST.get("not_official") != "on",
        "stamped": request.POST.get("no_stamp") != "on",
        "extra_mark": request.POST.get("extra_mark") == "on",
        "doubtful": request.POST.get("doubtful") == "on",
        "written_in": [
            n.strip() for n in request.POST.get("written_in", "").split(";") if n.strip()
        ],
    }
    if boxes_form:
        reading["boxes"] = {
            name: request.POST.get(f"b-{i}", "none")
            if request.POST.get(f"b-{i}", "none") in tally.BOX_VALUES
            else "none"
            for i, name in enumerate(names, start=1)
        }
    else:
        reading["kept"] = [
            name for i, name in enumerate(names, start=1) if request.POST.get(f"s-{i}") != "on"
        ]
    return reading


def _number(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 100000 else None


@login_required
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, pk: int, team: int) -> HttpResponse:
    """One ballot per screen for one team (vote-rules.md §B7): number keys strike a
    name (or turn a box), Enter saves and brings the next ballot."""
    item = _round(request, pk)
    if team not in Team.values:
        raise Http404
    names = list(item.names)
    boxes_form = len(names) == item.seats
    status = 200
    if request.method == "POST":
        number = _number(request.POST.get("number"))
        reading = _posted_reading(request, item)
        if number is None:
            messages.error(request, _("Give the ballot's number in the stack."))
            status = 400
        else:
            try:
                services.ballot_enter(
                    actor=person(request), round_=item, team=team, number=number, **reading
                )
            except ApplicationError as exc:
                _fail(request, exc)
                status = 400
            else:
                messages.success(request, _("Ballot %(number)s saved.") % {"number": number})
                url = reverse("elections-entry", args=[item.pk, team])
                return redirect(f"{url}?so={number + 1}")
        current = reading
    summary = _team_summary(item)[team]
    number = _number(request.GET.get("so")) or (
        _number(request.POST.get("number")) if request.method == "POST" else None
    )
    number = number or summary["last"] + 1
    if request.method == "GET":
        row = BallotRecord.objects.filter(round=item, team=team, number=number).first()
        current = (
            {
                "kept": row.kept,
                "boxes": row.boxes,
                "official": row.official,
                "stamped": row.stamped,
                "extra_mark": row.extra_mark,
                "doubtful": row.doubtful,
                "written_in": row.written_in,
            }
            if row is not None
            else {}
        )
    kept = current.get("kept")
    boxes = current.get("boxes") or {}
    rows = [
        {
            "index": i,
            "name": name,
            "struck": kept is not None and name not in kept,
            "box": boxes.get(name, "none"),
        }
        for i, name in enumerate(names, start=1)
    ]
    return render(
        request,
        "elections/entry.html",
        {
            "round": item,
            "election": item.election,
            "team": team,
            "number": number,
            "entered": summary["n"],
            "rows": rows,
            "boxes_form": boxes_form,
            "box_values": tally.BOX_VALUES,
            "current": current,
            "written_in": "; ".join(current.get("written_in") or []),
            "closed": item.state != RoundState.ENTERING,
        },
        status=status,
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    item = _round(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not done: give the decision and its reason."))
    else:
        try:
            services.ballot_decide(
                actor=person(request), round_=item, number=number, **form.cleaned_data
            )
        except ApplicationError as exc:
            _fail(request, exc)
        else:
            messages.success(
                request,
                _("The board's decision on ballot %(number)s is recorded.") % {"number": number},
            )
    return redirect("elections-round", item.pk)


@login_required
@require_POST
def count(request: HttpRequest, pk: int) -> HttpResponse:
    item = _round(request, pk)
    form = CountForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not done: give the ballots issued and received."))
        return redirect("elections-round", item.pk)
    try:
        services.round_count(actor=person(request), round_=item, **form.cleaned_data)
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The round is counted."))
    return redirect("elections-round", item.pk)


def _download(
    request: HttpRequest, item: Round, make: Any, content_type: str, disposition: str
) -> HttpResponse:
    """A file a service makes for the round, or back to the round page with the reason."""
    try:
        data = make(actor=person(request), round_=item)
    except ApplicationError as exc:
        _fail(request, exc)
        return redirect("elections-round", item.pk)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = disposition
    return response


@login_required
@require_GET
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    item = _round(request, pk)
    return _download(
        request,
        item,
        services.round_minutes,
        "application/pdf",
        f'inline; filename="bien-ban-kiem-phieu-{item.pk}.pdf"',
    )


@second_factor_required
@require_POST
def minutes_sign(request: HttpRequest, pk: int) -> HttpResponse:
    item = _round(request, pk)
    try:
        services.minutes_sign(
            actor=person(request),
            round_=item,
            second_factor_verified=verified(request),
            token_pin=request.POST.get("pin") or None,
        )
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("You have signed the counting minutes."))
    return redirect("elections-round", item.pk)


@login_required
@require_GET
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    item = _round(request, pk)
    return _download(
        request,
        item,
        services.round_evidence,
        "application/zip",
        f'attachment; filename="ho-so-kiem-phieu-{item.pk}.zip"',
    )


@login_required
@require_GET
def projector(request: HttpRequest, pk: int) -> HttpResponse:
    """The result in large type for the hall: candidates by votes, the elected marked."""
    item = _round(request, pk)
    result = item.result or None
    return render(
        request,
        "elections/projector.html",
        {"round": item, "election": item.election, "result": result},
    )


@login_required
@require_GET
def journal(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's entry journal, printable, with whether its hash chain holds."""
    item = _round(request, pk)
    entries = JournalEntry.objects.filter(round=item).order_by("pk")
    return render(
        request,
        "elections/journal.html",
        {
            "round": item,
            "election": item.election,
            "entries": entries,
            "chain_ok": services.journal_verify(item),
        },
    )
