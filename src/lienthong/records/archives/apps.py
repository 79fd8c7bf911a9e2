from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    """The office's record files and their way to the agency archive (issue #9 scope 4):
    the yearly file plan (danh mục hồ sơ), record files (hồ sơ), closing them and handing
    them over to the lưu trữ cơ quan (NĐ 30/2020/NĐ-CP Điều 28-31, vn-rules.md §4)."""

    name = "lienthong.records.archives"
    label = "archives"
    verbose_name = _("Archives")
