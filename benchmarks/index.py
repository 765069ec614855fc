"""Benchmark of `vbparse index` / `vbparse search` at archive scale, both backends, plus a naive
baseline, and (--relevance) the ranking measurements behind the defaults.

    python benchmarks/index.py                      # 10,000 plans, SQLite + PostgreSQL + LIKE baseline
    python benchmarks/index.py --n 2000 --no-pg
    python benchmarks/index.py --relevance          # MRR / recall@5: boosts, underthesea, backends
    python benchmarks/index.py --json out.json

The 10,000 plans are variants of the judged relevance corpus (corpora/search/corpus.txt), parsed
once with `vbparse.parse`: each variant gets another number, province, years (dates shifted, so
deadlines spread over 2012-2028) and an archive code line; section/deadline offsets are remapped,
so snippets stay right. Build rate counts indexing only (records already parsed); the parse rate
is printed apart. Query latency is the whole `Index.search` call (plan, match, rank, count,
facets, snippets for 10 hits) over a mix of word, phrase, number and filter queries.

PostgreSQL runs in a throwaway cluster (tests/conftest_pg.py) with fsync off: build rates on a
production server with durable commits will be lower.
"""
from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

PROVINCES = ["Thái Bình", "Nam Định", "Hà Tĩnh", "Nghệ An", "Đắk Lắk", "Quảng Nam", "Quảng Trị", "Bình Định",
             "Phú Yên", "Lào Cai", "Cần Thơ", "Đồng Tháp", "Bắc Ninh", "Thanh Hóa", "Hà Nội", "Hải Phòng",
             "Đà Nẵng", "Huế", "Lạng Sơn", "Cao Bằng", "Điện Biên", "Sơn La", "Yên Bái", "Tuyên Quang",
             "Hà Giang", "Bắc Giang", "Quảng Ninh", "Hưng Yên", "Ninh Bình", "Hòa Bình", "Khánh Hòa",
             "Gia Lai", "Kon Tum", "Lâm Đồng", "Đắk Nông", "Bình Phước", "Tây Ninh", "Bình Dương",
             "Đồng Nai", "Long An", "Tiền Giang", "Bến Tre", "Vĩnh Long", "Trà Vinh", "Sóc Trăng",
             "An Giang", "Kiên Giang", "Bạc Liêu", "Cà Mau", "Hậu Giang", "Bình Thuận", "Ninh Thuận"]
TYPES = ["KH-UBND", "KH-LĐLĐ", "KH-CĐN", "KH-SGDĐT", "KH-SYT", "KH/TU", "KH/HU", "KH-BCĐ", "KH-CĐCS", "KH-SVHTTDL"]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# corpus


def base_items():
    from vbparse.index import iter_items
    from vbparse.index.relevance import judged_files

    files = judged_files(ROOT)
    t0 = time.perf_counter()
    items = [i for i in iter_items([str(p) for p in files.values()]) if not isinstance(i, Exception)]
    dt = time.perf_counter() - t0
    return items, files, len(items) / dt


_SPAN_LISTS = ("sections", "references", "dates", "deadlines", "movements")


