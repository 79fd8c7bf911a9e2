"""Background work of the elections app: reading scanned ballots (issue #6 scope 4).

A task is an adapter (STYLE habit 8): the batch row is the truth, and a batch whose
worker died is read again from its first unrecorded page when the task runs again.
"""

from __future__ import annotations

from lienthong.core.tasks import task

__all__ = ["read_scan_batch"]


@task()
def read_scan_batch(batch_id: int) -> dict[str, int | str]:
    """Read one uploaded scan file's pages into ballot records."""
    from lienthong.elections.scanning import scan_batch_read

    batch = scan_batch_read(batch_id)
    return {"state": batch.state, "pages": batch.pages, "done": batch.done}
