from lienthong.org.models import Unit, User


def test_commune_clerk_sees_only_own_commune(world):
    """GIVEN a commune clerk WHEN units are restricted THEN only their commune is visible."""
    visible = set(Unit.objects.restrict(world.clerk_a1, "view"))
    assert visible == {world.commune_a1}


def test_provincial_leader_sees_the_province(world):
    visible = set(Unit.objects.restrict(world.leader_a, "view"))
    assert visible == {world.province_a, world.commune_a1, world.commune_a2}
    people = set(User.objects.restrict(world.leader_a, "view"))
    assert world.clerk_a1 in people and world.clerk_b1 not in people


def test_outsider_sees_only_self(world):
    assert list(Unit.objects.restrict(world.outsider, "view")) == []
    assert list(User.objects.restrict(world.outsider, "view")) == [world.outsider]
