"""Probe tasks for tests of the task wiring (``lienthong.core.tasks``).

A task must live in an importable module so that a worker, possibly in another process,
can find it by its dotted path; these do nothing but leave a trace a test can observe.
"""

from __future__ import annotations

from pathlib import Path

from lienthong.core.tasks import task

__all__ = ["record_probe"]


@task()
def record_probe(path: str, label: str) -> None:
    """Append ``label`` as one line to the file at ``path`` (created when missing).

    Args:
        path: a file the test owns (under its ``tmp_path``).
        label: what to write, so a test can tell which enqueue ran.
    """
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(f"{label}\n")
