"""Mutual aid in the demo city: the city federation's workers' medical mutual aid plan for the
current year, in force, with a rule for each claim type (inpatient with a second version, so the
console shows how versions work); most members of the showcase union and of the couriers'
industry union enrolled and paid for; and a handful of claims in every state, so the claims
queue, the payments and the member portal have something to show.

Everything goes through the services as the demo's city administrator (and the superuser for a
second review), so it is audited like real work. One exception, said where it happens: the
enrolments are dated from the first day of coverage, as if the unions had enrolled in January,
so that the demo claims are past their waiting period.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.members.models import Member
from gonghui.mutualaid.models import (
    AidClaim,
    AidClaimStatus,
    AidInvoice,
    AidPlan,
    BenefitRule,
    ClaimType,
    Enrolment,
    EnrolmentBatch,
    PaymentBatch,
)
from gonghui.mutualaid.services import claims as claim_services
from gonghui.mutualaid.services import payments as payment_services
from gonghui.mutualaid.services import plans as plan_services
from gonghui.mutualaid.services.claims import LineInput
from gonghui.mutualaid.services.enrolment import enrol_members, record_batch_payment
from gonghui.orgs.models import Org

ADMIN_USERNAME = "city.admin"
REVIEWER_USERNAME = "admin"
MEMBER_USERNAME = "19900000001"
CONTRIBUTION = Decimal("60.00")
# The share of a union's active members left out of its batch: people who join the plan later.
LEFT_OUT_EVERY = 10


@dataclass(frozen=True)
class DemoRule:
    claim_type: str
    deductible: str
    per_claim_cap: str
    per_year_cap: str
    waiting_days: int
    bands: list[dict[str, Any]]
    note: str = ""


# Terms in the style of a Zhejiang city's 职工医疗互助保障: the part of the costs the basic medical
# insurance leaves to the member, above a deductible, reimbursed in bands.
RULES: tuple[DemoRule, ...] = (
    DemoRule(
        ClaimType.INPATIENT,
        "1000.00",
        "50000.00",
        "100000.00",
        90,
        [
            {"up_to": "10000.00", "rate": "0.50"},
            {"up_to": "30000.00", "rate": "0.60"},
            {"up_to": None, "rate": "0.70"},
        ],
        "年度互助保障方案",
    ),
    DemoRule(
        ClaimType.CHRONIC_OUTPATIENT,
        "500.00",
        "5000.00",
        "10000.00",
        90,
        [{"up_to": "5000.00", "rate": "0.40"}, {"up_to": None, "rate": "0.50"}],
        "年度互助保障方案",
    ),
    DemoRule(
        ClaimType.CRITICAL_ILLNESS,
        "2000.00",
        "80000.00",
        "150000.00",
        180,
        [{"up_to": "50000.00", "rate": "0.60"}, {"up_to": None, "rate": "0.75"}],
        "年度互助保障方案",
    ),
    DemoRule(
        ClaimType.ACCIDENT,
        "200.00",
        "20000.00",
        "30000.00",
        0,
        [{"up_to": None, "rate": "0.80"}],
        "年度互助保障方案",
    ),
)
# The second inpatient version: the deductible lowered to 800 from the first of this month.
INPATIENT_V2_DEDUCTIBLE = "800.00"
INPATIENT_V2_NOTE = "市总工会常委会决议：住院起付线由1000元下调至800元"

HOSPITALS = ("示范市第一人民医院", "示范市中医院", "示范市第二医院", "明州区人民医院", "示范市妇女儿童医院")


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def seed_demo_mutualaid(root: Org, *, unions: list[Org], seed: int) -> AidPlan | None:
    """The plan, its rules, the enrolment of `unions` and the demo claims. Does nothing when the
    demo's city administrator does not exist (the accounts come first in the loader)."""
    admin = _user(ADMIN_USERNAME)
    if admin is None:
        return None
    rng = random.Random(f"{seed}:mutualaid")  # noqa: S311 - reproducible invented data, not secrets
    today = timezone.localdate()
    year = today.year
    plan = plan_services.create_plan(
        org=root,
        year=year,
        name=f"{year}年度职工医疗互助保障计划",
        coverage_start=date(year, 1, 1),
        coverage_end=date(year, 12, 31),
        contribution_per_member=CONTRIBUTION,
        actor=admin,
    )
    for rule in RULES:
        plan_services.add_rule_version(
            plan,
            claim_type=rule.claim_type,
            effective_from=plan.coverage_start,
            deductible=rule.deductible,
            per_claim_cap=rule.per_claim_cap,
            per_year_cap=rule.per_year_cap,
            waiting_days=rule.waiting_days,
            bands=rule.bands,
            note=rule.note,
            actor=admin,
        )
    first = RULES[0]
    plan_services.add_rule_version(
        plan,
        claim_type=first.claim_type,
        effective_from=today.replace(day=1),
        deductible=INPATIENT_V2_DEDUCTIBLE,
        per_claim_cap=first.per_claim_cap,
        per_year_cap=first.per_year_cap,
        waiting_days=first.waiting_days,
        bands=first.bands,
        note=INPATIENT_V2_NOTE,
        actor=admin,
    )
    plan = plan_services.open_plan(plan, actor=admin)
    enrolled: list[Member] = []
    for number, union in enumerate(unions, start=1):
        enrolled.extend(_enrol(plan, union, admin, f"HX{year}{number:04d}", today))
    _claims(plan, enrolled, admin, rng, today)
    return plan


