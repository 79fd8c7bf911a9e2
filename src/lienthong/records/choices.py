"""Choices of the party-member records (vn-rules.md §6)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class MemberState(models.TextChoices):
    """Where a member's record stands (Mẫu 7-HSĐV columns 10-13)."""

    ACTIVE = "active", _("active")
    TRANSFERRED_OUT = "transferred_out", _("transferred out")
    LEFT = "left", _("left the Party")
    DIED = "died", _("deceased")


class TheoryLevel(models.TextChoices):
    """Trình độ lý luận chính trị."""

    NONE = "", _("none")
    ELEMENTARY = "elementary", _("elementary (sơ cấp)")
    INTERMEDIATE = "intermediate", _("intermediate (trung cấp)")
    ADVANCED = "advanced", _("advanced (cao cấp)")
    BACHELOR = "bachelor", _("bachelor (cử nhân)")


class Service(models.TextChoices):
    """Mẫu 7-HSĐV column 9: bộ đội, công an, hưu trí."""

    NONE = "", _("none")
    ARMY = "army", _("army")
    POLICE = "police", _("police")
    RETIRED = "retired", _("retired")


class LeavingForm(models.TextChoices):
    """How a member left the Party (Mẫu 7-HSĐV column 13)."""

    STRUCK_OFF = "struck_off", _("struck off the rolls (xóa tên)")
    EXPELLED = "expelled", _("expelled (khai trừ)")
    RESIGNED = "resigned", _("left at their request (xin ra khỏi Đảng)")


class MemberEventKind(models.TextChoices):
    POST = "post", _("post")
    REWARD = "reward", _("reward")
    DISCIPLINE = "discipline", _("discipline")


class TransferDirection(models.TextChoices):
    OUT = "out", _("transfer out")
    IN = "in", _("transfer in")


class TransferState(models.TextChoices):
    """A transfer of Party life (chuyển sinh hoạt đảng) on its way."""

    PENDING = "pending", _("waiting for the receiving committee")
    ACCEPTED = "accepted", _("accepted")
    REFUSED = "refused", _("refused")
