"""The demo accounts: one per role, with one documented password.

Officer accounts exist only for these few people: hashing a password (argon2) for every
union chair of a city would take hours, so chairs are names in `Org.contact_name` instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import User
from gonghui.members.models import Member, mobile_index
from gonghui.orgs.demo import names
from gonghui.orgs.demo.generator import DemoCity
from gonghui.orgs.models import Org, Role, RoleGrant
from gonghui.orgs.services.roles import requires_second_factor

DEMO_PASSWORD = "Gonghui-2026"  # noqa: S105 - documented in the README for the demo only
MEMBER_MOBILE = "19900000001"
GIG_WORKER_MOBILE = "19900000002"
DEMO_DEVICE_NAME = "demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role | None
    # Where the role applies: "city", "district" (the first one), "union" (the showcase
    # grassroots union) or "gig_union" (the couriers' industry union).
    scope: str
    description: str


OFFICERS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "系统管理员", None, "city", "superuser"),
    DemoAccount("city.admin", "市总工会管理员", Role.FEDERATION_ADMIN, "city", "federation administrator"),
    DemoAccount(
        "district.officer", "区总工会干部", Role.FEDERATION_ADMIN, "district", "district federation officer"
    ),
    DemoAccount("union.officer", "基层工会干部", Role.UNION_OFFICER, "union", "grassroots union officer"),
    DemoAccount("rights.handler", "维权案件承办人", Role.CASE_HANDLER, "city", "rights case handler"),
    DemoAccount("finance.officer", "财务人员", Role.FINANCE_OFFICER, "city", "finance officer"),
    DemoAccount("auditor", "审计人员", Role.AUDITOR, "city", "read-only auditor"),
)
MEMBERS: tuple[DemoAccount, ...] = (
    DemoAccount(MEMBER_MOBILE, "", None, "union", "member of the union officer's union"),
    DemoAccount(GIG_WORKER_MOBILE, "", None, "gig_union", "gig worker, couriers' industry union"),
)
DEMO_USERNAMES = tuple(account.username for account in OFFICERS + MEMBERS)


def scope_codes(city: DemoCity) -> dict[str, str]:
    return {
        "city": names.CITY_REGION,
        "district": names.DISTRICTS[0].region,
        "union": city.showcase_union_code,
        "gig_union": city.gig_union_code,
    }


def create_demo_accounts(city: DemoCity) -> None:
    """Create each demo account that does not exist yet; existing ones are left untouched."""
    orgs = {scope: Org.objects.get(code=code) for scope, code in scope_codes(city).items()}
    existing = set(User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
    for account in OFFICERS:
        if account.username in existing:
            continue
        if account.role is None:
            User.objects.create_superuser(account.username, DEMO_PASSWORD, display_name=account.display_name)
            continue
        user = User.objects.create_officer(
            username=account.username, password=DEMO_PASSWORD, display_name=account.display_name
        )
        org = orgs[account.scope]
        RoleGrant.objects.create(user=user, org=org, role=account.role)
        if requires_second_factor(org):
            # As grant_role would: federation-level roles sign in with a one-time code. The
            # demo gives them an authenticator already; `gonghui demo-otp-code` shows its code.
            user.otp_required = True
            user.save(update_fields=["otp_required"])
            TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)
    for account in MEMBERS:
        if account.username not in existing:
            _member_account(account.username, orgs[account.scope])


def _member_account(mobile: str, union: Org) -> None:
    """Give the union's first member a portal account under a mobile number no generated
    member has (generated mobiles never start with 199)."""
    member = Member.objects.filter(org=union).order_by("pk").first()
    if member is None:
        return
    user = User.objects.create_member(mobile=mobile, password=DEMO_PASSWORD, display_name=member.name)
    member.mobile = mobile
    member.mobile_index = mobile_index(mobile)
    member.user = user
    member.save(update_fields=["mobile", "mobile_index", "user", "updated_at"])
