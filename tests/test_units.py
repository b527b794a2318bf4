"""units stage: who is assigned the work, in which role, under which canonical name."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from speech_tasks import rules, units
from speech_tasks.document import Doc, TaskDraft
from speech_tasks.units import find_units

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


def found(text: str) -> list[tuple[str, str, bool]]:
    return [(u.text, u.role, u.generic) for u in find_units(text, 0, len(text))]


# -- which bodies, split how, in which role, generic or not ------------------------------------

O, L, A = "owner", "lead", "assist"
G, S = True, False


@pytest.mark.parametrize(
    "sentence, expected",
    [
        # coordinated lists reduce to the bodies themselves
        ("非煤矿山领域，应急、自规等部门要持续开展安全检查，督促企业全面落实矿长带班。", [("应急", O, S), ("自规", O, S)]),
        ("建筑施工领域，住建、交通、水利、公路等相关部门要强化安全风险管控。",
         [("住建", O, S), ("交通", O, S), ("水利", O, S), ("公路", O, S)]),
        ("同时，与人民群众生活密切相关的供水、供电、供气等部门，也要加强检修。", [("供水", O, S), ("供电", O, S), ("供气", O, S)]),
        ("道路交通领域，公安、交通运输等部门要组织开展综合治理。", [("公安", O, S), ("交通运输", O, S)]),
        ("宣传部、融媒体中心要选取一批具有代表性的典型案例。", [("宣传部", O, S), ("融媒体中心", O, S)]),
        ("纪委监委机关要加强监督检查。", [("纪委监委机关", O, S)]),
        ("清洁能源方面，发改局、清洁能源产业服务中心要加强安全监管。", [("发改局", O, S), ("清洁能源产业服务中心", O, S)]),
        ("4、抓好海渔安全，沿海镇街、海洋渔业发展中心要密切关注寒潮。", [("沿海镇街", O, S), ("海洋渔业发展中心", O, S)]),
        ("下步，安委会办公室、各包靠督导组要盯住这些问题隐患。", [("安委会办公室", O, S), ("各包靠督导组", O, S)]),
        ("市城管局（综合行政执法局）要加强燃气执法。", [("市城管局", O, S)]),
        ("高新区、经开区要加强化工企业安全监管。", [("高新区", O, S), ("经开区", O, S)]),
        # generic addressees; 各级 modifies, juxtaposed forms split
        ("各地、各有关部门和单位要深刻吸取事故教训。", [("各地", O, G), ("各有关部门", O, G), ("单位", O, G)]),
        ("下步，各地区、各部门和各单位要在前期工作基础上查找短板。", [("各地区", O, G), ("各部门", O, G), ("各单位", O, G)]),
        ("各地各有关部门要有针对性派出工作组。", [("各地", O, G), ("各有关部门", O, G)]),
        ("各级各部门要坚持问题导向。", [("各级各部门", O, G)]),
        ("各级各有关部门务必高度重视，认真准备。", [("各级各有关部门", O, G)]),
        ("各镇街区主要负责同志近期都要吃住在乡镇。", [("各镇街区", O, G)]),
        ("各部门单位主要负责同志每天要调度本行业的安全生产情况。", [("各部门单位", O, G)]),
        ("各镇、办事处和各部门主要负责人一定要亲力亲为。", [("各镇", O, G), ("办事处", O, G), ("各部门", O, G)]),
        ("企业是安全生产的责任主体，企业法定代表人要切实履行职责。", [("企业", O, G)]),
        ("企业年度财务预算中必须确定必要的安全投入。", [("企业", O, G)]),
        ("各级政府要在财政资金投入上给予安全生产一张“优先票”。", [("各级政府", O, G)]),
        ("要严格执法监管，各执法部门在执法检查中要敢于动真碰硬。", [("各执法部门", O, G)]),
        ("各有关部门承担着安全监管责任，必须严格落实监管责任。", [("各有关部门", O, G)]),
        ("海上安全领域，相关部门要及时发送恶劣天气预警。", [("相关部门", O, G)]),
        ("各县（市、区）、市直各部门要立即行动起来。", [("各县（市、区）", O, G), ("市直各部门", O, G)]),
        ("各园区管委会要落实园区安全管理责任。", [("各园区管委会", O, G)]),
        ("全市各级各类学校要开展安全教育。", [("全市各级各类学校", O, G)]),
        # lead: 由…牵头, 牵头抓总, 要牵头, 负责, 牵头单位：
        ("道路交通安全。由公安部门牵头，重点检查超速。", [("公安部门", L, S)]),
        ("危险化学品安全。由安监局牵头，重点检查非法经营。", [("安监局", L, S)]),
        ("安委会办公室要牵头抓总，加强全过程统筹协调。", [("安委会办公室", L, S)]),
        ("安委办要牵头建立重大事故隐患数据台账。", [("安委办", L, S)]),
        ("市消防救援支队负责组织开展高层建筑消防安全检查。", [("市消防救援支队", L, S)]),
        ("这项工作由市安委办负责统筹协调。", [("市安委办", L, S)]),
        # assist: 配合, 联合, 会同, 配合单位：
        ("同时，要联合公安、交通等部门加大打击力度。", [("公安", A, S), ("交通", A, S)]),
        ("由市应急局牵头，市公安局、市交通运输局配合，开展专项整治。",
         [("市应急局", L, S), ("市公安局", A, S), ("市交通运输局", A, S)]),
        ("牵头单位：市住建局；配合单位：市城管局、各区政府。", [("市住建局", L, S), ("市城管局", A, S), ("各区政府", A, G)]),
        ("由市消防救援支队牵头，会同市商务局开展检查。", [("市消防救援支队", L, S), ("市商务局", A, S)]),
        ("市应急局要牵头开展整治，市公安局要积极配合。", [("市应急局", L, S), ("市公安局", A, S)]),
        ("教育部门要联合公安、交通运输部门开展校车安全检查。", [("教育部门", O, S), ("公安", A, S), ("交通运输部门", A, S)]),
        ("责任单位：市应急局、市公安局；完成时限：6月底前。", [("市应急局", O, S), ("市公安局", O, S)]),
        # an object is not a unit
        ("城镇燃气领域，综合行政执法部门要强化对11家燃气公司的监管，督促燃气企业做好入户安检。", [("综合行政执法部门", O, S)]),
    ],
)
def test_units_in_a_sentence(sentence, expected):
    assert found(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "为认真贯彻落实省委省政府部署要求，在市安委办持续督导推动下，各地、各有关部门和单位持续推进落实。",
        "7月下旬起，市安委办综合督查组深入各地、各部门对三年行动重点工作进行了督导检查。",
        "督促相关地区和部门严格落实“定期报告安全生产阶段性情况”等规定要求。",
        "三年专项行动以及落实国务院安委会“十五条”和省安委会“四十六条”明确了很多好措施。",
        "省委在省委常委会会议上多次研究部署安全生产工作，强调要坚决扛好安全生产责任。",
        "**区政府汇报了百日攻坚战推进情况，市安委会督查组汇报了督导检查情况。",
        "市委、市政府对我们寄予了厚望，希望我们切实压实责任。",
        "请各地、各有关部门结合实际认真贯彻落实。",
        "这必须引起各级各部门的高度重视。",
        "各级党政领导干部也要以身作则，不得为任何违法企业讲情。",
        "带班领导要在岗在位。",
        "同时，其他各行业领域要扛起责任、强化监管。",
        "对于发生了责任事故的企业，不仅要追究名义上的管理者责任。",
        "对排查出的问题隐患，要建立台账。",
        "大家必须高度警醒，我们一定要按照有关要求落实责任。",
        "要压紧压实党政领导、部门监管和企业主体责任。",
        "积极运用“四不两直”、联合执法、交叉互检等工作方式。",
        "宣传教育要到位，应急救援要迅速。",
    ],
)
def test_mentions_are_not_units(sentence):
    assert found(sentence) == []


# -- canonical names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, surface, name",
    [
        ("应急、自规等部门要加强检查。", "应急", "应急管理局"),
        ("应急、自规等部门要加强检查。", "自规", "自然资源和规划局"),
        ("住建、交通等部门要加强检查。", "住建", "住房和城乡建设局"),
        ("市安办要派出督导组。", "市安办", "市安委会办公室"),
        ("市安委办要派出督导组。", "市安委办", "市安委会办公室"),
        ("安委会办公室要派出督导组。", "安委会办公室", "安委会办公室"),
        ("交警部门要严查酒驾。", "交警部门", "公安交警部门"),
        ("由安监局牵头开展检查。", "安监局", "应急管理局"),
        ("由质监部门牵头开展检查。", "质监部门", "市场监督管理局"),
        ("由公安消防部门牵头开展检查。", "公安消防部门", "消防救援机构"),
        ("市应急局要加强监管。", "市应急局", "市应急管理局"),
        ("全市应急管理部门要加强监管。", "全市应急管理部门", "市应急管理局"),
        ("县卫健委要加强监管。", "县卫健委", "县卫生健康委员会"),
        ("淄博市应急局要加强监管。", "淄博市应急局", "淄博市应急管理局"),
        ("区政府要统筹推进。", "区政府", "区人民政府"),
        ("各地要加强检查。", "各地", "各地区"),
        ("相关部门要加强检查。", "相关部门", "各有关部门"),
        ("供水、供电、供气等部门，也要加强检修。", "供气", "燃气企业"),
        ("宣传部、融媒体中心要加强宣传。", "宣传部", "宣传部"),
        ("纪委监委机关要加强监督。", "纪委监委机关", "纪委监委"),
        ("市城管局要加强执法。", "市城管局", "市城市管理局"),
        ("综合行政执法部门要加强执法。", "综合行政执法部门", "城市管理局"),
    ],
)
def test_canonical_name(sentence, surface, name):
    by_text = {u.text: u.name for u in find_units(sentence, 0, len(sentence))}
    assert by_text[surface] == name


@pytest.mark.parametrize(
    "sentence, surface, known",
    [
        ("发改局、清洁能源产业服务中心要加强监管。", "发改局", True),
        ("发改局、清洁能源产业服务中心要加强监管。", "清洁能源产业服务中心", False),
        ("各包靠督导组要盯住问题隐患。", "各包靠督导组", False),
        ("市应急局要加强监管。", "市应急局", True),
    ],
)
def test_known_flag_tells_gazetteer_from_form(sentence, surface, known):
    by_text = {u.text: u.known for u in find_units(sentence, 0, len(sentence))}
    assert by_text[surface] is known


@pytest.mark.parametrize(
    "surface",
    [
        "消防救援支队", "交警支队", "海事局", "气象局", "教育局", "卫健委", "文旅局", "商务局", "农业农村局", "水利局", "城管局",
        "综合行政执法局", "市场监管局", "工信局", "发改委", "财政局", "人社局", "民政局", "生态环境局", "交通运输局", "公路中心",
        "供电公司", "燃气公司", "通信运营商", "开发区", "应急管理局", "安委办", "宣传部", "纪委监委", "融媒体中心", "燃气企业",
        "区政府", "县政府",
    ],
)
def test_gazetteer_covers_city_and_county_bodies(surface):
    sentence = f"{surface}要加强监管。"
    (unit,) = find_units(sentence, 0, len(sentence))
    assert (unit.text, unit.known, unit.generic) == (surface, True, False)


def test_gazetteer_has_at_least_80_bodies():
    assert len(units.load_rules().bodies) >= 80


# -- offsets, deduplication ----------------------------------------------------------------------


def test_spans_are_in_the_callers_coordinates():
    text = "前文。一要突出重点。各地、各有关部门要分地区成立督查组。后文"
    start, end = text.index("一要"), text.index("后文")
    got = find_units(text, start, end)
    assert [(text[u.span[0]:u.span[1]], u.text) for u in got] == [("各地", "各地"), ("各有关部门", "各有关部门")]
    assert find_units(text, text.index("后文"), len(text)) == []


def test_a_body_is_listed_once_and_lead_beats_owner():
    text = "市应急局要加强监管。市应急管理局要牵头开展专项整治。各地要配合。各地要落实。"
    got = [(u.text, u.role) for u in find_units(text, 0, len(text))]
    assert got == [("市应急局", "lead"), ("各地", "assist")]


fragments = st.sampled_from(
    [
        "各地、各有关部门要加强检查。", "由公安部门牵头，重点检查超速。", "应急、自规等部门要持续开展检查，",
        "同时，要联合公安、交通等部门加大力度。", "企业是责任主体，", "市安委办要做好调度汇总。", "督促企业落实责任。",
        "牵头单位：市住建局；配合单位：市城管局、各区政府。", "（", "）", "、", "等", "要", "\n", "xxx", "**",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(fragments, max_size=12), st.integers(0, 10), st.integers(0, 10))
def test_every_span_shows_its_text_inside_the_window(parts, cut_start, cut_end):
    text = "".join(parts)
    start = min(cut_start, len(text))
    end = max(start, len(text) - cut_end)
    for u in find_units(text, start, end):
        assert start <= u.span[0] < u.span[1] <= end
        assert text[u.span[0]:u.span[1]] == u.text


# -- the stage: own units, inheritance from parent and lead-in ----------------------------------


def _doc(text: str, tasks: list[TaskDraft]) -> Doc:
    doc = Doc(source=text, text=text)
    doc.tasks = tasks
    return doc


def _task(text: str, anchor: str, end_anchor: str | None, parent=None, lead_in=None, children=()) -> TaskDraft:
    s = text.index(anchor)
    e = text.index(end_anchor) if end_anchor else len(text)
    own, pos = [], s
    for cs, ce in children:
        own.append((pos, cs))
        pos = ce
    own.append((pos, e))
    return TaskDraft(start=s, end=e, kind="numbered", marker=None, title=None, parent=parent, section=1,
                     path="", own=own, lead_in=lead_in)


def test_run_inherits_from_lead_in_last_sentence_then_from_parent():
    text = ("市安委办持续督导。各镇街区、各部门单位要时刻保持危机感，重点抓实两个方面："
            "1、抓好停产企业排查，要全面摸底。2、抓好特殊作业，其中：①动火作业，要严格审批；②高处作业，要严格防护。")
    lead_in = (0, text.index("1、"))
    one = _task(text, "1、", "2、", lead_in=lead_in)
    c1s, c2s = text.index("①"), text.index("②")
    two = _task(text, "2、", None, lead_in=lead_in, children=[(c1s, c2s), (c2s, len(text))])
    child1 = _task(text, "①", "②", parent=1, lead_in=(text.index("2、"), c1s))
    child2 = _task(text, "②", None, parent=1, lead_in=(text.index("2、"), c1s))
    doc = _doc(text, [one, two, child1, child2])
    units.run(doc)
    for task in doc.tasks:
        assert [(u.text, u.inherited) for u in task.units] == [("各镇街区", True), ("各部门单位", True)]
        assert all(text[u.span[0]:u.span[1]] == u.text for u in task.units)


def test_run_keeps_a_tasks_own_units_and_dedupes_across_segments():
    text = "一要加强检查。各地要督导，①燃气方面，要排查。各地要整改，市安委办要牵头。"
    cs, ce = text.index("①"), text.index("各地要整改")
    parent = _task(text, "一要", None, children=[(cs, ce)])
    child = _task(text, "①", "各地要整改", parent=0)
    doc = _doc(text, [parent, child])
    units.run(doc)
    assert [(u.text, u.role, u.inherited) for u in doc.tasks[0].units] == [("各地", "owner", False), ("市安委办", "lead", False)]
    assert [(u.text, u.inherited) for u in doc.tasks[1].units] == [("各地", True), ("市安委办", True)]


def test_run_leaves_a_task_without_any_named_body_empty():
    text = "一要抓好隐患排查治理。要做到整改责任、措施、期限“三落实”。"
    doc = _doc(text, [_task(text, "一要", None, lead_in=None)])
    units.run(doc)
    assert doc.tasks[0].units == []


# -- rules/units.yaml is validated on load --------------------------------------------------------


@pytest.fixture
def rules_copy(tmp_path):
    for f in RULES_DIR.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    yield tmp_path
    rules.use_directory(None)


def _edit_units(directory: Path, edit) -> None:
    path = directory / "units.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    "edit, key, problem",
    [
        (lambda d: d["bodies"][3].update(aliases="安委会"), "bodies.3.aliases", "valid list"),
        (lambda d: d["bodies"][0].update(kind="agency"), "bodies.0.kind", "Input should be"),
        (lambda d: d["bodies"][9]["aliases"].append("安委办"), "bodies.9", "already listed under bodies.0"),
        (lambda d: d.pop("subject"), "subject", "Field required"),
        (lambda d: d["roles"]["labels"].update({"牵头单位": "boss"}), "roles.labels.牵头单位", "Input should be"),
    ],
)
def test_bad_rules_name_file_key_and_problem(rules_copy, edit, key, problem):
    _edit_units(rules_copy, edit)
    rules.use_directory(rules_copy)
    with pytest.raises(rules.RulesError) as err:
        find_units("各地要加强检查。", 0, 8)
    message = str(err.value)
    assert "units.yaml" in message and key in message and problem in message


def test_a_body_added_to_the_rules_is_found(rules_copy):
    _edit_units(rules_copy, lambda d: d["bodies"].append({"name": "海洋渔业发展中心", "kind": "institution", "aliases": ["海渔中心"]}))
    rules.use_directory(rules_copy)
    got = find_units("市海渔中心要加强渔船监管。", 0, 13)
    assert [(u.text, u.name, u.known) for u in got] == [("市海渔中心", "市海洋渔业发展中心", True)]


# -- the jieba user dictionary ----------------------------------------------------------------------


def test_shipped_user_dictionary_is_generated_from_the_rules():
    shipped = units.USER_DICTIONARY.read_text(encoding="utf-8").splitlines()
    assert shipped == units.user_dictionary_lines()


def test_user_dictionary_command_writes_the_file(tmp_path, capsys):
    target = tmp_path / "dict.txt"
    assert units.main(["userdict", str(target)]) == 0
    assert target.read_text(encoding="utf-8").splitlines() == units.user_dictionary_lines()
    assert units.main([]) == 2


@pytest.fixture(scope="module")
def jieba_with_dictionary():
    import jieba
    import jieba.posseg

    tok = jieba.Tokenizer()
    tok.load_userdict(str(units.USER_DICTIONARY))
    return tok, jieba.posseg.POSTokenizer(tok)


@pytest.mark.parametrize(
    "sentence, word",
    [
        ("市安委办要派出督导组", "市安委办"),
        ("住建部门要加强监管", "住建部门"),
        ("融媒体中心要选取典型案例", "融媒体中心"),
        ("综合行政执法部门要强化监管", "综合行政执法部门"),
        ("市场监管部门要加强特种设备监管", "市场监管部门"),
        ("各地各有关部门要派出工作组", "各有关部门"),
    ],
)
def test_jieba_keeps_bodies_whole(jieba_with_dictionary, sentence, word):
    tok, _ = jieba_with_dictionary
    assert word in tok.lcut(sentence)


def test_jieba_tags_bodies_as_organisations(jieba_with_dictionary):
    _, pos = jieba_with_dictionary
    tags = {p.word: p.flag for p in pos.lcut("宣传部、融媒体中心要选取一批典型案例")}
    assert tags["宣传部"] == "nt" and tags["融媒体中心"] == "nt"
