"""The workers' school of the demo city, relative to the day the demo is loaded: courses with a
fee and a member price, one term open for enrolment now and one starting later, each with its
weekly evening sessions. Written directly (the demo loader is the system itself). Called by the
demo loader once the city is loaded and undone by its reset (enrolments hold their terms and
members with PROTECT)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from gonghui.courses.models import (
    Attendance,
    Certificate,
    Course,
    CourseCategory,
    CourseEnrolment,
    CourseHistory,
    CourseStatus,
    Session,
    Term,
    TermStatus,
)
from gonghui.orgs.models import Org


@dataclass(frozen=True)
class DemoCourse:
    title: str
    category: str
    teachers: str
    description: str
    fee: str
    member_fee: str
    places: int
    room: str
    starts_in_days: int
    sessions: int


COURSES: tuple[DemoCourse, ...] = (
    DemoCourse(
        "低压电工上岗证培训班",
        CourseCategory.SKILLS,
        "王建国（高级技师）、李红",
        "理论与实操结合，结业后可参加应急管理部门的低压电工作业证考试。",
        "800.00",
        "300.00",
        30,
        "市职工技能实训基地二楼实训室",
        10,
        8,
    ),
    DemoCourse(
        "职工数字技能：办公软件与AI工具",
        CourseCategory.DIGITAL,
        "陈思远",
        "表格、文档、演示文稿的常用技巧，以及用 AI 工具写材料、做数据的注意事项。",
        "200.00",
        "0.00",
        40,
        "市职工服务中心电脑教室",
        5,
        6,
    ),
    DemoCourse(
        "劳动法律知识讲座",
        CourseCategory.LAW,
        "市总工会法律顾问团",
        "劳动合同、工资和加班、工伤认定、劳动争议调解仲裁，每讲留出答疑时间。",
        "0.00",
        "0.00",
        100,
        "市总工会三楼报告厅",
        14,
        4,
    ),
)


def seed_demo_courses(root: Org) -> None:
    """The demo courses above, published, of the city federation's school, each with an open term."""
    today = timezone.localdate()
    for demo in COURSES:
        course = Course.objects.create(
            org=root,
            title=demo.title,
            category=demo.category,
            teachers=demo.teachers,
            description=demo.description,
            fee=Decimal(demo.fee),
            member_fee=Decimal(demo.member_fee),
            places=demo.places,
            status=CourseStatus.PUBLISHED,
        )
        CourseHistory.objects.create(course=course, from_status="", to_status=CourseStatus.DRAFT)
        CourseHistory.objects.create(
            course=course, from_status=CourseStatus.DRAFT, to_status=CourseStatus.PUBLISHED
        )
        starts_on = today + timedelta(days=demo.starts_in_days)
        term = Term.objects.create(
            course=course,
            name=f"{starts_on:%Y}年第一期",
            starts_on=starts_on,
            ends_on=starts_on + timedelta(weeks=demo.sessions - 1),
            places=demo.places,
            status=TermStatus.OPEN,
        )
        Session.objects.bulk_create(
            Session(
                term=term,
                date=starts_on + timedelta(weeks=week),
                starts_at=time(19),
                ends_at=time(21),
                room=demo.room,
            )
            for week in range(demo.sessions)
        )


def reset_demo_courses(root: Org) -> None:
    """Remove every course of the demo tree and every enrolment by its members, children first."""
    courses = Course.objects.filter(org__path__startswith=root.path)
    enrolments = CourseEnrolment.objects.filter(
        Q(term__course__in=courses) | Q(org__path__startswith=root.path)
    )
    Certificate.objects.filter(enrolment__in=enrolments).delete()
    Attendance.objects.filter(enrolment__in=enrolments).delete()
    enrolments.delete()
    Term.objects.filter(course__in=courses).delete()
    courses.delete()
