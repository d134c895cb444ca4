"""Every write of the ratings app: checklists, self-assessments, reviews, publishing.

Checklists are managed with RATING_REVIEW on the issuing federation. A union's self-assessment
needs RATING_ASSESS on the union; reviewing, returning and publishing need RATING_REVIEW on a
*superior* org (see `selectors.may_review`). Whoever cannot see the rating gets 404 (Http404 from
`get_visible`); whoever can see it but lacks the authority gets `Forbidden`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.orgs.models import Org, OrgKind, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible
from gonghui.ratings.defaults import DEFAULT_ITEMS, DEFAULT_THRESHOLDS, default_title
from gonghui.ratings.models import (
    MAX_ITEM_SCORE,
    MAX_YEAR,
    MIN_YEAR,
    RATABLE_KINDS,
    TRANSITIONS,
    Assessment,
    AssessmentAction,
    AssessmentAnswer,
    AssessmentHistory,
    AssessmentStatus,
    AssessmentTransition,
    Authority,
    Checklist,
    ChecklistItem,
    ChecklistStatus,
    SixHaves,
)
from gonghui.ratings.selectors import (
    applicable_checklist,
    may_assess,
    may_take,
    reviewable,
    reviewing_org,
)

THRESHOLD_FIELDS = ("star1_min", "star2_min", "star3_min", "star4_min", "star5_min")
MAX_THRESHOLD = 1000
MAX_TITLE, MAX_ITEM_TEXT, MAX_EVIDENCE, MAX_NOTE, MAX_OPINION, MAX_COMMENT = 120, 300, 1000, 500, 2000, 500
MAX_ORDER = 999
CHECKLIST_FIELDS = ("title", *THRESHOLD_FIELDS)
ITEM_FIELDS = ("section", "text", "max_score", "order")


@dataclass(frozen=True)
class AnswerInput:
    item_id: int
    self_score: int | None
    evidence: str = ""


@dataclass(frozen=True)
class ReviewInput:
    item_id: int
    review_score: int | None
    note: str = ""


# --- checks shared by the services -------------------------------------------------------------


def _year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        message = _("Enter a year from %(min)s to %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}
        raise ValidationFailed(message, fields={"year": [message]})
    return year


def _text(value: str, field: str, limit: int, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationFailed(_("This field is required."), fields={field: [_("This field is required.")]})
    if len(value) > limit:
        message = _("Enter at most %(limit)s characters.") % {"limit": limit}
        raise ValidationFailed(message, fields={field: [message]})
    return value


def _thresholds(values: Sequence[int]) -> tuple[int, ...]:
    """Five minimum scores, each from 1 to 1000 and each higher than the one before."""
    if len(values) != len(THRESHOLD_FIELDS):
        message = _("Give the minimum score for each of the five star levels.")
        raise ValidationFailed(message, fields={"thresholds": [message]})
    errors: dict[str, list[str]] = {}
    for index, (name, value) in enumerate(zip(THRESHOLD_FIELDS, values, strict=True)):
        if not 1 <= value <= MAX_THRESHOLD:
            errors[name] = [_("Enter a score from 1 to %(max)s.") % {"max": MAX_THRESHOLD}]
        elif index and value <= values[index - 1]:
            errors[name] = [_("Must be higher than the minimum score of the level below.")]
    if errors:
        raise ValidationFailed(_("The star levels' minimum scores must rise with the stars."), fields=errors)
    return tuple(values)


def _issuer(org: Org, actor: Any) -> Org:
    issuer = get_visible(Org, actor, Perm.RATING_REVIEW, pk=org.pk)
    if issuer.kind != OrgKind.FEDERATION:
        message = _("Only a federation of unions issues rating checklists.")
        raise ValidationFailed(message, fields={"org": [message]})
    if not issuer.is_active:
        raise Conflict(_("A dissolved organisation cannot issue checklists."))
    return issuer


def _managed_checklist(checklist: Checklist, actor: Any) -> Checklist:
    locked = Checklist.objects.select_for_update(of=("self",)).select_related("issued_by")
    found: Checklist = get_visible(locked, actor, Perm.RATING_REVIEW, pk=checklist.pk)
    return found


def _draft_checklist(checklist: Checklist, actor: Any) -> Checklist:
    found = _managed_checklist(checklist, actor)
    if found.is_published:
        raise Conflict(
            _("A published checklist cannot be changed. Copy it to a new year and change the copy."),
            code="checklist_published",
        )
    return found


def _item_values(section: str, text: str, max_score: int, order: int) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if section not in SixHaves.values:
        errors["section"] = [_("Choose one of the six haves, or other.")]
    if not 1 <= max_score <= MAX_ITEM_SCORE:
        errors["max_score"] = [_("Enter a score from 1 to %(max)s.") % {"max": MAX_ITEM_SCORE}]
    if not 0 <= order <= MAX_ORDER:
        errors["order"] = [_("Enter a number from 0 to %(max)s.") % {"max": MAX_ORDER}]
    if errors:
        raise ValidationFailed(_("Some of the data is not valid. See the fields."), fields=errors)
    return {
        "section": section,
        "text": _text(text, "text", MAX_ITEM_TEXT, required=True),
        "max_score": max_score,
        "order": order,
    }


def _create_checklist_row(**values: Any) -> Checklist:
    if Checklist.objects.filter(issued_by=values["issued_by"], year=values["year"]).exists():
        raise Conflict(
            _("This organisation already has a checklist for %(year)s.") % {"year": values["year"]},
            code="checklist_exists",
        )
    try:
        with transaction.atomic():
            return Checklist.objects.create(**values)
    except IntegrityError as exc:  # the same checklist created at the same moment
        raise Conflict(
            _("This organisation already has a checklist for %(year)s.") % {"year": values["year"]},
            code="checklist_exists",
        ) from exc


# --- checklists --------------------------------------------------------------------------------


@transaction.atomic
def create_checklist(
    *,
    org: Org,
    year: int,
    title: str,
    thresholds: Sequence[int],
    actor: Any,
    default_items: bool = False,
) -> Checklist:
    """A draft checklist issued by the federation `org`; with `default_items`, pre-filled with
    the 20 items of the default six-haves standard."""
    issuer = _issuer(org, actor)
    values = dict(zip(THRESHOLD_FIELDS, _thresholds(thresholds), strict=True))
    checklist = _create_checklist_row(
        issued_by=issuer,
        year=_year(year),
        title=_text(title, "title", MAX_TITLE, required=True),
        **values,
    )
    if default_items:
        _add_default_items(checklist)
    record_audit(
        actor=actor,
        action="ratings.create_checklist",
        obj=checklist,
        org=issuer,
        changes=changes_between({}, snapshot(checklist, ("year", *CHECKLIST_FIELDS))),
    )
    return checklist


def _add_default_items(checklist: Checklist) -> None:
    ChecklistItem.objects.bulk_create(
        ChecklistItem(checklist=checklist, section=section, text=text, max_score=score, order=(n + 1) * 10)
        for n, (section, text, score) in enumerate(DEFAULT_ITEMS)
    )


@transaction.atomic
def update_checklist(checklist: Checklist, *, title: str, thresholds: Sequence[int], actor: Any) -> Checklist:
    found = _draft_checklist(checklist, actor)
    before = snapshot(found, CHECKLIST_FIELDS)
    found.title = _text(title, "title", MAX_TITLE, required=True)
    for name, value in zip(THRESHOLD_FIELDS, _thresholds(thresholds), strict=True):
        setattr(found, name, value)
    found.save()
    record_audit(
        actor=actor,
        action="ratings.update_checklist",
        obj=found,
        org=found.issued_by,
        changes=changes_between(before, snapshot(found, CHECKLIST_FIELDS)),
    )
    return found


@transaction.atomic
def add_checklist_item(
    checklist: Checklist, *, section: str, text: str, max_score: int, order: int, actor: Any
) -> ChecklistItem:
    found = _draft_checklist(checklist, actor)
    item = ChecklistItem.objects.create(checklist=found, **_item_values(section, text, max_score, order))
    record_audit(
        actor=actor,
        action="ratings.add_checklist_item",
        obj=item,
        org=found.issued_by,
        changes=changes_between({}, snapshot(item, ITEM_FIELDS)),
    )
    return item


@transaction.atomic
def update_checklist_item(
    item: ChecklistItem, *, section: str, text: str, max_score: int, order: int, actor: Any
) -> ChecklistItem:
    found = get_visible(ChecklistItem, actor, Perm.RATING_REVIEW, pk=item.pk)
    checklist = _draft_checklist(found.checklist, actor)
    before = snapshot(found, ITEM_FIELDS)
    for name, value in _item_values(section, text, max_score, order).items():
        setattr(found, name, value)
    found.save()
    record_audit(
        actor=actor,
        action="ratings.update_checklist_item",
        obj=found,
        org=checklist.issued_by,
        changes=changes_between(before, snapshot(found, ITEM_FIELDS)),
    )
    return found


@transaction.atomic
def remove_checklist_item(item: ChecklistItem, *, actor: Any) -> None:
    found = get_visible(ChecklistItem, actor, Perm.RATING_REVIEW, pk=item.pk)
    checklist = _draft_checklist(found.checklist, actor)
    record_audit(
        actor=actor,
        action="ratings.remove_checklist_item",
        obj=found,
        org=checklist.issued_by,
        changes=changes_between(snapshot(found, ITEM_FIELDS), {}),
    )
    found.delete()


@transaction.atomic
def publish_checklist(checklist: Checklist, *, actor: Any) -> Checklist:
    """Publish a draft: unions can then assess themselves against it, and it is frozen."""
    found = _draft_checklist(checklist, actor)
    total = found.items.aggregate(total=Sum("max_score"))["total"] or 0
    if not total:
        raise ValidationFailed(
            _("Add at least one item before publishing."),
            fields={"items": [_("The checklist has no items.")]},
        )
    if found.star5_min > total:
        message = _(
            "The minimum for 5 stars (%(minimum)s) is more than the checklist's total of %(total)s."
        ) % {
            "minimum": found.star5_min,
            "total": total,
        }
        raise ValidationFailed(message, fields={"star5_min": [message]})
    found.status = ChecklistStatus.PUBLISHED
    found.published_at = timezone.now()
    found.save(update_fields=["status", "published_at", "updated_at"])
    record_audit(
        actor=actor,
        action="ratings.publish_checklist",
        obj=found,
        org=found.issued_by,
        changes={"status": [ChecklistStatus.DRAFT, ChecklistStatus.PUBLISHED]},
    )
    return found


@transaction.atomic
def copy_checklist(checklist: Checklist, *, year: int, actor: Any) -> Checklist:
    """A draft copy of `checklist` (items and star levels) for another year, by the same issuer."""
    source = _managed_checklist(checklist, actor)
    if not source.issued_by.is_active:
        raise Conflict(_("A dissolved organisation cannot issue checklists."))
    year = _year(year)
    copy = _create_checklist_row(
        issued_by=source.issued_by,
        year=year,
        title=source.title.replace(str(source.year), str(year))[:MAX_TITLE],
        **dict(zip(THRESHOLD_FIELDS, source.thresholds, strict=True)),
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(checklist=copy, **{name: getattr(item, name) for name in ITEM_FIELDS})
        for item in source.items.all()
    )
    record_audit(
        actor=actor,
        action="ratings.copy_checklist",
        obj=copy,
        org=source.issued_by,
        note=f"copied from checklist {source.pk} ({source.year})",
    )
    return copy


@transaction.atomic
def install_default_checklists(*, year: int, roots: QuerySet[Org] | None = None) -> list[Checklist]:
    """The default six-haves checklist, published, for every root federation (or every org of
    `roots`) that has no checklist for `year` yet. A system task (the management command, the
    demo): no actor, no permission check."""
    _year(year)
    if roots is None:
        roots = Org.objects.filter(depth=1, kind=OrgKind.FEDERATION, status=OrgStatus.ACTIVE)
    created = []
    for root in roots.exclude(rating_checklists__year=year):
        checklist = _create_checklist_row(
            issued_by=root,
            year=year,
            title=default_title(year),
            status=ChecklistStatus.PUBLISHED,
            published_at=timezone.now(),
            **dict(zip(THRESHOLD_FIELDS, DEFAULT_THRESHOLDS, strict=True)),
        )
        _add_default_items(checklist)
        record_audit(actor=None, action="ratings.install_default_checklist", obj=checklist, org=root)
        created.append(checklist)
    return created


# --- assessments -------------------------------------------------------------------------------


def _locked_assessment(assessment: Assessment | int, actor: Any) -> Assessment:
    """The rating, locked for this transaction, if `actor` may see it at all (else Http404)."""
    pk = assessment if isinstance(assessment, int) else assessment.pk
    rows = Assessment.objects.select_for_update(of=("self",)).select_related("org", "checklist")
    found: Assessment = get_visible(rows, actor, Perm.RATING_VIEW, pk=pk)
    return found


def _require(actor: Any, assessment: Assessment, transition: AssessmentTransition) -> None:
    """Forbidden unless `actor` holds the authority `transition` needs on `assessment`."""
    if may_take(actor, assessment, transition):
        return
    if transition.held_on == Authority.SUPERIOR:
        raise Forbidden(_("Only an officer of a superior organisation can review this union's rating."))
    raise Forbidden(
        _("Only the union's own officers, or a federation above it, can fill in its self-assessment.")
    )


def _history(assessment: Assessment, action: str, before: str, actor: Any, comment: str = "") -> None:
    AssessmentHistory.objects.create(
        assessment=assessment,
        action=action,
        from_status=before,
        to_status=assessment.status,
        actor=actor,
        comment=comment,
    )


@transaction.atomic
def start_assessment(*, org: Org | int, year: int, actor: Any) -> Assessment:
    """Open `org`'s self-assessment for `year` against the checklist that applies to it."""
    union = get_visible(Org, actor, Perm.RATING_VIEW, pk=org if isinstance(org, int) else org.pk)
    if not may_assess(actor, union):
        raise Forbidden(
            _("Only the union's own officers, or a federation above it, can start its self-assessment.")
        )
    if union.kind not in RATABLE_KINDS:
        message = _("Only grassroots and joint unions are rated.")
        raise ValidationFailed(message, fields={"org_id": [message]})
    if not union.is_active:
        raise Conflict(_("A dissolved union is not rated."))
    year = _year(year)
    if Assessment.objects.filter(org=union, year=year).exists():
        raise Conflict(
            _("This union's rating for %(year)s has already been started.") % {"year": year},
            code="assessment_exists",
        )
    checklist = applicable_checklist(union, year)
    if checklist is None:
        message = _("No federation above this union has published a checklist for %(year)s yet.") % {
            "year": year
        }
        raise ValidationFailed(message, fields={"year": [message]})
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(org=union, checklist=checklist, year=year)
    except IntegrityError as exc:
        raise Conflict(
            _("This union's rating for %(year)s has already been started.") % {"year": year},
            code="assessment_exists",
        ) from exc
    AssessmentAnswer.objects.bulk_create(
        AssessmentAnswer(assessment=assessment, item=item) for item in checklist.items.all()
    )
    _history(assessment, AssessmentAction.START, "", actor)
    record_audit(
        actor=actor, action="ratings.start_assessment", obj=assessment, org=union, note=f"year={year}"
    )
    return assessment


