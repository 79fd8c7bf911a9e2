"""Errors and problems of the edXML codec: one line of English, translatable later.

The codec is pure (no settings, no database), so it cannot call ``gettext`` when it
fails. Each message is a constant template marked with ``gettext_noop`` (so that
``makemessages`` collects it) plus its parameters; ``str()`` gives the English line and
``translated()`` the line in the active language, for the management command and pages.
"""

from __future__ import annotations

import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _one_line(text: str) -> str:
    """Collapse control characters (newlines included) into single spaces."""
    return _CONTROL.sub(" ", text).strip()


def _render(template: str, params: dict[str, Any]) -> str:
    if not params:
        return _one_line(template)
    safe = {key: _one_line(str(value)) for key, value in params.items()}
    return _one_line(template % safe)


class EdxmlError(ValueError):
    """An envelope or status message refused, with a one-line reason a person can read.

    Attributes:
        template: the English message template (a msgid, ``%(name)s`` placeholders).
        params: the values put into the template.
    """

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(_render(template, params))

    def translated(self) -> str:
        """The reason in the active language (needs Django's settings to be configured)."""
        from django.utils.translation import gettext

        return _render(gettext(self.template), self.params)


class Problem(str):
    """One problem found by ``validate``: a ``str`` (English) that can also be translated."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Problem:
        problem = super().__new__(cls, _render(template, params))
        problem.template = template
        problem.params = params
        return problem

    def translated(self) -> str:
        """The problem in the active language (needs Django's settings to be configured)."""
        from django.utils.translation import gettext

        return _render(gettext(self.template), self.params)
