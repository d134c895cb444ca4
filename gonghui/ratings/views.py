"""Console pages of vitality ratings, mounted at /console/ratings/ (namespace console:ratings).

Reads go through `visible`/`get_visible` (via the selectors); every write is one service call.
A service's refusal is shown next to the form (422) or, for a button, as a message on the page
the button came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at
from gonghui.ratings import selectors, services
from gonghui.ratings.forms import (
    AnswersForm,
    AssessmentFilterForm,
    ChecklistEditForm,
    ChecklistForm,
    ItemForm,
    ReturnForm,
    ReviewForm,
)
from gonghui.ratings.models import (
    MAX_YEAR,
    MIN_YEAR,
    Assessment,
    AssessmentAction,
    AssessmentAnswer,
    AssessmentStatus,
    Checklist,
    ChecklistItem,
)

PAGE_SIZE = 50
SECTION = "ratings"
SORTS = {"-year": ("-year", "org__path"), "year": ("year", "org__path"), "union": ("org__path", "-year")}


def _this_year() -> int:
    return timezone.localdate().year


def _year_param(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and MIN_YEAR <= int(raw) <= MAX_YEAR:
        return int(raw)
    return _this_year()


def _detail_url(assessment: Assessment) -> str:
    return reverse("console:ratings:detail", args=[assessment.pk])


def _invalid(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A form page shown again with its errors: 422, so that scripts and tests can tell."""
    return render(request, template, context, status=422)


# --------------------------------------------------------------------------------------------
# Lists and counts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    pk: int
    url: str
    union: str
    year: int
    status: str
    self_score: int
    review_score: int | None
    stars: int | None


def _row(assessment: Assessment, user: User) -> Row:
    shown = selectors.rating_shown_to(user, assessment)
    return Row(
        pk=assessment.pk,
        url=_detail_url(assessment),
        union=assessment.org.name,
        year=assessment.year,
        status=assessment.get_status_display(),
        self_score=assessment.self_score,
        review_score=assessment.review_score if shown else None,
        stars=assessment.stars if shown else None,
    )


@require_GET
@officer_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    """Ratings in the officer's scope, filtered; the officer's own unions' ratings on top."""
    return _list_page(request)


def _list_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    user = signed_in_user(request)
    form = AssessmentFilterForm(request.GET or None, user=user)
    form.is_valid()  # an invalid filter is shown with its error and left out; the others apply
    filters = getattr(form, "cleaned_data", {})
    sort = request.GET.get("sort", "-year")
    if sort not in SORTS:
        sort = "-year"
    rows = selectors.assessments_for(
        user,
        year=filters.get("year"),
        status=filters.get("status") or None,
        min_stars=filters.get("min_stars"),
        under=form.chosen_org(),
    ).order_by(*SORTS[sort])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "own_unions": selectors.own_unions(user, _this_year()),
        "this_year": _this_year(),
        "table_id": "ratings-table",
        "caption": _("Vitality ratings"),
        "columns": [
            {"key": "union", "label": _("Union"), "sort": "union"},
            {"key": "year", "label": _("Year"), "sort": "year"},
            {"key": "status", "label": _("Status")},
            {"key": "self_score", "label": _("Self-assessed score")},
            {"key": "review_score", "label": _("Reviewed score")},
            {"key": "stars", "label": _("Stars"), "template": "ratings/_stars_cell.html", "class": "nowrap"},
        ],
        "rows": [_row(assessment, user) for assessment in page.object_list],
        "row_link": "url",
        "row_id": "pk",
        "sort": sort,
        "page_obj": page,
        "empty_message": _("No ratings match."),
        "console_section": SECTION,
    }
    return render(request, "ratings/assessment_list.html", context, status=status)