def _answers_by_item(assessment: Assessment) -> dict[int, AssessmentAnswer]:
    return {answer.item_id: answer for answer in assessment.answers.select_related("item")}


def _check_scores(
    given: Sequence[AnswerInput | ReviewInput],
    answers: dict[int, AssessmentAnswer],
    *,
    list_name: str,
    score_field: str,
    text_field: str,
    text_limit: int,
) -> None:
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for index, entry in enumerate(given):
        where = f"{list_name}.{index}"
        answer = answers.get(entry.item_id)
        if answer is None:
            errors[f"{where}.item_id"] = [_("This item is not on the rating's checklist.")]
            continue
        if entry.item_id in seen:
            errors[f"{where}.item_id"] = [_("This item is given more than once.")]
            continue
        seen.add(entry.item_id)
        score = getattr(entry, score_field)
        if score is not None and not 0 <= score <= answer.item.max_score:
            errors[f"{where}.{score_field}"] = [
                _("Enter a score from 0 to %(max)s.") % {"max": answer.item.max_score}
            ]
        if len(getattr(entry, text_field).strip()) > text_limit:
            errors[f"{where}.{text_field}"] = [
                _("Enter at most %(limit)s characters.") % {"limit": text_limit}
            ]
    if errors:
        raise ValidationFailed(_("Some scores are not valid. See the fields."), fields=errors)


