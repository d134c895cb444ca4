"""Console pages: hardship files — the review queue, the re-check due list, one file with its
decisions, documents, and an officer's application for a member of their union.

Reads go through `visible(HardshipFile, user, ASSISTANCE_VIEW)`; deciding needs
ASSISTANCE_HANDLE on the file's union, which the services check again. Names are shown in
lists only to officers who handle the file's union; ID numbers are masked everywhere.

The application form is shared with the portal (portal_views/files.py): the member's own row is
fixed (name and ID number come from the membership), the others of the household are a formset
that grows by one row with "Add a person" (no script needed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.forms import formset_factory
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.assistance.models import (
    HARDSHIP_FILE_TRANSITIONS,
    MAX_REASON,
    HardshipCause,
    HardshipDocument,
    HardshipFile,
    HardshipFileHistory,
    HardshipFileStatus,
    HardshipGrade,
    HouseholdMember,
    Occupation,
    RecheckResult,
    Relation,
)
from gonghui.assistance.services import files as services
from gonghui.console.navigation import holding, require_somewhere
from gonghui.core.documents import MAX_DOCUMENT_BYTES, check_document, too_many_documents
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.forms import documents_field, show_domain_error
from gonghui.core.idnumbers import InvalidIdNumber, mask_id_number, parse_id_number
from gonghui.core.images import FileTooLarge, read_upload
from gonghui.core.inputs import CleanCharField
from gonghui.core.text import mask_name
from gonghui.members.models import Member, MemberStatus, id_number_index
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible

PAGE_SIZE = 50
SECTION = "care"
TAB = "files"
HOUSEHOLD_PREFIX = "household"


# --------------------------------------------------------------------------------------------
# The application form (console and portal)
# --------------------------------------------------------------------------------------------


OTHER_RELATIONS = [(value, label) for value, label in Relation.choices if value != Relation.SELF]
MONEY_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


class PersonForm(forms.Form):
    """Another person of the household (the member's own row is ApplicationForm's)."""

    relation = forms.ChoiceField(label=gettext_lazy("Relation"), choices=[("", "—"), *OTHER_RELATIONS])
    name = CleanCharField(label=pgettext_lazy("person", "Name"), max_length=services.MAX_PERSON_NAME)
    id_number = CleanCharField(
        label=gettext_lazy("ID number"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    occupation = forms.ChoiceField(label=gettext_lazy("Occupation"), choices=[("", "—"), *Occupation.choices])
    monthly_income = CleanCharField(
        label=gettext_lazy("Monthly income (yuan)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=MONEY_ATTRS),
    )
    health = CleanCharField(
        label=gettext_lazy("Illness or disability"),
        max_length=services.MAX_HEALTH,
        required=False,
        help_text=gettext_lazy("For example: uraemia, dialysis three times a week; disability grade 2."),
    )

    def clean_id_number(self) -> str:
        raw = self.cleaned_data.get("id_number") or ""
        try:
            return parse_id_number(raw).value
        except InvalidIdNumber as exc:
            raise forms.ValidationError(exc.message) from exc


PersonFormSet = formset_factory(
    PersonForm, extra=0, max_num=services.MAX_HOUSEHOLD - 1, absolute_max=services.MAX_HOUSEHOLD
)


class ApplicationForm(forms.Form):
    own_occupation = forms.ChoiceField(label=gettext_lazy("Occupation"), choices=Occupation.choices)
    own_monthly_income = CleanCharField(
        label=gettext_lazy("Monthly income (yuan)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=MONEY_ATTRS),
        help_text=gettext_lazy("Wages after tax and social insurance, or pension; 0 if none."),
    )
    own_health = CleanCharField(
        label=gettext_lazy("Illness or disability"), max_length=services.MAX_HEALTH, required=False
    )
    other_monthly_income = CleanCharField(
        label=gettext_lazy("Other monthly income of the household (yuan)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=MONEY_ATTRS),
        help_text=gettext_lazy(
            "Subsistence allowance, rent, support from relatives and the like; 0 if none."
        ),
    )
    causes = forms.MultipleChoiceField(
        label=gettext_lazy("Causes of the hardship"),
        choices=HardshipCause.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    situation = forms.CharField(
        label=gettext_lazy("The household's situation"),
        max_length=services.MAX_SITUATION,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What happened, since when, and what the household lives on now."),
    )
    documents = documents_field(gettext_lazy("Supporting documents"))


# Where the service's field paths are shown on ApplicationForm (row 0 is the member's own).
APPLICATION_ALIASES = {
    "household.0.occupation": "own_occupation",
    "household.0.monthly_income": "own_monthly_income",
    "household.0.health": "own_health",
    "household.0.id_number": None,
    "household": None,
}


def read_documents(
    files: Sequence[UploadedFile], already: int = 0
) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The documents' names and bytes, and one message per refused file naming it (the service's
    own check, run before anything is written)."""
    if already + len(files) > services.MAX_DOCUMENTS:
        return [], [too_many_documents(services.MAX_DOCUMENTS).message]
    documents: list[tuple[str, bytes]] = []
    problems: list[str] = []
    for upload in files:
        name = upload.name or _("(no name)")
        try:
            content = read_upload(upload, max_bytes=MAX_DOCUMENT_BYTES)
            check_document(content)
        except FileTooLarge:
            reason = _("A document may be at most %(size)s MB. Make it smaller and upload it again.") % {
                "size": MAX_DOCUMENT_BYTES // 2**20
            }
            problems.append(_("%(file)s: %(reason)s") % {"file": name, "reason": reason})
            continue
        except ValidationFailed as error:
            problems.append(_("%(file)s: %(reason)s") % {"file": name, "reason": error.message})
            continue
        documents.append((name, content))
    return documents, problems


