#!/usr/bin/env python3
"""Dump what a demo load wrote, in a form two loads can be diffed by.

Usage: demo-dump.py DB OUT
  DB is a SQLite file or a postgres:// URL (read with psql).

Every table's rows are written sorted, one per line, with what differs
from load to load by design replaced:
  - record IDs (UUIDv7, handed out in order) by their rank among all the
    IDs in the database, so references between rows still line up;
  - hashes and signatures (64 or 128 hex digits) by <hex>, and the
    password hash (salted) by <password hash>;
  - times of the load itself (today's timestamps with a time of day, and
    microsecond counts since 1970 of today) by <now>.
The search index's FTS5 shadow tables are left out (their rowids and
blobs); search_doc, the text they index, is kept. A table's line count is
printed first, so "identical in kind and count" is one diff.
"""
import csv
import datetime
import io
import re
import sqlite3
import subprocess
import sys

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HEX = re.compile(r"\b(?:[0-9a-f]{128}|[0-9a-f]{64})\b")
ARGON = re.compile(r"\$argon2id\$\S+")
SKIP = re.compile(r"^(search_fts.*|goose_db_version|goose_lock)$")


def tables_sqlite(path):
    db = sqlite3.connect(path)
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    out = {}
    for n in names:
        if SKIP.match(n) or n.startswith("sqlite_"):
            continue
        cur = db.execute(f'SELECT * FROM "{n}"')
        cols = [d[0] for d in cur.description]
        out[n] = (cols, [["" if v is None else str(v) for v in row] for row in cur])
    return out


def psql(url, sql):
    return subprocess.run(["psql", url, "-X", "-q", "-A", "-t", "-c", sql], check=True, capture_output=True, text=True).stdout


def tables_postgres(url):
    names = psql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").split()
    out = {}
    for n in names:
        if SKIP.match(n):
            continue
        text = subprocess.run(["psql", url, "-X", "-q", "-c", f'\\copy (SELECT * FROM "{n}") TO STDOUT WITH (FORMAT csv, HEADER)'],
                              check=True, capture_output=True, text=True).stdout
        rows = list(csv.reader(io.StringIO(text)))
        out[n] = (rows[0] if rows else [], rows[1:])
    return out


def main():
    src, dst = sys.argv[1], sys.argv[2]
    data = tables_postgres(src) if src.startswith("postgres") else tables_sqlite(src)
    ids = set()
    for _, rows in data.values():
        for row in rows:
            for v in row:
                ids.update(UUID.findall(v))
    rank = {u: f"<id{i}>" for i, u in enumerate(sorted(ids))}
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    now_stamp = re.compile(re.escape(today) + r"[ T]\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z|\+00)?")
    epoch = str(int(datetime.datetime.now(datetime.timezone.utc).timestamp()))[:5]
    now_us = re.compile(r"^" + epoch + r"\d{11}$")

    def norm(v):
        v = UUID.sub(lambda m: rank[m.group(0)], v)
        v = HEX.sub("<hex>", v)
        v = ARGON.sub("<password hash>", v)
        v = now_stamp.sub("<now>", v)
        return now_us.sub("<now>", v)

    with open(dst, "w") as f:
        for name in sorted(data):
            cols, rows = data[name]
            lines = sorted("|".join(norm(v) for v in row) for row in rows)
            f.write(f"== {name} ({len(lines)} rows) {','.join(cols)}\n")
            for line in lines:
                f.write(line + "\n")


if __name__ == "__main__":
    main()