@transaction.atomic
def save_answers(
    assessment: Assessment | int, *, answers: Sequence[AnswerInput], actor: Any, submit: bool = False
) -> Assessment:
    """Store the union's scores and evidence (only while it assesses itself); with `submit`, then
    submit the self-assessment for review."""
    found = _locked_assessment(assessment, actor)
    # Changing the answers needs the authority that submitting them does.
    _require(actor, found, TRANSITIONS[AssessmentAction.SUBMIT])
    if found.status != AssessmentStatus.DRAFT:
        raise Conflict(
            _("The self-assessment can only be changed while the union is assessing itself."),
            code="assessment_locked",
        )
    stored = _answers_by_item(found)
    _check_scores(
        answers,
        stored,
        list_name="answers",
        score_field="self_score",
        text_field="evidence",
        text_limit=MAX_EVIDENCE,
    )
    changed = []
    for entry in answers:
        answer = stored[entry.item_id]
        evidence = entry.evidence.strip()
        if (answer.self_score, answer.evidence) != (entry.self_score, evidence):
            answer.self_score, answer.evidence = entry.self_score, evidence
            changed.append(answer)
    AssessmentAnswer.objects.bulk_update(changed, ["self_score", "evidence"])
    before = found.self_score
    found.self_score = sum(answer.self_score or 0 for answer in stored.values())
    found.save(update_fields=["self_score", "updated_at"])
    if changed:
        record_audit(
            actor=actor,
            action="ratings.save_answers",
            obj=found,
            org=found.org,
            changes=changes_between({"self_score": before}, {"self_score": found.self_score}),
            note=f"{len(changed)} answers changed",
        )
    if submit:
        _apply(found, AssessmentAction.SUBMIT, actor=actor)
    return found


