"""Sectors stage: which domains a task targets, and who usually owns them."""
from __future__ import annotations

import pytest

from speech_tasks import rules, sectors, units
from speech_tasks.document import Doc, TaskDraft
from speech_tasks.models import Unit


def found(text: str) -> list[str]:
    return list(dict.fromkeys(m.sector for m in sectors.find_sectors(text, 0, len(text))))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("要严格落实我市城镇燃气安全专项整治方案，围绕“问题气、问题瓶”等环节", ["燃气"]),
        ("引导规范群众安装使用燃气报警装置，排查液化石油气钢瓶", ["燃气"]),
        # in context: forest fire prevention and a 防火墙 metaphor are no 消防; 三客一危一货 is road transport
        ("切实加强森林防火工作，严防野外用火", []),
        ("筑牢安全生产“防火墙”，压实各方责任", []),
        ("严管三客一危一货车辆，严查超员超载", ["道路交通"]),
        ("要迅速开展危货品运输等重点行业领域隐患排查", ["道路交通", "危险化学品"]),
        ("危化品领域，要持续固化、深化、拓展危化品安全风险集中治理成效", ["危险化学品"]),
        ("要重点排查城乡房屋，特别是自建房、危房安全隐患", ["房屋建筑"]),
        ("聚焦经营性自建房、群租房，持续推进冬春消防安全专项整治", ["房屋建筑", "消防"]),
        ("重点排查商场市场、福利机构、娱乐场所、文物建筑等人员密集场所突出问题", ["人员密集场所"]),
        ("加强大型公共活动等高密度人群场所的安全管理，严防拥挤踩踏事故", ["人员密集场所"]),
        ("兼顾海上风电、玻璃栈桥等新行业新业态", ["能源", "旅游"]),
        ("发改局要加强对风电、光伏等能源类企业的安全监管", ["能源"]),
        ("与人民群众生活密切相关的供水、供电、供气等部门，也要加强检查", ["能源", "燃气"]),
        ("加强渔业船舶安全隐患排查，扎实做好伏季休渔监管", ["渔业船舶"]),
        ("要强化涉渔“三无”船舶整治，持续推动构建全覆盖的渔船监管责任体系", ["渔业船舶", "水上交通"]),
        ("重点检查水上运输企业和码头是否落实安全生产主体责任", ["水上交通"]),
        ("以高速公路、“两客一危”、网约车、货车为重点，严厉打击酒驾", ["道路交通"]),
        ("加强道路运输、消防、建筑施工、城镇燃气等行业领域隐患排查治理",
         ["道路交通", "消防", "建筑施工", "燃气"]),
        ("检查辖区内所有生产、经营、运输烟花爆竹的行为", ["烟花爆竹"]),
        ("重点检查锅炉、压力容器等特种设备的安全运行情况", ["特种设备"]),
        ("督促企业全面落实矿长带班制度，非煤矿山要严厉打击偷盗私采", ["非煤矿山"]),
        ("土木工程建筑业、煤矿事故数同比上升", ["煤矿"]),
        ("抓好粉尘涉爆、涉氨制冷等工贸企业专项整治", ["工贸"]),
        ("深入开展平安校园建设", ["学校"]),
        ("（居）民自建房重大火灾风险综合治理", ["房屋建筑", "消防"]),
        # a task that names no domain has none
        ("各级各部门要切实把思想和行动统一到党中央决策部署上来", []),
        # longest keyword wins: 渔业船舶 is not also 船舶, 非煤矿山 is not 煤矿
        ("加强渔业船舶监管", ["渔业船舶"]),
        ("非煤矿山领域，应急、自规等部门要持续开展安全检查", ["非煤矿山"]),
        # keywords are not found inside unrelated words
        ("固化工作成果，建立起有针对性的制度和措施", []),
    ],
)
def test_keywords(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # weak words count where the domain is the topic: a domain suffix follows …
        ("学校安全。由教育部门牵头，重点检查教学楼、师生宿舍", ["学校"]),
        ("②旅游安全方面，要组织对景区和热门景点开展隐患排查", ["旅游"]),
        ("海上安全领域，相关部门要及时发送恶劣天气预警", ["水上交通"]),
        ("交通运输方面，要重点排查货物装载源头治理", ["道路交通", "水上交通"]),
        # … or they are items of a list of domains
        ("要重点加强道路交通、旅游、消防、水上安全等领域安全防范", ["道路交通", "旅游", "消防", "水上交通"]),
        ("要突出非煤矿山、交通运输、工贸等重点行业领域", ["非煤矿山", "道路交通", "水上交通", "工贸"]),
        # weak words listed as places inside another domain do not count
        ("加大对燃气管道设施和餐饮用户、学校、养老院、工业企业等用气场所的安全检查", ["燃气"]),
        ("要盯紧大型商业综合体、旅游景区、宾馆饭店、交通枢纽等人员密集场所", ["人员密集场所"]),
        ("检查高层建筑、商场超市、学校、医院、网吧的消防安全", ["人员密集场所", "消防"]),
        ("坚决确保海上安全。", []),
        ("加强大型公共活动、旅游场所等高密度人群场所的安全管理", ["人员密集场所"]),
        # a list of bodies is not a list of domains
        ("公安、交通运输等部门要加强本行业领域监管", []),
        ("抓好事故应急救援演练活动", []),
    ],
)
def test_weak_keywords(text, expected):
    assert found(text) == expected


