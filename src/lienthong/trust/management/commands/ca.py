"""``lienthong ca``: run the node's certificate authority from the command line.

Subcommands: ``init``, ``issue``, ``revoke``, ``crl``, ``list``, ``import-anchor``,
``export-root``. Every change goes through ``lienthong.trust.services`` with the actor
``SystemActor("ca-cli")``; a user error ends with one line and exit status 1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from lienthong.audit.actors import SystemActor
from lienthong.org.models import Unit
from lienthong.trust import services
from lienthong.trust.choices import CertificateProfile, RevocationReason
from lienthong.trust.errors import TrustError
from lienthong.trust.keys import ALGORITHMS
from lienthong.trust.models import Certificate, CertificateAuthority

ACTOR = SystemActor("ca-cli")

#: Profiles a certificate may be issued with (the CA profiles come from ``init``).
ISSUABLE = [
    p.value
    for p in CertificateProfile
    if p not in {CertificateProfile.ROOT_CA, CertificateProfile.ISSUING_CA}
]


def _certificate_json(row: Certificate) -> dict[str, Any]:
    return {
        "serial": row.serial_number,
        "fingerprint_sha256": row.fingerprint_sha256,
        "profile": row.profile,
        "common_name": row.common_name,
        "subject": row.subject,
        "issuer": row.issuer.slug if row.issuer else None,
        "not_before": row.not_before.isoformat(),
        "not_after": row.not_after.isoformat(),
        "status": str(row.status),
        "revocation_reason": row.revocation_reason or None,
        "holder_user": row.holder_user.get_username() if row.holder_user else None,
        "holder_unit": row.holder_unit_id,
    }


class Command(BaseCommand):
    help = "Run the node's certificate authority: init, issue, revoke, crl, list, anchors."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        init = sub.add_parser("init", help="create the root and issuing CAs, TSA and OCSP")
        init.add_argument("--name", required=True, help='network name, e.g. "Mạng Hà Nội"')
        init.add_argument("--slug", default="lienthong", help="short code (default lienthong)")
        init.add_argument("--organization", default="", help="O attribute of the CA names")
        init.add_argument("--algorithm", choices=ALGORITHMS, help="CA key algorithm")
        init.add_argument("--json", action="store_true", help="print JSON")

        issue = sub.add_parser("issue", help="issue a certificate")
        issue.add_argument("--profile", required=True, choices=ISSUABLE)
        issue.add_argument("--cn", required=True, help="common name")
        issue.add_argument("--unit", help="holder unit: organisation id (mã định danh) or id")
        issue.add_argument("--user", help="holder person: user name")
        issue.add_argument("--public-key", type=Path, help="PEM public key (key stays outside)")
        issue.add_argument("--ca", help="issuing CA code (default: the only issuing CA)")
        issue.add_argument("--out", type=Path, help="write the certificate (PEM) here")
        issue.add_argument("--json", action="store_true", help="print JSON")

        revoke = sub.add_parser("revoke", help="revoke a certificate and publish a new CRL")
        revoke.add_argument("certificate", help="serial (hex) or SHA-256 fingerprint")
        revoke.add_argument(
            "--reason", default=RevocationReason.UNSPECIFIED, choices=RevocationReason.values
        )

        crl = sub.add_parser("crl", help="publish a new CRL now")
        crl.add_argument("--slug", help="CA code (default: every CA whose key this node holds)")
        crl.add_argument("--out", type=Path, help="write the CRL (DER) here (needs one CA)")

        listing = sub.add_parser("list", help="list CAs and certificates")
        listing.add_argument("--json", action="store_true", help="print JSON")

        anchor = sub.add_parser("import-anchor", help="trust a root certificate from elsewhere")
        anchor.add_argument("file", type=Path, help="PEM certificate")
        anchor.add_argument("--name", required=True, help="name shown for the anchor")

        import_ca = sub.add_parser(
            "import-ca", help="register an external CA (its root and intermediates) as RA"
        )
        import_ca.add_argument("file", type=Path, help="PEM bundle: the root and intermediates")
        import_ca.add_argument("--name", default="", help="name of the issuing CA")

        import_cert = sub.add_parser(
            "import-cert", help="register a certificate an external CA issued to someone here"
        )
        import_cert.add_argument("file", type=Path, help="PEM certificate")
        import_cert.add_argument("--profile", required=True, choices=ISSUABLE)
        import_cert.add_argument("--unit", help="holder unit: organisation id (mã định danh) or id")
        import_cert.add_argument("--user", help="holder person: user name")
        import_cert.add_argument(
            "--token", default="", help="label of the USB token holding the key"
        )
        import_cert.add_argument("--token-key", default="", help="label of the key on the token")
        import_cert.add_argument(
            "--key", type=Path, help="PEM private key (a software certificate)"
        )
        import_cert.add_argument(
            "--key-password-env",
            help="name of an environment variable holding the key's password",
        )

        export = sub.add_parser("export-root", help="print or write the root certificate")
        export.add_argument("--slug", help="root CA code (default: the only root)")
        export.add_argument("--out", type=Path, help="write the PEM here instead of printing")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"_{action}")(options)
        except TrustError as exc:
            raise CommandError(str(exc)) from exc

    # --- subcommands -----------------------------------------------------------------

    def _init(self, options: dict[str, Any]) -> None:
        made = services.ca_init(
            actor=ACTOR,
            network_name=options["name"],
            slug=options["slug"],
            organization=options["organization"],
            algorithm=options["algorithm"],
        )
        if options["json"]:
            self._json(
                {
                    "root": made.root.slug,
                    "issuing": made.issuing.slug,
                    "tsa": made.tsa.serial_number,
                    "ocsp": made.ocsp.serial_number,
                    "root_sha256": made.root.certificate.fingerprint_sha256,
                }
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {made.root.name} ({made.root.slug}) and {made.issuing.name} "
                f"({made.issuing.slug}), with TSA and OCSP certificates. Root SHA-256: "
                f"{made.root.certificate.fingerprint_sha256}"
            )
        )

    def _issue(self, options: dict[str, Any]) -> None:
        authority = self._issuing_ca(options["ca"])
        public_key = None
        if options["public_key"] is not None:
            public_key = self._read(options["public_key"])
        row = services.certificate_issue(
            actor=ACTOR,
            authority=authority,
            profile=options["profile"],
            subject=services.SubjectSpec(common_name=options["cn"]),
            public_key_pem_text=public_key,
            holder_unit=self._unit(options["unit"]) if options["unit"] else None,
            holder_user=self._user(options["user"]) if options["user"] else None,
        )
        if options["out"] is not None:
            self._write(options["out"], row.pem.encode("ascii"))
        if options["json"]:
            self._json(_certificate_json(row))
        elif options["out"] is None:
            self.stdout.write(row.pem)
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Issued {row.serial_number} to {row.common_name}.")
            )

    def _import_ca(self, options: dict[str, Any]) -> None:
        authority = services.authority_import_external(
            actor=ACTOR, pem_bundle=self._read(options["file"]), name=options["name"]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Registered {authority.name} ({authority.slug}); its root is a trust anchor. "
                "This node does not hold its key: it registers its certificates only."
            )
        )

    def _import_cert(self, options: dict[str, Any]) -> None:
        key_pem = None
        password = None
        if options["key"] is not None:
            key_pem = self._read(options["key"]).encode("ascii")
            if options["key_password_env"]:
                value = os.environ.get(options["key_password_env"])
                if value is None:
                    raise CommandError(f"{options['key_password_env']} is not set.")
                password = value.encode("utf-8")
        row = services.certificate_import(
            actor=ACTOR,
            pem=self._read(options["file"]),
            profile=options["profile"],
            holder_unit=self._unit(options["unit"]) if options["unit"] else None,
            holder_user=self._user(options["user"]) if options["user"] else None,
            token_label=options["token"],
            token_key_label=options["token_key"],
            private_key_pem=key_pem,
            private_key_password=password,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Registered {row.common_name} ({row.serial_number}) issued by {row.issuer}."
            )
        )

    def _revoke(self, options: dict[str, Any]) -> None:
        row = self._find_certificate(options["certificate"])
        services.certificate_revoke(actor=ACTOR, certificate=row, reason=options["reason"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Revoked {row.serial_number} ({row.common_name}); a new CRL is published."
            )
        )

    def _crl(self, options: dict[str, Any]) -> None:
        if options["slug"]:
            authorities = [self._authority(options["slug"])]
        else:
            authorities = [a for a in CertificateAuthority.objects.all() if a.can_issue]
        if not authorities:
            raise CommandError("No CA of this node can publish a CRL (run `lienthong ca init`).")
        if options["out"] is not None and len(authorities) != 1:
            raise CommandError("--out needs one CA: give --slug.")
        for authority in authorities:
            published = services.crl_publish(actor=ACTOR, authority=authority)
            if options["out"] is not None:
                self._write(options["out"], bytes(published.der))
            self.stdout.write(
                f"{authority.slug}: CRL #{published.number}, {published.entries} revoked, "
                f"next update {published.next_update.isoformat()}"
            )

    def _list(self, options: dict[str, Any]) -> None:
        authorities = list(CertificateAuthority.objects.select_related("certificate", "parent"))
        certificates = list(
            Certificate.objects.select_related("issuer", "holder_user").order_by("-not_before")
        )
        if options["json"]:
            self._json(
                {
                    "authorities": [
                        {
                            "slug": a.slug,
                            "name": a.name,
                            "parent": a.parent.slug if a.parent else None,
                            "holds_key": a.can_issue,
                            "crl_number": a.crl_number,
                            "fingerprint_sha256": a.certificate.fingerprint_sha256,
                        }
                        for a in authorities
                    ],
                    "certificates": [_certificate_json(c) for c in certificates],
                }
            )
            return
        for a in authorities:
            self.stdout.write(f"CA {a.slug:20} {a.name}")
        for c in certificates:
            self.stdout.write(
                f"{c.serial_number:42} {c.profile:15} {c.status:14} "
                f"{c.not_after:%Y-%m-%d} {c.common_name}"
            )

    def _import_anchor(self, options: dict[str, Any]) -> None:
        anchor = services.anchor_import(
            actor=ACTOR, name=options["name"], pem=self._read(options["file"])
        )
        self.stdout.write(
            self.style.SUCCESS(f"Trusted {anchor.name} (SHA-256 {anchor.fingerprint_sha256}).")
        )

    def _export_root(self, options: dict[str, Any]) -> None:
        if options["slug"]:
            root = self._authority(options["slug"])
            if not root.is_root:
                raise CommandError(f"{root.slug} is not a root CA.")
        else:
            roots = list(CertificateAuthority.objects.filter(parent__isnull=True))
            if len(roots) != 1:
                raise CommandError(
                    "No root CA on this node (run `lienthong ca init`)."
                    if not roots
                    else "Several root CAs: give --slug."
                )
            root = roots[0]
        if options["out"] is not None:
            self._write(options["out"], root.certificate.pem.encode("ascii"))
            self.stdout.write(self.style.SUCCESS(f"Wrote {root.name} to {options['out']}."))
        else:
            self.stdout.write(root.certificate.pem, ending="")

    # --- helpers ---------------------------------------------------------------------

    def _json(self, payload: Any) -> None:
        self.stdout.write(json.dumps(payload, ensure_ascii=False))

    def _read(self, path: Path) -> str:
        try:
            return path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: not a readable PEM file.") from exc

    def _write(self, path: Path, data: bytes) -> None:
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}.") from exc

    def _authority(self, slug: str) -> CertificateAuthority:
        found = CertificateAuthority.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No CA with the code {slug!r}.")
        return found

    def _issuing_ca(self, slug: str | None) -> CertificateAuthority:
        if slug:
            return self._authority(slug)
        candidates = [
            a for a in CertificateAuthority.objects.filter(parent__isnull=False) if a.can_issue
        ]
        if len(candidates) != 1:
            raise CommandError(
                "No issuing CA on this node (run `lienthong ca init`)."
                if not candidates
                else "Several issuing CAs: give --ca."
            )
        return candidates[0]

    def _unit(self, value: str) -> Unit:
        query = Q(organ_id=value)
        if value.isdigit():
            query |= Q(pk=int(value))
        found = Unit.objects.filter(query).first()
        if found is None:
            raise CommandError(f"No unit with the organisation id or id {value!r}.")
        return found

    def _user(self, username: str) -> Any:
        model = get_user_model()
        found = model.objects.filter(**{model.USERNAME_FIELD: username}).first()
        if found is None:
            raise CommandError(f"No user {username!r}.")
        return found

    def _find_certificate(self, value: str) -> Certificate:
        text = value.replace(":", "").strip().lower()
        if not text or any(ch not in "0123456789abcdef" for ch in text):
            raise CommandError(f"{value!r} is neither a hex serial nor a SHA-256 fingerprint.")
        matches = list(
            Certificate.objects.filter(
                Q(fingerprint_sha256=text) | Q(serial_number=text.lstrip("0") or "0")
            )
        )
        if not matches:
            raise CommandError(f"No certificate with serial or fingerprint {value!r}.")
        if len(matches) > 1:
            raise CommandError(f"Several certificates match {value!r}: give the fingerprint.")
        return matches[0]
