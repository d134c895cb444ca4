"""The shared workflow pieces: the transition table and the history record."""

from __future__ import annotations

import pytest
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.errors import InvalidTransition, ValidationFailed
from gonghui.core.workflow import Transition, TransitionRecord, TransitionTable
from gonghui.founding.models import FoundingApplicationHistory
from gonghui.orgs.permissions import Perm
from gonghui.ratings.models import AssessmentHistory


class Status(models.TextChoices):
    OPEN = "open", "Open"
    HELD = "held", "Held"
    CLOSED = "closed", "Closed"


class Action(models.TextChoices):
    HOLD = "hold", "Hold"
    RELEASE = "release", "Release"
    CLOSE = "close", "Close"


def step(action: Action, sources: set[Status], target: Status) -> Transition[Action, Status]:
    return Transition(action, frozenset(sources), target, Perm.ORG_CHANGE, "parent")


TABLE = TransitionTable(
    Status,
    [
        step(Action.HOLD, {Status.OPEN}, Status.HELD),
        step(Action.RELEASE, {Status.HELD}, Status.OPEN),
        step(Action.CLOSE, {Status.OPEN, Status.HELD}, Status.CLOSED),
    ],
)
LEGAL = {(action, status) for action, transition in TABLE.items() for status in transition.sources}


def test_given_a_table_when_an_action_is_looked_up_then_its_transition_comes_back():
    assert TABLE.lookup("close") == TABLE[Action.CLOSE]
    assert TABLE["close"].target == Status.CLOSED
    assert TABLE["close"].label == "Close"
    assert list(TABLE) == ["hold", "release", "close"]
    assert "hold" in TABLE
    assert "open" not in TABLE


def test_given_a_status_then_the_actions_available_from_it_are_listed_in_table_order():
    assert [t.action for t in TABLE.available(Status.OPEN)] == [Action.HOLD, Action.CLOSE]
    assert [t.action for t in TABLE.available("held")] == [Action.RELEASE, Action.CLOSE]
    assert TABLE.available(Status.CLOSED) == []


def test_given_a_legal_move_when_required_then_the_transition_comes_back():
    assert TABLE.require("release", "held") is TABLE["release"]
    assert TABLE.allows("release", "held")


def test_an_unknown_action_is_bad_input_on_the_action_field():
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as refused:
        TABLE.require("reopen", Status.CLOSED)
    assert refused.value.fields == {"action": ["未知的操作。"]}
    assert not TABLE.allows("reopen", Status.CLOSED)


def test_an_illegal_move_names_the_status_and_the_action_in_the_default_message():
    with translation.override("zh-hans"), pytest.raises(InvalidTransition) as refused:
        TABLE.require("release", Status.OPEN)
    assert refused.value.code == "invalid_transition"
    assert refused.value.message == "当前状态为“Open”，不能执行“Release”。"


def test_an_illegal_move_uses_the_tables_own_message_translated_when_raised():
    table = TransitionTable(
        Status,
        [step(Action.HOLD, {Status.OPEN}, Status.HELD)],
        refusal=gettext_lazy(
            "A rating whose status is “%(status)s” cannot be given the action “%(action)s”."
        ),
    )
    with translation.override("zh-hans"), pytest.raises(InvalidTransition) as refused:
        table.require("hold", "gone")
    # A status outside the choices (a stale row) is shown as stored rather than crashing.
    assert "gone" in refused.value.message
    assert "不能执行" in refused.value.message


def test_an_action_given_twice_is_a_programming_error():
    with pytest.raises(ValueError, match="appears twice"):
        TransitionTable(Status, [step(Action.HOLD, {Status.OPEN}, Status.HELD)] * 2)


@given(action=st.sampled_from(Action.values), status=st.sampled_from(Status.values))
def test_require_refuses_every_pair_not_in_the_table_and_allows_the_rest(action, status):
    if (action, status) in LEGAL:
        assert TABLE.require(action, status).action == action
        return
    with pytest.raises(InvalidTransition):
        TABLE.require(action, status)


@given(action=st.text(max_size=12).filter(lambda text: text not in TABLE), status=st.text(max_size=12))
def test_require_refuses_any_action_outside_the_table_from_any_status(action, status):
    with pytest.raises(ValidationFailed):
        TABLE.require(action, status)


@pytest.mark.parametrize("model", [FoundingApplicationHistory, AssessmentHistory])
def test_every_history_model_has_the_shared_columns(model):
    assert issubclass(model, TransitionRecord)
    fields = {field.name: field for field in model._meta.get_fields()}
    assert {"from_status", "to_status", "actor", "comment", "created_at"} <= set(fields)
    assert fields["actor"].remote_field.on_delete is models.SET_NULL
    assert fields["from_status"].choices
    assert fields["from_status"].blank
    assert model._meta.ordering == ["created_at", "id"]