@transaction.atomic
def review_assessment(
    assessment: Assessment | int,
    *,
    scores: Sequence[ReviewInput],
    opinion: str,
    actor: Any,
    approve: bool = False,
) -> Assessment:
    """Store the superior's scores, notes and opinion on a submitted self-assessment; with
    `approve`, then approve the review, which fixes the total and the stars."""
    found = _locked_assessment(assessment, actor)
    # Scoring needs the authority that approving the scores does.
    _require(actor, found, TRANSITIONS[AssessmentAction.APPROVE])
    if found.status != AssessmentStatus.SUBMITTED:
        raise Conflict(_("Only a submitted self-assessment can be reviewed."), code="assessment_locked")
    stored = _answers_by_item(found)
    _check_scores(
        scores, stored, list_name="scores", score_field="review_score", text_field="note", text_limit=MAX_NOTE
    )
    opinion = _text(opinion, "opinion", MAX_OPINION, required=False)
    changed = []
    for entry in scores:
        answer = stored[entry.item_id]
        note = entry.note.strip()
        if (answer.review_score, answer.review_note) != (entry.review_score, note):
            answer.review_score, answer.review_note = entry.review_score, note
            changed.append(answer)
    AssessmentAnswer.objects.bulk_update(changed, ["review_score", "review_note"])
    before = snapshot(found, ("review_score", "opinion"))
    found.review_score = sum(answer.review_score or 0 for answer in stored.values())
    found.opinion = opinion
    found.save(update_fields=["review_score", "opinion", "updated_at"])
    changes = changes_between(before, snapshot(found, ("review_score", "opinion")))
    if changed or changes:
        record_audit(
            actor=actor,
            action="ratings.save_review",
            obj=found,
            org=found.org,
            changes=changes,
            note=f"{len(changed)} scores changed",
        )
    if approve:
        _apply(found, AssessmentAction.APPROVE, actor=actor)
    return found