def variant(rec: dict, text: str, i: int, rnd: random.Random) -> tuple[dict, str]:
    """Another plan like `rec`: new number, province, years; offsets remapped."""
    import copy

    from vbparse.resolve.keys import reference_key

    rec = copy.deepcopy(rec)
    rec.pop("text", None)
    prov_re = re.compile("|".join(sorted(map(re.escape, PROVINCES), key=len, reverse=True)))
    new_prov = rnd.choice(PROVINCES)
    dy = rnd.randint(-6, 3)
    edits: list[tuple[int, int, str]] = []
    for m in prov_re.finditer(text):
        edits.append((m.start(), m.end(), new_prov))
    for m in re.finditer(r"(?<!\d)(20[12]\d)(?!\d)", text):
        edits.append((m.start(), m.end(), str(int(m.group(1)) + dy)))
    number = str(rnd.randint(1, 3000))
    h = rec["header"]
    m = re.search(r"Số[:\s]*(\d+)", text[:3000])
    if m:
        edits.append((m.start(1), m.end(1), number))
    edits.sort()
    # apply, building an offset map
    out, pos, starts, shifts, shift = [], 0, [], [], 0
    for a, b, rep in edits:
        if a < pos:
            continue
        out.append(text[pos:a])
        out.append(rep)
        shift += len(rep) - (b - a)
        starts.append(b)
        shifts.append(shift)
        pos = b
    out.append(text[pos:])
    code = f"\nMã lưu trữ: VB-{i:06d}\n"
    new_text = "".join(out) + code

    def remap(o: int) -> int:
        k = bisect.bisect_right(starts, o) - 1
        return o + (shifts[k] if k >= 0 else 0)

    for name in _SPAN_LISTS:
        for x in rec.get(name) or []:
            if isinstance(x.get("start"), int):
                x["start"], x["end"] = remap(x["start"]), remap(x["end"])
    for d in rec.get("deadlines") or []:
        d["due"] = _shift_date(d["due"], dy)
    h["issued"] = _shift_date(h.get("issued"), dy)
    for k in ("issuer", "title", "place"):
        if h.get(k):
            h[k] = prov_re.sub(new_prov, h[k])
    h["number"] = number
    if not h.get("symbol") or rnd.random() < 0.3:
        h["symbol"] = rnd.choice(TYPES)
        h["doc_type"] = "KH"
    h["key"] = reference_key(number, h["symbol"])
    rec["source"] = dict(rec["source"], path=f"variants/{i:06d}.txt",
                         sha256=hashlib.sha256(new_text.encode("utf-8")).hexdigest())
    return rec, new_text


def _shift_date(d, dy):
    if not d or not re.match(r"\d{4}-\d\d-\d\d$", d):
        return d
    y = int(d[:4]) + dy
    md = d[5:]
    if md == "02-29":
        md = "02-28"
    return f"{y:04d}{'-'}{md}"


def make_corpus(n: int, seed: int = 1):
    items, files, parse_rate = base_items()
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        rec, text = items[i % len(items)]
        out.append(variant(rec, text, i, rnd))
    return out, items, files, parse_rate


# ---------------------------------------------------------------------------------------------
# queries


def make_queries(corpus, rnd: random.Random, n_topic: int = 100, n_broad: int = 50, n_symbols: int = 60,
                 n_filters: int = 60):
    """The query mix: the relevance set; `topic`: 1-4 consecutive words of a plan title (40%
    typed without diacritics, 15% quoted); `broad`: 1-3 words of a section heading ("tổ chức
    thực hiện": words most plans have, the worst case for ranking); `number`: a plan's number in
    one of four spellings; `filter`: fields, alone or with words."""
    from vbparse.index.fold import tokens
    from vbparse.index.relevance import load_queries

    qs = [("relevance", q) for _, q, _ in load_queries(ROOT / "corpora" / "search" / "queries.tsv")]
    titles = [rec["header"]["title"] for rec, _ in corpus[:3000] if rec["header"].get("title")]
    headings = [s["heading"] for rec, _ in corpus[:3000] for s in rec.get("sections") or [] if s.get("heading")]

    def words(pool, kmax):
        w = rnd.choice(pool).split()
        k = rnd.randint(1, min(kmax, len(w)))
        a = rnd.randint(0, len(w) - k)
        q = " ".join(w[a:a + k])
        if rnd.random() < 0.4:
            q = " ".join(tokens(q))  # typed without diacritics
        if rnd.random() < 0.15 and " " in q:
            q = f'"{q}"'
        return q

    qs += [("topic", words(titles, 4)) for _ in range(n_topic)]
    qs += [("broad", words(headings, 3)) for _ in range(n_broad)]
    spell = [lambda n, s: f"{n}/{s}", lambda n, s: f"{n} {s.replace('-', ' ').replace('/', ' ')}",
             lambda n, s: f"{s} {n}", lambda n, s: f"kế hoạch số {n}/{s}"]
    for _ in range(n_symbols):
        rec, _ = rnd.choice(corpus)
        h = rec["header"]
        qs.append(("number", rnd.choice(spell)(h["number"], h["symbol"])))
    keys = [(r["number"], r["symbol"]) for rec, _ in corpus[:500] for r in rec.get("references") or []
            if r.get("number") and r.get("symbol") and r.get("basis")]
    for _ in range(n_filters):
        kind = rnd.randrange(5)
        y = rnd.randint(2015, 2026)
        if kind == 0:
            q = f"thi đua year:{y}"
        elif kind == 1:
            q = f"due:{y}-{rnd.randint(1, 12):02d}"
        elif kind == 2:
            nmb, sym = rnd.choice(keys)
            q = f"children-of:{nmb}/{sym}"
        elif kind == 3:
            q = f'phong trào issuer:"{rnd.choice(PROVINCES)}" year:{y - 2}..{y}'
        else:
            q = f"movement:{rnd.choice(['chuyen-doi-so', 'phong-chong-covid', 'dan-van-kheo', 'vi-nguoi-ngheo'])} type:KH"
        qs.append(("filter", q))
    return qs