def _enrol(plan: AidPlan, union: Org, admin: User, reference: str, today: date) -> list[Member]:
    ids = list(Member.objects.active().in_subtree(union).order_by("pk").values_list("pk", flat=True))
    chosen = [pk for index, pk in enumerate(ids) if index % LEFT_OUT_EVERY != LEFT_OUT_EVERY - 1]
    member_user = Member.objects.filter(user__username=MEMBER_USERNAME).values_list("pk", flat=True).first()
    if member_user in ids and member_user not in chosen:
        chosen.append(member_user)  # the demo member sees their coverage in the portal
    if not chosen:
        return []
    result = enrol_members(plan, actor=admin, org=union, member_ids=chosen)
    # The demo pretends the union enrolled at the start of the year (see the module docstring).
    Enrolment.objects.filter(batch=result.batch).update(enrolled_on=plan.coverage_start)
    record_batch_payment(
        result.batch, actor=admin, amount=result.batch.total_contribution, reference=reference, paid_on=today
    )
    # The people the demo claims are made for: the demo member first, then a few others.
    first = [pk for pk in chosen if pk == member_user] + [pk for pk in chosen[:20] if pk != member_user]
    return list(Member.objects.filter(pk__in=first).order_by("pk"))


@dataclass(frozen=True)
class DemoClaim:
    claim_type: str
    amounts: tuple[tuple[str, str, str], ...]  # (description, amount, self-paid)
    diagnosis: str
    days_ago: int
    state: str  # the state the claim is left in


CLAIMS: tuple[DemoClaim, ...] = (
    DemoClaim(
        ClaimType.INPATIENT,
        (("住院医疗费", "18600.00", "2100.00"),),
        "cardiovascular",
        40,
        AidClaimStatus.PAID,
    ),
    DemoClaim(
        ClaimType.CHRONIC_OUTPATIENT,
        (
            ("门诊慢性病费用（第一季度）", "3200.00", "300.00"),
            ("门诊慢性病费用（第二季度）", "2900.00", "250.00"),
        ),
        "endocrine",
        35,
        AidClaimStatus.PAID,
    ),
    DemoClaim(
        ClaimType.INPATIENT,
        (("住院医疗费", "9800.00", "800.00"),),
        "respiratory",
        25,
        AidClaimStatus.APPROVED,
    ),
    DemoClaim(
        ClaimType.ACCIDENT,
        (("骨折手术及住院费用", "12500.00", "1500.00"),),
        "injury",
        18,
        AidClaimStatus.CHECKED,
    ),
    DemoClaim(
        ClaimType.INPATIENT, (("住院医疗费", "6400.00", "400.00"),), "digestive", 12, AidClaimStatus.ENTERED
    ),
    DemoClaim(
        ClaimType.INPATIENT, (("住院医疗费", "5300.00", "300.00"),), "kidney", 30, AidClaimStatus.REJECTED
    ),
    DemoClaim(
        ClaimType.CRITICAL_ILLNESS,
        (("肿瘤放化疗费用", "68000.00", "8000.00"),),
        "cancer",
        20,
        AidClaimStatus.SECOND_REVIEW,
    ),
)


def _treated_on(plan: AidPlan, claim: DemoClaim, today: date) -> tuple[str, date]:
    """The claim type and day of a demo claim: past the rule's waiting period when the year has
    gone on long enough, otherwise an accident (no waiting period) this year."""
    waiting = next(rule.waiting_days for rule in RULES if rule.claim_type == claim.claim_type)
    day = max(today - timedelta(days=claim.days_ago), plan.coverage_start)
    if day < plan.coverage_start + timedelta(days=waiting):
        return ClaimType.ACCIDENT, max(today - timedelta(days=claim.days_ago), plan.coverage_start)
    return claim.claim_type, day


