"""The task tree: every enumeration style, domain blocks, free directives and non-tasks (GUIDELINE.md §2)."""
from __future__ import annotations

import pytest

from speech_tasks import outline, tasks
from speech_tasks.ingest import from_text

HEAD = "同志们：\n今天召开全市安全生产工作会议。\n一、第一部分\n"
TAIL = "\n二、第二部分\n正文。\n"


def tree(body: str) -> list[tuple[str, str | None]]:
    """(path, parent path) of every task extracted from a speech whose first section is *body*."""
    doc = from_text(HEAD + body + TAIL)
    outline.run(doc)
    tasks.run(doc)
    return [(t.path, doc.tasks[t.parent].path if t.parent is not None else None) for t in doc.tasks]


def non_tasks(body: str) -> list[str]:
    doc = from_text(HEAD + body + TAIL)
    outline.run(doc)
    tasks.run(doc)
    return [doc.text[n.span[0]:n.span[0] + 6] for n in doc.non_tasks]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param("一要突出重点，强化检查。各地要落实。\n二要严格执法。各部门要落实。",
                     [("一/一要", None), ("一/二要", None)], id="yao"),
        pytest.param("一是加强排查。二是强化整治。三是严格执法。",
                     [("一/一是", None), ("一/二是", None), ("一/三是", None)], id="shi-inline"),
        pytest.param("（一）加强排查。正文。\n（二）强化整治。正文。",
                     [("一/（一）", None), ("一/（二）", None)], id="paren-cn-below-top"),
        pytest.param("(一)加强排查。正文。\n(二)强化整治。正文。",
                     [("一/(一)", None), ("一/(二)", None)], id="ascii-paren-cn"),
        pytest.param("1、加强排查。正文。\n2、强化整治。正文。",
                     [("一/1", None), ("一/2", None)], id="arabic-dun"),
        pytest.param("1.加强排查。正文。\n2.强化整治。正文。",
                     [("一/1", None), ("一/2", None)], id="arabic-dot"),
        pytest.param("1．加强排查。正文。\n2．强化整治。正文。",
                     [("一/1", None), ("一/2", None)], id="arabic-fullwidth-dot"),
        pytest.param("（1）加强排查。（2）强化整治。",
                     [("一/（1）", None), ("一/（2）", None)], id="paren-arabic"),
        pytest.param("①加强排查。②强化整治。③严格执法。",
                     [("一/①", None), ("一/②", None), ("一/③", None)], id="circled"),
        pytest.param("第一，加强排查。正文。\n第二，强化整治。正文。",
                     [("一/第一", None), ("一/第二", None)], id="di-below-top"),
        pytest.param("首先，要加强组织领导。其次，要强化督导检查。最后，要严肃问责。",
                     [("一/首先", None), ("一/其次", None), ("一/最后", None)], id="shouxian-qici-zuihou"),
        pytest.param("一方面，要加强宣传教育。另一方面，要强化执法检查。",
                     [("一/一方面", None), ("一/另一方面", None)], id="yifangmian"),
        pytest.param(
            "一要强化节假日安全防范。要重点加强道路交通等领域安全防范。①道路交通方面，要严查。②消防安全方面，要盯紧。二要加大燃气整治。",
            [("一/一要", None), ("一/一要/①", "一/一要"), ("一/一要/②", "一/一要"), ("一/二要", None)],
            id="circled-nested-in-yao",
        ),
        pytest.param(
            "一要进一步完善责任机制。抓好安全生产，关键在于落实责任。一是严格落实领导责任。正文。二是强化监管责任。正文。\n二要完善投入机制。一是建立政府投入机制。二是鼓励企业投入。",
            [("一/一要", None), ("一/一要/一是", "一/一要"), ("一/一要/二是", "一/一要"),
             ("一/二要", None), ("一/二要/一是", "一/二要"), ("一/二要/二是", "一/二要")],
            id="shi-lists-restart-under-each-yao",
        ),
        pytest.param(
            "（一）强化整治\n1.加强消防管理。消防救援支队要检查。\n（1）开展高层建筑排查。\n（2）开展九小场所整治。\n2.深化危化品整治。正文。\n（二）加强保障\n正文。",
            [("一/（一）", None), ("一/（一）/1", "一/（一）"), ("一/（一）/1/（1）", "一/（一）/1"),
             ("一/（一）/1/（2）", "一/（一）/1"), ("一/（一）/2", "一/（一）"), ("一/（二）", None)],
            id="three-levels-of-paragraph-items",
        ),
    ],
)
def test_numbered_items(body, expected):
    assert tree(body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "一要强化重点领域专项整治。各镇办要明确职责。烟花爆竹安全。一是检查辖区内所有经营行为。二是依法查处。道路交通安全。由公安部门牵头，重点检查超速。学校安全。由教育部门牵头，重点检查校舍。\n二要强化应急处置。正文。",
            [("一/一要", None), ("一/一要/烟花爆竹安全", "一/一要"),
             ("一/一要/烟花爆竹安全/一是", "一/一要/烟花爆竹安全"), ("一/一要/烟花爆竹安全/二是", "一/一要/烟花爆竹安全"),
             ("一/一要/道路交通安全", "一/一要"), ("一/一要/学校安全", "一/一要"), ("一/二要", None)],
            id="domain-blocks-with-numbered-children",
        ),
        pytest.param(
            "各级各部门要紧盯重点行业。非煤矿山领域，应急、自规等部门要持续开展安全检查。消防安全领域，要深入开展大检查。城镇燃气领域，综合行政执法部门要强化监管。",
            [("一/非煤矿山领域", None), ("一/消防安全领域", None), ("一/城镇燃气领域", None)],
            id="domain-blocks-at-top-of-section",
        ),
        pytest.param(
            "（一）深化重点行业领域排查整治。各地要逐项再过一遍：\n消防安全。要把人员密集场所作为检查重点。\n道路运输。由公安交管部门牵头，严查超限超载。\n房屋安全。紧盯城乡房屋特别是自建房和危房，逐户核查到位。\n（二）管牢危险化学品。正文。",
            [("一/（一）", None), ("一/（一）/消防安全", "一/（一）"), ("一/（一）/道路运输", "一/（一）"),
             ("一/（一）/房屋安全", "一/（一）"), ("一/（二）", None)],
            id="bare-domain-headings-as-paragraphs",
        ),
        pytest.param(
            "隐患就是事故。各地要全面排查。确保安全。要抓好落实。", [("一/各地要全面排查。", None)],
            id="short-sentences-are-not-domain-headings",
        ),
        pytest.param(
            "一要统筹推进专项整治。正文。\n二要突出重点领域深入排查。其中：燃气方面，要重点排查餐饮场所；房屋建筑方面，要重点排查自建房；消防方面，重点排查商场市场。\n各地要深刻吸取事故教训。",
            [("一/一要", None), ("一/二要", None), ("一/二要/燃气方面", "一/二要"), ("一/二要/房屋建筑方面", "一/二要"),
             ("一/二要/消防方面", "一/二要")],
            id="domain-blocks-after-semicolons",
        ),
        pytest.param(
            "在行业领域方面，要突出非煤矿山等重点行业。在排查场所方面，要聚焦医疗机构。",
            [], id="prepositional-heads-are-not-domains",
        ),
        pytest.param(
            "消防安全领域，要深入开展大检查。危化品领域，要持续固化治理成效。其他行业领域也要结合各自实际，守住安全底线。",
            [("一/消防安全领域", None), ("一/危化品领域", None), ("一/其他行业领域也要", None)],
            id="closing-sibling-after-domains",
        ),
        pytest.param(
            "一要加大燃气安全整治。要严格落实方案。二要强化值班值守。要加强值班。同时，其他各行业领域要扛起责任，严防各类事故发生。",
            [("一/一要", None), ("一/二要", None), ("一/同时，其他各行业", None)],
            id="closing-sibling-after-numbered",
        ),
        pytest.param(
            "一要加快推进重点工作。同时，相关部门要加快推进为民办实事。二要高标准完成专项行动。正文。",
            [("一/一要", None), ("一/二要", None)],
            id="tongshi-inside-an-item-is-not-a-sibling",
        ),
    ],
)
def test_domain_blocks(body, expected):
    assert tree(body) == expected