@require_GET
@officer_required
def summary(request: HttpRequest) -> HttpResponse:
    """3-star-and-above unions under an org, per child org: a drill-down table."""
    user = signed_in_user(request)
    year = _year_param(request)
    raw = request.GET.get("org", "")
    root = get_visible(Org, user, Perm.RATING_VIEW, pk=raw) if raw else selectors.home_org(user)
    context: dict[str, Any] = {"year": year, "root": root, "console_section": SECTION}
    if root is not None:
        totals = selectors.subtree_counts(root, year)
        context.update(
            totals=totals,
            star_breakdown=sorted(totals.by_stars.items(), reverse=True),
            ancestors=selectors.visible_ancestors(user, root),
            publishable=selectors.publishable(user, root, year).count(),
            list_query=urlencode({"org": root.pk, "year": year}),
            table_id="summary-table",
            caption=_("Organisations directly under %(name)s") % {"name": root.name},
            columns=[
                {"key": "name", "label": _("Organisation")},
                {"key": "unions", "label": _("Grassroots and joint unions")},
                {"key": "rated", "label": _("Published ratings")},
                {"key": "three_star_plus", "label": _("3 stars and above")},
                {"key": "share", "label": _("Share")},
            ],
            rows=[_summary_row(counts, year) for counts in selectors.child_counts(root, year)],
            row_link="url",
            row_id="pk",
            empty_message=_("There are no organisations under this one."),
        )
    return render(request, "ratings/summary.html", context)


def _summary_row(counts: selectors.RatingCounts, year: int) -> dict[str, Any]:
    return {
        "pk": counts.org.pk,
        "name": counts.org.name,
        "url": f"{reverse('console:ratings:summary')}?{urlencode({'org': counts.org.pk, 'year': year})}",
        "unions": counts.unions,
        "rated": counts.rated,
        "three_star_plus": counts.three_star_plus,
        "share": None if counts.share is None else f"{counts.share}%",
    }


# --------------------------------------------------------------------------------------------
# One rating
# --------------------------------------------------------------------------------------------


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    rows = Assessment.objects.select_related("org", "checklist", "reviewer_org")
    found: Assessment = get_visible(rows, signed_in_user(request), Perm.RATING_VIEW, pk=pk)
    return found


def _answers(assessment: Assessment) -> list[AssessmentAnswer]:
    return list(assessment.answers.select_related("item"))


@require_POST
@officer_required
def start(request: HttpRequest, org_id: int) -> HttpResponse:
    """Open a union's self-assessment for a year (this year unless the form says otherwise)."""
    user = signed_in_user(request)
    org = get_visible(Org, user, Perm.RATING_VIEW, pk=org_id)
    raw = request.POST.get("year", "")
    try:
        assessment = services.start_assessment(
            org=org, year=int(raw) if raw.isdigit() and len(raw) < 6 else _this_year(), actor=user
        )
    except DomainError as error:
        messages.error(request, error.message)
        return _list_page(request, status=error.status)
    messages.success(request, _("The self-assessment has been started. Score each item, then submit it."))
    return redirect("console:ratings:answers", pk=assessment.pk)


@require_GET
@officer_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _assessment(request, pk))