@dataclass
class ApplicationInput:
    """What the two forms hold, read for the service (None while they have errors)."""

    form: ApplicationForm
    household: Any  # PersonFormSet
    rows: list[int]  # indexes of the filled-in person forms
    documents: list[tuple[str, bytes]]


def bind_application(request: HttpRequest) -> tuple[ApplicationInput, bool]:
    """The bound forms and whether the page asks for one more person row (no submission)."""
    form = ApplicationForm(request.POST, request.FILES)
    household = PersonFormSet(request.POST, prefix=HOUSEHOLD_PREFIX)
    return ApplicationInput(form, household, [], []), "add_person" in request.POST


def grown_household(request: HttpRequest) -> Any:
    """The person rows typed so far and one empty row more, without errors."""
    total = request.POST.get(f"{HOUSEHOLD_PREFIX}-TOTAL_FORMS", "0")
    count = min(int(total), services.MAX_HOUSEHOLD - 1) if total.isdigit() else 0
    rows = [
        {name: request.POST.get(f"{HOUSEHOLD_PREFIX}-{index}-{name}", "") for name in PersonForm.base_fields}
        for index in range(count)
    ]
    if len(rows) < services.MAX_HOUSEHOLD - 1:
        rows.append({})
    return PersonFormSet(prefix=HOUSEHOLD_PREFIX, initial=rows)


def application_initial(request: HttpRequest) -> dict[str, Any]:
    """What was typed into ApplicationForm, as initial values (files cannot be kept)."""
    initial: dict[str, Any] = {name: request.POST.get(name, "") for name in ApplicationForm.base_fields}
    initial["causes"] = request.POST.getlist("causes")
    del initial["documents"]
    return initial


def empty_household() -> Any:
    return PersonFormSet(prefix=HOUSEHOLD_PREFIX, initial=[{}])


def check_application(data: ApplicationInput) -> bool:
    """Validate both forms and read the documents; True when the service may be called."""
    form_ok = data.form.is_valid()
    household_ok = data.household.is_valid()
    data.rows = [index for index, person_form in enumerate(data.household.forms) if person_form.has_changed()]
    data.documents, problems = read_documents(data.form.cleaned_data.get("documents") or [])
    for problem in problems:
        data.form.add_error("documents", problem)
    return form_ok and household_ok and not problems