@transaction.atomic
def transition_assessment(
    assessment: Assessment | int, *, action: str, actor: Any, comment: str = ""
) -> Assessment:
    """Take one step of the workflow (see `TRANSITIONS`)."""
    transition = TRANSITIONS.lookup(action)
    found = _locked_assessment(assessment, actor)
    _require(actor, found, transition)
    _apply(found, action, actor=actor, comment=comment)
    return found


def _apply(assessment: Assessment, action: str, *, actor: Any, comment: str = "") -> None:
    """Check that `action` may be taken from the current status and its preconditions hold,
    then write the new status, a history row and an audit event. Nothing is written otherwise."""
    transition = TRANSITIONS.require(action, assessment.status)
    comment = _text(comment, "comment", MAX_COMMENT, required=False)
    if action == AssessmentAction.RETURN and not comment:
        message = _("Say why the self-assessment is returned, so the union knows what to rework.")
        raise ValidationFailed(message, fields={"comment": [message]})
    now = timezone.now()
    before = snapshot(assessment, ("status", "stars", "review_score"))
    if action == AssessmentAction.SUBMIT:
        missing = assessment.answers.filter(self_score__isnull=True).count()
        if missing:
            message = _("Score every item before submitting: %(count)s items have no score yet.") % {
                "count": missing
            }
            raise ValidationFailed(message, fields={"answers": [message]})
        assessment.submitted_at = now
        assessment.return_reason = ""
    elif action == AssessmentAction.APPROVE:
        totals = assessment.answers.aggregate(
            missing=Count("pk", filter=Q(review_score__isnull=True)), total=Sum("review_score")
        )
        if totals["missing"]:
            message = _(
                "Give a reviewed score for every item before approving: %(count)s items have none."
            ) % {"count": totals["missing"]}
            raise ValidationFailed(message, fields={"scores": [message]})
        assessment.review_score = totals["total"] or 0
        assessment.stars = assessment.checklist.stars_for(assessment.review_score)
        assessment.reviewer = actor
        assessment.reviewer_org = reviewing_org(actor, assessment.org)
        assessment.reviewed_at = now
    elif action == AssessmentAction.RETURN:
        assessment.return_reason = comment
        assessment.stars = None
        assessment.reviewed_at = None
    elif action == AssessmentAction.PUBLISH:
        assessment.published_at = now
    assessment.status = transition.target
    assessment.save()
    _history(assessment, action, before["status"], actor, comment)
    record_audit(
        actor=actor,
        action=f"ratings.{action}",
        obj=assessment,
        org=assessment.org,
        changes=changes_between(before, snapshot(assessment, ("status", "stars", "review_score"))),
        note=comment,
    )


