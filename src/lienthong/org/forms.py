"""Forms of the organisation pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

#: The longest search query accepted (longer ones are refused with a message).
SEARCH_MAX_LENGTH = 100


class UnitSearchForm(forms.Form):
    """The unit search box: words of a unit's name, diacritics optional."""

    q = forms.CharField(
        label=_("Search units"),
        max_length=SEARCH_MAX_LENGTH,
        required=False,
        strip=True,
    )
