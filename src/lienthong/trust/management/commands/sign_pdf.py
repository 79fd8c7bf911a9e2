"""``lienthong sign_pdf IN OUT --as USER [--seal UNIT]``: sign a PDF as a person, then seal it.

Goes through the same services as the web page (a signature request per signature,
audited). vn-rules.md §1.9: the person signs first; the unit's seal follows, on a
document already signed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from lienthong.core.errors import ApplicationError
from lienthong.org.models import Membership, Unit, User
from lienthong.trust import pades
from lienthong.trust.choices import CertificateProfile, KeyStorage
from lienthong.trust.models import Certificate, SignatureRequest
from lienthong.trust.second_factor import requires_second_factor, verify_code
from lienthong.trust.signing import signature_request_create, signature_request_sign


def _valid(query: Any) -> Any:
    return query.valid_at().order_by("-not_before")


class Command(BaseCommand):
    help = (
        "Sign a PDF with the person's signing certificate (PAdES, B-LTA by default) and "
        "optionally apply the unit's seal signature after it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="the PDF to sign")
        parser.add_argument("output", help="where to write the signed PDF")
        parser.add_argument("--as", dest="username", required=True, help="the signer's username")
        parser.add_argument(
            "--seal", metavar="UNIT", help="also apply this unit's seal (organ id or number)"
        )
        parser.add_argument(
            "--seal-only",
            action="store_true",
            help="apply only the seal (the PDF must already carry a person's signature)",
        )
        parser.add_argument("--token", metavar="LABEL", help="use the key on this PKCS#11 token")
        parser.add_argument("--pin", help="the token's user PIN")
        parser.add_argument("--otp", metavar="CODE", help="the signer's authenticator code")
        parser.add_argument("--level", default="B-LTA", choices=pades.LEVELS)
        parser.add_argument("--title", default="", help="the document's title (for the record)")
        parser.add_argument("--title-line", default="", help="the signer's title on the stamp")
        parser.add_argument("--invisible", action="store_true", help="no visible stamp")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        return user

    def _unit(self, value: str) -> Unit:
        query = Q(organ_id=value)
        if value.isdigit():
            query |= Q(pk=int(value))
        unit = Unit.objects.filter(query).first()
        if unit is None:
            raise CommandError(f"No unit with organ id or number {value!r}.")
        return unit

    def _person_certificate(self, user: User, token: str | None) -> Certificate:
        query = Certificate.objects.filter(
            profile=CertificateProfile.PERSON_SIGNING, holder_user=user
        )
        if token:
            query = query.filter(key__storage=KeyStorage.PKCS11, key__token_label=token)
        else:
            query = query.exclude(key__storage=KeyStorage.NONE)
        certificate = _valid(query).first()
        if certificate is None:
            where = f" on token {token!r}" if token else ""
            raise CommandError(f"{user.username} has no valid signing certificate{where}.")
        return certificate

    def _seal_certificate(self, user: User, unit: Unit) -> Certificate:
        if not Membership.objects.active().filter(user=user, unit=unit).exists():
            raise CommandError(f"{user.username} holds no role in {unit.name}.")
        certificate = _valid(
            Certificate.objects.filter(profile=CertificateProfile.UNIT_SEAL, holder_unit=unit)
        ).first()
        if certificate is None:
            raise CommandError(f"{unit.name} has no valid seal certificate.")
        return certificate

    def _sign(
        self, *, user: User, certificate: Certificate, kind: str, pdf: bytes, options: Any
    ) -> bytes:
        unit = certificate.holder_unit
        if unit is None:
            raise CommandError(f"The certificate {certificate} belongs to no unit.")
        try:
            request = signature_request_create(
                actor=user,
                unit=unit,
                signer=user,
                certificate=certificate,
                kind=kind,
                title=options["title"],
                pdf=pdf,
                options=options["request"],
            )
            request = signature_request_sign(
                actor=user,
                request=request,
                second_factor_verified=True,
                token_pin=options["pin"],
            )
            with request.output_pdf.open("rb") as handle:
                signed: bytes = handle.read()
        except ApplicationError as exc:
            raise CommandError(f"Signing failed: {exc}") from exc
        return signed

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["input"])
        if not source.is_file():
            raise CommandError(f"No such file: {source}")
        user = self._user(options["username"])
        if requires_second_factor(user):
            code = options.get("otp") or ""
            if not code:
                raise CommandError(
                    f"{user.username} signs with a second factor: give --otp CODE "
                    "(the authenticator code)."
                )
            if not verify_code(user, code):
                raise CommandError("The authenticator code is wrong or expired.")
        if options["seal_only"] and not options["seal"]:
            raise CommandError("--seal-only needs --seal UNIT.")
        pdf = source.read_bytes()
        title = options["title"] or source.stem
        request_options = {"level": options["level"], "visible": not options["invisible"]}
        done: list[str] = []
        if not options["seal_only"]:
            certificate = self._person_certificate(user, options.get("token"))
            pdf = self._sign(
                user=user,
                certificate=certificate,
                kind=SignatureRequest.Kind.PERSON,
                pdf=pdf,
                options={
                    "title": title,
                    "pin": options.get("pin"),
                    "request": {**request_options, "title_line": options["title_line"]},
                },
            )
            done.append(f"signed by {certificate.common_name}")
        if options["seal"]:
            unit = self._unit(options["seal"])
            certificate = self._seal_certificate(user, unit)
            pdf = self._sign(
                user=user,
                certificate=certificate,
                kind=SignatureRequest.Kind.SEAL,
                pdf=pdf,
                options={"title": title, "pin": None, "request": request_options},
            )
            done.append(f"sealed by {certificate.common_name}")
        try:
            Path(options["output"]).write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"Cannot write {options['output']}: {exc.strerror}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"{options['output']}: {', '.join(done)} ({options['level']}).")
        )
