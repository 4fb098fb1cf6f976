"""The worker's part of a destruction: a batch approved by a privacy officer, run by ``manage.py db_worker``."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def run_batch(batch_id: int) -> list[int]:
    """Destroy the cases of one approved batch; returns the ids of the destroyed cases (row ids, no case numbers)."""
    return services.run_batch_now(batch_id).destroyed_ids