def _claims(plan: AidPlan, members: list[Member], admin: User, rng: random.Random, today: date) -> None:
    reviewer = _user(REVIEWER_USERNAME)
    demo_user = _user(MEMBER_USERNAME)
    demo_member = next((m for m in members if demo_user is not None and m.user_id == demo_user.pk), None)
    people = ([demo_member] if demo_member is not None else []) + [m for m in members if m is not demo_member]
    made: list[tuple[AidClaim, str]] = []
    for number, spec in enumerate(CLAIMS):
        if number >= len(people):
            break
        member = people[number]
        claim_type, day = _treated_on(plan, spec, today)
        stay = {"admitted_on": day, "discharged_on": min(day + timedelta(days=6), today)}
        claim = claim_services.submit_claim(
            plan,
            actor=admin,
            member=member,
            claim_type=claim_type,
            hospital=rng.choice(HOSPITALS),
            diagnosis_category=spec.diagnosis,
            treated_on=day,
            **(stay if claim_type == ClaimType.INPATIENT else {}),
            lines=[
                LineInput(
                    invoice_number=f"DEMO{plan.year}{number:02d}{position:02d}{rng.randrange(10**6):06d}",
                    amount=amount,
                    excluded=excluded,
                    description=description,
                )
                for position, (description, amount, excluded) in enumerate(spec.amounts, start=1)
            ],
            bank_account_name=member.name,
            bank_account_number="6222" + "".join(str(rng.randrange(10)) for _ in range(15)),
        )
        made.append((claim, spec.state))
    # The claims to be paid go first: a payment batch takes every approved claim of the plan.
    paid = [claim for claim, state in made if state == AidClaimStatus.PAID]
    if paid and all(_approve(claim, admin, reviewer, rng) for claim in paid):
        batch = payment_services.create_payment_batch(plan, actor=admin)
        payment_services.export_payment_batch(batch, actor=admin)
        payment_services.mark_paid(batch, actor=admin)
    for claim, state in made:
        if state == AidClaimStatus.REJECTED:
            claim_services.reject_claim(
                claim, actor=admin, reason="发票为复印件，请提交医院出具的原始票据后重新申请。"
            )
        elif state == AidClaimStatus.CHECKED:
            claim_services.check_claim(claim, actor=admin)
        elif state in {AidClaimStatus.APPROVED, AidClaimStatus.SECOND_REVIEW}:
            # The demo draws the second review itself, so that the same seed gives the same queue.
            checked = claim_services.check_claim(claim, actor=admin)
            if checked.payout:
                draw = _always if state == AidClaimStatus.SECOND_REVIEW else _never
                claim_services.approve_claim(checked, actor=admin, draw=draw)


def _always(_rate: Decimal) -> bool:
    return True


def _never(_rate: Decimal) -> bool:
    return False


def _approve(claim: AidClaim, admin: User, reviewer: User | None, rng: random.Random) -> bool:
    """Check and approve a claim, confirming it when the demo's own draw sends it to a second
    review (without a second reviewer in the demo, nothing is sampled)."""
    checked = claim_services.check_claim(claim, actor=admin)
    if not checked.payout:
        return False

    def draw(rate: Decimal) -> bool:
        return reviewer is not None and rng.random() < rate

    approved = claim_services.approve_claim(checked, actor=admin, draw=draw)
    if approved.status == AidClaimStatus.SECOND_REVIEW:
        if reviewer is None:
            return False
        claim_services.second_review_claim(approved, actor=reviewer, approve=True)
    return True


def reset_demo_mutualaid(root: Org) -> None:
    """Remove every mutual aid row of the demo tree (plans run by it, enrolments and claims of
    its unions), children first: they hold their plans, members and orgs with PROTECT."""
    plans = AidPlan.objects.filter(org__path__startswith=root.path)
    in_tree = Q(plan__in=plans) | Q(org__path__startswith=root.path)
    claims = AidClaim.objects.filter(in_tree)
    AidInvoice.objects.filter(Q(claim__in=claims) | Q(plan__in=plans)).delete()
    claims.delete()
    PaymentBatch.objects.filter(plan__in=plans).delete()
    Enrolment.objects.filter(in_tree).delete()
    EnrolmentBatch.objects.filter(in_tree).delete()
    BenefitRule.objects.filter(plan__in=plans).delete()
    plans.delete()
