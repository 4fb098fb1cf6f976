"""The reminder scan as a background task that schedules its own next run (every hour).

``ensure_scheduled()`` starts the chain and is safe to call on every start: it enqueues a run only when none is
waiting. Each run, when done, enqueues the next one unless another run is already waiting, so two chains
that were started at the same moment merge into one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone
from django_tasks import task

from . import reminders

INTERVAL = timedelta(hours=1)


def next_run(now: datetime | None = None) -> datetime:
    """The start of the next hour (a few minutes past, away from other work that runs on the hour)."""
    now = now or timezone.now()
    return now.replace(minute=5, second=0, microsecond=0) + (INTERVAL if now.minute >= 5 else timedelta(0))


def pending():
    """Runs of the scan that are waiting (not yet started)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=scan_reminders.module_path, status="READY")


def ensure_scheduled(run_after: datetime | None = None) -> bool:
    """Enqueue a run of the scan unless one is waiting already; True when one was enqueued."""
    if pending().exists():
        return False
    chosen = scan_reminders.using(run_after=run_after) if run_after is not None else scan_reminders
    chosen.enqueue()
    return True


@task()
def scan_reminders(today: str | None = None) -> dict:
    """Make and e-mail the reminders due today, then schedule the next run."""
    result = reminders.scan(date.fromisoformat(today) if today else None)
    ensure_scheduled(next_run())
    return {"candidates": result.candidates, "created": result.created, "emailed": result.emailed}
