"""The second factor: TOTP codes (django-otp) and single-use backup codes (issue #3,
scope 7).

Every account may enrol; a person who holds a signing role (``org.roles.SIGNING_ROLES``:
clerk, leader) must, because signing a document needs a session verified by a second
factor. Throttling of wrong codes is django-otp's own (``ThrottlingMixin``: each failure
doubles the wait before the next attempt is even checked), and every failure is audited.

This module's functions are a contract other code relies on:
``requires_second_factor``, ``has_device``, ``verify_code``, ``totp_enrol_start``,
``totp_enrol_confirm``, ``totp_reset`` and the view decorator ``second_factor_required``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, PermissionDenied

__all__ = [
    "BACKUP_CODE_COUNT",
    "backup_codes",
    "has_device",
    "is_throttled",
    "match_code",
    "requires_second_factor",
    "second_factor_required",
    "totp_enrol_confirm",
    "totp_enrol_start",
    "totp_reset",
    "verify_code",
]

#: How many single-use backup codes a person receives when they enrol.
BACKUP_CODE_COUNT = 10
#: Device names, as django-otp shows them in its own admin.
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup codes"
#: Digits of an app code (django-otp's default, what every authenticator app shows).
TOTP_DIGITS = 6

View = Callable[..., HttpResponse]


def _is_person(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.pk)


def requires_second_factor(user: Any) -> bool:
    """Tell whether ``user`` must give a second factor before signing.

    True for a person who holds an active membership with a signing role (clerk, leader:
    ``org.roles.SIGNING_ROLES``), and for anyone who already enrolled a TOTP device
    (once enrolled, the factor is always asked).

    Args:
        user: the person (``request.user``); anonymous users need nothing.
    """
    if not _is_person(user):
        return False
    from lienthong.org.models import Membership
    from lienthong.org.roles import SIGNING_ROLES

    signer = (
        Membership.objects.active()
        .filter(user_id=user.pk, role__code__in=[str(code) for code in SIGNING_ROLES])
        .exists()
    )
    return signer or has_device(user)


def has_device(user: Any) -> bool:
    """Tell whether ``user`` has a confirmed TOTP device."""
    if not _is_person(user):
        return False
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def _normalise(code: str) -> str:
    return "".join(str(code or "").split()).lower()


def _check(device_model: type[Device], pk: int, code: str) -> Device | None:
    """Check ``code`` against one device, locked so throttling counts every attempt."""
    with transaction.atomic():
        device: Any = device_model.objects.select_for_update().get(pk=pk)
        if device.verify_token(code):
            return device
    return None


def is_throttled(user: Any) -> bool:
    """Tell whether every device of ``user`` refuses attempts for now (too many failures)."""
    devices: list[Any] = [
        *TOTPDevice.objects.filter(user_id=user.pk, confirmed=True),
        *StaticDevice.objects.filter(user_id=user.pk, confirmed=True),
    ]
    return bool(devices) and not any(device.verify_is_allowed()[0] for device in devices)


def match_code(user: Any, code: str) -> Device | None:
    """The device of ``user`` that accepts ``code``, or None; audits each failure.

    TOTP devices are tried first (a six-digit code), then the static backup codes
    (each works once: django-otp deletes it when used). A device that is throttled after
    wrong codes refuses even a right one until its wait has passed.

    Args:
        user: the person giving the code.
        code: what they typed (spaces are ignored).

    Returns:
        The device that accepted the code (give it to ``django_otp.login``), or None.
    """
    if not _is_person(user):
        return None
    token = _normalise(code)
    if token:
        # A six-digit code is the app's; anything else can only be a backup code, so a
        # wrong app code does not count against the backup codes' throttle too.
        if token.isdigit() and len(token) == TOTP_DIGITS:
            candidates: list[tuple[type[Device], Any]] = [
                (TOTPDevice, TOTPDevice.objects.filter(user_id=user.pk, confirmed=True))
            ]
        else:
            candidates = [
                (StaticDevice, StaticDevice.objects.filter(user_id=user.pk, confirmed=True))
            ]
        for model, devices in candidates:
            for pk in devices.values_list("pk", flat=True):
                device = _check(model, pk, token)
                if device is not None:
                    return device
    record(
        actor=user,
        verb="2fa.fail",
        target=user,
        data={"throttled": is_throttled(user)},
    )
    return None


def verify_code(user: Any, code: str) -> bool:
    """Tell whether ``code`` is a valid TOTP code or an unused backup code of ``user``.

    A backup code is consumed by a successful check. Wrong codes are throttled by
    django-otp (``TOTPDevice.verify_is_allowed``) and audited as ``2fa.fail``.
    """
    return match_code(user, code) is not None


def totp_enrol_start(*, actor: Actor, user: Any) -> TOTPDevice:
    """Start enrolling an authenticator app: an unconfirmed TOTP device with a new secret.

    An unconfirmed device left by an earlier attempt is reused, so reloading the page
    does not change the secret the person is typing into their app.

    Args:
        actor: who enrols (the person themself).
        user: the account the device is for.

    Raises:
        InvalidInput: the person already has a confirmed device (an IT officer resets it
            first, ``totp_reset``).
    """
    if has_device(user):
        raise InvalidInput(
            _("You already have an authenticator app. Ask your IT officer to reset it first.")
        )
    with transaction.atomic():
        pending = (
            TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-pk").first()
        )
        if pending is not None:
            return pending
        device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
        return device


def totp_enrol_confirm(*, actor: Actor, user: Any, device: TOTPDevice, code: str) -> bool:
    """Confirm an enrolment with a code from the app; create the backup codes once.

    Args:
        actor: who confirms (the person themself).
        user: the account.
        device: the unconfirmed device from ``totp_enrol_start``.
        code: the six digits the app shows.

    Returns:
        True when the code matched and the device is now confirmed.

    Raises:
        InvalidInput: the device is not an unconfirmed device of ``user``.
    """
    if device.user_id != user.pk or device.confirmed:
        raise InvalidInput(_("This enrolment is not pending for this account."))
    token = _normalise(code)
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not token.isdigit() or not locked.verify_token(token):
            record(actor=actor, verb="2fa.fail", target=user, data={"during": "enrol"})
            return False
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        created_codes = 0
        if not StaticDevice.objects.filter(user_id=user.pk).exists():
            backup = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
            StaticToken.objects.bulk_create(
                StaticToken(device=backup, token=StaticToken.random_token())
                for _i in range(BACKUP_CODE_COUNT)
            )
            created_codes = BACKUP_CODE_COUNT
        record(
            actor=actor,
            verb="2fa.enrol",
            target=user,
            data={"device": "totp", "backup_codes": created_codes},
        )
    device.refresh_from_db()
    return True


def backup_codes(user: Any) -> list[str]:
    """The unused backup codes of ``user`` (shown once, right after enrolment)."""
    return list(
        StaticToken.objects.filter(device__user_id=user.pk)
        .order_by("pk")
        .values_list("token", flat=True)
    )


def totp_reset(*, actor: Actor, user: Any) -> None:
    """Remove the authenticator and the backup codes of a person who lost their phone.

    The person enrols again at their next signature. A person actor must be allowed to
    change the account (an IT officer of their unit, an administrator).

    Raises:
        PermissionDenied: the actor may not change this account.
    """
    from lienthong.org.models import User

    if hasattr(actor, "_meta") and not (
        User.objects.restrict(actor, "change").filter(pk=user.pk).exists()
    ):
        raise PermissionDenied(_("You may not reset the second factor of this person."))
    with transaction.atomic():
        totp_count, _detail = TOTPDevice.objects.filter(user_id=user.pk).delete()
        static_count, _detail = StaticDevice.objects.filter(user_id=user.pk).delete()
        record(
            actor=actor,
            verb="2fa.reset",
            target=user,
            data={"removed": totp_count + static_count},
        )


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def second_factor_required(view: View) -> View:
    """Let only sessions verified by a second factor reach ``view``.

    A person who is not logged in goes to the log-in page; one with a device but an
    unverified session goes to the verify page, and one without a device to enrolment,
    both with ``?next=`` pointing back here.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        is_verified = getattr(user, "is_verified", None)
        if callable(is_verified) and is_verified():
            return view(request, *args, **kwargs)
        page = request.get_full_path()
        if getattr(request, "htmx", False):
            page = request.htmx.current_url_abs_path or page  # type: ignore[attr-defined]
        target = "trust-2fa-verify" if has_device(user) else "trust-2fa-enrol"
        return _redirect(request, f"{reverse(target)}?{urlencode({'next': page})}")

    return login_required(wrapper)
