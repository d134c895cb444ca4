"""Vocabulary of the demo city: people's names, places, workplace names and platforms.

Everything here is plain data. The city "示范市" and its districts are invented; the region
codes are real ones from Zhejiang so that the ID numbers and credit codes built on them look
like the numbers officers handle every day.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_NAME = "示范市"
CITY_SHORT = "示范"
CITY_REGION = "330200"
# The city's landline area code, for federations' and unions' contact numbers.
AREA_CODE = "0574"


@dataclass(frozen=True)
class District:
    name: str
    short: str
    region: str
    # "街道" districts are urban: communities and office buildings; counties have villages and parks.
    urban: bool


DISTRICTS: tuple[District, ...] = (
    District("明州区", "明州", "330203", True),
    District("江滨区", "江滨", "330205", True),
    District("港城区", "港城", "330206", True),
    District("海澄区", "海澄", "330211", True),
    District("东钱区", "东钱", "330212", True),
    District("溪口区", "溪口", "330213", False),
    District("象屿县", "象屿", "330225", False),
    District("宁湾县", "宁湾", "330226", False),
    District("姚江市", "姚江", "330281", False),
    District("慈湖市", "慈湖", "330282", False),
)

# Surnames with their approximate share of the population in percent (2020 census order).
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.12), ("李", 7.00), ("张", 6.74), ("刘", 5.10), ("陈", 4.61), ("杨", 3.22), ("赵", 2.29),
    ("黄", 2.23), ("周", 2.14), ("吴", 2.05), ("徐", 1.67), ("孙", 1.54), ("胡", 1.32), ("朱", 1.26),
    ("高", 1.21), ("林", 1.18), ("何", 1.17), ("郭", 1.15), ("马", 1.05), ("罗", 0.86), ("梁", 0.82),
    ("宋", 0.77), ("郑", 0.75), ("谢", 0.68), ("韩", 0.64), ("唐", 0.63), ("冯", 0.61), ("于", 0.60),
    ("董", 0.58), ("萧", 0.55), ("程", 0.54), ("曹", 0.53), ("袁", 0.50), ("邓", 0.49), ("许", 0.48),
    ("傅", 0.47), ("沈", 0.46), ("曾", 0.45), ("彭", 0.44), ("吕", 0.43), ("苏", 0.42), ("卢", 0.41),
    ("蒋", 0.40), ("蔡", 0.39), ("贾", 0.38), ("丁", 0.37), ("魏", 0.36), ("薛", 0.35), ("叶", 0.34),
    ("阎", 0.33), ("余", 0.32), ("潘", 0.31), ("杜", 0.30), ("戴", 0.29), ("夏", 0.28), ("钟", 0.27),
    ("汪", 0.26), ("田", 0.25), ("任", 0.24), ("姜", 0.23), ("范", 0.22), ("方", 0.21), ("石", 0.20),
    ("姚", 0.19), ("谭", 0.18), ("廖", 0.17), ("邹", 0.16), ("熊", 0.15), ("金", 0.15), ("陆", 0.14),
    ("郝", 0.14), ("孔", 0.13), ("白", 0.13), ("崔", 0.12), ("康", 0.12), ("毛", 0.11), ("邱", 0.11),
    ("秦", 0.10), ("江", 0.10), ("史", 0.10), ("顾", 0.09), ("侯", 0.09), ("邵", 0.09), ("孟", 0.08),
    ("龙", 0.08), ("万", 0.08), ("段", 0.08), ("钱", 0.07), ("汤", 0.07), ("尹", 0.07), ("黎", 0.07),
    ("易", 0.07), ("常", 0.06), ("武", 0.06), ("乔", 0.06), ("贺", 0.06), ("赖", 0.06), ("龚", 0.06),
    ("文", 0.06), ("欧阳", 0.02), ("上官", 0.005), ("司马", 0.005), ("诸葛", 0.004),
)  # fmt: skip

MALE_GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏飞鑫波宇浩凯健俊帆帅旭宁龙阳建国峰亮成东晨博志豪坤鸿毅"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞燕玲婷雪慧莹倩琳颖晶洁红梅琴兰萍云佳欣怡悦璐瑶雨涵诗月秀英丹"
NEUTRAL_GIVEN = "子一文晓春小新永金海天嘉安清思立家雅正"

# Prefix characters and endings of invented place names; every pair is a plausible name.
PLACE_FIRST = "东西南北新白石古高青金银龙凤梅桃柳松云溪江湖山港塘桥湾沙"
PLACE_SECOND = "湖山桥塘浦港岙岭溪渡林门田坝洋浜泾墩"
STREET_WORDS: tuple[str, ...] = (
    "中山", "解放", "人民", "和平", "建设", "新华", "文化", "长春", "百丈", "江东", "兴宁", "福明",
    "天童", "四明", "环城", "学士", "钱湖", "首南", "前河", "桑田", "青林", "望春", "翠柏", "联丰",
    "段塘", "丽园", "南苑", "柳汀", "永丰", "开明", "灵桥", "江厦", "迎凤", "孝闻", "槐树", "世纪",
    "创业", "科技", "工业", "民安", "沧海", "春晓", "金谷", "银泉", "明光", "聚贤",
)  # fmt: skip
STREET_KINDS: tuple[str, ...] = ("路", "路", "路", "街", "大道", "东路", "西路", "北路", "南路")
BUILDING_WORDS: tuple[str, ...] = (
    "国际金融中心", "环球中心", "财富广场", "时代大厦", "创新大厦", "万达广场", "科创中心", "商务大厦",
    "总部大楼", "汇金大厦", "国贸中心", "天一广场",
)  # fmt: skip
PARK_WORDS: tuple[str, ...] = ("工业园区", "经济开发区", "科技园区", "物流园区", "智造产业园", "小微企业园")

# 字号: the distinctive part of a company name, two of these characters.
TRADE_NAME_CHARS = "华兴鑫恒盛达泰宏远通博创新力德信瑞丰源海天佳嘉康乐美安联合众诚利富贝腾锦辰宇卓越振隆昌"

# GB/T 4754 sections with their share of workplaces in a manufacturing city (percent).
INDUSTRY_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("C", 34.0), ("F", 17.0), ("L", 7.0), ("E", 6.0), ("G", 6.0), ("H", 5.0), ("I", 4.0), ("M", 4.0),
    ("K", 3.0), ("O", 3.0), ("Q", 2.0), ("P", 2.0), ("J", 1.5), ("S", 1.5), ("A", 1.0), ("R", 1.0),
    ("N", 1.0), ("D", 0.5), ("B", 0.2),
)  # fmt: skip

# What a company in each section calls itself, after its trade name.
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "A": ("农业开发", "生态农业", "水产养殖", "园艺", "茶业"),
    "B": ("矿业", "石材"),
    "C": (
        "机械制造",
        "电器",
        "模具",
        "塑料制品",
        "纺织",
        "服饰",
        "汽车零部件",
        "五金制品",
        "化工",
        "电子",
        "精密机械",
        "新材料",
        "轴承",
        "文具",
        "家电",
        "光电科技",
        "医疗器械",
        "食品",
        "紧固件",
        "注塑",
    ),
    "D": ("热电", "燃气", "供水", "新能源"),
    "E": ("建设", "建筑工程", "装饰工程", "市政工程", "安装工程"),
    "F": ("商贸", "贸易", "进出口", "百货", "超市", "医药连锁", "汽车销售", "建材"),
    "G": ("物流", "运输", "货运代理", "港口服务", "仓储", "供应链管理"),
    "H": ("餐饮管理", "酒店管理", "大酒店", "餐饮"),
    "I": ("网络科技", "软件", "信息技术", "数据科技", "通信技术"),
    "J": ("投资管理", "保险代理", "融资担保", "小额贷款"),
    "K": ("房地产开发", "物业管理", "置业"),
    "L": ("人力资源", "商务咨询", "企业管理", "广告", "保安服务", "劳务服务"),
    "M": ("检测技术", "工程设计", "环境科技", "技术服务", "生物科技"),
    "N": ("环境工程", "园林绿化", "水务"),
    "O": ("家政服务", "汽车维修", "洗涤服务", "美容美发"),
    "P": ("教育科技", "培训"),
    "Q": ("医疗管理", "康复医疗", "健康管理"),
    "R": ("文化传媒", "体育发展", "影视", "文化旅游"),
    "S": ("社会服务",),
}

# Public institutions and organs, named after their district rather than a trade name.
INSTITUTION_NAMES: dict[str, tuple[str, ...]] = {
    "P": ("实验小学", "第一中学", "第二中学", "职业技术学校", "中心幼儿园", "外国语学校"),
    "Q": ("人民医院", "中医医院", "妇幼保健院", "社区卫生服务中心", "第二人民医院"),
    "S": ("便民服务中心", "综合行政执法中队", "市场监管所", "财政所", "退役军人服务站"),
    "N": ("水利局", "环境卫生管理处"),
    "R": ("文化馆", "图书馆", "体育中心"),
}
SOCIAL_ORG_NAMES: tuple[str, ...] = (
    "个体劳动者协会",
    "慈善总会",
    "企业家协会",
    "物流行业协会",
    "社会工作者协会",
)

DEPARTMENTS: tuple[str, ...] = (
    "生产一车间", "生产二车间", "生产三车间", "质检部", "销售部", "行政部", "技术研发中心", "仓储物流部",
    "财务部", "设备部", "安全环保部", "客户服务部", "采购部", "人力资源部",
)  # fmt: skip


@dataclass(frozen=True)
class IndustryUnionSpec:
    name: str
    short_name: str
    industry: str
    share: float  # of the city's gig-worker members
    platforms: tuple[str, ...]


INDUSTRY_UNIONS: tuple[IndustryUnionSpec, ...] = (
    IndustryUnionSpec(
        "示范市货运司机工会联合会", "货运司机工会", "G", 0.25, ("货拉拉", "满帮", "快狗打车", "滴滴货运")
    ),
    IndustryUnionSpec(
        "示范市快递物流行业工会",
        "快递物流工会",
        "G",
        0.50,
        ("美团", "饿了么", "顺丰速运", "京东物流", "中通快递", "圆通速递", "闪送", "达达"),
    ),
    IndustryUnionSpec(
        "示范市网约车司机工会", "网约车司机工会", "G", 0.25, ("滴滴出行", "曹操出行", "T3出行", "高德打车")
    ),
)

# The industry union whose member gets the gig-worker demo account.
GIG_DEMO_UNION = "示范市快递物流行业工会"

# Home counties of workers who came to the city for work (real GB/T 2260 codes) and their weight.
MIGRANT_REGIONS: tuple[tuple[str, float], ...] = (
    ("341221", 8.0), ("341222", 7.0), ("411323", 5.0), ("411522", 5.0), ("510722", 4.0), ("511322", 4.0),
    ("431022", 3.0), ("421127", 4.0), ("360731", 4.0), ("500235", 4.0), ("522422", 3.0), ("330327", 3.0),
    ("331082", 3.0), ("330881", 2.0),
)  # fmt: skip

# Mobile number prefixes that generated members get. 199 is left out on purpose: the demo
# accounts use 199 numbers, which therefore never belong to a generated member.
MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "166", "173", "175", "176", "177", "180", "181", "182", "183", "185",
    "186", "187", "188", "189", "191", "198",
)  # fmt: skip