def latency(fn, queries, repeat: int = 1) -> dict:
    """Wall-clock milliseconds per query (and this process's CPU milliseconds: for SQLite, all of
    the work; a loaded machine inflates wall time, not CPU time), by query kind and overall."""
    wall: dict[str, list] = {}
    cpu: dict[str, list] = {}
    for kind, q in queries:  # warm-up pass
        try:
            fn(q)
        except Exception:  # noqa: BLE001
            pass
    for _ in range(repeat):
        for kind, q in queries:
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                fn(q)
            except Exception as e:  # noqa: BLE001
                log("query failed:", repr(q), e)
            wall.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
            cpu.setdefault(kind, []).append((time.process_time() - c0) * 1000)
    out = {"all": _stats([t for v in wall.values() for t in v]),
           "all_cpu": _stats([t for v in cpu.values() for t in v])}
    for k in wall:
        out[k] = _stats(wall[k])
        out[k + "_cpu"] = _stats(cpu[k])
    return out


def _stats(v):
    v = sorted(v)
    q = lambda p: v[min(len(v) - 1, int(round(p * (len(v) - 1))))]  # noqa: E731
    return {"n": len(v), "p50": round(q(0.5), 2), "p95": round(q(0.95), 2), "max": round(v[-1], 2),
            "mean": round(statistics.fmean(v), 2)}


# ---------------------------------------------------------------------------------------------
# naive baseline: LIKE scan over the folded text, no index, no ranking


def naive_build(path: str, corpus) -> float:
    from vbparse.index.fold import fold

    con = sqlite3.connect(path)
    con.execute("CREATE TABLE naive (id INTEGER PRIMARY KEY, ftext TEXT)")
    t0 = time.perf_counter()
    con.executemany("INSERT INTO naive (ftext) VALUES (?)", ((fold(t),) for _, t in corpus))
    con.commit()
    dt = time.perf_counter() - t0
    con.close()
    return len(corpus) / dt


def naive_search(con, q: str):
    from vbparse.index.fold import tokens

    toks = [t for t in tokens(q.replace(":", " "))][:8] or ["x"]
    where = " AND ".join("ftext LIKE ?" for _ in toks)
    rows = con.execute(f"SELECT id FROM naive WHERE {where} LIMIT 10", [f"%{t}%" for t in toks]).fetchall()
    n = con.execute(f"SELECT count(*) FROM naive WHERE {where}", [f"%{t}%" for t in toks]).fetchone()[0]
    return rows, n


# ---------------------------------------------------------------------------------------------


