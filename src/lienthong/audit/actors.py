"""Actors that are not people: the system's own jobs and peer nodes (STYLE habit 11)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """A named part of the system acting on its own (a command, a worker, a migration).

    Example: ``SystemActor("load_units")``.
    """

    name: str

    def __str__(self) -> str:
        return f"system:{self.name}"


@dataclass(frozen=True)
class PeerActor:
    """Another lienthong node, identified by its node code."""

    node_code: str

    def __str__(self) -> str:
        return f"peer:{self.node_code}"
