"""Deterministic generation of the demo city: the same scale and seed give the same data.

Nothing here touches the database. `generate_city` builds the organisation tree (with its
materialised paths), the workplaces and the plan of member batches; `lane_members` then
generates members lane by lane. Members are numbered across the city, and a member's mobile
number, primary key and random stream follow from that number, so any lane can be generated
in any process, in any order, with the same result.

Why lanes: ID numbers must be unique (one active membership per person). Each lane draws its
ID sequence codes (the 3 digits after the birth date) from its own tenth of the range, so two
lanes never collide and each lane checks uniqueness alone, without a city-wide set shared
between processes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from gonghui.core.creditcode import ALPHABET as CREDIT_ALPHABET
from gonghui.core.creditcode import make_credit_code
from gonghui.core.idnumbers import make_id_number
from gonghui.orgs.demo import names
from gonghui.orgs.demo.names import District
from gonghui.orgs.models import FederationLevel, JointUnionArea, Org, OrgKind, Ownership

# The demo's "today": fixed, so that a seed means the same ages and dates in every year.
REFERENCE_DATE = date(2026, 1, 1)
LANES = 10
# Sequence codes come in pairs (odd for men, even for women): 500 pairs, 50 per lane.
_SLOTS_PER_LANE = 500 // LANES
_MIN_AGE_DAYS = 6575  # 18 years, whatever the leap days
_MAX_AGE_DAYS = 23740  # just under 65 years
_MODE_AGE_DAYS = 34 * 365
# A workplace this large usually has its own union; smaller ones join a joint union.
OWN_UNION_MIN_EMPLOYEES = 25
UNION_GROUP_EMPLOYEES = 500
BATCH_MAX_MEMBERS = 500
# Odd and not a multiple of 5, hence invertible modulo 10**8: distinct numbers, distinct mobiles.
_MOBILE_MULTIPLIER = 48_271_357
_MOBILE_SPACE = 10**8
# Invertible modulo 10**8 and 31**6: distinct workplaces get distinct organisation code bodies.
_ORG_CODE_MULTIPLIER = 7_654_321
_NEW_ORG_CODE_SPACE = 31**6
# Employee counts are log-normal: a median of about 3.5 and a long tail of large employers,
# which makes about a fifth of workplaces big enough (25+) for a union of their own.
_EMPLOYEES_MU = 1.25
_EMPLOYEES_SIGMA = 2.2


@dataclass(frozen=True)
class Scale:
    name: str
    districts: int
    townships_per_district: int
    workplaces_per_township: int
    employee_cap: int
    # Gig workers in the industry unions, as a share of the workplace unions' members.
    gig_share: float = 0.03


SCALES: dict[str, Scale] = {
    scale.name: scale
    for scale in (
        Scale("tiny", districts=1, townships_per_district=2, workplaces_per_township=25, employee_cap=60),
        Scale("small", districts=1, townships_per_district=6, workplaces_per_township=330, employee_cap=100),
        Scale(
            "district",
            districts=1,
            townships_per_district=15,
            workplaces_per_township=667,
            employee_cap=30000,
        ),
        Scale(
            "city", districts=10, townships_per_district=15, workplaces_per_township=667, employee_cap=30000
        ),
    )
}


@dataclass
class OrgSpec:
    index: int
    path: str
    code: str
    name: str
    kind: str
    short_name: str = ""
    level: str = ""
    area: str = ""
    district: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    founded_on: date | None = None
    numchild: int = 0

    @property
    def depth(self) -> int:
        return len(self.path) // Org.steplen


@dataclass
class WorkplaceSpec:
    index: int
    credit_code: str
    name: str
    industry: str
    ownership: str
    employee_count: int
    address: str
    district: str
    union_index: int | None = None
    # The township federation, or the joint union covering it, whose area it lies in.
    jurisdiction_index: int | None = None


@dataclass(frozen=True)
class MemberBatch:
    """Members generated from one random stream: a workplace's, or a slice of an industry union's."""

    index: int
    org_index: int
    workplace_index: int | None
    count: int
    first_number: int
    region: str
    male_share: float
    migrant_share: float
    founded_on: date
    platforms: tuple[str, ...] = ()

    @property
    def lane(self) -> int:
        return self.index % LANES


@dataclass(frozen=True)
class MemberSpec:
    number: int
    name: str
    id_number: str
    birth_date: date
    sex: str
    mobile: str
    org_index: int
    workplace_index: int | None
    is_gig_worker: bool
    gig_platform: str
    is_migrant_worker: bool
    is_model_worker: bool
    joined_on: date


@dataclass
class DemoCity:
    scale: Scale
    seed: int
    orgs: list[OrgSpec] = field(default_factory=list)
    workplaces: list[WorkplaceSpec] = field(default_factory=list)
    batches: list[MemberBatch] = field(default_factory=list)
    mobile_offset: int = 0
    # Codes of the unions the demo accounts are attached to.
    showcase_union_code: str = ""
    gig_union_code: str = ""

    @property
    def member_count(self) -> int:
        return sum(batch.count for batch in self.batches)

    @property
    def root(self) -> OrgSpec:
        return self.orgs[0]


# Share of men, and of workers from other provinces, by industry section.
_MALE_SHARE = {"C": 0.62, "E": 0.85, "G": 0.8, "B": 0.85, "D": 0.7, "A": 0.6, "H": 0.42, "P": 0.3, "Q": 0.28}
_MIGRANT_SHARE = {"C": 0.45, "E": 0.6, "G": 0.4, "H": 0.45, "F": 0.25, "O": 0.35, "L": 0.3, "A": 0.2}
# Share of workplaces in a section that are public institutions or organs rather than companies.
_INSTITUTION_SHARE = {"S": 0.9, "P": 0.6, "Q": 0.5, "N": 0.4, "R": 0.3}
_SMALL_OWNERSHIP = (
    (Ownership.PRIVATE, 78.0),
    (Ownership.JOINT_STOCK, 6.0),
    (Ownership.FOREIGN, 3.0),
    (Ownership.HK_MACAO_TAIWAN, 3.0),
    (Ownership.STATE, 3.0),
    (Ownership.COLLECTIVE, 4.0),
    (Ownership.OTHER, 1.0),
    (Ownership.SOCIAL_ORG, 2.0),
)
_PUBLIC = frozenset({Ownership.PUBLIC_INSTITUTION, Ownership.STATE})
_LARGE_OWNERSHIP = (
    (Ownership.PRIVATE, 45.0),
    (Ownership.JOINT_STOCK, 25.0),
    (Ownership.STATE, 12.0),
    (Ownership.FOREIGN, 12.0),
    (Ownership.HK_MACAO_TAIWAN, 6.0),
)


class _Weighted:
    """random.choices with the cumulative weights computed once."""

    def __init__(self, pairs: Sequence[tuple[str, float]]) -> None:
        self.values = [value for value, _weight in pairs]
        total = 0.0
        self.cumulative: list[float] = []
        for _value, weight in pairs:
            total += weight
            self.cumulative.append(total)

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cumulative)[0]


_SURNAMES = _Weighted(names.SURNAMES)
_INDUSTRIES = _Weighted(names.INDUSTRY_WEIGHTS)
_MIGRANT_REGIONS = _Weighted(names.MIGRANT_REGIONS)
_SMALL_OWNERSHIPS = _Weighted(_SMALL_OWNERSHIP)
_LARGE_OWNERSHIPS = _Weighted(_LARGE_OWNERSHIP)
_CITY_REGIONS = tuple(district.region for district in names.DISTRICTS)
_MALE_CHARS = names.MALE_GIVEN + names.NEUTRAL_GIVEN
_FEMALE_CHARS = names.FEMALE_GIVEN + names.NEUTRAL_GIVEN


def person_name(rng: random.Random, male: bool) -> str:
    given = _MALE_CHARS if male else _FEMALE_CHARS
    own = names.MALE_GIVEN if male else names.FEMALE_GIVEN
    surname = _SURNAMES.pick(rng)
    if rng.random() < 0.25:
        return surname + rng.choice(own)
    return surname + rng.choice(given) + rng.choice(own)


def mobile_number(rng: random.Random, number: int, offset: int) -> str:
    suffix = (_MOBILE_MULTIPLIER * number + offset) % _MOBILE_SPACE
    return f"{rng.choice(names.MOBILE_PREFIXES)}{suffix:08d}"


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _street_address(rng: random.Random, district: District) -> str:
    street = rng.choice(names.STREET_WORDS) + rng.choice(names.STREET_KINDS)
    return f"{names.CITY_NAME}{district.name}{street}{rng.randint(1, 999)}号"


def _landline(rng: random.Random) -> str:
    return f"{names.AREA_CODE}-8{rng.randint(0, 9_999_999):07d}"


class _Builder:
    def __init__(self, scale: Scale, seed: int, root_step: int) -> None:
        # Reproducible invented data, not secrets: a seeded generator is the point.
        self.rng = random.Random(seed)  # noqa: S311
        self.city = DemoCity(scale=scale, seed=seed, mobile_offset=self.rng.randrange(_MOBILE_SPACE))
        self.root_step = root_step
        self.code_offset = self.rng.randrange(_MOBILE_SPACE)
        self.child_codes: dict[str, int] = {}
        self.members_so_far = 0

    # The tree -----------------------------------------------------------------------------

    def add_org(self, parent: OrgSpec | None, **fields: object) -> OrgSpec:
        if parent is None:
            path = Org._get_path(None, 1, self.root_step)
        else:
            parent.numchild += 1
            path = Org._get_path(parent.path, parent.depth + 1, parent.numchild)
        org = OrgSpec(index=len(self.city.orgs), path=path, **fields)  # type: ignore[arg-type]
        self.city.orgs.append(org)
        return org

    def child_code(self, parent: OrgSpec, letter: str, width: int) -> str:
        key = parent.code + letter
        self.child_codes[key] = self.child_codes.get(key, 0) + 1
        return f"{key}{self.child_codes[key]:0{width}d}"

    def officer(self) -> tuple[str, str]:
        """A union chair's name and mobile number (chairs get no accounts: see loader)."""
        rng = self.rng
        return person_name(
            rng, rng.random() < 0.6
        ), f"{rng.choice(names.MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"

    def build(self) -> DemoCity:
        rng, scale = self.rng, self.city.scale
        root = self.add_org(
            None,
            code=names.CITY_REGION,
            name=f"{names.CITY_NAME}总工会",
            short_name="市总工会",
            kind=OrgKind.FEDERATION,
            level=FederationLevel.CITY,
            address=f"{names.CITY_NAME}{names.DISTRICTS[0].name}中山东路1号",
            contact_name=self.officer()[0],
            contact_phone=_landline(rng),
            founded_on=date(1950, 5, 1),
        )
        places = [first + second for first in names.PLACE_FIRST for second in names.PLACE_SECOND]
        rng.shuffle(places)
        for district in names.DISTRICTS[: scale.districts]:
            federation = self.add_org(
                root,
                code=district.region,
                name=f"{district.name}总工会",
                short_name=f"{district.short}总工会",
                kind=OrgKind.FEDERATION,
                level=FederationLevel.DISTRICT,
                district=district.name,
                address=_street_address(rng, district),
                contact_name=self.officer()[0],
                contact_phone=_landline(rng),
                founded_on=date(rng.randint(1950, 1990), 5, 1),
            )
            for _ in range(scale.townships_per_district):
                self.township(federation, district, places.pop())
        self.industry_unions(root)
        self.choose_showcase_union()
        return self.city

    def township(self, district_org: OrgSpec, district: District, place: str) -> None:
        rng = self.rng
        suffix = "街道" if district.urban or rng.random() < 0.3 else "镇"
        name = place + suffix
        federation = self.add_org(
            district_org,
            code=self.child_code(district_org, "", 3),
            name=f"{name}总工会",
            short_name=f"{name}总工会",
            kind=OrgKind.FEDERATION,
            level=FederationLevel.TOWNSHIP,
            district=district.name,
            address=_street_address(rng, district),
            contact_name=self.officer()[0],
            contact_phone=_landline(rng),
            founded_on=date(rng.randint(1985, 2010), rng.randint(1, 12), 1),
        )
        count = round(self.city.scale.workplaces_per_township * rng.uniform(0.85, 1.15))
        covered: list[WorkplaceSpec] = []
        for _ in range(count):
            workplace = self.workplace(district, place)
            workplace.jurisdiction_index = federation.index
            if workplace.employee_count >= OWN_UNION_MIN_EMPLOYEES:
                own_union = rng.random() < (0.99 if workplace.ownership in _PUBLIC else 0.88)
                if own_union:
                    # The largest employers often report straight to the district federation.
                    direct = workplace.employee_count >= 1000 and rng.random() < 0.3
                    self.grassroots_union(district_org if direct else federation, workplace, district)
            elif rng.random() < 0.72:
                covered.append(workplace)
        self.joint_unions(federation, district, name, suffix == "街道", covered)

    def workplace(self, district: District, place: str) -> WorkplaceSpec:
        rng, index = self.rng, len(self.city.workplaces)
        industry = _INDUSTRIES.pick(rng)
        employees = min(
            max(1, round(rng.lognormvariate(_EMPLOYEES_MU, _EMPLOYEES_SIGMA))), self.city.scale.employee_cap
        )
        ownership: str
        if rng.random() < _INSTITUTION_SHARE.get(industry, 0.0):
            ownership = Ownership.PUBLIC_INSTITUTION
            name = place + rng.choice(names.INSTITUTION_NAMES[industry])
            authority, org_type = ("1", "1") if industry == "S" else ("1", "2")
            employees = min(max(employees, rng.randint(20, 300)), self.city.scale.employee_cap)
        else:
            ownership = (_LARGE_OWNERSHIPS if employees >= 500 else _SMALL_OWNERSHIPS).pick(rng)
            name, authority, org_type = self.company_name(district, industry, ownership, employees)
        registered = rng.randint(1985, 2025)
        workplace = WorkplaceSpec(
            index=index,
            credit_code=make_credit_code(
                authority, org_type, district.region, self.org_code_body(index, registered)
            ),
            name=name,
            industry=industry,
            ownership=ownership,
            employee_count=employees,
            address=_street_address(rng, district),
            district=district.name,
        )
        self.city.workplaces.append(workplace)
        return workplace

    def company_name(
        self, district: District, industry: str, ownership: str, employees: int
    ) -> tuple[str, str, str]:
        rng = self.rng
        if ownership == Ownership.SOCIAL_ORG:
            return district.name + rng.choice(names.SOCIAL_ORG_NAMES), "5", "1"
        trade = "".join(rng.sample(names.TRADE_NAME_CHARS, 2))
        prefix = rng.choices((names.CITY_SHORT, district.short, ""), weights=(5, 3, 2))[0]
        word = rng.choice(names.INDUSTRY_WORDS[industry])
        if industry == "A" and rng.random() < 0.3:
            return f"{prefix}{trade}{word}专业合作社", "9", "3"
        if ownership == Ownership.JOINT_STOCK:
            suffix = "股份有限公司"
        elif ownership == Ownership.COLLECTIVE:
            suffix = "厂"
        elif ownership == Ownership.STATE:
            suffix = "集团有限公司" if employees >= 1000 else "有限责任公司"
        elif employees >= 1000 and rng.random() < 0.3:
            suffix = "集团有限公司"
        else:
            suffix = "有限公司"
        return f"{prefix}{trade}{word}{suffix}", "9", "1"

    def org_code_body(self, index: int, registered: int) -> str:
        # Codes issued since 2015 start "MA"; older ones are all digits. Either way the body is an
        # invertible function of the workplace's index, so no two workplaces share a code.
        if registered >= 2015:
            value = (_ORG_CODE_MULTIPLIER * index + self.code_offset) % _NEW_ORG_CODE_SPACE
            digits = ""
            for _ in range(6):
                value, remainder = divmod(value, len(CREDIT_ALPHABET))
                digits = CREDIT_ALPHABET[remainder] + digits
            return "MA" + digits
        return f"{(_ORG_CODE_MULTIPLIER * index + self.code_offset) % _MOBILE_SPACE:08d}"

    # Unions and their members ------------------------------------------------------------

    def grassroots_union(self, parent: OrgSpec, workplace: WorkplaceSpec, district: District) -> None:
        rng = self.rng
        chair, phone = self.officer()
        union = self.add_org(
            parent,
            code=self.child_code(parent, "G", 4),
            name=f"{workplace.name}工会委员会",
            kind=OrgKind.GRASSROOTS,
            district=district.name,
            address=workplace.address,
            contact_name=chair,
            contact_phone=phone,
            founded_on=_day_between(rng, date(1985, 1, 1), date(2025, 6, 30)),
        )
        workplace.union_index = union.index
        for department in rng.sample(
            names.DEPARTMENTS, min(workplace.employee_count // UNION_GROUP_EMPLOYEES, 6)
        ):
            self.add_org(
                union,
                code=self.child_code(union, "-", 2),
                name=f"{workplace.name}{department}工会小组",
                short_name=f"{department}工会小组",
                kind=OrgKind.UNION_GROUP,
                district=district.name,
                contact_name=self.officer()[0],
                founded_on=union.founded_on,
            )
        self.plan_members(union, workplace, district)

    def joint_unions(
        self,
        federation: OrgSpec,
        district: District,
        township: str,
        urban: bool,
        covered: list[WorkplaceSpec],
    ) -> None:
        rng = self.rng
        areas = (
            ((JointUnionArea.COMMUNITY, 6), (JointUnionArea.BUILDING, 2.5), (JointUnionArea.PARK, 1.5))
            if urban
            else ((JointUnionArea.VILLAGE, 6), (JointUnionArea.PARK, 3), (JointUnionArea.COMMUNITY, 1))
        )
        rng.shuffle(covered)
        start = 0
        while start < len(covered):
            size = rng.randint(12, 30)
            group, start = covered[start : start + size], start + size
            area = rng.choices([a for a, _w in areas], weights=[w for _a, w in areas])[0]
            place = rng.choice(names.PLACE_FIRST) + rng.choice(names.PLACE_SECOND)
            name = {
                JointUnionArea.COMMUNITY: f"{township}{place}社区联合工会",
                JointUnionArea.VILLAGE: f"{township}{place}村联合工会",
                JointUnionArea.BUILDING: f"{place}{rng.choice(names.BUILDING_WORDS)}楼宇联合工会",
                JointUnionArea.PARK: f"{district.short}{place}{rng.choice(names.PARK_WORDS)}联合工会",
            }[area]
            chair, phone = self.officer()
            union = self.add_org(
                federation,
                code=self.child_code(federation, "J", 3),
                name=name,
                short_name=f"{place}联合工会",
                kind=OrgKind.JOINT_UNION,
                area=area,
                district=district.name,
                address=_street_address(rng, district),
                contact_name=chair,
                contact_phone=phone,
                founded_on=_day_between(rng, date(2008, 1, 1), date(2024, 12, 31)),
            )
            for workplace in group:
                workplace.union_index = union.index
                workplace.jurisdiction_index = union.index
                self.plan_members(union, workplace, district)

    def plan_members(self, union: OrgSpec, workplace: WorkplaceSpec, district: District) -> None:
        count = max(1, round(workplace.employee_count * self.rng.uniform(0.85, 0.95)))
        self.add_batch(
            org_index=union.index,
            workplace_index=workplace.index,
            count=count,
            region=district.region,
            male_share=_MALE_SHARE.get(workplace.industry, 0.5),
            migrant_share=0.03
            if workplace.ownership in _PUBLIC
            else _MIGRANT_SHARE.get(workplace.industry, 0.12),
            founded_on=union.founded_on or REFERENCE_DATE,
        )

    def add_batch(self, **fields: object) -> None:
        batch = MemberBatch(index=len(self.city.batches), first_number=self.members_so_far, **fields)  # type: ignore[arg-type]
        self.city.batches.append(batch)
        self.members_so_far += batch.count

    def industry_unions(self, root: OrgSpec) -> None:
        rng = self.rng
        gig_total = math.ceil(self.members_so_far * self.city.scale.gig_share)
        districts = names.DISTRICTS[: self.city.scale.districts]
        for spec in names.INDUSTRY_UNIONS:
            chair, _phone = self.officer()
            union = self.add_org(
                root,
                code=self.child_code(root, "H", 2),
                name=spec.name,
                short_name=spec.short_name,
                kind=OrgKind.INDUSTRY_UNION,
                address=_street_address(rng, districts[0]),
                contact_name=chair,
                contact_phone=_landline(rng),
                founded_on=_day_between(rng, date(2018, 1, 1), date(2023, 12, 31)),
            )
            if spec.name == names.GIG_DEMO_UNION:
                self.city.gig_union_code = union.code
            remaining = max(1, round(gig_total * spec.share))
            while remaining:
                count = min(remaining, BATCH_MAX_MEMBERS)
                remaining -= count
                self.add_batch(
                    org_index=union.index,
                    workplace_index=None,
                    count=count,
                    region=rng.choice(districts).region,
                    male_share=0.9,
                    migrant_share=0.7,
                    founded_on=union.founded_on or REFERENCE_DATE,
                    platforms=spec.platforms,
                )

    def choose_showcase_union(self) -> None:
        """The largest grassroots union of the first district: the union officer's demo union."""
        district = self.city.orgs[1]
        unions = {
            workplace.union_index: workplace.employee_count
            for workplace in self.city.workplaces
            if workplace.union_index is not None and workplace.district == district.district
        }
        candidates = [self.city.orgs[i] for i in unions if self.city.orgs[i].kind == OrgKind.GRASSROOTS]
        best = max(candidates, key=lambda org: (unions[org.index], -org.index))
        self.city.showcase_union_code = best.code


def generate_city(scale: Scale, seed: int, *, root_step: int = 1) -> DemoCity:
    """The whole city except the members themselves. `root_step` places the root after any
    trees already in the database (treebeard numbers roots 1, 2, ...)."""
    return _Builder(scale, seed, root_step).build()


def lane_members(city: DemoCity, lane: int) -> Iterator[MemberSpec]:
    """Every member of one lane, batch by batch, with ID numbers unique across the whole city."""
    seen: set[int] = set()
    for batch in city.batches[lane::LANES]:
        yield from _batch_members(city, batch, seen)


def _batch_members(city: DemoCity, batch: MemberBatch, seen: set[int]) -> Iterator[MemberSpec]:
    rng = random.Random(f"{city.seed}:members:{batch.index}")  # noqa: S311 - reproducible, not secret
    reference = REFERENCE_DATE.toordinal()
    for offset in range(batch.count):
        number = batch.first_number + offset
        male = rng.random() < batch.male_share
        migrant = rng.random() < batch.migrant_share
        if migrant:
            region = _MIGRANT_REGIONS.pick(rng)
        else:
            region = batch.region if rng.random() < 0.7 else rng.choice(_CITY_REGIONS)
        birth = date.fromordinal(
            reference - int(rng.triangular(_MIN_AGE_DAYS, _MAX_AGE_DAYS, _MODE_AGE_DAYS))
        )
        id_number, birth = _unique_id_number(rng, region, birth, male, batch.lane, seen)
        adult_on = date.fromordinal(birth.toordinal() + _MIN_AGE_DAYS)
        yield MemberSpec(
            number=number,
            name=person_name(rng, male),
            id_number=id_number,
            birth_date=birth,
            sex="male" if male else "female",
            mobile=mobile_number(rng, number, city.mobile_offset),
            org_index=batch.org_index,
            workplace_index=batch.workplace_index,
            is_gig_worker=bool(batch.platforms),
            gig_platform=rng.choice(batch.platforms) if batch.platforms else "",
            is_migrant_worker=migrant,
            is_model_worker=rng.random() < 0.0015,
            joined_on=_day_between(rng, max(batch.founded_on, adult_on), REFERENCE_DATE),
        )


def _unique_id_number(
    rng: random.Random, region: str, birth: date, male: bool, lane: int, seen: set[int]
) -> tuple[str, date]:
    start = rng.randrange(_SLOTS_PER_LANE)
    while True:
        prefix = int(f"{region}{birth:%Y%m%d}") * 1000
        for step in range(_SLOTS_PER_LANE):
            sequence = 2 * (lane + LANES * ((start + step) % _SLOTS_PER_LANE)) + male
            if prefix + sequence not in seen:
                seen.add(prefix + sequence)
                return make_id_number(region, birth, sequence, "male" if male else "female"), birth
        # All 50 codes of this lane are taken for that day and county: be born a day earlier.
        birth -= timedelta(days=1)