def _detail_page(request: HttpRequest, assessment: Assessment, *, status: int = 200) -> HttpResponse:
    user = signed_in_user(request)
    shown = selectors.rating_shown_to(user, assessment)
    actions = selectors.allowed_actions(user, assessment)
    context = {
        "assessment": assessment,
        "shown": shown,
        "sections": selectors.sections(_answers(assessment), item="item"),
        "history": assessment.history.select_related("actor"),
        "may_edit": assessment.status == AssessmentStatus.DRAFT
        and selectors.may_assess(user, assessment.org),
        "may_review": assessment.status == AssessmentStatus.SUBMITTED and AssessmentAction.APPROVE in actions,
        "may_submit": AssessmentAction.SUBMIT in actions,
        "may_publish": AssessmentAction.PUBLISH in actions,
        "may_return": AssessmentAction.RETURN in actions,
        "return_form": ReturnForm(),
        "console_section": SECTION,
    }
    return render(request, "ratings/assessment_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def answers(request: HttpRequest, pk: int) -> HttpResponse:
    """The union's self-assessment form: a score and evidence per item; save, or save and submit."""
    user = signed_in_user(request)
    assessment = _assessment(request, pk)
    if not selectors.may_assess(user, assessment.org):
        raise PermissionDenied
    if assessment.status != AssessmentStatus.DRAFT:
        messages.info(request, _("This self-assessment has been submitted and can no longer be changed."))
        return redirect(_detail_url(assessment))
    form = AnswersForm(request.POST or None, answers=_answers(assessment))
    context = {"assessment": assessment, "form": form, "console_section": SECTION}
    if request.method == "GET":
        return render(request, "ratings/answers.html", context)
    if not form.is_valid():
        return _invalid(request, "ratings/answers.html", context)
    submit = request.POST.get("then") == "submit"
    try:
        services.save_answers(assessment, answers=form.inputs(), actor=user, submit=submit)
    except DomainError as error:
        show_domain_error(form, error, form.aliases())
        return _invalid(request, "ratings/answers.html", context)
    if submit:
        messages.success(request, _("The self-assessment has been submitted for review."))
        return redirect(_detail_url(assessment))
    messages.success(request, _("Saved."))
    return redirect("console:ratings:answers", pk=assessment.pk)


@require_http_methods(["GET", "POST"])
@officer_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The superior's review: a score and note per item, an opinion; save, or save and approve."""
    user = signed_in_user(request)
    assessment = _assessment(request, pk)
    if not selectors.may_review(user, assessment.org):
        raise PermissionDenied
    if assessment.status != AssessmentStatus.SUBMITTED:
        messages.info(request, _("Only a submitted self-assessment can be reviewed."))
        return redirect(_detail_url(assessment))
    form = ReviewForm(request.POST or None, answers=_answers(assessment), opinion=assessment.opinion)
    context = {
        "assessment": assessment,
        "form": form,
        "return_form": ReturnForm(),
        "thresholds": assessment.checklist.thresholds,
        "console_section": SECTION,
    }
    if request.method == "GET":
        return render(request, "ratings/review.html", context)
    if not form.is_valid():
        return _invalid(request, "ratings/review.html", context)
    approve = request.POST.get("then") == "approve"
    try:
        reviewed = services.review_assessment(
            assessment,
            scores=form.inputs(),
            opinion=form.cleaned_data.get("opinion") or "",
            actor=user,
            approve=approve,
        )
    except DomainError as error:
        show_domain_error(form, error, form.aliases())
        return _invalid(request, "ratings/review.html", context)
    if approve:
        messages.success(
            request,
            _("The review has been approved: %(score)s points, %(stars)s stars.")
            % {"score": reviewed.review_score, "stars": reviewed.stars},
        )
        return redirect(_detail_url(assessment))
    messages.success(request, _("Saved."))
    return redirect("console:ratings:review", pk=assessment.pk)


TRANSITION_MESSAGES = {
    AssessmentAction.SUBMIT: _("The self-assessment has been submitted for review."),
    AssessmentAction.APPROVE: _("The review has been approved."),
    AssessmentAction.RETURN: _("The self-assessment has been returned to the union for rework."),
    AssessmentAction.PUBLISH: _("The rating has been published."),
}


@require_POST
@officer_required
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    """One step of the workflow from a button (submit, return with a reason, publish)."""
    user = signed_in_user(request)
    assessment = _assessment(request, pk)
    action = request.POST.get("action", "")
    try:
        moved = services.transition_assessment(
            assessment, action=action, actor=user, comment=request.POST.get("comment", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
        return _detail_page(request, assessment, status=error.status)
    messages.success(request, TRANSITION_MESSAGES[AssessmentAction(action)])
    return redirect(_detail_url(moved))


@require_POST
@officer_required
def publish_reviewed(request: HttpRequest, org_id: int) -> HttpResponse:
    """Publish every reviewed rating of a year under an org that the officer may publish."""
    user = signed_in_user(request)
    org = get_visible(Org, user, Perm.RATING_VIEW, pk=org_id)
    raw = request.POST.get("year", "")
    year = int(raw) if raw.isdigit() and len(raw) < 6 else _this_year()
    try:
        count = services.publish_reviewed(org=org, year=year, actor=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if count:
            messages.success(request, _("%(count)s ratings have been published.") % {"count": count})
        else:
            messages.info(request, _("There are no reviewed ratings for you to publish here."))
    return redirect(f"{reverse('console:ratings:summary')}?{urlencode({'org': org.pk, 'year': year})}")


# --------------------------------------------------------------------------------------------
# Checklists
# --------------------------------------------------------------------------------------------


def _checklist_url(checklist: Checklist) -> str:
    return reverse("console:ratings:checklist", args=[checklist.pk])


def _managed(request: HttpRequest, pk: int) -> Checklist:
    """A checklist the officer may edit, publish and copy: one issued where they hold RATING_REVIEW."""
    rows = Checklist.objects.select_related("issued_by")
    found: Checklist = get_visible(rows, signed_in_user(request), Perm.RATING_REVIEW, pk=pk)
    return found


@require_GET
@officer_required
def checklists(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rows = selectors.checklists_for(user).annotate_totals().order_by("-year", "issued_by__path")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "table_id": "checklists-table",
        "caption": _("Rating checklists"),
        "columns": [
            {"key": "title", "label": _("Title")},
            {"key": "year", "label": _("Year")},
            {"key": "issued_by.name", "label": _("Issued by")},
            {"key": "get_status_display", "label": _("Status")},
            {"key": "item_count", "label": _("Items")},
            {"key": "max_total", "label": _("Total score")},
        ],
        "rows": page.object_list,
        "row_link": "get_absolute_url",
        "row_id": "pk",
        "page_obj": page,
        "may_create": selectors.issuing_orgs(user).exists(),
        "empty_message": _("No checklists yet."),
        "console_section": SECTION,
    }
    return render(request, "ratings/checklist_list.html", context)


@require_http_methods(["GET", "POST"])
@officer_required
def checklist_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ChecklistForm(request.POST or None, user=user)
    context = {"form": form, "console_section": SECTION}
    if request.method == "GET":
        return render(request, "ratings/checklist_form.html", context)
    if not form.is_valid():
        return _invalid(request, "ratings/checklist_form.html", context)
    try:
        checklist = services.create_checklist(
            org=form.issuer(),
            year=form.cleaned_data["year"],
            title=form.cleaned_data["title"],
            thresholds=form.thresholds(),
            default_items=form.cleaned_data["default_items"],
            actor=user,
        )
    except DomainError as error:
        show_domain_error(form, error)
        return _invalid(request, "ratings/checklist_form.html", context)
    messages.success(request, _("The checklist has been created as a draft."))
    return redirect(_checklist_url(checklist))


@require_GET
@officer_required
def checklist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    return _checklist_page(request, selectors.checklist_for(user, pk))


def _checklist_page(request: HttpRequest, checklist: Checklist, *, status: int = 200) -> HttpResponse:
    user = signed_in_user(request)
    items = list(checklist.items.all())
    may_manage = has_perm_at(user, Perm.RATING_REVIEW, checklist.issued_by.path)
    context = {
        "checklist": checklist,
        "sections": selectors.sections(items),
        "total": sum(item.max_score for item in items),
        "thresholds": list(enumerate(checklist.thresholds, start=1)),
        "may_edit": may_manage and not checklist.is_published,
        "may_manage": may_manage,
        "next_year": checklist.year + 1,
        "console_section": SECTION,
    }
    return render(request, "ratings/checklist_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def checklist_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    checklist = _managed(request, pk)
    initial = {
        "title": checklist.title,
        **dict(zip(services.THRESHOLD_FIELDS, checklist.thresholds, strict=True)),
    }
    form = ChecklistEditForm(request.POST or None, initial=initial)
    context = {"form": form, "checklist": checklist, "console_section": SECTION}
    if request.method == "GET":
        return render(request, "ratings/checklist_edit.html", context)
    if not form.is_valid():
        return _invalid(request, "ratings/checklist_edit.html", context)
    try:
        services.update_checklist(
            checklist, title=form.cleaned_data["title"], thresholds=form.thresholds(), actor=user
        )
    except DomainError as error:
        show_domain_error(form, error)
        return _invalid(request, "ratings/checklist_edit.html", context)
    messages.success(request, _("Saved."))
    return redirect(_checklist_url(checklist))


def _item_page(
    request: HttpRequest,
    checklist: Checklist,
    item: ChecklistItem | None,
    form: ItemForm,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "checklist": checklist, "item": item, "console_section": SECTION}
    return render(request, "ratings/item_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    checklist = _managed(request, pk)
    next_order = (max((item.order for item in checklist.items.all()), default=0) // 10 + 1) * 10
    form = ItemForm(request.POST or None, initial={"order": next_order})
    if request.method == "GET":
        return _item_page(request, checklist, None, form)
    if not form.is_valid():
        return _item_page(request, checklist, None, form, status=422)
    try:
        services.add_checklist_item(checklist, actor=user, **form.cleaned_data)
    except DomainError as error:
        show_domain_error(form, error)
        return _item_page(request, checklist, None, form, status=422)
    messages.success(request, _("The item has been added."))
    return redirect(_checklist_url(checklist))


def _managed_item(request: HttpRequest, pk: int) -> ChecklistItem:
    found: ChecklistItem = get_visible(
        ChecklistItem.objects.select_related("checklist__issued_by"),
        signed_in_user(request),
        Perm.RATING_REVIEW,
        pk=pk,
    )
    return found


@require_http_methods(["GET", "POST"])
@officer_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    item = _managed_item(request, pk)
    initial = {"section": item.section, "text": item.text, "max_score": item.max_score, "order": item.order}
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "GET":
        return _item_page(request, item.checklist, item, form)
    if not form.is_valid():
        return _item_page(request, item.checklist, item, form, status=422)
    try:
        services.update_checklist_item(item, actor=user, **form.cleaned_data)
    except DomainError as error:
        show_domain_error(form, error)
        return _item_page(request, item.checklist, item, form, status=422)
    messages.success(request, _("Saved."))
    return redirect(_checklist_url(item.checklist))


@require_POST
@officer_required
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _managed_item(request, pk)
    try:
        services.remove_checklist_item(item, actor=signed_in_user(request))
    except DomainError as error:
        messages.error(request, error.message)
        return _checklist_page(request, item.checklist, status=error.status)
    messages.success(request, _("The item has been removed."))
    return redirect(_checklist_url(item.checklist))


@require_POST
@officer_required
def checklist_publish(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = _managed(request, pk)
    try:
        services.publish_checklist(checklist, actor=signed_in_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The checklist has been published. Unions can now assess themselves against it.")
        )
    return redirect(_checklist_url(checklist))


@require_POST
@officer_required
def checklist_copy(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = _managed(request, pk)
    raw = request.POST.get("year", "")
    year = int(raw) if raw.isdigit() and len(raw) < 6 else checklist.year + 1
    try:
        copy = services.copy_checklist(checklist, year=year, actor=signed_in_user(request))
    except DomainError as error:
        messages.error(request, error.message)
        return _checklist_page(request, checklist, status=error.status)
    messages.success(request, _("A draft copy for %(year)s has been made.") % {"year": copy.year})
    return redirect(_checklist_url(copy))