@pytest.mark.parametrize(
    ("body", "tasks_expected", "non_tasks_expected"),
    [
        pytest.param(
            "但也要清醒地看到，当前工作依然存在诸多问题。一是思想重视程度下降。正文。二是隐患排查精度不够。正文。三是安全问题事件频发。",
            [], ["一是思想重视", "二是隐患排查", "三是安全问题"], id="problem-list",
        ),
        pytest.param(
            "主要表现在三个方面：一是政治形势紧迫。正文。二是完成目标的难度更加突出。正文。三是安全管理仍然存在薄弱环节。",
            [], ["一是政治形势", "二是完成目标", "三是安全管理"], id="situation-list",
        ),
        pytest.param(
            "体现在三个“特殊”：1、年份特殊，重大活动将陆续召开。2、季节特殊，冬季是事故多发期。3、时段特殊，正处在换届关键节点。",
            [], ["1、年份特殊", "2、季节特殊", "3、时段特殊"], id="three-specials",
        ),
        pytest.param(
            "今年以来，全市安全生产工作取得了明显成效。一是责任体系更加完善。二是事故总量持续下降。三是监管执法明显加强。",
            [], ["一是责任体系", "二是事故总量", "三是监管执法"], id="achievement-list",
        ),
        pytest.param(
            "前期主要做了以下工作：（1）开展了安全生产大检查。（2）组织了应急演练。",
            [], ["（1）开展了", "（2）组织了"], id="past-actions",
        ),
        pytest.param(
            "当前工作中还存在一些问题：一是部分企业主体责任落实不到位；二是应急处置能力有待提升。",
            [], ["一是部分企业", "二是应急处置"], id="problem-list-after-colon",
        ),
        pytest.param(
            "重点抓实四个方面：1、抓好停产停工企业排查整治，正文。2、抓好特殊作业环节排查整治，正文。",
            [("一/1", None), ("一/2", None)], [], id="directive-list-after-colon",
        ),
        pytest.param(
            "结合我市存在的相关问题，着力在以下两个方面下功夫：\n一要在压实责任上下功夫。正文。\n二要在重点攻坚上下功夫。正文。",
            [("一/一要", None), ("一/二要", None)], [], id="problem-word-before-a-directive-lead-in",
        ),
        pytest.param(
            "主要有三个方面的问题：1.事故总量仍在高位。正文。2.隐患整改不够彻底。正文。3.基层基础依然薄弱。正文。",
            [], ["1.事故总量", "2.隐患整改", "3.基层基础"], id="lead-in-announces-problems",
        ),
        pytest.param(
            "我们也要清醒看到存在的问题：一是责任落实还有差距。正文。二是隐患排查不够深入。正文。三是监管执法偏松偏软。",
            [], ["一是责任落实", "二是隐患排查", "三是监管执法"], id="problems-after-colon",
        ),
        pytest.param(
            "从前一阶段情况看，责任落实上还存在不少薄弱环节。\n（一）强化企业隐患自查。各有关部门要督促企业自查。\n（二）从严开展联合执法。由市安委办牵头开展联合执法。",
            [("一/（一）", None), ("一/（二）", None)], [], id="directive-list-after-a-sentence-about-weaknesses",
        ),
        pytest.param(
            "一是加强排查。各地要落实。", [("一/各地要落实。", None)], [], id="single-item-is-not-a-list",
        ),
    ],
)
def test_non_task_lists(body, tasks_expected, non_tasks_expected):
    assert tree(body) == tasks_expected
    assert non_tasks(body) == non_tasks_expected


