"""Routes of the public PKI endpoints (see lienthong.trust.pki_views): the addresses the
node writes into its certificates (``CertificateAuthority.crl_url`` and friends)."""

from __future__ import annotations

from django.urls import path

from lienthong.trust import pki_views

urlpatterns = [
    path("crl/<slug:slug>.crl", pki_views.crl, name="trust-crl"),
    path("ca/<slug:slug>.crt", pki_views.ca_certificate, name="trust-ca-certificate"),
    path("ocsp/<slug:slug>/", pki_views.ocsp_post, name="trust-ocsp"),
    path("ocsp/<slug:slug>/<path:encoded>", pki_views.ocsp_get, name="trust-ocsp-get"),
    path("tsa/", pki_views.tsa, name="trust-tsa"),
]
