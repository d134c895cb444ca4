"""The deadline rules every app uses and the 2026 holiday calendar.

The calendar follows 国务院办公厅关于2026年部分节假日安排的通知 as entered by the developers; the
federation's administrator checks it against the notice and enters each new year's (docs/deadlines.md).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import migrations

RULES = [
    # code, label, days, unit, roll_to_working_day, legal basis
    (
        "rights.mediation",
        "劳动争议调解期限（自收到调解申请之日起）",
        15,
        "calendar",
        True,
        "《中华人民共和国劳动争议调解仲裁法》第十四条：自劳动争议调解组织收到调解申请之日起十五日内"
        "未达成调解协议的，当事人可以依法申请仲裁。",
    ),
    (
        "rights.followup",
        "调解结案后回访（自结案之日起）",
        30,
        "calendar",
        False,
        "工会劳动争议调解工作规范：结案后回访当事职工并记录满意度。",
    ),
    (
        "legal.consultation_answer",
        "法律咨询答复时限（自收到咨询之日起）",
        3,
        "working",
        False,
        "工会法律服务工作规范：网上法律咨询应在三个工作日内答复。",
    ),
    (
        "legal.aid_review",
        "法律援助申请审查期限（自收到申请之日起）",
        7,
        "working",
        False,
        "《中华人民共和国法律援助法》第四十三条：法律援助机构应当自收到法律援助申请之日起七日内进行审查，"
        "作出是否给予法律援助的决定。",
    ),
    (
        "supervision.rectification",
        "整改期限（自监督文书送达之日起，文书可另定日期）",
        30,
        "calendar",
        True,
        "《工会劳动法律监督办法》：对用人单位违反劳动法律法规的行为，工会应提出整改意见并督促限期改正。",
    ),
    (
        "supervision.followup",
        "整改情况跟踪检查（整改期限届满后）",
        7,
        "working",
        False,
        "《工会劳动法律监督办法》：工会应跟踪监督用人单位的整改情况。",
    ),
    (
        "contracts.expiry_reminder",
        "集体合同到期提醒（到期日前）",
        -90,
        "calendar",
        False,
        "《集体合同规定》第三十八条：集体合同或专项集体合同期满前3个月内，任何一方均可向对方提出"
        "重新签订或续订的要求。",
    ),
]

# (first day, last day, kind, name)
CALENDAR_2026 = [
    (date(2026, 1, 1), date(2026, 1, 3), "holiday", "元旦"),
    (date(2026, 1, 4), date(2026, 1, 4), "workday", "元旦"),
    (date(2026, 2, 14), date(2026, 2, 14), "workday", "春节"),
    (date(2026, 2, 15), date(2026, 2, 23), "holiday", "春节"),
    (date(2026, 2, 28), date(2026, 2, 28), "workday", "春节"),
    (date(2026, 4, 4), date(2026, 4, 6), "holiday", "清明节"),
    (date(2026, 5, 1), date(2026, 5, 5), "holiday", "劳动节"),
    (date(2026, 5, 9), date(2026, 5, 9), "workday", "劳动节"),
    (date(2026, 6, 19), date(2026, 6, 21), "holiday", "端午节"),
    (date(2026, 9, 20), date(2026, 9, 20), "workday", "国庆节"),
    (date(2026, 9, 25), date(2026, 9, 27), "holiday", "中秋节"),
    (date(2026, 10, 1), date(2026, 10, 7), "holiday", "国庆节"),
    (date(2026, 10, 10), date(2026, 10, 10), "workday", "国庆节"),
]


def seed(apps: Any, schema_editor: Any) -> None:
    deadline_rule = apps.get_model("workdays", "DeadlineRule")
    calendar_day = apps.get_model("workdays", "CalendarDay")
    for code, label, days, unit, roll, basis in RULES:
        deadline_rule.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "days": days,
                "unit": unit,
                "roll_to_working_day": roll,
                "legal_basis": basis,
            },
        )
    for first, last, kind, name in CALENDAR_2026:
        day = first
        while day <= last:
            calendar_day.objects.update_or_create(day=day, defaults={"kind": kind, "name": name})
            day += timedelta(days=1)


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("workdays", "DeadlineRule").objects.filter(code__in=[rule[0] for rule in RULES]).delete()
    apps.get_model("workdays", "CalendarDay").objects.filter(day__year=2026).delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
