"""Enumerations of the organisation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    """What a unit is. The tree allows any depth; the kind says what a level means."""

    CENTRAL = "central", _("central body")
    COMMITTEE = "committee", _("party committee")
    AGENCY = "agency", _("agency")
    DEPARTMENT = "department", _("department")
    COMMUNE_COMMITTEE = "commune_committee", _("commune committee")
    CELL = "cell", _("party cell")
    CONGRESS_BODY = "congress_body", _("congress body")
    STATE_BODY = "state_body", _("state body")
    OTHER = "other", _("other")


class UnitLevel(models.IntegerChoices):
    """Administrative level. The district level was abolished on 01/07/2025
    (vn-rules.md §0) and is kept only for history."""

    CENTRAL = 1, _("central")
    PROVINCE = 2, _("province")
    DISTRICT = 3, _("district (historical)")
    COMMUNE = 4, _("commune")
    GRASSROOTS = 5, _("grassroots")


class NetworkProfile(models.TextChoices):
    """The network a node sits on (vn-rules.md §5.2: no classified content on the Internet)."""

    INTERNET = "internet", _("Internet")
    DEDICATED = "dedicated", _("dedicated data network")


class RoleCode(models.TextChoices):
    """The standard roles (GLOSSARY.md "Who uses it")."""

    CLERK = "clerk", _("clerk (văn thư)")
    SPECIALIST = "specialist", _("specialist (chuyên viên)")
    LEADER = "leader", _("leader (lãnh đạo)")
    IT_OFFICER = "it_officer", _("IT officer (cán bộ CNTT)")
    ORGANISATION = "organisation", _("organisation department (ban tổ chức)")
    COUNTING_BOARD = "counting_board", _("counting board (ban kiểm phiếu)")
    STEERING = "steering", _("IT steering committee (ban chỉ đạo)")
    ADMIN = "admin", _("administrator (quản trị)")
