"""Pages of the trust app (Vietnamese paths, English names prefixed ``trust-``); the
public PKI endpoints are in ``pki_urls``. See lienthong.trust.urls."""

from __future__ import annotations

from django.urls import path

from lienthong.trust import views

urlpatterns = [
    path("", views.trust_home, name="trust-home"),
    # Second factor
    path("xac-thuc-hai-buoc/", views.second_factor_enrol, name="trust-2fa-enrol"),
    path("xac-thuc-hai-buoc/nhap-ma/", views.second_factor_verify, name="trust-2fa-verify"),
    path(
        "xac-thuc-hai-buoc/dat-lai/<int:pk>/",
        views.second_factor_reset,
        name="trust-2fa-reset",
    ),
    # Certificates
    path("chung-thu/", views.certificate_list, name="trust-certificate-list"),
    path("chung-thu/cua-toi/", views.certificate_mine, name="trust-certificate-mine"),
    path("chung-thu/cap-moi/", views.certificate_issue, name="trust-certificate-issue"),
    path("chung-thu/<int:pk>/", views.certificate_detail, name="trust-certificate-detail"),
    path("chung-thu/<int:pk>/pem/", views.certificate_pem, name="trust-certificate-pem"),
    path("chung-thu/<int:pk>/gia-han/", views.certificate_renew, name="trust-certificate-renew"),
    path("chung-thu/<int:pk>/thu-hoi/", views.certificate_revoke, name="trust-certificate-revoke"),
    # Stamp images (handwritten signature, seal)
    path("mau-chu-ky/", views.stamp_images, name="trust-stamp-images"),
    path("mau-chu-ky/<int:pk>/anh/", views.stamp_image_file, name="trust-stamp-image-file"),
    # Signing (the interrupted flow of SignatureRequest)
    path("ky-so/", views.signing, name="trust-signing"),
    path("ky-so/<int:pk>/", views.signing_detail, name="trust-signing-detail"),
    path("ky-so/<int:pk>/ky/", views.signing_sign, name="trust-signing-sign"),
    path("ky-so/<int:pk>/tai-ve/", views.signing_download, name="trust-signing-download"),
    # Validation
    path("xac-minh/", views.validation, name="trust-validation"),
    path("xac-minh/<int:pk>/", views.validation_detail, name="trust-validation-detail"),
    path("xac-minh/<int:pk>/json/", views.validation_json, name="trust-validation-json"),
]
