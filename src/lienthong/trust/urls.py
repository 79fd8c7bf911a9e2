"""URLs of the trust app under /trust/: the public PKI endpoints (CRL, OCSP, TSA, CA
certificates) and the pages (certificates, signing, validation, second factor)."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("lienthong.trust.pki_urls")),
    path("", include("lienthong.trust.page_urls")),
]
