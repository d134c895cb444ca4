"""Background work of the events app (Django Tasks). See docs/tasks.md and docs/events.md."""

from __future__ import annotations

from django_tasks import task

from gonghui.events.services.reminders import send_due_reminders


@task()
def send_event_reminders_task() -> int:
    """Text the people holding a place at an event that starts within a day (once each)."""
    return send_due_reminders()
