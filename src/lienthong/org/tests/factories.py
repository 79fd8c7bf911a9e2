"""factory_boy factories for the organisation (used by every app's tests)."""

from __future__ import annotations

import factory

from lienthong.audit.actors import SystemActor
from lienthong.org import services
from lienthong.org.choices import RoleCode, UnitKind, UnitLevel
from lienthong.org.models import Role, Unit, User

TEST_ACTOR = SystemActor("tests")
TEST_PASSWORD = "mật-khẩu-thử-1234"


class UnitFactory(factory.django.DjangoModelFactory):
    """A unit created through ``unit_create`` (so its path is right)."""

    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    kind = UnitKind.COMMITTEE
    level = UnitLevel.PROVINCE
    parent = None

    @classmethod
    def _create(cls, model_class: type[Unit], *args: object, **kwargs: object) -> Unit:
        return services.unit_create(actor=TEST_ACTOR, **kwargs)  # type: ignore[arg-type]


class UserFactory(factory.django.DjangoModelFactory):
    """A person who can log in with ``TEST_PASSWORD``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"nguoidung{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


def role(code: str | RoleCode) -> Role:
    """The built-in role with this code (synchronised by ``migrate``)."""
    return Role.objects.get(code=code)


def member(user: User, unit: Unit, code: str | RoleCode, *, primary: bool = True) -> User:
    """Give ``user`` the role ``code`` in ``unit`` and return the user."""
    services.membership_create(
        actor=TEST_ACTOR, user=user, unit=unit, role=role(code), is_primary=primary
    )
    return user
