"""Console page: the yearly "best station" ranking (最美驿站) of the service points in the
officer's scope, by kind, from the visits and ratings of the year (selectors.ranking), with its
formula stated on the page."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.console.navigation import require_somewhere
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible
from gonghui.services.models import PointKind, ServicePoint
from gonghui.services.selectors import PRIOR_WEIGHT, ranking
from gonghui.services.views.points import SECTION

FIRST_YEAR = 2020
SHOWN = 100


class RankingForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, choices=[])
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=PointKind.choices)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        this_year = timezone.localdate().year
        field = self.fields["year"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(year, str(year)) for year in range(this_year, FIRST_YEAR - 1, -1)]


@require_GET
@officer_required
def point_ranking(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.SERVICES_VIEW)
    defaults = {"year": timezone.localdate().year, "kind": PointKind.OUTDOOR_WORKER_STATION}
    form = RankingForm(request.GET or defaults)
    if form.is_valid():
        year, kind = form.cleaned_data["year"], form.cleaned_data["kind"]
    else:
        year, kind = defaults["year"], defaults["kind"]
    points = visible(ServicePoint.objects.filter(kind=kind), user, Perm.SERVICES_VIEW)
    ranked, mean = ranking(points, year)
    context = {
        "form": form,
        "year": year,
        "kind_label": PointKind(kind).label,
        "ranked": ranked[:SHOWN],
        "count": len(ranked),
        "shown": SHOWN,
        "mean": mean,
        "prior_weight": PRIOR_WEIGHT,
        "console_section": SECTION,
    }
    return render(request, "services/point_ranking.html", context)


urlpatterns: list[URLPattern] = [path("ranking/", point_ranking, name="point_ranking")]