def bench_scale(n: int, with_pg: bool, seed: int) -> dict:
    from vbparse.index import Index

    log(f"generating {n} plans ...")
    corpus, base, files, parse_rate = make_corpus(n, seed)
    text_mb = sum(len(t.encode()) for _, t in corpus) / 1e6
    res = {"n": n, "text_mb": round(text_mb, 1), "parse_plans_per_s": round(parse_rate, 1)}
    queries = make_queries(corpus, random.Random(seed))
    res["queries"] = len(queries)
    tmp = Path(tempfile.mkdtemp(prefix="vbparse-bench-"))
    dbs = {"sqlite": str(tmp / "index.db")}
    if with_pg:
        import conftest_pg

        if conftest_pg.pg_cluster() is None:
            log("PostgreSQL skipped:", conftest_pg.PG_SKIP_REASON)
        else:
            dbs["postgresql"] = conftest_pg.fresh_database("bench")
    for name, db in dbs.items():
        log(f"{name}: building ...")
        t0 = time.perf_counter()
        idx, rep = Index.build(db, iter(corpus))
        dt = time.perf_counter() - t0
        r = {"build_s": round(dt, 1), "build_plans_per_s": round(n / dt, 1), "added": rep.added}
        if name == "postgresql":
            import psycopg

            with psycopg.connect(db) as c:
                r["db_mb"] = round(c.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e6, 1)
        if name == "sqlite":
            r["db_mb"] = round(os.path.getsize(db) / 1e6, 1)
        log(f"{name}: {r}; querying ...")
        r["latency_ms"] = latency(lambda q: idx.search(q, limit=10), queries)
        r["latency_no_facets_ms"] = latency(lambda q: idx.search(q, limit=10, facets=False), queries)
        # incremental: re-adding everything changes nothing
        t0 = time.perf_counter()
        rep = idx.add(iter(corpus[:1000]))
        r["re_add_1000_s"] = round(time.perf_counter() - t0, 2)
        assert rep.added == 0 and rep.unchanged == 1000
        res[name] = r
        idx.close()
        log(f"{name}: {json.dumps(r['latency_ms']['all'])}")
    # naive baseline
    log("naive LIKE baseline ...")
    nb = str(tmp / "naive.db")
    rate = naive_build(nb, corpus)
    con = sqlite3.connect(nb)
    res["naive_like"] = {"build_plans_per_s": round(rate, 1),
                         "latency_ms": latency(lambda q: naive_search(con, q), queries)}
    con.close()
    return res


def bench_relevance() -> dict:
    """MRR / recall@5 on the judged set: boosts (none, bigram, underthesea words, both) on
    SQLite, and both backends with the default."""
    import conftest_pg
    from vbparse.index import Index
    from vbparse.index.relevance import evaluate, load_queries

    items, files, _ = base_items()
    qs = load_queries(ROOT / "corpora" / "search" / "queries.tsv")
    tmp = Path(tempfile.mkdtemp(prefix="vbparse-rel-"))
    out = {"queries": len(qs), "plans": len(files)}

    def row(sc):
        return {"mrr": round(sc.mrr, 3), "recall5": round(sc.recall5, 3),
                "by_kind": {k: {"mrr": round(a, 3), "recall5": round(b, 3), "n": c} for k, (a, b, c) in sc.by_kind().items()},
                "misses": [f"{r.query} -> {r.ranks or 'none'}" for r in sc.misses()]}

    t0 = time.perf_counter()
    plain, _ = Index.build(str(tmp / "plain.db"), items)
    out["index_plain_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    seg, _ = Index.build(str(tmp / "seg.db"), items, segment=True)
    out["index_segmented_s"] = round(time.perf_counter() - t0, 2)
    for b in ("none", "bigram"):
        out[f"sqlite/{b}"] = row(evaluate(plain, qs, files, boosts=b))
    for b in ("words", "both"):
        out[f"sqlite+underthesea/{b}"] = row(evaluate(seg, qs, files, boosts=b))
    if conftest_pg.pg_cluster() is not None:
        pg, _ = Index.build(conftest_pg.fresh_database("rel"), items)
        for b in ("none", "bigram"):
            out[f"postgresql/{b}"] = row(evaluate(pg, qs, files, boosts=b))
        # agreement: same top-1 and overlap of the top 10, per query
        top1 = overlap = 0
        for _, q, _ in qs:
            a = [h.sha256 for h in plain.search(q, limit=10, facets=False, snippets=False).hits]
            b = [h.sha256 for h in pg.search(q, limit=10, facets=False, snippets=False).hits]
            top1 += bool(a and b and a[0] == b[0]) or (not a and not b)
            overlap += len(set(a) & set(b)) / max(1, max(len(a), len(b)))
        out["backend_agreement"] = {"top1": round(top1 / len(qs), 3), "overlap10": round(overlap / len(qs), 3)}
        pg.close()
    plain.close()
    seg.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000, help="plans to index (default 10000)")
    ap.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    ap.add_argument("--relevance", action="store_true", help="only the relevance measurements")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write the results to this file")
    a = ap.parse_args()
    res = {"machine": {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                       "cpus": os.cpu_count(), "platform": platform.platform(),
                       "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}}
    if a.relevance:
        res["relevance"] = bench_relevance()
    else:
        res["scale"] = bench_scale(a.n, not a.no_pg, a.seed)
    res["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(res, ensure_ascii=False, indent=2)
    print(text)
    if a.json:
        Path(a.json).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
