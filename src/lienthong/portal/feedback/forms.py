"""Forms of citizens' feedback: the public form (with its honeypot and its question), the
staff's answer, closing and topic forms. The rules are checked by the services; these
forms only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy

from lienthong.portal.feedback.abuse import HONEYPOT_FIELD, challenge_check, challenge_new
from lienthong.portal.feedback.constants import MAX_ANSWER_CHARS, MAX_TEXT_CHARS
from lienthong.portal.feedback.models import Topic

__all__ = ["AnswerForm", "CloseForm", "FeedbackForm", "TopicForm"]

#: A little more than the attachment limit is read, to tell "too large" (the service
#: gives the message).
_READ_SLACK = 1


def _values(data: Any, key: str) -> list[Any]:
    """Every value of ``key`` in a form's data (a QueryDict or a plain mapping)."""
    if hasattr(data, "getlist"):
        return list(data.getlist(key))
    return [data[key]]


def _describe_errors(form: forms.Form) -> None:
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["aria-describedby"] = f"id_{name}-errors"
            form.fields[name].widget.attrs["aria-invalid"] = "true"


class FeedbackForm(forms.Form):
    """The citizen's feedback form."""

    topic = forms.ModelChoiceField(
        queryset=Topic.objects.none(),
        label=gettext_lazy("Topic"),
        empty_label=gettext_lazy("Choose a topic"),
    )
    text = forms.CharField(
        label=gettext_lazy("Your feedback"),
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": MAX_TEXT_CHARS}),
        help_text=gettext_lazy("At most 5,000 characters."),
    )
    contact_name = forms.CharField(
        label=gettext_lazy("Your name (optional)"), max_length=200, required=False
    )
    contact_email = forms.EmailField(
        label=gettext_lazy("E-mail (optional)"),
        required=False,
        help_text=gettext_lazy("The answer is sent to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=gettext_lazy("Phone (optional)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    consent_publish = forms.BooleanField(
        label=gettext_lazy(
            "I agree that the answer may be published on the portal (without my name and "
            "contact details)."
        ),
        required=False,
    )
    attachment = forms.FileField(
        label=gettext_lazy("Attachment (optional)"),
        required=False,
        help_text=gettext_lazy("PDF, Word (DOCX), JPEG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.docx,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )
    challenge_token = forms.CharField(widget=forms.HiddenInput, required=False)
    challenge_answer = forms.CharField(
        label=gettext_lazy("Answer the question"),
        max_length=3,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 4}),
    )

    def __init__(self, *args: Any, topics: QuerySet[Topic], max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic_field: Any = self.fields["topic"]
        topic_field.queryset = topics
        self.max_bytes = max_bytes
        self.attachment_name = ""
        self.challenge = challenge_new()
        if not self.is_bound:
            self.initial["challenge_token"] = self.challenge.token
        self.fields["challenge_answer"].help_text = self.challenge.question

    @property
    def honeypot_name(self) -> str:
        """The honeypot input's name (rendered by the template, not a form field)."""
        return HONEYPOT_FIELD

    def clean_attachment(self) -> bytes | None:
        """The attachment's bytes (its content is checked by the service), or None."""
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        self.attachment_name = str(upload.name or "")[:200]
        return bytes(upload.read(self.max_bytes + _READ_SLACK))

    def clean(self) -> dict[str, Any]:
        """The question must be answered right (a wrong or old answer: a new question)."""
        cleaned = super().clean() or {}
        if not challenge_check(
            str(self.data.get("challenge_token", "")), str(self.data.get("challenge_answer", ""))
        ):
            self.add_error(
                "challenge_answer",
                gettext_lazy(
                    "The answer to the question is wrong or has expired: answer the new question."
                ),
            )
        return cleaned

    def renew_challenge(self) -> None:
        """Show a new question when the form comes back (the old one may be spent)."""
        data = QueryDict(mutable=True)
        for key in self.data:
            data.setlist(key, _values(self.data, key))
        data["challenge_token"] = self.challenge.token
        data["challenge_answer"] = ""
        self.data = data
        _describe_errors(self)


class AnswerForm(forms.Form):
    """The handler's answer."""

    answer = forms.CharField(
        label=gettext_lazy("Answer"),
        max_length=MAX_ANSWER_CHARS,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    publish = forms.BooleanField(
        label=gettext_lazy("Publish the answer on the portal"), required=False
    )

    def __init__(self, *args: Any, consent: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not consent:
            self.fields["publish"].disabled = True
            self.fields["publish"].help_text = gettext_lazy(
                "The citizen did not consent to publication."
            )
        _describe_errors(self)


class CloseForm(forms.Form):
    """Why a feedback is closed without an answer."""

    reason = forms.CharField(label=gettext_lazy("Reason for closing"), max_length=500)


class TopicForm(forms.Form):
    """A topic and its routing rule."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    unit = forms.ModelChoiceField(
        queryset=Topic.objects.none(),
        label=gettext_lazy("Responsible unit"),
        required=False,
        help_text=gettext_lazy("Empty: the node's fallback unit."),
    )
    days_to_answer = forms.IntegerField(
        label=gettext_lazy("Days to answer"), min_value=1, max_value=365, initial=15
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    sort_order = forms.IntegerField(
        label=gettext_lazy("Order"), min_value=0, max_value=32767, initial=0
    )

    def __init__(self, *args: Any, units: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field: Any = self.fields["unit"]
        unit_field.queryset = units
        _describe_errors(self)