@transaction.atomic
def publish_reviewed(*, org: Org, year: int, actor: Any) -> int:
    """Publish every reviewed rating of `year` under `org` that `actor` may publish; the count."""
    root = get_visible(Org, actor, Perm.RATING_VIEW, pk=org.pk)
    year = _year(year)
    rows = reviewable(
        Assessment.objects.select_for_update(of=("self",)).filter(
            org__path__startswith=root.path, year=year, status=AssessmentStatus.REVIEWED
        ),
        actor,
    )
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return 0
    now = timezone.now()
    published = 0
    for start in range(0, len(ids), 500):  # bounded IN lists, whatever the database's limit
        chunk = ids[start : start + 500]
        published += Assessment.objects.filter(pk__in=chunk).update(
            status=AssessmentStatus.PUBLISHED, published_at=now, updated_at=now
        )
        AssessmentHistory.objects.bulk_create(
            AssessmentHistory(
                assessment_id=pk,
                action=AssessmentAction.PUBLISH,
                from_status=AssessmentStatus.REVIEWED,
                to_status=AssessmentStatus.PUBLISHED,
                actor=actor,
            )
            for pk in chunk
        )
    record_audit(
        actor=actor, action="ratings.publish_reviewed", obj=root, note=f"year={year} published={published}"
    )
    return published
