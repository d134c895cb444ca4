"""The default "six haves" (六有) checklist: 6 sections, 20 items, 100 points.

It follows the six requirements of the ACFTU's vitality-union standard (有依法选举的工会主席、
有独立健全的组织机构、有服务职工的阵地、有自主管理的经费、有健全的工作制度、有作用明显的工作
成效), with items drawn from the Trade Union Law and the usual provincial scoring rules. It is
content a federation starts from and edits, so it is stored as data in the federation's own
language rather than as translatable interface text.
"""

from __future__ import annotations

from gonghui.ratings.models import SixHaves

DEFAULT_THRESHOLDS = (60, 70, 80, 90, 95)

DEFAULT_ITEMS: tuple[tuple[str, str, int], ...] = (
    # 有依法选举的工会主席 — 15
    (
        SixHaves.OFFICERS,
        "工会主席按照《工会法》和《中国工会章程》规定的程序民主选举产生，并报上级工会批准",
        6,
    ),
    (SixHaves.OFFICERS, "工会委员会按期换届，任期届满前完成换届选举，不超期", 5),
    (SixHaves.OFFICERS, "工会主席、副主席依法履职，配备专职或兼职工会工作人员", 4),
    # 有独立健全的组织机构 — 15
    (SixHaves.ORGANISATION, "依法建立工会委员会、经费审查委员会和女职工委员会", 6),
    (SixHaves.ORGANISATION, "依法取得工会法人资格证书，按规定年检或换证", 4),
    (SixHaves.ORGANISATION, "按车间、班组设立工会小组，职工入会率达到90%以上并实行会员实名制管理", 5),
    # 有服务职工的阵地 — 15
    (SixHaves.VENUE, "建有职工之家（会员服务站），有固定的活动场所和必要的设施", 6),
    (SixHaves.VENUE, "建有职工书屋、妈咪暖心小屋、户外劳动者服务站等阵地中的至少一处", 5),
    (SixHaves.VENUE, "依托网上工会平台开展入会、普惠、帮扶等线上服务，职工知晓和使用", 4),
    # 有自主管理的经费 — 15
    (SixHaves.FUNDS, "单位按全部职工工资总额的2%足额按时拨缴工会经费", 6),
    (SixHaves.FUNDS, "工会独立开设银行账户，经费独立核算，收支纳入预算管理", 5),
    (SixHaves.FUNDS, "经费审查委员会定期审查经费收支，并向会员（代表）大会报告", 4),
    # 有健全的工作制度 — 20
    (SixHaves.SYSTEM, "建立职工代表大会（职工大会）制度，每年至少召开一次", 6),
    (SixHaves.SYSTEM, "推行厂务公开，涉及职工切身利益的重大事项经职代会审议", 5),
    (SixHaves.SYSTEM, "开展工资集体协商，签订集体合同和女职工权益保护专项集体合同并按期续签", 5),
    (SixHaves.SYSTEM, "建立会员评家、工会例会、工作台账和档案管理等制度并落实", 4),
    # 有作用明显的工作成效 — 20
    (SixHaves.ACTIVITIES, "组织劳动竞赛、技能比武、合理化建议等活动，职工参与面广", 6),
    (SixHaves.ACTIVITIES, "落实送温暖、困难职工帮扶、职工医疗互助保障等服务，覆盖应帮尽帮", 5),
    (
        SixHaves.ACTIVITIES,
        "劳动关系和谐稳定，及时反映和化解职工诉求，全年无因工会履职不到位引发的群体性事件",
        5,
    ),
    (SixHaves.ACTIVITIES, "会员对工会工作的满意度达到85%以上", 4),
)


def default_title(year: int) -> str:
    return f"{year}年度活力基层工会“六有”评价标准"
