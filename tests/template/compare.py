#!/usr/bin/env python3
"""Compares drover's results (argv[2]) with the reference's (argv[1]) case by
case and prints TAP. Cases listed in EXCEPTIONS.md (lines "- `ID`: reason")
are reported as skipped when they differ. Errors match when their kind
(syntax, undefined, error) does; messages are not compared."""
import json
import re
import sys


def load(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                out[r["id"]] = r
    return out


def key(r):
    if "kind" in r:
        return ("error", r["kind"])
    if "ok" in r:
        return ("ok", r["ok"])
    return ("value", r.get("type"), r.get("repr"))


def main():
    ref, got = load(sys.argv[1]), load(sys.argv[2])
    exceptions = {}
    if len(sys.argv) > 3:
        with open(sys.argv[3], encoding="utf-8") as f:
            for line in f:
                m = re.match(r"- `([^`]+)`: (.*)", line)
                if m:
                    exceptions[m.group(1)] = m.group(2)
    n = failed = 0
    for cid, r in ref.items():
        n += 1
        g = got.get(cid, {"kind": "missing"})
        if key(r) == key(g):
            print(f"ok {n} - {cid}")
        elif cid in exceptions:
            print(f"ok {n} - {cid} # SKIP {exceptions[cid]}")
        else:
            failed += 1
            print(f"not ok {n} - {cid}")
            print(f"#   want: {json.dumps(r)[:600]}")
            print(f"#   got:  {json.dumps(g)[:600]}")
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
