"""Forms of the elections pages (issue #6). They parse what the board types; the
services check it against the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lienthong.elections import tally
from lienthong.elections.choices import Body, ElectionKind
from lienthong.elections.models import BallotDecision

_DATE = forms.DateInput(attrs={"type": "date"})
_LINES = forms.Textarea(attrs={"rows": 4})


class CongressForm(forms.Form):
    unit = forms.ChoiceField(label=_("Convening committee"))
    name = forms.CharField(label=_("Name"), max_length=300)
    body = forms.ChoiceField(label=_("Who votes"), choices=Body.choices)
    held_on = forms.DateField(label=_("Date"), widget=_DATE)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        field = self.fields["unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(u.pk), u.name) for u in units]

    def clean_unit(self) -> Any:
        return self.units[self.cleaned_data["unit"]]


def _deductions(text: str) -> list[dict[str, Any]]:
    """``reason: count`` per line (190 Art. 30.2-30.3: who is not counted in the base)."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        reason, sep, count = line.rpartition(":")
        try:
            value = int(count.strip())
        except ValueError:
            value = -1
        if not sep or not reason.strip() or value < 0:
            raise ValidationError(
                _("Line %(line)s: write the reason, a colon and the number (e.g. “ốm: 2”).")
                % {"line": number}
            )
        out.append({"reason": reason.strip(), "count": value})
    return out


class ElectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Election"), choices=ElectionKind.choices)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=500)
    convened = forms.IntegerField(label=_("Convened"), min_value=1, max_value=100000)
    present = forms.IntegerField(label=_("Present"), min_value=0, max_value=100000)
    deductions = forms.CharField(
        label=_("Not counted in the base"),
        help_text=_("One line each: reason, colon, number (e.g. “ốm, không dự cả đại hội: 1”)."),
        required=False,
        widget=_LINES,
    )
    rules = forms.ChoiceField(
        label=_("Counting rules"),
        choices=[(code, rules.title) for code, rules in tally.RULE_SETS.items()],
    )

    def clean_deductions(self) -> list[dict[str, Any]]:
        return _deductions(self.cleaned_data.get("deductions") or "")


def _candidates(text: str) -> list[tuple[str, dt.date | None]]:
    """``Full name`` or ``Full name; dd/mm/yyyy`` per line."""
    out: list[tuple[str, dt.date | None]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        name, _sep, born_text = line.partition(";")
        if not name.strip():
            continue
        born = None
        if born_text.strip():
            try:
                born = dt.datetime.strptime(born_text.strip(), "%d/%m/%Y").date()
            except ValueError:
                raise ValidationError(
                    _("Line %(line)s: the date of birth is day/month/year (e.g. 05/09/1975).")
                    % {"line": number}
                ) from None
        out.append((name, born))
    if not out:
        raise ValidationError(_("Write at least one name."))
    return out


class CandidatesForm(forms.Form):
    names = forms.CharField(
        label=_("Candidates"),
        help_text=_("One per line: full name, and after a semicolon the date of birth."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_names(self) -> list[tuple[str, dt.date | None]]:
        return _candidates(self.cleaned_data["names"])


class BoardForm(forms.Form):
    members = forms.CharField(
        label=_("Counting board"),
        help_text=_(
            "One per line, the chair first: full name, and after a semicolon the account "
            "name of a member who will sign the minutes."
        ),
        widget=_LINES,
    )

    def clean_members(self) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for line in self.cleaned_data["members"].splitlines():
            name, _sep, username = line.partition(";")
            if name.strip():
                role = "member" if out else "chair"
                out.append({"name": name.strip(), "role": role, "username": username.strip()})
        return out


class DecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Decision"), choices=BallotDecision.Verdict.choices, widget=forms.RadioSelect
    )
    reason_code = forms.ChoiceField(
        label=_("Ground (if invalid)"),
        choices=[("", "—"), *BallotDecision.Reason.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CountForm(forms.Form):
    issued = forms.IntegerField(label=_("Ballots issued"), min_value=0, max_value=100000)
    received = forms.IntegerField(label=_("Ballots received"), min_value=0, max_value=100000)


class CopiesForm(forms.Form):
    copies = forms.IntegerField(label=_("Copies"), min_value=1, max_value=1000, initial=1)