def test_agenda_lines_are_not_tasks():
    text = "同志们：\n会议有三项议程：\n首先，请张三同志通报工作情况。\n其次，请各镇街依次汇报。\n最后，请李四同志讲话。\n"
    doc = from_text(text)
    outline.run(doc)
    tasks.run(doc)
    assert doc.tasks == []
    assert [n.why for n in doc.non_tasks] == ["agenda line"] * 3


@pytest.mark.parametrize(
    ("body", "starts"),
    [
        pytest.param(
            "今年以来形势总体平稳。但仍存在不少问题。一是部分地区事故多发；二是专项行动存在短板弱项。针对这些问题短板，各级各部门务必要严格落实安全生产责任制。",
            ["各级各部门务"], id="directive-after-problem-list",
        ),
        pytest.param(
            "对此，大家必须高度警醒。各镇街区主要负责同志近期都要吃住在乡镇，每天都要调度；各部门单位主要负责同志每天要调度本行业情况。",
            ["各镇街区主要", "各部门单位主"], id="task-opens-at-the-clause-naming-its-body",
        ),
        pytest.param(
            "前期，我们组织了15个重点部门成立包靠督导组，发现隐患383项。下步，安委会办公室要盯住这些问题隐患。宣传部、融媒体中心要选取典型案例。纪委监委机关要加强监督检查。",
            ["安委会办公室", "宣传部、融媒", "纪委监委机关"], id="stand-alone-directives",
        ),
        pytest.param(
            "各地区、各部门要在前期工作基础上，深入查找短板弱项。\n一要突出重点。正文。\n二要严格执法。正文。",
            ["一要突出重点", "二要严格执法"], id="lead-in-is-not-a-task",
        ),
    ],
)
def test_free_directives(body, starts):
    doc = from_text(HEAD + body + TAIL)
    outline.run(doc)
    tasks.run(doc)
    assert [doc.text[t.start:t.start + 6] for t in doc.tasks] == starts


