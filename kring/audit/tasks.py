"""The access log's retention job in the background worker, once a day (decision 167).

Like the reminder scan (``kring.worklists.tasks``): ``ensure_scheduled()`` enqueues a run unless one is waiting, and
each run enqueues the next, so the chain keeps itself going. ``manage.py schedule_access_log_retention`` starts it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django_tasks import task

from . import retention


def next_run(now: datetime | None = None) -> datetime:
    """The next 02:40 UTC: a quiet hour, away from the reminder scan's minute."""
    now = now or timezone.now()
    at = now.astimezone(UTC).replace(hour=2, minute=40, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


def pending():
    """Runs of the job that are waiting (not yet started)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=run_retention.module_path, status="READY")


def ensure_scheduled(run_after: datetime | None = None) -> bool:
    """Enqueue a run unless one is waiting already; True when one was enqueued."""
    if pending().exists():
        return False
    chosen = run_retention.using(run_after=run_after) if run_after is not None else run_retention
    chosen.enqueue()
    return True


@task()
def run_retention() -> dict:
    """Create partitions ahead, archive the months past every organisation's retention, remove shorter-kept entries."""
    result = retention.run()
    ensure_scheduled(next_run())
    return {
        "skipped": result.skipped,
        "partitions_created": result.partitions_created,
        "archived": [{"month": a.month.isoformat(), "rows": a.rows, "sha256": a.sha256} for a in result.archived],
        "removed": {str(k): v for k, v in result.removed.items()},
    }