def person_inputs(member: Member, data: ApplicationInput) -> list[services.PersonInput]:
    own = data.form.cleaned_data
    people = [
        services.PersonInput(
            relation=Relation.SELF,
            name=member.name,
            id_number=member.id_number,
            occupation=own["own_occupation"],
            monthly_income=own.get("own_monthly_income") or "0",
            health=own.get("own_health") or "",
        )
    ]
    for index in data.rows:
        person = data.household.forms[index].cleaned_data
        people.append(
            services.PersonInput(
                relation=person["relation"],
                name=person["name"],
                id_number=person["id_number"],
                occupation=person["occupation"],
                monthly_income=person.get("monthly_income") or "0",
                health=person.get("health") or "",
            )
        )
    return people


def submit_application(actor: User, member: Member | None, data: ApplicationInput) -> HardshipFile | None:
    """Call the service with the forms' data; None with its refusal shown on the forms."""
    applicant = member if member is not None else services.own_membership(actor)
    if applicant is None:
        data.form.add_error(None, _("There is no active union membership under your account."))
        return None
    cleaned = data.form.cleaned_data
    try:
        return services.apply_for_hardship(
            actor=actor,
            member=member,
            household=person_inputs(applicant, data),
            other_monthly_income=cleaned.get("other_monthly_income") or "0",
            causes=cleaned["causes"],
            situation=cleaned["situation"],
            documents=data.documents,
        )
    except DomainError as error:
        show_application_error(data, error)
        return None


def show_application_error(data: ApplicationInput, error: DomainError) -> None:
    """The service's field errors next to their fields: `household.N.field` (N ≥ 1) on the
    N-th filled-in person row, row 0 on the member's own fields."""
    rest: dict[str, list[str]] = {}
    for field, texts in error.fields.items():
        parts = field.split(".")
        if (
            parts[0] == HOUSEHOLD_PREFIX
            and len(parts) == 3
            and parts[1].isdigit()
            and 0 < int(parts[1]) <= len(data.rows)
        ):
            person_form = data.household.forms[data.rows[int(parts[1]) - 1]]
            for text in texts:
                person_form.add_error(parts[2] if parts[2] in person_form.fields else None, text)
        elif field in APPLICATION_ALIASES:
            target = APPLICATION_ALIASES[field]
            for text in texts:
                data.form.add_error(target, text)
        else:
            rest[field] = texts
    if rest or not error.fields:
        show_domain_error(data.form, DomainError(error.message, code=error.code, fields=rest))


# --------------------------------------------------------------------------------------------
# Lists: the review queue and the re-check due list
# --------------------------------------------------------------------------------------------


class QueueForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=HardshipFileStatus.choices, required=False
    )


@dataclass(frozen=True)
class FileRow:
    file: HardshipFile
    name: str
    overdue: bool
    recheck_overdue: bool


def _rows(user: User, files: Sequence[HardshipFile], today: date) -> list[FileRow]:
    rows = []
    for item in files:
        shown = (
            item.member.name
            if has_perm_at(user, Perm.ASSISTANCE_HANDLE, item.org.path)
            else mask_name(item.member.name)
        )
        rows.append(
            FileRow(
                item,
                shown,
                services.is_overdue(item, today),
                item.recheck_due is not None
                and item.status == HardshipFileStatus.ON_FILE
                and item.recheck_due < today,
            )
        )
    return rows


def _listed(user: User) -> QuerySet[HardshipFile]:
    return visible(HardshipFile, user, Perm.ASSISTANCE_VIEW).select_related("member", "org")


