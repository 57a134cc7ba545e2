"""Realistic demo history: reports as grid workers type them, with the department that resolved
them. Used to measure the learned suggestions on held-out history and to feed the routing
benchmark. Deterministic for a given seed.

Some reports are filed under 9999 其他事项 by a worker who could not classify them; their
department is still the one that did the work, which is what the suggestions must learn.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import yaml

from boards import DEMO_FOLDER

# what people actually write, per category (no need to name the category)
SAYINGS = {
    "0101": ["自来水井盖破了", "上水井盖缺失", "供水井盖松动"],
    "0102": ["污水井盖缺失", "下水道井盖不见了", "污水井盖破损有异味"],
    "0103": ["雨水篦子缺失", "雨水井盖破损", "雨水口盖板松动"],
    "0104": ["电力井盖破损", "电缆井盖缺失"],
    "0105": ["通信井盖翘起", "光缆井盖破了"],
    "0106": ["燃气井盖松动", "燃气阀门井盖破损"],
    "0110": ["路灯不亮", "路灯一直闪", "路灯杆倾斜"],
    "0201": ["路面坑洼", "人行道砖松动", "道路开裂"],
    "0202": ["红绿灯坏了", "信号灯不亮", "信号灯时间太短"],
    "0203": ["护栏被撞坏", "隔离栏倒了"],
    "0301": ["垃圾桶坏了", "果皮箱破损", "垃圾桶不够用"],
    "0302": ["公厕堵了", "公共厕所没水", "厕所太脏"],
    "0401": ["行道树倒了", "树枝快断了", "行道树枯死"],
    "0402": ["绿地被踩秃了", "绿化带被占用种菜"],
    "0501": ["房屋墙体开裂", "老楼阳台要掉了", "危房有人住"],
    "5001": ["路边有暴露垃圾", "垃圾堆成山", "建筑垃圾乱倒"],
    "5002": ["路面有油污", "道路很脏没人扫", "人行道有泥浆"],
    "5101": ["墙上乱贴小广告", "违规广告牌", "电线杆上贴满广告"],
    "5201": ["工地半夜还在施工", "施工噪音太大"],
    "5202": ["工地扬尘严重", "渣土车没盖篷布"],
    "5203": ["楼顶在搭违章建筑", "私搭乱建", "院子里违建"],
    "5301": ["占道摆摊", "流动摊贩占人行道", "马路边卖菜"],
    "5302": ["车辆乱停挡路", "共享单车堆满人行道"],
    "5303": ["店铺把桌子摆到店外", "门店占道经营"],
    "5401": ["楼道里着火了", "垃圾堆起火"],
    "5402": ["闻到很重的燃气味", "天然气泄漏"],
    "5403": ["路面突然塌陷", "路面下沉出现大坑"],
    "5404": ["水管爆了水漫出来", "路边爆管"],
    "1001": ["党员想到社区报到", "在职党员报到服务"],
    "1002": ["党员组织关系要转进来"],
    "1003": ["流动党员要参加组织生活"],
    "1004": ["居民想成立兴趣协会", "社区社会组织要备案"],
    "1005": ["需要志愿者帮忙", "周末志愿服务招募"],
    "1006": ["反映社区干部态度差", "工作人员推诿"],
    "1007": ["商圈企业想建党支部"],
    "1008": ["老党员生活困难需要帮扶"],
    "1101": ["企业反映用电紧张", "企业有诉求要协调"],
    "1102": ["办事来回跑多次", "商户投诉营商环境"],
    "1103": ["个体户想办营业执照"],
    "1104": ["商户咨询税费问题", "发票怎么开"],
    "1105": ["工厂安全出口堵了", "企业仓库堆放易燃物"],
    "1106": ["项目用地需要协调"],
    "1107": ["企业招工难", "企业用工登记"],
    "1201": ["困难家庭申请低保", "家里遭灾需要临时救助"],
    "1202": ["独居老人没人照顾", "老人想进养老院"],
    "1203": ["失业了想登记", "找工作需要帮助"],
    "1204": ["老人需要上门看病", "家庭医生签约"],
    "1301": ["邻居因为漏水吵架", "楼上楼下噪音纠纷", "邻里纠纷要调解"],
    "1302": ["小区有可疑人员", "夜里有人撬门"],
    "1303": ["楼道堆放杂物", "电动车在楼道充电", "消防栓没水"],
    "1304": ["饭馆卖过期食品", "餐馆卫生很差"],
    "1305": ["边坡有落石", "挡墙开裂", "下雨后积水很深"],
    "1306": ["出租屋住了很多人", "群租房私拉电线"],
}
# real history is not clean: some kinds of report are, in practice, often closed by another unit
OTHER_HANDLERS = {
    "5203": ["urban_mgmt.enforcement"],
    "5301": ["market_reg"],
    "5303": ["market_reg"],
    "1301": ["police"],
    "1302": ["safety_office"],
    "5001": ["urban_mgmt.enforcement"],
    "0201": ["urban_mgmt"],
    "1202": ["health_centre"],
    "1303": ["safety_office"],
    "0110": ["power"],
    "5302": ["traffic_police"],
    "0402": ["urban_mgmt.enforcement"],
    "1101": ["economy_office"],
    "5201": ["police"],
}
OTHER_SHARE = 0.15
SYNONYMS = {
    "井盖": ["窨井盖", "井盖", "盖板"],
    "垃圾": ["垃圾", "废弃物", "杂物"],
    "路灯": ["路灯", "街灯"],
    "破损": ["破损", "坏了", "烂了"],
    "缺失": ["缺失", "没了", "丢了"],
    "占道": ["占道", "占用道路"],
    "老人": ["老人", "老年人", "长者"],
    "噪音": ["噪音", "噪声", "吵闹"],
}
OPENERS = ["", "", "网格巡查发现", "居民来电反映", "巡查时看到", "群众反映"]
PLACES = [
    "小区门口",
    "建新北路",
    "洋河路口",
    "北城天街附近",
    "公交站旁",
    "菜市场边上",
    "学校门口",
    "3栋楼下",
    "人行道上",
    "停车场入口",
    "鲤鱼池路",
    "三洞桥",
]
TAILS = ["", "，请尽快处理", "，居民反映多次", "，影响通行", "，存在安全隐患", "，麻烦派人看看"]


@dataclass(frozen=True)
class PastReport:
    category: str
    description: str
    department: str
    grid: str
    community: str


def load_categories(folder: str = DEMO_FOLDER) -> dict[str, dict]:
    with open(f"{folder}/categories.yaml", encoding="utf-8") as fh:
        return {c["code"]: c for c in yaml.safe_load(fh)["categories"]}


def generate(
    n: int, grids: list[tuple[str, str]], seed: int = 7, unclassified_share: float = 0.2
) -> list[PastReport]:
    """`grids`: (grid code, community code) pairs to place the reports in."""
    rng = random.Random(seed)
    categories = load_categories()
    codes = [c for c in SAYINGS if categories.get(c, {}).get("department")]
    reports = []
    for _ in range(n):
        code = rng.choice(codes)
        saying = rng.choice(SAYINGS[code])
        for word, options in SYNONYMS.items():
            if word in saying:
                saying = saying.replace(word, rng.choice(options))
        text = rng.choice(OPENERS) + rng.choice(PLACES) + saying + rng.choice(TAILS)
        filed_as = "9999" if rng.random() < unclassified_share else code
        department = categories[code]["department"]
        if code in OTHER_HANDLERS and rng.random() < OTHER_SHARE:
            department = rng.choice(OTHER_HANDLERS[code])
        grid, community = rng.choice(grids)
        reports.append(PastReport(filed_as, text, department, grid, community))
    return reports
