"""Tasks used by the tests: real django-tasks tasks, run by the real database worker."""

from __future__ import annotations

from django_tasks import task

from gonghui.core.errors import ValidationFailed
from gonghui.jobs.services import job_step


@task()
def count_rows(job_id: int, rows: int) -> int:
    with job_step(job_id) as step:
        for done in range(1, rows + 1):
            step.progress(done, rows, f"正在处理第 {done} 行")
        step.message = f"已处理 {rows} 行"
        step.result = {"rows": rows}
    return rows


@task()
def crash_on_personal_data(job_id: int, id_number: str) -> None:
    with job_step(job_id) as step:
        step.progress(1, 4)
        raise ValueError(f"cannot parse {id_number}")


@task()
def refuse_with_domain_error(job_id: int) -> None:
    with job_step(job_id):
        raise ValidationFailed("第 3 行的身份证号无效。")
