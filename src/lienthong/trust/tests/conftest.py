"""Fixtures of the trust tests: a small CA, signing certificates, stamp images, a token."""

from __future__ import annotations

import io
import math
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from lienthong.audit.actors import SystemActor
from lienthong.trust import services
from lienthong.trust.choices import CertificateProfile
from lienthong.trust.models import Certificate, StampImage

ACTOR = SystemActor("trust-tests")
SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "lienthong-test"
TOKEN_PIN = "1234"
TOKEN_SO_PIN = "5678"


def missing_tool(*paths: str) -> None:
    """Skip when a system tool is missing, except under CI=true where it must fail."""
    absent = [p for p in paths if not (Path(p).exists() or shutil.which(p))]
    if not absent:
        return
    message = f"needs {', '.join(absent)} (Debian packages softhsm2 / poppler-utils)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def signature_png() -> bytes:
    """A blue, transparent handwriting-like PNG (vn-rules.md §1.9)."""
    image = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(40 + x * 5, 140 + 60 * math.sin(x / 9) * math.cos(x / 23)) for x in range(0, 104)]
    draw.line(points, fill=(20, 40, 200, 255), width=9, joint="curve")
    draw.line([(120, 190), (480, 170)], fill=(20, 40, 200, 255), width=6)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seal_png() -> bytes:
    """A red, transparent round seal PNG (vn-rules.md §1.9)."""
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (220, 20, 30, 255)
    draw.ellipse((8, 8, 392, 392), outline=red, width=14)
    draw.ellipse((60, 60, 340, 340), outline=red, width=6)
    draw.regular_polygon((200, 200, 70), n_sides=5, fill=red, rotation=90)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@dataclass
class Pki:
    """The test network's CA and a person's and a unit's certificates."""

    cas: services.CaSet
    person: Certificate
    seal: Certificate
    person_user: Any
    unit: Any

    @property
    def root_pem(self) -> str:
        """The root certificate (PEM)."""
        return self.cas.root.certificate.pem


@pytest.fixture
def pki(world: Any, settings: Any, tmp_path: Path) -> Pki:
    """GIVEN a network CA (EC keys for speed), a leader's signing certificate and the
    province's seal certificate, with their stamp images."""
    settings.KEY_ALGORITHM = "ec-p256"
    settings.MEDIA_ROOT = tmp_path / "media"
    cas = services.ca_init(actor=ACTOR, network_name="Test", slug="test", algorithm="ec-p256")
    person = services.certificate_issue(
        actor=ACTOR,
        authority=cas.issuing,
        profile=CertificateProfile.PERSON_SIGNING,
        subject=services.SubjectSpec(common_name="Lãnh đạo Hà Nội"),
        holder_user=world.leader_a,
        holder_unit=world.province_a,
    )
    seal = services.certificate_issue(
        actor=ACTOR,
        authority=cas.issuing,
        profile=CertificateProfile.UNIT_SEAL,
        subject=services.SubjectSpec(common_name="Tỉnh ủy Hà Nội"),
        holder_unit=world.province_a,
    )
    from django.core.files.base import ContentFile

    sig = StampImage(kind=StampImage.Kind.SIGNATURE, holder_user=world.leader_a)
    sig.image.save("chu-ky.png", ContentFile(signature_png()), save=True)
    stamp = StampImage(kind=StampImage.Kind.SEAL, holder_unit=world.province_a, width_mm=32)
    stamp.image.save("con-dau.png", ContentFile(seal_png()), save=True)
    return Pki(cas=cas, person=person, seal=seal, person_user=world.leader_a, unit=world.province_a)


@dataclass(frozen=True)
class SoftHsm:
    """A SoftHSM2 token initialised for this test session."""

    conf: Path
    label: str
    pin: str


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsm]:
    """GIVEN a fresh SoftHSM2 token in a private token directory.

    SOFTHSM2_CONF is set before the PKCS#11 module is first loaded in this process
    (SoftHSM reads it once).
    """
    missing_tool("softhsm2-util", SOFTHSM_MODULE)
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            TOKEN_LABEL,
            "--pin",
            TOKEN_PIN,
            "--so-pin",
            TOKEN_SO_PIN,
        ],
        check=True,
        capture_output=True,
    )
    yield SoftHsm(conf=conf, label=TOKEN_LABEL, pin=TOKEN_PIN)
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous
