"""Reports and extracts run in the background worker; the page polls the job for its progress."""

from django_tasks import task

from . import services


@task()
def run_evaluation_job(job_id: int) -> str:
    return services.run_job(job_id)