def task(start: int, end: int, title: tuple[int, int] | None = None, parent: int | None = None, units=()):
    return TaskDraft(start=start, end=end, kind="numbered", marker=None, title=None, parent=parent,
                     section=1, path="", title_span=title, units=list(units))


def unit(text: str, generic: bool) -> Unit:
    return Unit(text=text, name=text, role="owner", generic=generic, span=(0, len(text)))


def test_weak_keyword_in_a_task_heading_counts():
    text = "四要强化值班值守应急处置。要加强值班值守，确保信息畅通。一要压实责任。抓好事故应急救援演练活动。"
    second = text.index("一要")
    tasks = [task(0, second, (2, 12)), task(second, len(text), (second + 2, second + 6))]
    doc = Doc(source=text, text=text, tasks=tasks)
    sectors.run(doc)
    assert [t.sectors for t in doc.tasks] == [["应急救援"], []]
    assert doc.tasks[0].sector_mentions[0].text == "应急处置"
    assert doc.tasks[0].sector_mentions[0].span == (8, 12)


def nested_doc(parent_text: str) -> Doc:
    child1 = "烟花爆竹安全。一是检查烟花爆竹的行为。二是对排查出的隐患要依法查处。"
    child2 = "道路交通安全。由公安部门牵头。"
    text = parent_text + child1 + child2
    a = len(parent_text)
    b = a + len(child1)
    one, two = a + child1.index("一是"), a + child1.index("二是")
    return Doc(source=text, text=text, tasks=[
        task(0, len(text)),
        task(a, b, parent=0), task(one, two, parent=1), task(two, b, parent=1),
        task(b, len(text), parent=0),
    ])


@pytest.mark.parametrize(
    "parent_text, parent_sectors",
    [
        # a parent takes its children's domains after its own
        ("二要强化消防等重点领域专项整治。", ["消防", "烟花爆竹", "道路交通"]),
        ("二要强化重点领域专项整治。", ["烟花爆竹", "道路交通"]),
    ],
)
def test_nesting(parent_text, parent_sectors):
    doc = nested_doc(parent_text)
    sectors.run(doc)
    assert doc.tasks[0].sectors == parent_sectors
    assert doc.tasks[1].sectors == ["烟花爆竹"]
    assert doc.tasks[2].sectors == ["烟花爆竹"]
    # an item that names no domain takes the one its enclosing task names
    assert doc.tasks[3].sectors == ["烟花爆竹"] and doc.tasks[3].sector_mentions == []
    assert doc.tasks[4].sectors == ["道路交通"]


@pytest.mark.parametrize(
    "text, units, suggested",
    [
        ("特种设备安全。重点检查锅炉、压力容器。", [], ["市场监督管理局"]),
        ("特种设备安全。各地要重点检查锅炉。", [unit("各地", True)], ["市场监督管理局"]),
        ("城镇燃气领域，要强化对液化气公司的监管，加大对燃气管道设施的检查。", [],
         ["住房和城乡建设局", "城市管理局"]),
        ("消防方面，重点排查商场市场、娱乐场所等人员密集场所突出问题。", [unit("各地", True)], ["消防救援机构"]),
        ("特种设备安全。由质监部门牵头，重点检查锅炉。", [unit("质监部门", False)], []),
        ("学校安全。重点检查教学楼、师生宿舍。", [], ["教育局"]),
        ("各级各部门要压实责任。", [], []),
    ],
)
def test_suggested_units(text, units, suggested):
    doc = Doc(source=text, text=text, tasks=[task(0, len(text), units=units)])
    sectors.run(doc)
    assert doc.tasks[0].suggested_units == suggested
    assert doc.tasks[0].units == units  # suggestions never mix with the units the speech names


def test_every_guideline_sector_is_in_the_rules():
    guideline = ("道路交通 水上交通 消防 燃气 建筑施工 危险化学品 非煤矿山 煤矿 烟花爆竹 特种设备 旅游 渔业船舶 "
                 "工贸 学校 房屋建筑 人员密集场所 能源 应急救援").split()
    loaded = rules.load("sectors", sectors.SectorRules)
    assert [s.name for s in loaded.sectors] == guideline
    assert all(s.owners for s in loaded.sectors)


def test_owners_are_canonical_unit_names():
    bodies = {b.name for b in units.load_rules().bodies}
    loaded = rules.load("sectors", sectors.SectorRules)
    assert {o for s in loaded.sectors for o in s.owners} <= bodies


def test_user_keyword_is_picked_up(rules_copy):
    path = rules_copy / "sectors.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("keywords: [校园, 校舍]", "keywords: [校园, 校舍, 托育机构]"),
                    encoding="utf-8")
    assert found("加强托育机构安全管理") == ["学校"]


def test_bad_rules_name_file_and_key(rules_copy):
    path = rules_copy / "sectors.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("weak: [学校,", "weak: [校园, 学校,"), encoding="utf-8")
    with pytest.raises(rules.RulesError, match=r"sectors\.yaml: sectors\.13: .*校园.*both a keyword and a weak"):
        found("学校")
