"""Officer terms for the demo city: a chair and a vice chair on every grassroots union.

The chair is the union's contact person (`Org.contact_name`). Committees serve five-year terms.
Every eighth union's term ends within 90 days of REFERENCE_DATE (so even the tiny city has
elections due on the demo's "today"); the others' end dates are spread evenly over the five years
after it, so that on any later day about one union in twenty has a term ending within 90 days,
as in a real city. A union too young for that is on its first term, which began when it was
founded (and ends five years later, whichever of the two it was drawn for).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import islice

from gonghui.orgs.demo import names
from gonghui.orgs.demo.bulk import Method, bulk_insert, next_id, reset_sequences
from gonghui.orgs.demo.generator import REFERENCE_DATE, DemoCity, OrgSpec, person_name
from gonghui.orgs.demo.members import KeyBases
from gonghui.orgs.demo.progress import Progress
from gonghui.orgs.models import OfficerPosition, OfficerTerm, OrgKind

TERM_YEARS = 5
ELECTION_DUE_EVERY = 8  # every eighth union's term ends within DUE_DAYS of REFERENCE_DATE
DUE_DAYS = 90
TERMS_PER_UNION = 2
FULL_TIME_VICE_CHAIR_SHARE = 0.15
_CHUNK_ROWS = 2000


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _term(rng: random.Random, union: OrgSpec, *, due: bool) -> tuple[date, date, date]:
    """(election, start, end) of the union's current committee; `due`: ending within DUE_DAYS."""
    span = DUE_DAYS if due else (_years_after(REFERENCE_DATE, TERM_YEARS) - REFERENCE_DATE).days
    end = REFERENCE_DATE + timedelta(days=rng.randrange(span))
    start = _years_after(end, -TERM_YEARS) + timedelta(days=1)
    if union.founded_on is not None and union.founded_on > start:
        start = union.founded_on
        end = _years_after(start, TERM_YEARS) - timedelta(days=1)
    return start - timedelta(days=rng.randint(0, 14)), start, end


def officer_term_instances(city: DemoCity, bases: KeyBases, first_pk: int) -> Iterator[OfficerTerm]:
    # Its own random stream: adding officers leaves the rest of the city exactly as it was.
    rng = random.Random(f"{city.seed}:officers")  # noqa: S311 - reproducible invented data
    pk = first_pk
    grassroots = (org for org in city.orgs if org.kind == OrgKind.GRASSROOTS)
    for number, union in enumerate(grassroots):
        elected_on, start, end = _term(rng, union, due=number % ELECTION_DUE_EVERY == 0)
        vice_position = (
            OfficerPosition.VICE_CHAIR_FULL_TIME
            if rng.random() < FULL_TIME_VICE_CHAIR_SHARE
            else OfficerPosition.VICE_CHAIR_PART_TIME
        )
        vice_phone = f"{rng.choice(names.MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
        committee = (
            (union.contact_name, OfficerPosition.CHAIR, union.contact_phone),
            (person_name(rng, rng.random() < 0.5), vice_position, vice_phone),
        )
        for name, position, phone in committee:
            yield OfficerTerm(
                pk=pk,
                org_id=bases.org + union.index,
                name=name,
                position=position,
                contact_phone=phone,
                elected_on=elected_on,
                term_start=start,
                term_end=end,
            )
            pk += 1


def load_officer_terms(city: DemoCity, bases: KeyBases, *, progress: Progress, method: Method) -> None:
    total = TERMS_PER_UNION * sum(1 for org in city.orgs if org.kind == OrgKind.GRASSROOTS)
    terms = officer_term_instances(city, bases, next_id(OfficerTerm))
    chunks = iter(lambda: list(islice(terms, _CHUNK_ROWS)), [])
    with progress.table("officer terms", total) as stats:
        bulk_insert(OfficerTerm, progress.count(stats, chunks), method=method)
    reset_sequences([OfficerTerm])
