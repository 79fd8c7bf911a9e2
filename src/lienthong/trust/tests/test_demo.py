"""Demo certificates and stamp images (trust/demo.py)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from lienthong.audit.actors import SystemActor
from lienthong.org.demo import DEMO_ACCOUNTS, demo_load
from lienthong.org.tests.test_demo import real_units  # noqa: F401 - a fixture
from lienthong.trust.choices import CertificateProfile
from lienthong.trust.demo import draw_seal, draw_signature
from lienthong.trust.models import Certificate, StampImage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_accounts(real_units, settings):  # noqa: F811
    """GIVEN the real units and the demo accounts, with fast EC keys."""
    settings.CA_KEY_ALGORITHM = "ec-p256"
    settings.KEY_ALGORITHM = "ec-p256"
    demo_load(actor=SystemActor("tests"), password="mat-khau-thu-1234")
    return real_units


def test_demo_trust_gives_leaders_and_clerks_what_they_sign_with(demo_accounts, capsys):
    """GIVEN the demo accounts WHEN load_demo_trust runs twice THEN the CA, a signing
    certificate for each leader, a seal for each clerk's unit and their images exist once."""
    call_command("load_demo_trust", "--json")
    first = json.loads(capsys.readouterr().out)
    assert first["ca_created"] is True
    leaders = [a for a in DEMO_ACCOUNTS if a.role == "leader"]
    clerks_units = {a.unit_key for a in DEMO_ACCOUNTS if a.role == "clerk"}
    assert len(first["certificates"]) == len(leaders) + len(clerks_units)
    for account in leaders:
        cert = Certificate.objects.get(
            holder_user__username=account.username, profile=CertificateProfile.PERSON_SIGNING
        )
        assert cert.status == "valid"
    assert Certificate.objects.filter(profile=CertificateProfile.UNIT_SEAL).count() == len(
        clerks_units
    )
    assert StampImage.objects.filter(kind="seal").count() == len(clerks_units)
    assert StampImage.objects.filter(kind="signature").count() == len(leaders)
    call_command("load_demo_trust", "--json")
    second = json.loads(capsys.readouterr().out)
    assert second == {"ca_created": False, "certificates": [], "images": []}


def test_images_are_transparent_pngs():
    """GIVEN the drawing helpers THEN they make RGBA PNGs with transparent corners."""
    for data in (draw_signature("Lê Văn Hùng"), draw_seal("Thành ủy Hà Nội")):
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG" and image.mode == "RGBA"
        assert image.getpixel((0, 0))[3] == 0


def test_refuses_without_demo_accounts():
    """GIVEN no demo accounts WHEN loading THEN a clear error and nothing created."""
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_trust")
    assert not Certificate.objects.exists()
