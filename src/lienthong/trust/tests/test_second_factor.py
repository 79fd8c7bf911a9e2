"""The second factor: who must have one, TOTP and backup codes, throttling, enrol, reset."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput, PermissionDenied
from lienthong.org.choices import RoleCode
from lienthong.org.tests.factories import UserFactory, member
from lienthong.trust import second_factor


def _now_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for ``device``."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrolled(user: object) -> TOTPDevice:
    """A user with a confirmed TOTP device and backup codes (through the services)."""
    device = second_factor.totp_enrol_start(actor=user, user=user)
    assert second_factor.totp_enrol_confirm(
        actor=user, user=user, device=device, code=_now_code(device)
    )
    device.refresh_from_db()
    # The enrolment used this step's code; later checks in the same test need a fresh
    # step, so forget that it was used (as if 30 seconds had passed).
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return device


def test_clerk_and_leader_must_have_a_second_factor_a_specialist_need_not(world):
    """GIVEN a clerk, a leader, a specialist and a person with no role
    WHEN asked whether a second factor is required
    THEN clerk and leader yes (they sign), the specialist and the outsider no."""
    specialist = member(UserFactory(), world.commune_a1, RoleCode.SPECIALIST)
    assert second_factor.requires_second_factor(world.clerk_a1)
    assert second_factor.requires_second_factor(world.leader_a)
    assert not second_factor.requires_second_factor(specialist)
    assert not second_factor.requires_second_factor(world.outsider)


def test_anyone_who_enrolled_is_asked_for_the_second_factor(world):
    """GIVEN a specialist (no signing role) who enrolled an app anyway
    WHEN asked THEN the second factor is required of them too."""
    specialist = member(UserFactory(), world.commune_a1, RoleCode.SPECIALIST)
    enrolled(specialist)
    assert second_factor.has_device(specialist)
    assert second_factor.requires_second_factor(specialist)


def test_enrolment_confirms_with_a_real_code_and_makes_ten_backup_codes(world):
    """GIVEN a leader starting enrolment WHEN they confirm with the app's current code
    THEN the device is confirmed, ten backup codes exist and "2fa.enrol" is audited."""
    leader = world.leader_a
    device = second_factor.totp_enrol_start(actor=leader, user=leader)
    assert not device.confirmed
    assert not second_factor.has_device(leader)
    # Reloading the page keeps the same secret.
    assert second_factor.totp_enrol_start(actor=leader, user=leader).pk == device.pk

    wrong = "000000" if _now_code(device) != "000000" else "111111"
    assert not second_factor.totp_enrol_confirm(
        actor=leader, user=leader, device=device, code=wrong
    )
    assert not second_factor.has_device(leader)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    assert second_factor.totp_enrol_confirm(
        actor=leader, user=leader, device=device, code=_now_code(device)
    )
    assert second_factor.has_device(leader)
    assert len(second_factor.backup_codes(leader)) == second_factor.BACKUP_CODE_COUNT
    assert AuditEvent.objects.filter(verb="2fa.enrol", target_id=str(leader.pk)).count() == 1
    with pytest.raises(InvalidInput):
        second_factor.totp_enrol_start(actor=leader, user=leader)


def test_verify_code_accepts_the_apps_current_code_once(world):
    """GIVEN an enrolled clerk WHEN they give the code the app shows now
    THEN it is accepted; the same code again is refused (no replay)."""
    device = enrolled(world.clerk_a1)
    code = _now_code(device)
    assert second_factor.verify_code(world.clerk_a1, code)
    assert not second_factor.verify_code(world.clerk_a1, code)


def test_verify_code_refuses_a_wrong_code_and_audits_it(world):
    """GIVEN an enrolled clerk WHEN they type a wrong code THEN it is refused and a
    "2fa.fail" event is written."""
    device = enrolled(world.clerk_a1)
    wrong = "123456" if _now_code(device) != "123456" else "654321"
    assert not second_factor.verify_code(world.clerk_a1, wrong)
    assert AuditEvent.objects.filter(verb="2fa.fail", target_id=str(world.clerk_a1.pk)).exists()


def test_a_backup_code_works_exactly_once(world):
    """GIVEN an enrolled leader and one of their backup codes
    WHEN they use it twice THEN the first use passes and the second is refused."""
    enrolled(world.leader_a)
    backup = second_factor.backup_codes(world.leader_a)[0]
    assert second_factor.verify_code(world.leader_a, backup.upper())  # case does not matter
    assert not StaticToken.objects.filter(token=backup).exists()
    assert not second_factor.verify_code(world.leader_a, backup)
    assert len(second_factor.backup_codes(world.leader_a)) == second_factor.BACKUP_CODE_COUNT - 1


def test_after_a_wrong_code_even_the_right_one_is_refused_until_the_wait_ends(world, settings):
    """GIVEN an enrolled clerk and a throttle of one hour per failure
    WHEN they type a wrong code and then the right one
    THEN the right one is refused too (django-otp throttling) and the person is told
    they are throttled; once the failures are cleared, the right code passes."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 3600
    device = enrolled(world.clerk_a1)
    right = _now_code(device)
    wrong = "123456" if right != "123456" else "654321"
    assert not second_factor.verify_code(world.clerk_a1, wrong)
    assert not second_factor.verify_code(world.clerk_a1, right)
    assert second_factor.is_throttled(world.clerk_a1) is False  # backup codes still allowed
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    assert second_factor.verify_code(world.clerk_a1, right)


def test_is_throttled_when_every_device_waits(world, settings):
    """GIVEN an enrolled clerk whose app and backup codes both saw a wrong code, with a
    long throttle WHEN asked THEN the person is throttled."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 3600
    settings.OTP_STATIC_THROTTLE_FACTOR = 3600
    device = enrolled(world.clerk_a1)
    wrong = "123456" if _now_code(device) != "123456" else "654321"
    assert not second_factor.verify_code(world.clerk_a1, wrong)
    assert not second_factor.verify_code(world.clerk_a1, "notacode")
    assert second_factor.is_throttled(world.clerk_a1)


def test_reset_by_the_it_officer_removes_the_devices(world):
    """GIVEN an enrolled commune clerk and the province's IT officer
    WHEN the IT officer resets the clerk's second factor
    THEN the app and the backup codes are gone and "2fa.reset" is audited."""
    it_officer = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    enrolled(world.clerk_a1)
    second_factor.totp_reset(actor=it_officer, user=world.clerk_a1)
    assert not second_factor.has_device(world.clerk_a1)
    assert not StaticDevice.objects.filter(user=world.clerk_a1).exists()
    assert AuditEvent.objects.filter(verb="2fa.reset", target_id=str(world.clerk_a1.pk)).exists()


def test_reset_is_refused_to_an_it_officer_of_another_province(world):
    """GIVEN an IT officer of province B WHEN they try to reset a clerk of province A
    THEN PermissionDenied is raised and the device stays."""
    it_officer_b = member(UserFactory(), world.province_b, RoleCode.IT_OFFICER)
    enrolled(world.clerk_a1)
    with pytest.raises(PermissionDenied):
        second_factor.totp_reset(actor=it_officer_b, user=world.clerk_a1)
    assert second_factor.has_device(world.clerk_a1)
