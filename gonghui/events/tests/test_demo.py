"""The demo's events: published, something open now, a lottery with a seed; the reset removes them."""

from __future__ import annotations

import pytest

from gonghui.events.demo import EVENTS, reset_demo_events, seed_demo_events
from gonghui.events.models import Event

pytestmark = pytest.mark.django_db


def test_seed_and_reset(tree):
    seed_demo_events(tree.city, district=tree.east, seed=7)
    events = list(Event.objects.all())
    assert len(events) == len(EVENTS)
    assert {event.status for event in events} == {"published"}
    assert any(event.signup_state() == "open" for event in events)
    assert all(len(event.seed) == 64 for event in events if event.is_lottery)
    reset_demo_events(tree.city)
    assert not Event.objects.exists()
