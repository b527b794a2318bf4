"""Two 100-task meetings diff in well under a second with the default backend."""
from __future__ import annotations

import random
import subprocess
import sys
import time

from conftest import make_sheet

from speech_tasks.diff import diff_sheets
from speech_tasks.diff.report import diff_html, diff_json

WORDS = ("安全生产 隐患排查 重点行业 燃气 消防 道路交通 危险化学品 建筑施工 督导检查 专项整治 责任落实 "
         "值班值守 应急处置 监管执法 挂牌督办 源头治理 人员密集场所 液化石油气 超限超载 自建房 闭环管理 "
         "宣传教育 考核巡查 问题清单 整改销号 风险研判 节假日 企业主体责任 执法检查 长效机制").split()


def meeting(seed: int, n: int = 100) -> list[dict]:
    rng = random.Random(seed)
    tasks = []
    for k in range(n):
        body = "，".join("要" + "".join(rng.sample(WORDS, 3)) for _ in range(rng.randint(3, 6))) + "。"
        tasks.append({"id": f"T{k}", "text": f"（{k + 1}）{body}", "units": [("住建部门", "owner", False, False)],
                      "deadlines": [("年底前", "date")], "sectors": [rng.choice(["燃气", "消防", "道路交通"])]})
    return tasks


def test_two_hundred_task_meetings_diff_in_under_a_second():
    a = make_sheet(meeting(1), "a.txt")
    later = meeting(1)[:60] + meeting(2)[:40]
    random.Random(3).shuffle(later)
    b = make_sheet(later, "b.txt")
    start = time.perf_counter()
    d = diff_sheets(a, b)
    data = diff_json(d, "a.txt", "b.txt")
    diff_html(data)
    elapsed = time.perf_counter() - start
    assert len(a.tasks) == len(b.tasks) == 100
    assert d.counts()["pairs"] >= 60
    assert elapsed < 1.0, f"{elapsed:.2f} s"


def test_command_cold_start_stays_small(tmp_path):
    """From a fresh interpreter: importing the diff command and parsing its arguments."""
    code = "import time; t=time.perf_counter(); from speech_tasks.cli import _parser; _parser('diff'); print(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert float(out) < 0.5
