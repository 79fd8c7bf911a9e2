from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    """Units, people, positions, roles, the node and its peers."""

    name = "lienthong.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from lienthong.core.permissions import set_scope_resolver
        from lienthong.org.permissions import MembershipScopeResolver
        from lienthong.org.roles import sync_builtin_roles_after_migrate

        set_scope_resolver(MembershipScopeResolver())
        post_migrate.connect(sync_builtin_roles_after_migrate, sender=self)
