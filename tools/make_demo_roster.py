"""Regenerate xlzu/data/demo_roster.csv, the synthetic demo class.

Run once by hand (python tools/make_demo_roster.py); the CSV is committed.
Names are made from common surnames and given-name characters; no real
student is described.  The headers are the ones a school system exports
(学籍号, 学生姓名, 总成绩), so the demo shows the alias mapping.
"""

import csv
import random
from pathlib import Path

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
BOY = "浩宇轩子豪博文杰俊明泽睿凯鹏涛磊晨阳宸铭瑞辰毅翔康峻皓航哲远诚彬鑫"
GIRL = "欣怡雨萱梓涵诗琪佳悦思彤可馨嘉琳若曦雅婷梦瑶晓慧静雯佩珊丹蕾颖妍璐"
SUBJECTS = {"语文": 120, "数学": 120, "英语": 120, "物理": 100, "化学": 100, "历史": 100}


def main(n: int = 52, seed: int = 20260901) -> None:
    rng = random.Random(seed)
    rows = []
    used = set()
    genders = ["男"] * 27 + ["女"] * (n - 27)
    rng.shuffle(genders)
    for i, g in enumerate(genders, start=1):
        pool = BOY if g == "男" else GIRL
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.sample(pool, rng.choice((1, 2, 2, 2))))
            if name not in used:
                used.add(name)
                break
        ability = rng.gauss(0, 1)
        scores = {}
        for s, top in SUBJECTS.items():
            bias = 0.25 if (g == "女" and s in ("语文", "英语")) or (g == "男" and s == "物理") else 0
            z = 0.75 * ability + 0.45 * rng.gauss(0, 1) + bias
            scores[s] = max(15, min(top, round(top * (0.72 + 0.14 * z))))
        quality = max(1, min(5, round(3 + 1.1 * (0.6 * ability + 0.6 * rng.gauss(0, 1)))))
        leadership = max(1, min(5, round(3 + 1.2 * rng.gauss(0, 1))))
        rows.append({
            "学籍号": f"2025030{i:02d}", "学生姓名": name, "性别": g, "总成绩": sum(scores.values()),
            "学习品质": quality, "组织能力": leadership, "备注": "", **scores,
        })
    out = Path(__file__).resolve().parents[1] / "xlzu" / "data" / "demo_roster.csv"
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {out} ({len(rows)} students)")


if __name__ == "__main__":
    main()
