"""A roster as unions send them: invented people of the demo city, with the faults real files have.

`people()` yields rows of typed cells in the order of `HEADER` (str, float, datetime or None,
as a workbook holds them) and counts the faults it put in; `write_xlsx` and `write_csv` write them
the way Excel would (in a CSV, a number cell is saved as Excel shows it: "3.30203E+17").

Faults, per row drawn at random (shares in `FAULTS`): an ID number stored as a number (Excel
keeps 15 digits), full-width digits, a lower-case x, an old 15-digit number, a bad check digit,
a person listed twice, a person active in another union (taken from the database), a person
already a member of this union, stray spaces (names, ID and mobile numbers, workplaces), a
mobile number with "+86" or spaces, a bad mobile number, a sex that contradicts the ID number, a
workplace this union does not cover, and join dates written as text in two styles.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import xlsxwriter

from gonghui.core.idnumbers import make_id_number
from gonghui.orgs.demo import names
from gonghui.orgs.demo.generator import mobile_number, person_name

HEADER = (
    "姓名",
    "身份证号",
    "手机号",
    "性别",
    "工作单位",
    "统一社会信用代码",
    "入会日期",
    "是否新就业形态",
    "新就业形态类别",
    "所属平台",
    "是否农民工",
    "是否劳模",
)

# Share of rows with each fault (a row gets at most one ID-number fault).
FAULTS = {
    "id_as_number": 0.01,
    "id_full_width": 0.01,
    "id_lower_x": 0.005,  # on top of the ~9 % of numbers that end in X anyway
    "id_15_digits": 0.01,
    "id_bad_checksum": 0.01,
    "duplicate_in_file": 0.01,
    "active_elsewhere": 0.01,
    "already_member": 0.002,
    "stray_spaces": 0.05,
    "mobile_formatted": 0.03,
    "mobile_bad": 0.005,
    "sex_mismatch": 0.003,
    "workplace_unknown": 0.003,
}
GIG_OCCUPATIONS = ("外卖骑手", "快递员", "网约车司机", "货车司机", "家政服务员", "网络主播")
PLATFORMS = ("美团", "饿了么", "顺丰", "中通快递", "滴滴出行", "货拉拉", "抖音")
TODAY = date(2026, 11, 30)


@dataclass
class Existing:
    """People in the database whose rows the roster repeats: ID numbers of active members of
    other unions and of the target union."""

    elsewhere: list[str] = field(default_factory=list)
    here: list[str] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)  # every ID number in the database


@dataclass
class Workplace:
    name: str
    credit_code: str


def _full_width(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if char.isdigit() else char for char in text)


def _spaced(rng: random.Random, text: str) -> str:
    where = rng.random()
    if where < 0.4:
        return f" {text} "
    if where < 0.7:
        return f"{text}\u3000"  # an ideographic space, typed with a Chinese input method
    middle = len(text) // 2
    return f"{text[:middle]} {text[middle:]}"


class _People:
    def __init__(self, seed: int, workplaces: list[Workplace], existing: Existing, rows: int) -> None:
        self.rng = random.Random(seed)
        self.workplaces = workplaces
        self.existing = existing
        self.rows = rows
        self.faults: Counter[str] = Counter()
        self.used: set[str] = set(existing.taken)
        self.listed: list[str] = []  # ID numbers written so far, for duplicates
        self.regions = [district.region for district in names.DISTRICTS]
        self.migrant_regions = [region for region, _weight in names.MIGRANT_REGIONS]
        self.mobile_offset = self.rng.randrange(10**8)

    def _new_id(self, male: bool) -> tuple[str, date]:
        rng = self.rng
        migrant = rng.random() < 0.3
        while True:
            region = rng.choice(self.migrant_regions if migrant else self.regions)
            birth = TODAY - timedelta(days=rng.randint(18 * 366, 60 * 365))
            sequence = rng.randrange(0, 1000)
            if (sequence % 2 == 1) != male:
                sequence = (sequence + 1) % 1000
            value = make_id_number(region, birth, sequence, "male" if male else "female")
            if value not in self.used:
                self.used.add(value)
                return value, birth

    def row(self, number: int) -> list[Any]:
        rng = self.rng
        male = rng.random() < 0.55
        name = person_name(rng, male)
        id_number, birth = self._new_id(male)
        roll = rng.random()
        cut = 0.0
        id_cell: Any = id_number
        kind = ""
        for fault in (
            "id_as_number",
            "id_full_width",
            "id_lower_x",
            "id_15_digits",
            "id_bad_checksum",
            "duplicate_in_file",
            "active_elsewhere",
            "already_member",
        ):
            cut += FAULTS[fault]
            if roll < cut:
                kind = fault
                break
        if kind == "id_as_number":
            id_cell = float(id_number[:17] + ("0" if id_number[17] == "X" else id_number[17]))
        elif kind == "id_full_width":
            id_cell = _full_width(id_number)
        elif kind == "id_lower_x":
            # A number that ends in X, written with a lower-case x.
            while not id_number.endswith("X"):
                id_number, birth = self._new_id(male)
            id_cell = id_number[:17] + "x"
        elif kind == "id_15_digits":
            # Old numbers were issued to people born in the 1900s only.
            birth = date(rng.randint(1966, 1999), rng.randint(1, 12), rng.randint(1, 28))
            sequence = rng.randrange(1, 999, 2) if male else rng.randrange(0, 999, 2)
            region = rng.choice(self.regions)
            full = make_id_number(region, birth, sequence, "male" if male else "female")
            if full in self.used:
                kind = ""
            else:
                self.used.add(full)
                id_number = full
                id_cell = full[:6] + full[8:17]
        elif kind == "id_bad_checksum":
            check = id_number[17]
            wrong = "0123456789X".replace(check, "")
            id_cell = id_number[:17] + rng.choice(wrong)
        elif kind == "duplicate_in_file" and self.listed:
            id_cell = id_number = rng.choice(self.listed)
        elif kind == "active_elsewhere" and self.existing.elsewhere:
            id_cell = id_number = rng.choice(self.existing.elsewhere)
        elif kind == "already_member" and self.existing.here:
            id_cell = id_number = rng.choice(self.existing.here)
        else:
            kind = "" if kind in {"duplicate_in_file", "active_elsewhere", "already_member"} else kind
        if kind:
            self.faults[kind] += 1
        if len(self.listed) < 200_000:
            self.listed.append(id_number)
        # Sex from the (real) number: for a person taken from elsewhere it may not match `male`.
        male = int(id_number[16]) % 2 == 1
        if kind in {"active_elsewhere", "already_member", "duplicate_in_file"}:
            birth = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))

        mobile: Any = mobile_number(rng, number, self.mobile_offset) if rng.random() < 0.92 else None
        if mobile is not None:
            roll = rng.random()
            if roll < FAULTS["mobile_bad"]:
                mobile = mobile[:-1]
                self.faults["mobile_bad"] += 1
            elif roll < FAULTS["mobile_bad"] + FAULTS["mobile_formatted"]:
                mobile = rng.choice(
                    [
                        f"+86 {mobile}",
                        f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}",
                        f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}",
                    ]
                )
                self.faults["mobile_formatted"] += 1
        sex: Any = None
        if rng.random() < 0.6:
            sex = "男" if male else "女"
            if rng.random() < FAULTS["sex_mismatch"]:
                sex = "女" if male else "男"
                self.faults["sex_mismatch"] += 1

        workplace = rng.choice(self.workplaces)
        workplace_cell: Any = workplace.name
        code_cell: Any = workplace.credit_code if rng.random() < 0.2 else None
        if rng.random() < FAULTS["workplace_unknown"]:
            workplace_cell = workplace.name.replace("有限公司", "集团有限公司").replace("工会", "")
            workplace_cell = f"{workplace_cell}分公司"
            code_cell = None
            self.faults["workplace_unknown"] += 1

        if rng.random() < FAULTS["stray_spaces"]:
            self.faults["stray_spaces"] += 1
            which = rng.randrange(4)
            if which == 0:
                name = _spaced(rng, name)
            elif which == 1 and isinstance(id_cell, str):
                id_cell = _spaced(rng, id_cell)
            elif which == 2 and isinstance(mobile, str):
                mobile = _spaced(rng, mobile)
            else:
                workplace_cell = _spaced(rng, workplace_cell)

        first = max(birth + timedelta(days=18 * 366), date(1990, 1, 1))
        joined: Any = None
        roll = rng.random()
        if first < TODAY and roll < 0.85:
            day = first + timedelta(days=rng.randrange(max((TODAY - first).days, 1)))
            if roll < 0.7:
                joined = datetime(day.year, day.month, day.day)
            elif roll < 0.78:
                joined = day.isoformat()
            else:
                joined = f"{day.year}/{day.month}/{day.day}"

        gig: Any = rng.choice(("否", None))
        occupation: Any = None
        platform: Any = None
        if rng.random() < 0.05:
            gig = "是"
            occupation = rng.choice(GIG_OCCUPATIONS)
            platform = rng.choice(PLATFORMS)
        migrant = "是" if rng.random() < 0.3 else "否"
        model = "是" if rng.random() < 0.01 else rng.choice(("否", None))
        return [
            name,
            id_cell,
            mobile,
            sex,
            workplace_cell,
            code_cell,
            joined,
            gig,
            occupation,
            platform,
            migrant,
            model,
        ]


def people(
    rows: int, *, seed: int, workplaces: list[Workplace], existing: Existing
) -> tuple[Iterator[list[Any]], Counter[str]]:
    """The rows (a generator) and the fault counter it fills while it runs."""
    maker = _People(seed, workplaces, existing, rows)

    def generate() -> Iterator[list[Any]]:
        for number in range(rows):
            yield maker.row(number)

    return generate(), maker.faults


def write_xlsx(path: str, rows: Iterator[list[Any]]) -> int:
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("花名册")
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADER)
    count = 0
    for line, cells in enumerate(rows, start=1):
        for column, value in enumerate(cells):
            if value is None:
                continue
            if isinstance(value, float):
                sheet.write_number(line, column, value)
            elif isinstance(value, datetime):
                sheet.write_datetime(line, column, value, day)
            else:
                sheet.write_string(line, column, value)
        count += 1
    workbook.close()
    return count


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.5E}"  # as Excel shows (and saves) a long number: 3.30203E+17
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d}"
    return str(value)


def write_csv(path: str, rows: Iterator[list[Any]]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for cells in rows:
            writer.writerow([_csv_cell(value) for value in cells])
            count += 1
    return count
