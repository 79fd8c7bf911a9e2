"""Demo certificates and stamp images (``lienthong load_demo_trust``), after ``load_demo``.

DEMO ONLY. Creates the node's CA when it has none, a signing certificate for every demo
leader, a seal certificate for the units of the demo clerks, and simple signature and seal
images drawn here, so that a visitor can sign and validate a PDF in the demo at once.
Idempotent: what already exists (a valid certificate, an image in use) is kept.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from lienthong.audit.services import Actor
from lienthong.core.errors import InvalidInput
from lienthong.org.choices import RoleCode
from lienthong.org.demo import DEMO_ACCOUNTS
from lienthong.org.models import Unit, User
from lienthong.trust import services
from lienthong.trust.choices import CertificateProfile
from lienthong.trust.models import Certificate, CertificateAuthority, StampImage

__all__ = ["DemoTrustReport", "demo_trust_load", "draw_seal", "draw_signature"]

_FONT = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"
_FALLBACK_FONT = "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"


@dataclass
class DemoTrustReport:
    """What ``demo_trust_load`` did."""

    ca_created: bool = False
    certificates: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in (_FONT, _FALLBACK_FONT):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def draw_signature(name: str) -> bytes:
    """A blue handwriting-like flourish on a transparent background (demo only)."""
    width, height = 600, 220
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    blue = (20, 40, 170, 255)
    seed = sum(ord(ch) for ch in name)
    points = []
    for step in range(120):
        x = 40 + step * 4.3
        y = 110 + 45 * math.sin(step / 7.0 + seed % 5) * math.exp(-step / 160)
        y += 18 * math.sin(step / 2.3)
        points.append((x, y))
    draw.line(points, fill=blue, width=6, joint="curve")
    draw.line([(80, 170), (520, 150)], fill=blue, width=4)
    return _png(image)


def draw_seal(unit_name: str) -> bytes:
    """A red round seal with the unit's name and a star, transparent (demo only)."""
    size = 420
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 16, 30, 235)
    centre = size / 2
    draw.ellipse((8, 8, size - 8, size - 8), outline=red, width=12)
    draw.ellipse((70, 70, size - 70, size - 70), outline=red, width=5)
    star = []
    for i in range(10):
        radius = 60 if i % 2 == 0 else 24
        angle = -math.pi / 2 + i * math.pi / 5
        star.append((centre + radius * math.cos(angle), centre + radius * math.sin(angle)))
    draw.polygon(star, fill=red)
    font = _font(30)
    text = unit_name.upper()
    # The name runs around the ring, one letter at a time.
    span = math.pi * 1.6
    for i, letter in enumerate(text):
        angle = -math.pi / 2 - span / 2 + span * (i + 0.5) / max(len(text), 1)
        x = centre + 170 * math.cos(angle)
        y = centre + 170 * math.sin(angle)
        glyph = Image.new("RGBA", (48, 48), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((24, 24), letter, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        image.alpha_composite(glyph, (int(x - 24), int(y - 24)))
    return _png(image)


def _issuing_ca(actor: Actor, report: DemoTrustReport) -> CertificateAuthority:
    existing = (
        CertificateAuthority.objects.filter(parent__isnull=False, key__isnull=False, is_active=True)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    report.ca_created = True
    return services.ca_init(
        actor=actor,
        network_name="Mạng lienthong (demo)",
        slug="lienthong",
        organization="lienthong demo",
    ).issuing


def _has_valid(**holder: object) -> bool:
    return Certificate.objects.valid_at().filter(**holder).exists()


def _image(kind: str, content: bytes, name: str, **holder: object) -> bool:
    if StampImage.objects.filter(kind=kind, is_active=True, **holder).exists():
        return False
    image = StampImage(kind=kind, **holder)
    image.image.save(name, ContentFile(content), save=False)
    image.full_clean()
    image.save()
    return True


def demo_trust_load(*, actor: Actor) -> DemoTrustReport:
    """Give the demo accounts certificates and stamp images; idempotent.

    Raises:
        InvalidInput: the demo accounts are not loaded (run ``lienthong load_demo``).
    """
    report = DemoTrustReport()
    users = {
        u.username: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
    }
    if len(users) != len(DEMO_ACCOUNTS):
        raise InvalidInput("The demo accounts are not loaded: run `lienthong load_demo` first.")
    with transaction.atomic():
        authority = _issuing_ca(actor, report)
        for account in DEMO_ACCOUNTS:
            user = users[account.username]
            unit = Unit.objects.get(source_key=account.unit_key)
            if account.role == RoleCode.LEADER:
                if not _has_valid(holder_user=user, profile=CertificateProfile.PERSON_SIGNING):
                    services.certificate_issue(
                        actor=actor,
                        authority=authority,
                        profile=CertificateProfile.PERSON_SIGNING,
                        subject=services.SubjectSpec(
                            common_name=user.full_name, organization=unit.name
                        ),
                        holder_user=user,
                        holder_unit=unit,
                    )
                    report.certificates.append(f"{user.full_name}: person_signing")
                if _image(
                    StampImage.Kind.SIGNATURE,
                    draw_signature(user.full_name),
                    f"{user.username}.png",
                    holder_user=user,
                ):
                    report.images.append(f"{user.full_name}: signature")
            if account.role == RoleCode.CLERK:
                if not _has_valid(holder_unit=unit, profile=CertificateProfile.UNIT_SEAL):
                    services.certificate_issue(
                        actor=actor,
                        authority=authority,
                        profile=CertificateProfile.UNIT_SEAL,
                        subject=services.SubjectSpec(common_name=unit.name, organization=unit.name),
                        holder_unit=unit,
                    )
                    report.certificates.append(f"{unit.name}: unit_seal")
                if _image(
                    StampImage.Kind.SEAL,
                    draw_seal(unit.name),
                    f"seal-{unit.pk}.png",
                    holder_unit=unit,
                ):
                    report.images.append(f"{unit.name}: seal")
    return report
