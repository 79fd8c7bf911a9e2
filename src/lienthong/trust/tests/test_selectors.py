"""Reads of the trust app: scope of certificates, what a person may sign with."""

from __future__ import annotations

from lienthong.org.choices import RoleCode
from lienthong.org.tests.factories import UserFactory, member
from lienthong.trust import selectors, services
from lienthong.trust.choices import CertificateProfile, RevocationReason
from lienthong.trust.models import StampImage
from lienthong.trust.tests.conftest import ACTOR


def _seal_of(unit, pki):
    return services.certificate_issue(
        actor=ACTOR,
        authority=pki.cas.issuing,
        profile=CertificateProfile.UNIT_SEAL,
        subject=services.SubjectSpec(common_name=unit.name),
        holder_unit=unit,
    )


def test_units_with_permission_follow_the_role_subtree(world):
    """GIVEN an IT officer of province A WHEN asked where they may issue certificates
    THEN the province and its communes, nothing of province B; a clerk: nowhere."""
    it_a = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    units = set(selectors.units_with_permission(user=it_a, permission="trust.add_certificate"))
    assert units == {world.province_a, world.commune_a1, world.commune_a2}
    assert not selectors.units_with_permission(
        user=world.clerk_a1, permission="trust.add_certificate"
    ).exists()


def test_signing_certificates_leader_signs_as_a_person_clerk_with_the_seal(world, pki):
    """GIVEN the leader's certificate and the province's seal, and a clerk of the province
    WHEN asked what each may sign with THEN the leader gets their own certificate only,
    the clerk the seal of their own unit only."""
    clerk_pa = member(UserFactory(), world.province_a, RoleCode.CLERK)
    _seal_of(world.commune_a1, pki)
    assert list(selectors.signing_certificates(user=world.leader_a)) == [pki.person]
    assert list(selectors.signing_certificates(user=clerk_pa)) == [pki.seal]
    assert list(selectors.signing_certificates(user=world.clerk_b1)) == []


def test_a_revoked_certificate_is_not_offered_for_signing(world, pki):
    """GIVEN the leader's certificate revoked WHEN asked THEN nothing is offered."""
    services.certificate_revoke(
        actor=ACTOR, certificate=pki.person, reason=RevocationReason.KEY_COMPROMISE
    )
    assert not selectors.signing_certificates(user=world.leader_a).exists()


def test_certificate_search_filters_by_status_and_words(world, pki):
    """GIVEN an IT officer of province A, a revoked seal of a1 and a valid one of a2
    WHEN they search by status and by words THEN each filter keeps the right ones."""
    it_a = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    a1 = _seal_of(world.commune_a1, pki)
    a2 = _seal_of(world.commune_a2, pki)
    services.certificate_revoke(actor=ACTOR, certificate=a1)
    revoked = set(selectors.certificate_search(user=it_a, status="revoked"))
    assert revoked == {a1}
    valid = set(selectors.certificate_search(user=it_a, status="valid"))
    assert a2 in valid
    assert a1 not in valid
    assert set(selectors.certificate_search(user=it_a, query="cua nam")) == {a2}
    # The CA's own certificates (TSA, OCSP) are not listed among people's and seals.
    assert pki.cas.tsa not in set(selectors.certificate_search(user=world.admin_central))


def test_issuing_authority_is_the_issuing_ca_not_the_root(world, pki):
    """GIVEN a network made by ca_init WHEN asked for the issuing CA THEN the issuing one."""
    assert selectors.issuing_authority() == pki.cas.issuing


def test_stamp_image_list_holds_own_signature_and_seals_of_administered_units(world, pki):
    """GIVEN the fixture's signature image of the leader and seal image of province A
    WHEN the leader and an IT officer of province A ask THEN the leader sees their
    signature (not the seal), the officer sees the seal (not the leader's signature)."""
    it_a = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    leader_kinds = {image.kind for image in selectors.stamp_image_list(user=world.leader_a)}
    assert leader_kinds == {StampImage.Kind.SIGNATURE}
    officer_kinds = {image.kind for image in selectors.stamp_image_list(user=it_a)}
    assert officer_kinds == {StampImage.Kind.SEAL}
