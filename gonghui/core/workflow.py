"""Workflows (DESIGN.md rule 3): a status field, one transition table, a history row per step.

How an app builds one (see gonghui/founding and gonghui/ratings):

1. Two `TextChoices` next to the model: its statuses (the model's `status` field uses them) and
   its actions (what a person does: "approve", "return", ...).
2. The table, once, in models.py: `TRANSITIONS = TransitionTable(Status, [Transition(Action.X,
   frozenset({Status.A}), Status.B, Perm.Y, held_on="parent"), ...])`. `perm` is what the actor
   must hold and `held_on` names, in the app's own words, the org it must be held on; the app's
   service resolves that name to an org (the table knows nothing about objects).
3. A history model per workflow: `class ThingHistory(TransitionRecord)` with its FK to the thing
   (related_name="history"), `from_status`/`to_status` redeclared with the status choices, and
   `class Meta(TransitionRecord.Meta)`.
4. The service (`@transaction.atomic`): lock and scope the object, `TRANSITIONS.lookup(action)`
   (unknown → ValidationFailed on "action"), check `perm` on the `held_on` org (Forbidden),
   `TRANSITIONS.require(action, obj.status)` (InvalidTransition, nothing written), the app's own
   preconditions, then set `status = transition.target`, save, one history row, one audit event.
5. Pages and the API offer `TRANSITIONS.available(obj.status)` filtered by the actor's authority.
6. Tests: one per legal transition, and a property test over every (status, action) pair that
   `TRANSITIONS.allows` rejects, asserting InvalidTransition and that nothing changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import InvalidTransition, ValidationFailed
from gonghui.orgs.permissions import Perm

A = TypeVar("A", bound=models.TextChoices)
S = TypeVar("S", bound=models.TextChoices)

DEFAULT_REFUSAL = _("The status is “%(status)s”: “%(action)s” is not possible now.")


@dataclass(frozen=True)
class Transition(Generic[A, S]):
    """One step: `action` moves an object from any of `sources` to `target`. The actor must hold
    `perm` on the org the app calls `held_on` (e.g. "parent": through a grant on it or above)."""

    action: A
    sources: frozenset[S]
    target: S
    perm: Perm
    held_on: str

    @property
    def label(self) -> str:
        return str(self.action.label)


class TransitionTable(Mapping[str, Transition[A, S]], Generic[A, S]):
    """The workflow of one model, keyed by action. Read-only; each action appears once."""

    def __init__(
        self,
        statuses: type[S],
        transitions: Iterable[Transition[A, S]],
        *,
        refusal: str | Promise = DEFAULT_REFUSAL,
    ) -> None:
        """`refusal` is the InvalidTransition message, with %(status)s (the current status's
        label) and %(action)s (the action's label); it is translated when raised."""
        self.statuses = statuses
        self.refusal = refusal
        self._by_action: dict[str, Transition[A, S]] = {}
        for transition in transitions:
            if transition.action in self._by_action:
                raise ValueError(f"Action {transition.action!r} appears twice in the transition table.")
            self._by_action[transition.action] = transition

    def __getitem__(self, action: str) -> Transition[A, S]:
        return self._by_action[action]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_action)

    def __len__(self) -> int:
        return len(self._by_action)

    def lookup(self, action: str) -> Transition[A, S]:
        """The transition for `action`; an action not in the table is bad input on `action`."""
        transition = self._by_action.get(action)
        if transition is None:
            message = gettext("Unknown action.")
            raise ValidationFailed(message, fields={"action": [message]})
        return transition

    def allows(self, action: str, status: str) -> bool:
        transition = self._by_action.get(action)
        return transition is not None and status in transition.sources

    def available(self, status: str) -> list[Transition[A, S]]:
        """The transitions that may be taken from `status`, in table order (authority aside)."""
        return [transition for transition in self._by_action.values() if status in transition.sources]

    def require(self, action: str, current_status: str) -> Transition[A, S]:
        """The transition for `action` if it may be taken from `current_status`; otherwise
        ValidationFailed (unknown action) or InvalidTransition (known, not from this status)."""
        transition = self.lookup(action)
        if current_status not in transition.sources:
            known = current_status in self.statuses.values
            status = str(self.statuses(current_status).label) if known else current_status
            raise InvalidTransition(str(self.refusal) % {"status": status, "action": transition.label})
        return transition


class TransitionRecord(models.Model):
    """One row per change of status (the first row of an object: from "" to its first status).

    Subclasses add the FK to their object and redeclare `from_status`/`to_status` with their
    status choices; the columns here are wide enough for any of them."""

    from_status = models.CharField(_("from status"), max_length=32, blank=True)
    to_status = models.CharField(_("to status"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"
