"""The progress partial (HTMX), its JSON variant and the API: only the job's creator sees it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import PASSWORD, make_member, make_officer
from gonghui.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def owner() -> User:
    return make_officer("owner.one", display_name="王一")


@pytest.fixture
def job(owner: User) -> Job:
    return Job.objects.create(
        kind="test", title="导入会员名册", created_by=owner, status=JobStatus.RUNNING, progress_done=40,
        progress_total=100, message="正在校验第 40 行",
    )  # fmt: skip


def test_the_owner_gets_the_partial_with_the_progress_bar_that_keeps_polling(owner, job):
    url = reverse("jobs:progress", args=[job.pk])
    response = signed_in(owner).get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<progress" in html
    assert 'value="40"' in html
    assert "导入会员名册" in html
    assert "正在校验第 40 行" in html
    assert f'hx-get="{url}"' in html


def test_a_finished_job_answers_286_so_htmx_stops_polling(owner, job):
    job.status, job.progress_done = JobStatus.SUCCEEDED, 100
    job.save()
    response = signed_in(owner).get(reverse("jobs:progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 286
    html = response.content.decode()
    assert 'value="100"' in html
    assert "hx-get" not in html


def test_another_user_gets_404_exactly_like_a_missing_job(job):
    other = signed_in(make_member("13900139000"))
    assert other.get(reverse("jobs:progress", args=[job.pk])).status_code == 404
    assert other.get(reverse("jobs:progress_json", args=[job.pk])).status_code == 404
    assert other.get(reverse("jobs:progress", args=[job.pk + 1000])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(job):
    response = Client().get(reverse("jobs:progress", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_superuser_sees_every_job(job):
    admin = User.objects.create_superuser("root.admin", PASSWORD)
    assert signed_in(admin).get(reverse("jobs:progress", args=[job.pk])).status_code == 200


def test_the_json_variant_gives_percent_status_and_message(owner, job):
    response = signed_in(owner).get(reverse("jobs:progress_json", args=[job.pk]))
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["percent"], body["is_finished"]) == (
        job.pk,
        "running",
        40,
        False,
    )
    assert body["message"] == "正在校验第 40 行"


def test_the_api_shows_the_job_to_its_owner_and_404_to_others(owner, job):
    response = signed_in(owner).get(f"/api/v1/jobs/{job.pk}")
    assert response.status_code == 200
    assert response.json()["percent"] == 40

    response = signed_in(make_officer("other.officer")).get(f"/api/v1/jobs/{job.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