def test_spans_own_text_and_titles():
    body = "一要突出重点，强化督查检查。各地要落实。①燃气方面，要排查。②消防方面，要盯紧。\n二要严格执法。正文。"
    doc = from_text(HEAD + body + TAIL)
    outline.run(doc)
    tasks.run(doc)
    first, c1, c2, second = doc.tasks
    assert first.title == "突出重点，强化督查检查" and first.marker == "一要" and first.section == 1
    assert doc.text[first.start:first.end] == "一要突出重点，强化督查检查。各地要落实。①燃气方面，要排查。②消防方面，要盯紧。"
    assert doc.own_text(first) == "一要突出重点，强化督查检查。各地要落实。"
    assert (c1.title, c2.title) == ("燃气方面", "消防方面")
    assert doc.text[second.start:second.end] == "二要严格执法。正文。"
    assert first.lead_in == second.lead_in


def test_numbering_that_runs_on_across_sections_continues_its_list():
    text = ("同志们：\n一、强化责任\n1．压实属地责任。各乡镇要落实。\n2．压实部门责任。各部门要落实。\n"
            "二、突出重点\n3．开展专项整治。县应急管理局要牵头。\n三、加强保障\n4．修订应急预案。县应急管理局要负责。\n")
    doc = from_text(text)
    outline.run(doc)
    tasks.run(doc)
    assert [(t.path, t.section) for t in doc.tasks] == [("一/1", 1), ("一/2", 1), ("二/3", 2), ("三/4", 3)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("各乡镇是本辖区汛期安全防范的责任主体，一方面要组织开展隐患排查；另一方面要加强应急队伍建设。",
         [("一/一方面", None), ("一/另一方面", None)]),
        ("重点抓好三项工作，一是开展燃气安全检查；二是开展消防安全检查；三是开展道路交通整治。",
         [("一/一是", None), ("一/二是", None), ("一/三是", None)]),
        ("要做到两个到位，①责任落实到位；②措施落实到位。", [("一/①", None), ("一/②", None)]),
    ],
)
def test_markers_that_may_follow_a_comma(body, expected):
    assert tree(body) == expected


def test_field_label_lines_belong_to_the_directive_before_them():
    body = "县应急管理局要开展危化品企业专项检查。\n牵头单位：县应急管理局；配合单位：县公安局；完成时限：6月30日前。\n县住建局要开展燃气安全检查。"
    doc = from_text(HEAD + body + TAIL)
    outline.run(doc)
    tasks.run(doc)
    assert [doc.text[t.start:t.end].split("\n")[-1][:5] for t in doc.tasks] == ["牵头单位：", "县住建局要"]


def test_title_of_a_heading_line_stays_on_its_line():
    body = "（一）深化重点行业领域专项整治\n各乡镇、县直各有关部门要对照任务清单，逐项推进，确保按期完成整治任务，不留死角。\n（二）强化隐患闭环管理\n正文。"
    doc = from_text(HEAD + body + TAIL)
    outline.run(doc)
    tasks.run(doc)
    assert [t.title for t in doc.tasks] == ["深化重点行业领域专项整治", "强化隐患闭环管理"]


def test_space_after_a_marker_is_not_part_of_the_title():
    doc = from_text(HEAD + "1. 加强排查。各地要落实。\n2. 强化整治。各部门要落实。" + TAIL)
    outline.run(doc)
    tasks.run(doc)
    assert [t.title for t in doc.tasks] == ["加强排查", "强化整治"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "同志们：\n市公安局要统筹做好节日期间安全管控。首先，交警部门要加强巡逻管控；其次，要加强大型活动安全管理；最后，要严格值班值守。\n",
            [("市公安局要统筹做", None), ("市公安局要统筹做/首先", "市公安局要统筹做"),
             ("市公安局要统筹做/其次", "市公安局要统筹做"), ("市公安局要统筹做/最后", "市公安局要统筹做")],
            id="directive-holding-its-list-after-a-period",
        ),
        pytest.param(
            "同志们：\n各区县要落实属地管理责任，首先要组织排查，其次要做好活动保障，最后要严格执行带班值班制度。\n",
            [("各区县要落实属地", None), ("各区县要落实属地/首先", "各区县要落实属地"),
             ("各区县要落实属地/其次", "各区县要落实属地"), ("各区县要落实属地/最后", "各区县要落实属地")],
            id="directive-holding-its-list-after-commas",
        ),
    ],
)
def test_without_sections_a_directive_holds_the_list_of_its_paragraph(text, expected):
    doc = from_text(text)
    outline.run(doc)
    tasks.run(doc)
    assert [(t.path, doc.tasks[t.parent].path if t.parent is not None else None) for t in doc.tasks] == expected


def test_long_domain_heads_are_domain_blocks():
    body = "各部门要紧盯重点行业。特种设备和人员密集场所方面，区市场监管局要开展检查；区教育局要督促学校开展演练。燃气方面，要排查。"
    assert tree(body) == [("一/特种设备和人员密集场所方面", None), ("一/燃气方面", None)]
