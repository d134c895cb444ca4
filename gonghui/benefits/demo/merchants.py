"""Demo merchants: a plausible partner network around the demo city (29.87° N, 121.55° E).

`make_demo_merchants(city, rng, n)` writes `n` merchants managed by `city` in one bulk insert,
spread over the categories, with a district, an address, opening hours, a phone number and a
position scattered around the city centre; a few are suspended or have ended their agreement,
and a few have no position (they are never "nearest"). The same `rng` seed gives the same rows.
"""

from __future__ import annotations

import random
from decimal import Decimal

from gonghui.benefits.models import Merchant, MerchantCategory, MerchantStatus
from gonghui.orgs.demo import names
from gonghui.orgs.models import Org

CENTRE = (29.87, 121.55)
# The demo city's own urban districts, so that a merchant's district matches the org tree.
DISTRICTS = tuple(district.name for district in names.DISTRICTS if district.urban)
STREETS = (
    "中山东路",
    "中山西路",
    "解放南路",
    "药行街",
    "天一广场",
    "百丈路",
    "江东北路",
    "四明中路",
    "钱湖北路",
    "日丽中路",
    "环城北路",
    "人民路",
    "新河路",
    "宁穿路",
    "长春路",
)
BRANCHES = ("天一店", "鼓楼店", "东部新城店", "南塘店", "老外滩店", "万达店", "印象城店", "总店", "")

# Per category: name stems, what members get, opening hours.
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    MerchantCategory.CATERING: (
        ("甬上人家", "阿娘面馆", "缸鸭狗汤团", "石浦海鲜", "老宁波菜馆", "茶香小馆", "状元楼"),
        ("凭会员卡消费 9 折（酒水除外）", "会员到店赠甜品一份", "满 100 元减 15 元"),
        "10:00-21:30",
    ),
    MerchantCategory.SUPERMARKET: (
        ("三江超市", "联华便利", "家润多", "新华联百货", "好又多生活超市"),
        ("会员日（每周三）购物 95 折", "满 200 元减 10 元", "凭卡积分双倍"),
        "08:00-22:00",
    ),
    MerchantCategory.HEALTH: (
        ("明州大药房", "寿全斋药店", "康爱口腔", "益民体检中心", "视康眼镜"),
        ("非处方药 9 折", "体检套餐会员价 8 折", "配镜 85 折"),
        "08:00-20:00",
    ),
    MerchantCategory.CULTURE: (
        ("甬城影院", "天一书城", "星光 KTV", "海丝博物馆文创店", "月湖剧场"),
        ("凭会员卡观影 8 折", "图书 9 折，文创 85 折", "周一至周四包厢 7 折"),
        "09:30-23:00",
    ),
    MerchantCategory.SPORTS: (
        ("奥体游泳馆", "动力健身", "江北羽毛球馆", "东钱湖骑行驿站", "星辰瑜伽"),
        ("次卡会员价 8 折", "年卡立减 300 元", "场地费 9 折"),
        "07:00-22:00",
    ),
    MerchantCategory.TRAVEL: (
        ("南苑饭店", "东钱湖度假酒店", "四明山农家乐", "象山影视城旅行社", "港城假日酒店"),
        ("住宿会员价 8 折", "职工疗休养线路 9 折", "含早双人房立减 50 元"),
        "00:00-24:00",
    ),
    MerchantCategory.EDUCATION: (
        ("职工技能培训学校", "新东方职业教育", "宁大继续教育中心", "甬城驾校", "书法艺术培训中心"),
        ("报名费 9 折", "职工子女课程 85 折", "学历提升学费立减 500 元"),
        "09:00-20:00",
    ),
    MerchantCategory.SERVICES: (
        ("安心家政", "洁丽洗衣", "好师傅维修", "美发沙龙", "照相馆", "邮政便民点"),
        ("服务费 9 折", "首单立减 20 元", "会员价 8.5 折"),
        "08:30-19:00",
    ),
    MerchantCategory.AUTO: (
        ("途虎养车", "港城汽修", "车博士洗车", "甬城汽车租赁", "中石化便利店"),
        ("保养工时费 8 折", "洗车会员价 15 元", "租车日租 9 折"),
        "08:00-18:30",
    ),
    MerchantCategory.OTHER: (
        ("鲜花坊", "宠物医院", "茶叶铺", "文具店"),
        ("凭会员卡 9 折", "满 50 元减 5 元"),
        "09:00-21:00",
    ),
}
# Roughly how networks are made up: many eateries and shops, few schools.
WEIGHTS: dict[str, int] = {
    MerchantCategory.CATERING: 26,
    MerchantCategory.SUPERMARKET: 14,
    MerchantCategory.HEALTH: 10,
    MerchantCategory.CULTURE: 10,
    MerchantCategory.SPORTS: 8,
    MerchantCategory.TRAVEL: 7,
    MerchantCategory.EDUCATION: 5,
    MerchantCategory.SERVICES: 10,
    MerchantCategory.AUTO: 6,
    MerchantCategory.OTHER: 4,
}
_SIX = Decimal("0.000001")


def _degrees(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(_SIX)


def make_demo_merchants(city: Org, rng: random.Random, n: int) -> list[Merchant]:
    """`n` demo merchants managed by `city` (one bulk insert); about 3 % suspended, 1 % ended,
    2 % without a position."""
    categories = list(WEIGHTS)
    weights = [WEIGHTS[category] for category in categories]
    used: set[str] = set()
    rows: list[Merchant] = []
    for index in range(n):
        category = rng.choices(categories, weights)[0]
        stems, terms, hours = KINDS[category]
        district = rng.choice(DISTRICTS)
        name = f"{rng.choice(stems)}（{rng.choice(BRANCHES) or district}）"
        if name in used:
            name = f"{rng.choice(stems)}（{district}{index + 1}号店）"
        used.add(name)
        street = rng.choice(STREETS)
        roll = rng.random()
        status = (
            MerchantStatus.ENDED
            if roll < 0.01
            else MerchantStatus.SUSPENDED
            if roll < 0.04
            else MerchantStatus.ACTIVE
        )
        placed = rng.random() >= 0.02
        latitude = _degrees(rng.gauss(CENTRE[0], 0.06)) if placed else None
        longitude = _degrees(rng.gauss(CENTRE[1], 0.08)) if placed else None
        rows.append(
            Merchant(
                org=city,
                name=name[:120],
                category=category,
                discount_terms=rng.choice(terms),
                address=f"{district}{street}{rng.randint(1, 599)}号",
                district=district,
                latitude=latitude,
                longitude=longitude,
                opening_hours=hours,
                phone=f"0570-{rng.randint(8100, 8899)}{rng.randint(1000, 9999)}",
                description=("工会会员凭电子会员卡享受优惠，请在结账前出示。" if rng.random() < 0.5 else ""),
                status=status,
            )
        )
    return Merchant.objects.bulk_create(rows, batch_size=500)
