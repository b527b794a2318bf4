"""units stage: who is assigned the work, in which role, under which canonical name."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from speech_tasks import rules, units
from speech_tasks.document import Doc, TaskDraft
from speech_tasks.units import find_units


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


# Speeches from other cities and counties: explicit role frames, bodies the dev speeches never name,
# time and place words before the subject, people who act for a body.
@pytest.mark.parametrize(
    "sentence, expected",
    [
        # time words and openers before the subject are never part of the body
        ("汛期各级各部门要严格落实24小时值班。", [("各级各部门", O, G)]),
        ("主汛期各乡镇要落实防汛责任。", [("各乡镇", O, G)]),
        ("节日期间各镇（街道）要严格落实领导带班和24小时值班制度。", [("各镇（街道）", O, G)]),
        ("春节前后各地要开展烟花爆竹打非治违。", [("各地", O, G)]),
        ("节前各乡镇要开展一次全面检查。", [("各乡镇", O, G)]),
        ("6月底前各县（市、区）要完成自查自改。", [("各县（市、区）", O, G)]),
        ("即日起各县（市、区）要开展为期三个月的专项整治。", [("各县（市、区）", O, G)]),
        ("近期各地要组织开展一次安全生产大检查。", [("各地", O, G)]),
        ("当前各级各部门要把思想统一到市委决策部署上来。", [("各级各部门", O, G)]),
        ("今后各行业部门要建立健全隐患排查治理长效机制。", [("各行业部门", O, G)]),
        ("下半年市商务局要联合市消防救援支队对大型商场开展检查。", [("市商务局", O, S), ("市消防救援支队", A, S)]),
        ("下一步，县应急管理局要会同县市场监管局开展联合执法。", [("县应急管理局", O, S), ("县市场监管局", A, S)]),
        ("会后，各地要迅速传达会议精神。", [("各地", O, G)]),
        ("防汛关键期各乡镇要加强巡查。", [("各乡镇", O, G)]),
        ("麦收各乡镇要加强巡查。", [("各乡镇", O, G)]),
        # explicit assignments: 由…牵头…配合, 牵头单位：, （牵头）, X：负责…, X为牵头单位
        ("由县交通运输局牵头，县公安局、县应急管理局、各乡镇配合，开展农村道路交通安全隐患排查。",
         [("县交通运输局", L, S), ("县公安局", A, S), ("县应急管理局", A, S), ("各乡镇", A, G)]),
        ("由县教体局负责，县公安局配合，开展校园周边安全整治。", [("县教体局", L, S), ("县公安局", A, S)]),
        ("由市应急局、市消防救援支队共同牵头，开展联合检查。", [("市应急局", L, S), ("市消防救援支队", L, S)]),
        ("请市应急局牵头，会同有关部门研究制定工作方案。", [("市应急局", L, S), ("有关部门", A, G)]),
        ("交通运输部门牵头，公安、应急等部门配合，开展“两客一危”车辆专项整治。",
         [("交通运输部门", L, S), ("公安", A, S), ("应急", A, S)]),
        ("市文旅局牵头，市公安局、市市场监管局参与，开展景区安全检查。",
         [("市文旅局", L, S), ("市公安局", A, S), ("市市场监管局", A, S)]),
        ("市应急管理局要牵头，会同市公安局、市市场监管局等部门开展危化品专项整治。",
         [("市应急管理局", L, S), ("市公安局", A, S), ("市市场监管局", A, S)]),
        ("牵头单位：市住建局；配合单位：市城管局、市市场监管局、市消防救援支队，各县（市、区）政府；完成时限：12月底前。",
         [("市住建局", L, S), ("市城管局", A, S), ("市市场监管局", A, S), ("市消防救援支队", A, S), ("各县（市、区）政府", A, G)]),
        ("开展危化品专项整治。（牵头单位：市应急局；责任单位：市公安局、市交通运输局）",
         [("市应急局", L, S), ("市公安局", O, S), ("市交通运输局", O, S)]),
        ("责任单位：市住建局（牵头）、市城管局、各县（市、区）政府。", [("市住建局", L, S), ("市城管局", O, S), ("各县（市、区）政府", O, G)]),
        ("市应急局（牵头）、市公安局、市交通运输局按职责分工负责。", [("市应急局", L, S), ("市公安局", L, S), ("市交通运输局", L, S)]),
        ("市应急局为牵头单位，市公安局、市交通运输局为配合单位。", [("市应急局", L, S), ("市公安局", A, S), ("市交通运输局", A, S)]),
        ("市应急管理局：负责全市危险化学品安全监管工作。", [("市应急管理局", L, S)]),
        ("市公安局：配合做好危险化学品运输车辆的查处工作。", [("市公安局", A, S)]),
        ("市林业局牵头，各县（市、区）林业部门负责森林防火督查。", [("市林业局", L, S), ("各县（市、区）林业部门", L, S)]),
        ("县自然资源局负责地质灾害隐患点巡查，县住建局负责城镇危房排查。", [("县自然资源局", L, S), ("县住建局", L, S)]),
        ("市水利局牵头负责水库安全度汛工作。", [("市水利局", L, S)]),
        ("市住建局、市水利局按照“谁主管、谁负责”的原则，分别做好房建市政、水利工程的安全监管。",
         [("市住建局", O, S), ("市水利局", O, S)]),
        ("由各乡镇负责本辖区内自建房排查工作。", [("各乡镇", L, G)]),
        ("市教育局会同市公安局、市交通运输局开展校车安全专项检查。", [("市教育局", O, S), ("市公安局", A, S), ("市交通运输局", A, S)]),
        ("市场监管部门要联合住建部门开展燃气具专项整治。", [("市场监管部门", O, S), ("住建部门", A, S)]),
        ("市安委办将会同市纪委监委开展专项督查。", [("市安委办", O, S), ("市纪委监委", A, S)]),
        ("市安委办要会同市纪委监委对事故查处挂牌督办情况开展督查。", [("市安委办", O, S), ("市纪委监委", A, S)]),
        ("市应急管理局、市消防救援支队要加强应急救援力量建设，各县（市、区）要配合做好相关工作。",
         [("市应急管理局", O, S), ("市消防救援支队", O, S), ("各县（市、区）", A, G)]),
        ("各地要配合市交通运输局做好春运安全保障工作。", [("各地", A, G)]),
        ("市人社局、市总工会要配合做好安全培训工作。", [("市人社局", A, S), ("市总工会", A, S)]),
        # bodies of other places: towns, streets, parks, party committees, companies, 市、县两级
        ("城东镇、城西街道要加强对辖区内小散工程的巡查。", [("城东镇", O, S), ("城西街道", O, S)]),
        ("**镇、**街道要加强对辖区内小散工程的巡查。", [("**镇", O, S), ("**街道", O, S)]),
        ("高新区管委会、经开区管委会要落实园区安全监管责任。", [("高新区管委会", O, S), ("经开区管委会", O, S)]),
        ("国网临安供电公司要加强电力设施巡查。", [("国网临安供电公司", O, S)]),
        ("**社区居委会要做好宣传引导。", [("**社区居委会", O, S)]),
        ("**海关要加强进出口危险货物查验。", [("**海关", O, S)]),
        ("县委宣传部、县融媒体中心要加强宣传。", [("县委宣传部", O, S), ("县融媒体中心", O, S)]),
        ("县委统战部、县工商联要引导民营企业落实安全责任。", [("县委统战部", O, S), ("县工商联", O, S)]),
        ("县融媒体中心要开设专栏，县委网信办要加强舆情监测。", [("县融媒体中心", O, S), ("县委网信办", O, S)]),
        ("市、县两级应急管理部门要加强执法检查。", [("市、县两级应急管理部门", O, S)]),
        ("各县（市、区）应急管理局要加强基层执法力量建设。", [("各县（市、区）应急管理局", O, S)]),
        ("交警、路政等部门要加强联勤联动。", [("交警", O, S), ("路政", O, S)]),
        ("市住建局作为行业主管部门，要切实履行监管职责。", [("市住建局", O, S)]),
        ("应急管理综合行政执法大队要加大执法力度。", [("应急管理综合行政执法大队", O, S)]),
        # generic addressees of other places; a class narrowed to a domain or role is specific
        ("各县（市、区）政府是本地区安全生产的责任主体，要切实担负起属地管理责任。", [("各县（市、区）政府", O, G)]),
        ("县安委会各成员单位要按照职责分工，认真抓好各项任务落实。", [("县安委会各成员单位", O, G)]),
        ("各乡镇（街道）要组织开展一次拉网式排查。", [("各乡镇（街道）", O, G)]),
        ("各乡镇党委、政府要切实扛起属地责任。", [("各乡镇党委、政府", O, G)]),
        ("各县（市、区）党委和政府要把安全生产摆上重要议事日程。", [("各县（市、区）党委和政府", O, G)]),
        ("各乡镇人民政府、街道办事处要落实属地管理责任。", [("各乡镇人民政府", O, G), ("街道办事处", O, G)]),
        ("地方各级党委政府要加强领导。", [("地方各级党委政府", O, G)]),
        ("滨海县各乡镇要加强巡查。", [("滨海县各乡镇", O, G)]),
        ("全县各级各部门要坚决克服麻痹思想。", [("全县各级各部门", O, G)]),
        ("各县（市、区）、市直各有关部门和中省驻市企业要认真贯彻落实。",
         [("各县（市、区）", O, G), ("市直各有关部门", O, G), ("中省驻市企业", O, G)]),
        ("各中小学校、幼儿园要开展防溺水教育。", [("各中小学校", O, G), ("幼儿园", O, G)]),
        ("各旅游景区要严格控制游客流量。", [("各旅游景区", O, G)]),
        ("危险化学品企业要严格执行特殊作业审批制度。", [("危险化学品企业", O, S)]),
        ("施工单位、监理单位要严格落实安全技术交底。", [("施工单位", O, S), ("监理单位", O, S)]),
        ("重点行业领域主管部门要落实“三管三必须”。", [("重点行业领域主管部门", O, G)]),
        ("所有企业都要建立隐患排查治理台账。", [("所有企业", O, G)]),
        ("各施工企业特别是总包单位要加强分包管理。", [("各施工企业", O, G), ("总包单位", O, S)]),
        # a level or place-type prefix keeps the whole generic form
        ("各村（社区）、镇直各单位要严格落实领导带班和值班值守制度。", [("各村（社区）", O, G), ("镇直各单位", O, G)]),
        ("各村（社区）和镇直各单位要落实网格化管理。", [("各村（社区）", O, G), ("镇直各单位", O, G)]),
        ("县直各有关部门要加强督导。", [("县直各有关部门", O, G)]),
        ("各乡镇、乡直各单位要落实值班制度。", [("各乡镇", O, G), ("乡直各单位", O, G)]),
        # a body declared the responsible party is assigned the work: owner, lead when it 负总责
        ("各乡镇是本辖区汛期安全防范的责任主体，一方面要组织村（社区）开展拉网式排查；另一方面要加强应急队伍建设。",
         [("各乡镇", O, G)]),
        ("各乡镇是本辖区汛期安全防范的责任主体，", [("各乡镇", O, G)]),
        ("各街道主要负责同志是本辖区安全生产第一责任人，要亲自研究部署。", [("各街道", O, G)]),
        ("市住建局是建筑施工安全的第一责任单位。", [("市住建局", O, S)]),
        ("企业对本单位安全生产负主体责任，要建立健全全员安全生产责任制。", [("企业", O, G)]),
        ("各县（市、区）政府对本地区安全生产工作负总责。", [("各县（市、区）政府", L, G)]),
        ("县应急管理局对全县安全生产工作负综合监管责任。", [("县应急管理局", O, S)]),
        ("由市应急局负总责，市公安局配合。", [("市应急局", L, S), ("市公安局", A, S)]),
        ("各有关方面要通力协作。", [("各有关方面", O, G)]),
        ("各乡镇（街道）党（工）委、政府（办事处）要加强领导。", [("各乡镇（街道）党（工）委、政府", O, G)]),
        ("各县（市、区）人民政府、市政府各部门要认真落实。", [("各县（市、区）人民政府", O, G), ("市政府各部门", O, G)]),
        ("各旗县区、各盟市要加强巡查。", [("各旗县区", O, G), ("各盟市", O, G)]),
        ("各地各部门特别是应急管理部门要加强值守。", [("各地", O, G), ("各部门", O, G), ("应急管理部门", O, S)]),
        # people act for their body (企业主要负责人 → 企业); people alone are no unit
        ("企业主要负责人要切实履行第一责任人职责。", [("企业", O, G)]),
        ("生产经营单位主要负责人是本单位安全生产第一责任人，要全面负责本单位安全生产工作。", [("生产经营单位", O, G)]),
        ("各镇党委书记要亲自研究部署。", [("各镇", O, G)]),
        ("县应急管理局的执法人员要严格执法。", [("县应急管理局", O, S)]),
        ("各乡镇、各部门的主要负责同志要亲自抓。", [("各乡镇", O, G), ("各部门", O, G)]),
        # a reported requirement names its body; the reporting body is no unit
        ("各地要求真务实推进隐患整改，各部门要紧紧围绕目标任务。", [("各地", O, G), ("各部门", O, G)]),
        ("市委、市政府要求各地要坚决遏制重特大事故。", [("各地", O, G)]),
        ("国务院安委会办公室在通知中明确要求，各地要深入开展重大事故隐患专项排查整治。", [("各地", O, G)]),
        # objects of 督促/指导/配合/向/对 are no units
        ("市住建局要指导各县（市、区）住建部门做好在建工地防汛工作。", [("市住建局", O, S)]),
        ("市城管局要督促燃气经营企业开展入户安检。", [("市城管局", O, S)]),
        ("县应急管理局要向县政府报告重大情况。", [("县应急管理局", O, S)]),
        ("对省安委会交办的问题隐患，市安委办要逐一跟踪督办。", [("市安委办", O, S)]),
        ("铁路部门要配合地方政府做好铁路沿线安全环境治理。", [("铁路部门", A, S)]),
        # real documents: a comma before 要, bare addressee lists, verb phrases, narrowed generic groups
        ("全县各级各部门以及各企业,要紧紧围绕活动主题。", [("全县各级各部门", O, G), ("各企业", O, G)]),
        ("各乡镇、城区，各有关部门要切实增强责任感。", [("各乡镇", O, G), ("城区", O, S), ("各有关部门", O, G)]),
        ("各乡镇、部门要深入开展消防宣传。", [("各乡镇", O, G), ("部门", O, G)]),
        ("各级政府森林防火机构要坚持领导带班制度。", [("各级政府森林防火机构", O, G)]),
        ("建立多部门联合执法机制。", []),
        ("开发区建设局要严格落实三同时制度。", [("开发区建设局", O, S)]),
        ("县委组织部要把安全生产纳入干部培训。", [("县委组织部", O, S)]),
        ("市住建局作为行业主管部门，要切实履行监管职责。", [("市住建局", O, S)]),
        # spoken: a body as the topic, 你们 before the modal
        ("景区呢，文旅局啊，长假期间游客多，限流措施一定要落实到位。", [("文旅局", O, S)]),
        ("道路交通这一块，交警大队、交通局，你们两家要联合起来。", [("交警大队", O, S), ("交通局", O, S)]),
        ("燃气这一块呢，住建局你们要牵头。", [("住建局", L, S)]),
    ],
)
def test_units_in_speeches_from_other_places(sentence, expected):
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
        # other places: past narrative, cited documents, upper-level bodies, people, objects
        "上半年，市应急管理局会同市公安局开展了危化品运输专项整治。",
        "去年，市应急管理局牵头开展了“打非治违”专项行动，取得明显成效。",
        "今年以来，市应急管理局牵头组织开展“打非治违”专项行动，查处非法违法行为120起。",
        "今年以来，各地各部门认真贯彻落实省委省政府部署，取得了积极成效。",
        "《安全生产法》规定，生产经营单位主要负责人对本单位安全生产工作全面负责。",
        "省应急管理厅要求各地全面开展隐患排查。",
        "省应急厅印发的《通知》要求各地加强检查。",
        "省委、省政府主要领导作出批示，要求各地各部门深刻吸取教训。",
        "发现重大隐患要及时向市安委办报告。",
        "经县应急管理局批准后方可恢复生产。",
        "请市政府办公室协调解决。",
        "在此，我代表市委、市政府向奋战在一线的同志们表示感谢。",
        "市委、市政府高度重视安全生产工作，多次召开会议研究部署。",
        "市政府主要领导多次深入企业检查指导。",
        "据统计，全市共有危险化学品企业320家。",
        "从下周开始，市安委办将组织5个督导组深入各地开展督导。",
        "分管领导要靠前指挥。",
        "各级领导干部要带头深入一线。",
        "县四大班子领导要深入分包乡镇开展督导检查。",
        "要进一步压实各级各部门安全监管责任。",
        # a declaration of responsibility by people, in a cited law, in the past, or as a verb's object
        "党政主要负责人是本地区安全生产第一责任人。",
        "《安全生产法》规定，生产经营单位是安全生产的责任主体。",
        "去年，市应急局对全市危化品整治负总责。",
        "明确企业是安全生产责任主体，严格落实全员安全生产责任制。",
        "督促企业负责整改到位。",
        "党政主要负责人对本地区安全生产负首要责任。",
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
        # party-committee bodies keep 委 after their level, however the speech writes them
        ("县委宣传部、县融媒体中心要加强宣传。", "县委宣传部", "县委宣传部"),
        ("县宣传部要加强宣传。", "县宣传部", "县委宣传部"),
        ("滨海县委宣传部要加强宣传。", "滨海县委宣传部", "滨海县委宣传部"),
        ("市委组织部要加强考核。", "市委组织部", "市委组织部"),
        ("县委政法委要加强协调。", "县委政法委", "县委政法委员会"),
        ("县委统战部要加强引导。", "县委统战部", "县委统一战线工作部"),
        ("区委编办要加强指导。", "区委编办", "区委机构编制委员会办公室"),
        ("市委办、市政府办要加强督查。", "市委办", "市委办公室"),
        ("县委要加强领导。", "县委", "县委"),
        ("县纪委监委要严肃追责问责。", "县纪委监委", "县纪委监委"),
        ("县工商联要加强引导。", "县工商联", "县工商业联合会"),
        # levels, places, generic forms
        ("市、县两级应急管理部门要加强执法检查。", "市、县两级应急管理部门", "应急管理局"),
        ("**应急局要加强执法。", "**应急局", "**应急管理局"),
        ("交警、路政等部门要加强联勤联动。", "路政", "交通运输综合行政执法机构"),
        ("各乡镇党委、政府要切实扛起属地责任。", "各乡镇党委、政府", "各乡镇"),
        ("地方各级党委政府要加强领导。", "地方各级党委政府", "各级政府"),
        ("滨海县各乡镇要加强巡查。", "滨海县各乡镇", "各乡镇"),
        ("各乡镇人民政府、街道办事处要落实属地管理责任。", "街道办事处", "各街道"),
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


# Generic: every body of a general kind, however prefixed (各/有关, a level, 行业/执法/重点/国有 …), and
# 各 + a kind narrowed to a domain (各危险化学品企业: every one of them); specific: a named body or a kind
# narrowed to a domain, role or place without 各. The gazetteer (燃气企业) and form detection
# (危险化学品企业) agree.
@pytest.mark.parametrize(
    ("lead_in", "expected"),
    [
        ("为确保森林资源安全，希望各级各部门努力做好森林防火工作。", [("各级各部门", G)]),
        ("县长要求各乡镇、各部门：", [("各乡镇", G), ("各部门", G)]),
        ("会议要求，各乡镇、城区、工业园区，县直各部门：", [("各乡镇", G), ("城区", S), ("工业园区", S), ("县直各部门", G)]),
        ("下面我讲三点意见：", []),
        ("要求大家：", []),
    ],
)
def test_addressees_of_a_lead_in(lead_in, expected):
    from speech_tasks.units import addressees

    assert [(u.text, u.generic) for u in addressees(lead_in, 0, len(lead_in))] == expected


@pytest.mark.parametrize(
    "surface, generic",
    [
        ("企业", G), ("各单位", G), ("相关部门", G), ("各执法部门", G), ("各级执法部门", G), ("各行业主管部门", G),
        ("重点行业领域主管部门", G), ("县直各有关部门", G), ("市直各部门", G), ("镇直各单位", G), ("县安委会各成员单位", G),
        ("所有企业", G), ("各重点企业", G), ("中省驻市企业", G), ("各国有企业", G), ("各旅游景区", G), ("各类园区", G),
        ("燃气企业", S), ("各燃气企业", G), ("供水企业", S), ("危险化学品企业", S), ("各危险化学品企业", G), ("施工单位", S),
        ("各施工企业", G), ("各化工园区", G), ("沿海镇街", S), ("各包靠督导组", S), ("城东镇企业", S), ("市应急局", S),
    ],
)
def test_generic_only_for_a_general_kind_of_body(surface, generic):
    sentence = f"{surface}要加强安全管理。"
    (unit,) = find_units(sentence, 0, len(sentence))
    assert (unit.text, unit.generic) == (surface, generic)


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


def test_run_gives_the_body_declared_responsible_to_the_items_that_follow():
    text = ("各乡镇是本辖区汛期安全防范的责任主体，一方面要组织村（社区）开展拉网式排查；"
            "另一方面要加强应急队伍建设，确保拉得出、用得上。")
    lead_in = (0, text.index("一方面"))
    doc = _doc(text, [_task(text, "一方面", "另一方面", lead_in=lead_in), _task(text, "另一方面", None, lead_in=lead_in)])
    units.run(doc)
    for task in doc.tasks:
        assert [(u.text, u.role, u.inherited) for u in task.units] == [("各乡镇", "owner", True)]


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
        (lambda d: d.pop("separators"), "separators", "Field required"),
    ],
)
def test_bad_rules_name_file_key_and_problem(rules_copy, edit, key, problem):
    _edit_units(rules_copy, edit)
    with pytest.raises(rules.RulesError) as err:
        find_units("各地要加强检查。", 0, 8)
    message = str(err.value)
    assert "units.yaml" in message and key in message and problem in message


def test_a_body_added_to_the_rules_is_found(rules_copy):
    _edit_units(rules_copy, lambda d: d["bodies"].append({"name": "海洋渔业发展中心", "kind": "institution", "aliases": ["海渔中心"]}))
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
