"""Benchmark: diff two 100-task meetings with the default backend (target ≤ 1 s).

    python benchmarks/bench_diff.py

Prints the in-process time of the alignment plus JSON and HTML reports (median of 5 runs), and
the cold start of the `diff` command's import and argument parsing in a fresh interpreter.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from diff.conftest import make_sheet  # noqa: E402  (the test suite's sheet builder)

from speech_tasks.diff import diff_sheets  # noqa: E402
from speech_tasks.diff.report import diff_html, diff_json  # noqa: E402

WORDS = (
    "安全生产 隐患排查 重点行业 燃气 消防 道路交通 危险化学品 建筑施工 督导检查 专项整治 责任落实 "
    "值班值守 应急处置 监管执法 挂牌督办 源头治理 人员密集场所 液化石油气 超限超载 自建房 闭环管理 "
    "宣传教育 考核巡查 问题清单 整改销号 风险研判 节假日 企业主体责任 执法检查 长效机制"
).split()


def meeting(seed: int, n: int = 100) -> list[dict]:
    rng = random.Random(seed)
    tasks = []
    for k in range(n):
        body = "，".join("要" + "".join(rng.sample(WORDS, 3)) for _ in range(rng.randint(3, 6))) + "。"
        tasks.append(
            {
                "id": f"T{k}",
                "text": f"（{k + 1}）{body}",
                "units": [("住建部门", "owner", False, False)],
                "deadlines": [("年底前", "date")],
                "sectors": [rng.choice(["燃气", "消防", "道路交通"])],
            }
        )
    return tasks


def main() -> None:
    a = make_sheet(meeting(1), "a.txt")
    later = meeting(1)[:60] + meeting(2)[:40]
    random.Random(3).shuffle(later)
    b = make_sheet(later, "b.txt")
    times = []
    for _ in range(5):
        start = time.perf_counter()
        d = diff_sheets(a, b)
        diff_html(diff_json(d, "a.txt", "b.txt"))
        times.append(time.perf_counter() - start)
    print(
        f"diff 100 × 100 tasks + JSON + HTML: median {statistics.median(times):.3f} s "
        f"(pairs found: {d.counts()['pairs']}; target ≤ 1 s)"
    )
    code = (
        "import time; t=time.perf_counter(); from speech_tasks.cli import _parser; "
        "_parser('diff'); print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    print(f"diff command import + argument parsing: {float(out):.3f} s")


if __name__ == "__main__":
    main()
