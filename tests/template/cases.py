#!/usr/bin/env python3
"""Converts tests/template/cases.txt into JSON lines for `drover template
--batch` and jinja_ref.py.

cases.txt holds blocks:
    === ID [value|cond|render] [lstrip] [notrim] [keepnl] [crlf] [cr] [nl] [vars=JSON]
    template text (up to the next line starting with "=== ")
The text's last newline is dropped unless the header says "nl". Lines
starting with "#" before the first header are comments. Every case gets
the common variables below, which vars=JSON extends or overrides.
"""
import json
import sys

COMMON = {
    "n": None, "t": True, "f": False, "i": 42, "neg": -7, "fl": 1.5, "big": 12345678901,
    "s": "Hello World", "empty": "", "num_s": "42", "float_s": "3.25", "spaces": "  a b  c  ",
    "uni": "h\u00e9llo w\u00f6rld \u00df", "quote": "it's \"quoted\"", "multi": "line1\nline2\n\nline4",
    "xs": [3, 1, 2], "strs": ["b", "A", "c", "a"], "mixed": [1, "a", None, True, 2.5],
    "nested": {"x": [1, 2, {"y": "z"}], "k": "v"}, "d": {"b": 2, "a": 1, "c": 3},
    "dm": {"items": 1, "keys": 2, "name": "dm"}, "emptyl": [], "emptyd": {},
    "users": [
        {"name": "bob", "age": 30, "admin": True, "groups": ["wheel", "dev"]},
        {"name": "alice", "age": 25, "admin": False, "groups": []},
        {"name": "Carol", "age": 30, "admin": True, "groups": ["dev"]},
        {"name": "dave", "age": 41, "groups": ["ops"]},
    ],
    "pairs": [["a", 1], ["b", 2]], "tree": [{"n": "a", "c": [{"n": "b", "c": []}, {"n": "c", "c": [{"n": "d", "c": []}]}]}],
    "tmpl": "{{ i + 1 }}", "tmpl_undef": "{{ nope }}", "tmpl_list": "{{ xs }}",
    "port": 8080, "host": "web01.example.com", "ver": "1.2.3",
}


def parse(path):
    cases, cur, lines = [], None, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("=== "):
                if cur is not None:
                    cases.append(finish(cur, lines))
                cur, lines = header(line[4:].rstrip("\n")), []
            elif cur is not None:
                lines.append(line)
    if cur is not None:
        cases.append(finish(cur, lines))
    return cases


def header(h):
    words = h.split(" vars=", 1)
    parts = words[0].split()
    case = {"id": parts[0], "mode": "render", "opts": {}, "keep_nl": False}
    for p in parts[1:]:
        if p in ("value", "cond", "render", "expr"):
            case["mode"] = p
        elif p == "lstrip":
            case["opts"]["lstrip_blocks"] = True
        elif p == "notrim":
            case["opts"]["trim_blocks"] = False
        elif p == "keepnl":
            case["opts"]["keep_trailing_newline"] = True
        elif p == "crlf":
            case["opts"]["newline_sequence"] = "\r\n"
        elif p == "cr":
            case["opts"]["newline_sequence"] = "\r"
        elif p == "nl":
            case["keep_nl"] = True
        else:
            raise SystemExit(f"unknown case option {p!r} in {h!r}")
    vars = dict(COMMON)
    if len(words) > 1:
        vars.update(json.loads(words[1]))
    case["vars"] = vars
    return case


def finish(case, lines):
    text = "".join(lines)
    if not case.pop("keep_nl") and text.endswith("\n"):
        text = text[:-1]
    case["t"] = text.replace("\\r", "\r") if "\\r" in text and case["opts"].get("newline_sequence") else text
    return case


if __name__ == "__main__":
    seen = set()
    for c in parse(sys.argv[1]):
        if c["id"] in seen:
            raise SystemExit(f"duplicate case id {c['id']}")
        seen.add(c["id"])
        print(json.dumps(c))
