"""URLs of the documents REST API, included at ``/api/v1/documents/``.

Names (namespace ``documents-api``): ``document-list``, ``document-detail``,
``document-submit``, ``document-approve``, ``document-return``, ``document-comment``,
``document-sign``, ``document-issue``, ``document-recall``, ``document-correct``,
``document-replace``, ``document-register``,
``document-assign``, ``document-overdue``, ``document-file``, ``register-list``,
``register-detail``, ``assignment-list``, ``assignment-progress``, ``assignment-done``.
"""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from lienthong.documents.api import views

app_name = "documents-api"

router = SimpleRouter()
# The fixed prefixes first: the documents' own routes take the empty prefix.
router.register("registers", views.RegisterViewSet, basename="register")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("", views.DocumentViewSet, basename="document")

urlpatterns = router.urls
