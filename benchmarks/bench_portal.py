"""The web portal under load, on this machine only (127.0.0.1, a port the OS picks).

1. A ledger of 2,000 generated tasks (10 meetings × 200, 30 units, 1–3 units per task) behind
   the portal served by waitress (8 threads) in this process.
2. Pages with 2,000 tasks: 工作台, 任务 list (first and last page), a task's detail, each fetched
   --pages times by an office account: median and p95 (target 工作台 ≤ 500 ms).
3. 30 unit accounts log in and then all at once post --posts 进展 reports each to their own
   assignments through the JSON API (session + CSRF header), each post carrying the version it
   last saw. Paced (people: a pause of up to --think s between one user's posts): p95 response
   time, target ≤ 300 ms on 2 cores. Then a burst with no pause at all (a stress figure). Every
   post of both phases must be stored exactly once.

Bounded: a fixed number of requests, each with a 30 s timeout; the server stops at the end.
Run from the repo root: python benchmarks/bench_portal.py
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.cookiejar
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from speech_tasks.ledger import Ledger
from speech_tasks.ledger.db import canonical_unit
from speech_tasks.models import Deadline, Meeting, Source, Task, TaskSheet, Unit
from speech_tasks.portal import accounts
from speech_tasks.portal.app import create_app
from speech_tasks.portal.store import connect, prepare

UNITS = [canonical_unit(f"市{name}")[0] for name in (
    "应急管理局", "公安局", "住房和城乡建设局", "交通运输局", "市场监督管理局", "消防救援支队", "自然资源和规划局",
    "生态环境局", "水利局", "农业农村局", "文化和旅游局", "教育局", "卫生健康委员会", "商务局", "工业和信息化局",
    "城市管理局", "林业局", "气象局", "能源局", "民政局", "体育局", "港航管理局", "邮政管理局", "供电公司",
    "燃气集团", "粮食和物资储备局", "人力资源和社会保障局", "财政局", "司法局", "发展和改革委员会",
)]
PASSWORD = "bench-password-1"
TODAY = dt.date(2024, 6, 1)


def sheet(meeting: int, per: int) -> TaskSheet:
    date = dt.date(2024, 1, 1) + dt.timedelta(days=30 * meeting)
    tasks = []
    for i in range(per):
        n = meeting * per + i
        units = [UNITS[(n + k * 7) % len(UNITS)] for k in range(1 + n % 3)]
        due = TODAY + dt.timedelta(days=(n % 60) - 20)
        text = f"第{n}项：{units[0]}要开展安全生产专项整治第{n}轮，{due.month}月{due.day}日前完成。"
        tasks.append(Task(
            id=f"T{hashlib.blake2b(str(n).encode(), digest_size=5).hexdigest()}", number=str(i + 1), path=str(i + 1),
            kind="numbered", text=text, span=(0, len(text)),
            units=[Unit(text=u, name=u, role="lead" if k == 0 else "owner", generic=False, span=(0, 2))
                   for k, u in enumerate(dict.fromkeys(units))],
            deadlines=[Deadline(text=f"{due.month}月{due.day}日前", kind="date", due=due, span=(0, 2))],
            sectors=[("危化品", "道路交通", "建筑施工", "消防", "燃气")[n % 5]],
        ))
    return TaskSheet(
        tool_version="bench", meeting=Meeting(name=f"全市安全生产工作会议（第{meeting + 1}次）", date=date), tasks=tasks,
        source=Source(file=f"{date.isoformat()}_bench_{meeting}.txt", sha256=hashlib.sha256(bytes([meeting])).hexdigest(),
                      encoding="utf-8", chars=1000),
    )


def build(folder: Path, meetings: int, per: int) -> Path:
    db = prepare(folder / "ledger.sqlite")
    with connect(db) as conn:
        accounts.add(conn, db, "office", "office", PASSWORD, None, "bench")
        for i, unit in enumerate(UNITS):
            accounts.add(conn, db, f"unit{i:02d}", "unit", PASSWORD, unit, "office")
    with Ledger(db) as led:
        for m in range(meetings):
            led.import_sheet(sheet(m, per), "office", follows=None, series=f"bench-{m}")
    return db


class Client:
    """A browser-like client: cookies, and the CSRF token of the last page."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def get(self, path: str) -> tuple[float, str]:
        start = time.perf_counter()
        with self.opener.open(self.base + path, timeout=30) as r:
            body = r.read().decode("utf-8")
        took = time.perf_counter() - start
        m = re.search(r'name="csrf_token" value="([^"]+)"', body)
        self.token = m.group(1) if m else self.token
        return took, body

    def post(self, path: str, data: dict | None = None, payload: dict | None = None) -> tuple[float, int, dict | str]:
        if payload is not None:
            body, ctype = json.dumps(payload).encode(), "application/json"
        else:
            body, ctype = urllib.parse.urlencode({**(data or {}), "csrf_token": self.token}).encode(), "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base + path, body, {"Content-Type": ctype, "X-CSRFToken": self.token})
        start = time.perf_counter()
        try:
            with self.opener.open(req, timeout=30) as r:
                status, text = r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode("utf-8")
        took = time.perf_counter() - start
        return took, status, json.loads(text) if text.startswith("{") else text

    def login(self, name: str) -> None:
        self.get("/login")
        self.post("/login", {"name": name, "password": PASSWORD})
        self.get("/")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--meetings", type=int, default=10)
    ap.add_argument("--per", type=int, default=200, help="tasks per meeting")
    ap.add_argument("--posts", type=int, default=10, help="reports each unit user posts")
    ap.add_argument("--pages", type=int, default=10, help="times each page is fetched")
    ap.add_argument("--think", type=float, default=1.0, help="longest pause (s) between one user's posts (paced phase)")
    args = ap.parse_args()
    import logging

    import waitress.server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" on every burst

    with tempfile.TemporaryDirectory(prefix="bench-portal-") as tmp:
        t0 = time.perf_counter()
        db = build(Path(tmp), args.meetings, args.per)
        with Ledger(db) as led:
            tasks = led.tasks()
        n_assign = sum(len(t.active) for t in tasks)
        print(f"ledger: {len(tasks)} tasks, {n_assign} assignments, {len(UNITS)} units; built in {time.perf_counter() - t0:.1f} s")
        app = create_app(db, TODAY=TODAY)
        server = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=8)
        base = f"http://127.0.0.1:{server.effective_port}"
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            office = Client(base)
            office.login("office")
            some = tasks[len(tasks) // 2].id
            last = -(-len(tasks) // app.config["PAGE_SIZE"])
            print(f"\npages with {len(tasks)} tasks ({args.pages} fetches each, after one warm-up):")
            page_ok = True
            for label, path, target in (("工作台 /", "/", 0.5), ("任务 list page 1", "/tasks", None),
                                        (f"任务 list page {last}", f"/tasks?page={last}", None),
                                        ("任务 list filtered", "/tasks?colour=%E7%BA%A2&sort=due", None),
                                        ("task detail", f"/tasks/{some}", None)):
                office.get(path)
                times = [office.get(path)[0] for _ in range(args.pages)]
                verdict = ""
                if target:
                    ok = pct(times, 95) <= target
                    page_ok &= ok
                    verdict = f"  (target ≤ {target * 1000:.0f} ms: {'ok' if ok else 'MISSED'})"
                print(f"  {label:24s} median {statistics.median(times) * 1000:6.0f} ms  p95 {pct(times, 95) * 1000:6.0f} ms{verdict}")
            # the same page right after each of --pages changes (the cached selection is stale)
            times = []
            probe = next(a for t in tasks for a in t.active if a.unit == UNITS[0])
            with Ledger(db) as led:
                for k in range(args.pages):
                    led.report(probe.id, "office", None, f"probe {k}")
                    times.append(office.get("/")[0])
            ok = pct(times, 95) <= 0.5
            page_ok &= ok
            print(f"  {'工作台 after a change':24s} median {statistics.median(times) * 1000:6.0f} ms  p95 {pct(times, 95) * 1000:6.0f} ms"
                  f"  (target ≤ 500 ms: {'ok' if ok else 'MISSED'})")
            _, body = office.get(f"/tasks?page={last}")
            rows = body.count('<tr data-task="')
            print(f"  list paginated: {rows} rows on page {last} of {last}")

            with Ledger(db) as led:
                tasks = led.tasks()  # the versions after the probes above
            users = []
            for i, unit in enumerate(UNITS):
                c = Client(base)
                c.login(f"unit{i:02d}")
                mine = {a.id: a.version for t in tasks for a in t.active if a.unit == unit}
                users.append((c, mine))
            phases = [("paced", args.think), ("burst", 0.0)]
            results = {name: post_all(users, args.posts, think, name) for name, think in phases}
        finally:
            time.sleep(0.5)  # let the last responses leave before the sockets close
            server.close()
        with Ledger(db) as led:
            notes = [f.text for t in led.tasks() for a in t.active for f in a.feedback if f.text.startswith("bench ")]
        ok = page_ok
        for name, think in phases:
            latencies, failures, wall = results[name]
            expected = {f"bench {name} {i}-{k}" for i in range(len(users)) for k in range(args.posts)}
            got = [n for n in notes if n.startswith(f"bench {name} ")]
            stored = set(got) == expected and len(got) == len(expected)
            p95 = pct(latencies, 95)
            pause = f"a pause of {think / 4:.2f}–{think:.2f} s between a user's posts" if think else "no pause: a stress test"
            print(f"\n{len(users)} unit users × {args.posts} reports at once, {pause}: {len(latencies)} posts in {wall:.1f} s")
            target = name == "paced"
            print(f"  median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
                  + (f"  (target p95 ≤ 300 ms: {'ok' if p95 <= 0.3 else 'MISSED'})" if target else ""))
            print(f"  stored: {len(got)} of {len(expected)} reports{'' if stored else ' — LOST OR DUPLICATED'}; refused: {len(failures)}")
            for f in failures[:5]:
                print("   ", f)
            ok &= stored and not failures and (p95 <= 0.3 or not target)
        print(f"\nload average during the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")
        return 0 if ok else 1


def post_all(users, posts: int, think: float, tag: str) -> tuple[list[float], list[str], float]:
    """Every user posts *posts* reports on its own assignments, all users at once, with a random
    pause of think/4 … think seconds after each post; (latencies, refusals, wall time)."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(users))

    def run(client: Client, versions: dict[int, int], who: int) -> None:
        rng = random.Random(who)
        ids = sorted(versions)
        barrier.wait()
        for k in range(posts):
            aid = ids[k % len(ids)]
            took, status, answer = client.post(
                f"/api/assignments/{aid}/report", payload={"version": versions[aid], "note": f"bench {tag} {who}-{k}"})
            with lock:
                latencies.append(took)
                if status != 200:
                    failures.append(f"unit{who:02d} #{k}: {status} {answer}")
            if status == 200:
                versions[aid] = answer["assignment"]["version"]
            if think:
                time.sleep(rng.uniform(think / 4, think))

    threads = [threading.Thread(target=run, args=(c, mine, i)) for i, (c, mine) in enumerate(users)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return latencies, failures, time.perf_counter() - start

if __name__ == "__main__":
    sys.exit(main())