@require_GET
@officer_required
def file_list(request: HttpRequest) -> HttpResponse:
    """The files of the officer's scope; by default the applications waiting, oldest first."""
    user = signed_in_user(request)
    require_somewhere(user, Perm.ASSISTANCE_VIEW)
    form = QueueForm(request.GET or None)
    status = HardshipFileStatus.APPLIED.value
    if form.is_bound and form.is_valid() and form.cleaned_data["status"]:
        status = form.cleaned_data["status"]
    rows = _listed(user).filter(status=status)
    rows = (
        rows.order_by("created_at", "id")
        if status == HardshipFileStatus.APPLIED
        else rows.order_by("-created_at", "-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    context = {
        "form": form,
        "status": status,
        "status_label": HardshipFileStatus(status).label,
        "rows": _rows(user, list(page.object_list), today),
        "page_obj": page,
        "review_days": services.REVIEW_DAYS,
        "may_apply": holding(Perm.ASSISTANCE_HANDLE)(user),
        "tab": TAB,
        "console_section": SECTION,
    }
    return render(request, "assistance/file_list.html", context)


@require_GET
@officer_required
def file_recheck_due(request: HttpRequest) -> HttpResponse:
    """Files on record whose yearly re-check is overdue or falls due within a month."""
    user = signed_in_user(request)
    require_somewhere(user, Perm.ASSISTANCE_VIEW)
    today = timezone.localdate()
    rows = (
        _listed(user)
        .filter(status=HardshipFileStatus.ON_FILE, recheck_due__lte=services.recheck_due_by(today))
        .order_by("recheck_due", "id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "rows": _rows(user, list(page.object_list), today),
        "page_obj": page,
        "due_by": services.recheck_due_by(today),
        "tab": TAB,
        "console_section": SECTION,
    }
    return render(request, "assistance/file_recheck_due.html", context)


# --------------------------------------------------------------------------------------------
# One file and its decisions
# --------------------------------------------------------------------------------------------


class ApproveForm(forms.Form):
    grade = forms.ChoiceField(label=gettext_lazy("Grade"), choices=[("", "—"), *HardshipGrade.choices])
    opinion = CleanCharField(
        label=gettext_lazy("Review opinion"),
        max_length=MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    opinion = CleanCharField(
        label=gettext_lazy("Why the file is not accepted"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("The member reads this opinion in the portal."),
    )


class RecheckForm(forms.Form):
    result = forms.ChoiceField(
        label=gettext_lazy("Result"), choices=RecheckResult.choices, widget=forms.RadioSelect
    )
    grade = forms.ChoiceField(
        label=gettext_lazy("New grade"),
        choices=[("", "—"), *HardshipGrade.choices],
        required=False,
        help_text=gettext_lazy("Only for a new grade."),
    )
    per_capita_income = CleanCharField(
        label=gettext_lazy("Monthly income per person now (yuan)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=MONEY_ATTRS),
        help_text=gettext_lazy("Empty: unchanged since the last check."),
    )
    opinion = CleanCharField(
        label=gettext_lazy("Opinion"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExitForm(forms.Form):
    reason = CleanCharField(
        label=gettext_lazy("Reason for leaving"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "For example: re-employed with a steady income; moved away; the member has died."
        ),
    )


class DocumentForm(forms.Form):
    documents = documents_field(gettext_lazy("Add documents"), required=True)


@dataclass
class ActionForms:
    approve: ApproveForm
    reject: RejectForm
    recheck: RecheckForm
    exit: ExitForm
    document: DocumentForm


def blank_forms() -> ActionForms:
    """The detail page's forms, each with its own prefix so that their fields' ids differ."""
    return ActionForms(
        ApproveForm(prefix="approve"),
        RejectForm(prefix="reject"),
        RecheckForm(prefix="recheck", initial={"result": RecheckResult.KEEP}),
        ExitForm(prefix="exit"),
        DocumentForm(prefix="document"),
    )


@dataclass(frozen=True)
class PersonRow:
    person: HouseholdMember
    id_masked: str
    sex: str
    birth_year: int | None


def person_rows(people: Sequence[HouseholdMember]) -> list[PersonRow]:
    """Household rows with the ID number masked and the sex and birth year read from it."""
    rows = []
    for person in people:
        try:
            parsed = parse_id_number(person.id_number)
        except InvalidIdNumber:
            rows.append(PersonRow(person, mask_id_number(person.id_number), "", None))
            continue
        sex = _("Male") if parsed.sex == "male" else _("Female")
        rows.append(PersonRow(person, parsed.masked, sex, parsed.birth_date.year))
    return rows


def file_queryset() -> QuerySet[HardshipFile]:
    return HardshipFile.objects.select_related(
        "member", "org", "threshold_org", "reviewed_by"
    ).prefetch_related(
        "causes",
        Prefetch("household", queryset=HouseholdMember.objects.order_by("position")),
        "documents",
        Prefetch(
            "history",
            queryset=HardshipFileHistory.objects.select_related("actor").order_by("created_at", "id"),
        ),
        "rechecks",
    )


def _file(user: User, pk: int) -> HardshipFile:
    return get_visible(file_queryset(), user, Perm.ASSISTANCE_VIEW, pk=pk)


def _detail(
    request: HttpRequest,
    user: User,
    hardship_file: HardshipFile,
    action_forms: ActionForms,
    status: int = 200,
) -> HttpResponse:
    may_handle = services.may_handle(user, hardship_file)
    available = (
        {t.action for t in HARDSHIP_FILE_TRANSITIONS.available(hardship_file.status)} if may_handle else set()
    )
    context = {
        "file": hardship_file,
        "people": person_rows(list(hardship_file.household.all())),
        "causes": [cause.get_cause_display() for cause in hardship_file.causes.all()],
        "documents": list(hardship_file.documents.all()),
        "history": list(hardship_file.history.all()),
        "rechecks": list(hardship_file.rechecks.all()),
        "overdue": services.is_overdue(hardship_file),
        "review_days": services.REVIEW_DAYS,
        "may_handle": may_handle,
        "available": available,
        "may_add_documents": may_handle and hardship_file.status in services.OPEN_FOR_DOCUMENTS,
        "forms": action_forms,
        "tab": TAB,
        "console_section": SECTION,
    }
    return render(request, "assistance/file_detail.html", context, status=status)


@require_GET
@officer_required
def file_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    return _detail(request, user, _file(user, pk), blank_forms())


def _decide(
    request: HttpRequest, pk: int, name: str, form_class: type[forms.Form], call: Any, done: str
) -> HttpResponse:
    """One decision from the detail page: the redirect back on success, the page with the form's
    errors (422) or the refusal as a message otherwise."""
    user = signed_in_user(request)
    hardship_file = _file(user, pk)
    form = form_class(request.POST, prefix=name)
    if form.is_valid():
        try:
            call(hardship_file, user, form.cleaned_data)
        except ValidationFailed as error:
            show_domain_error(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("console:assistance:file_detail", pk=hardship_file.pk)
        else:
            messages.success(request, done)
            return redirect("console:assistance:file_detail", pk=hardship_file.pk)
    action_forms = blank_forms()
    setattr(action_forms, name, form)
    return _detail(request, user, _file(user, pk), action_forms, status=422)


@require_POST
@officer_required
def file_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        "approve",
        ApproveForm,
        lambda f, user, data: services.approve_hardship_file(
            f, actor=user, grade=data["grade"], opinion=data["opinion"]
        ),
        _("The file is on record now."),
    )


@require_POST
@officer_required
def file_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        "reject",
        RejectForm,
        lambda f, user, data: services.reject_hardship_file(f, actor=user, opinion=data["opinion"]),
        _("The application has not been accepted; the member can read your opinion."),
    )


@require_POST
@officer_required
def file_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        "recheck",
        RecheckForm,
        lambda f, user, data: services.recheck_hardship_file(
            f,
            actor=user,
            result=data["result"],
            grade=data.get("grade") or "",
            per_capita_income=data.get("per_capita_income") or None,
            opinion=data["opinion"],
        ),
        _("The re-check has been recorded."),
    )


@require_POST
@officer_required
def file_exit(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        "exit",
        ExitForm,
        lambda f, user, data: services.exit_hardship_file(f, actor=user, reason=data["reason"]),
        _("The file has left the record."),
    )


@require_POST
@officer_required
def file_documents(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    hardship_file = _file(user, pk)
    form = DocumentForm(request.POST, request.FILES, prefix="document")
    if form.is_valid():
        documents, problems = read_documents(form.cleaned_data["documents"], hardship_file.documents.count())
        for problem in problems:
            form.add_error("documents", problem)
        if not problems:
            try:
                services.add_hardship_documents(hardship_file, actor=user, documents=documents)
            except ValidationFailed as error:
                show_domain_error(form, error, {"file": "documents"})
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("console:assistance:file_detail", pk=hardship_file.pk)
            else:
                messages.success(request, _("The documents have been added to the file."))
                return redirect("console:assistance:file_detail", pk=hardship_file.pk)
    action_forms = blank_forms()
    action_forms.document = form
    return _detail(request, user, _file(user, pk), action_forms, status=422)


def document_response(document: HardshipDocument) -> HttpResponse:
    """The file as a download, never shown inline (a FileResponse streams it; it is not the
    HttpResponse the decorators' types name, hence the cast)."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return cast("HttpResponse", response)


@require_GET
@officer_required
def file_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """A document of a file, for officers who handle the file's union (viewers get 404)."""
    user = signed_in_user(request)
    hardship_file = get_visible(
        HardshipFile.objects.select_related("org"), user, Perm.ASSISTANCE_HANDLE, pk=pk
    )
    document = HardshipDocument.objects.filter(hardship_file=hardship_file, pk=document_pk).first()
    if document is None:
        raise Http404
    return document_response(document)


# --------------------------------------------------------------------------------------------
# An officer applies for a member
# --------------------------------------------------------------------------------------------


class FindMemberForm(forms.Form):
    id_number = CleanCharField(
        label=gettext_lazy("The member's ID number"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.member: Member | None = None

    def clean_id_number(self) -> str:
        raw = self.cleaned_data.get("id_number") or ""
        try:
            value = parse_id_number(raw).value
        except InvalidIdNumber as exc:
            raise forms.ValidationError(exc.message) from exc
        self.member = (
            visible(Member, self.user, Perm.ASSISTANCE_HANDLE)
            .filter(id_number_index=id_number_index(value), status=MemberStatus.ACTIVE)
            .select_related("org")
            .first()
        )
        if self.member is None:
            raise forms.ValidationError(_("No active member of a union you handle has this ID number."))
        return value


def _render_new(
    request: HttpRequest,
    find: FindMemberForm,
    member: Member | None,
    data: ApplicationInput | None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "find": find,
        "member": member,
        "member_id_masked": mask_id_number(member.id_number) if member is not None else "",
        "form": data.form if data else None,
        "household": data.household if data else None,
        "files_dropped": bool(request.FILES),
        "tab": TAB,
        "console_section": SECTION,
    }
    return render(request, "assistance/file_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def file_new(request: HttpRequest) -> HttpResponse:
    """Step 1 (GET with ?id_number=): find the member in a union the officer handles.
    Step 2 (POST): the household, incomes, causes, situation and documents."""
    user = signed_in_user(request)
    require_somewhere(user, Perm.ASSISTANCE_HANDLE)
    if request.method == "GET":
        find = FindMemberForm(request.GET if "id_number" in request.GET else None, user=user)
        if not find.is_bound or not find.is_valid() or find.member is None:
            return _render_new(request, find, None, None, status=422 if find.is_bound else 200)
        blank = ApplicationInput(ApplicationForm(), empty_household(), [], [])
        return _render_new(request, find, find.member, blank)
    raw = request.POST.get("member", "")
    member = (
        visible(Member, user, Perm.ASSISTANCE_HANDLE)
        .select_related("org")
        .filter(pk=int(raw), status=MemberStatus.ACTIVE)
        .first()
        if raw.isdigit() and len(raw) < 19
        else None
    )
    if member is None:
        raise Http404
    find = FindMemberForm(user=user)
    data, add_person = bind_application(request)
    if add_person:
        grown = ApplicationInput(
            ApplicationForm(initial=application_initial(request)), grown_household(request), [], []
        )
        return _render_new(request, find, member, grown)
    if check_application(data):
        created = submit_application(user, member, data)
        if created is not None:
            messages.success(
                request,
                _("Hardship file %(reference)s has been applied for.") % {"reference": created.reference},
            )
            return redirect("console:assistance:file_detail", pk=created.pk)
    return _render_new(request, find, member, data, status=422)


urlpatterns: list[URLPattern] = [
    path("files/", file_list, name="file_list"),
    path("files/recheck-due/", file_recheck_due, name="file_recheck_due"),
    path("files/new/", file_new, name="file_new"),
    path("files/<int:pk>/", file_detail, name="file_detail"),
    path("files/<int:pk>/approve/", file_approve, name="file_approve"),
    path("files/<int:pk>/reject/", file_reject, name="file_reject"),
    path("files/<int:pk>/recheck/", file_recheck, name="file_recheck"),
    path("files/<int:pk>/exit/", file_exit, name="file_exit"),
    path("files/<int:pk>/documents/", file_documents, name="file_documents"),
    path("files/<int:pk>/documents/<int:document_pk>/", file_document, name="file_document"),
]
