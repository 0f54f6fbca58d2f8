#!/usr/bin/env python3
"""Normalisers for tests/e2e/test_playbook_diff.sh.

  pbdiff_norm.py out FILE   ansible-playbook's human output made comparable: timings and dates
                            (delta, start, end) and copy's controller-side temporary file masked, and within each section (PLAY, TASK,
                            RUNNING HANDLER, PLAY RECAP) the per-host records sorted, since host
                            order within a task is completion order in both tools
  pbdiff_norm.py outfree FILE as out, for plays with the free strategy, where task banners
                            repeat and interleave as hosts start tasks and results arrive: each
                            host record is kept under the task it belongs to (the banner before
                            it), banners themselves dropped, records sorted within each play
  pbdiff_norm.py recap FILE the PLAY RECAP lines only
  pbdiff_norm.py tree DIR   every path under DIR: type, mode, and content or link target
"""
import os
import re
import stat
import sys

HEAD = re.compile(r"^(PLAY \[|PLAY RECAP|TASK \[|RUNNING HANDLER \[)")
REC = re.compile(r"^(ok|changed|skipping|fatal|failed|included|\.\.\.ignoring|FAILED - RETRYING|"
                 r"\[WARNING\]|\[ERROR\]|h\d+ +:|--- before|\+\+\+ after|@@|[-+ ].*)")
# Timings, and the controller's temporary file a copy/template diff names as its "after" (a random
# path under ~/.ansible/tmp in Ansible, which drover does not write: it says "dynamically generated").
TIMES = [(re.compile(r'"(delta|start|end)": "[^"]*"'), r'"\1": "X"'),
         (re.compile(r'^\+\+\+ after: (/\S*/\.ansible/tmp/\S*|dynamically generated)$'), '+++ after: TMPFILE')]


def mask(line):
    for pat, rep in TIMES:
        line = pat.sub(rep, line)
    return line.rstrip()


def records(lines):
    """Per-host records: a status line and its continuation lines (JSON bodies, diffs)."""
    recs = []
    for line in lines:
        # "NO MORE HOSTS LEFT" is a banner of its own, not a continuation of
        # whichever host record happened to come before it.
        starts = re.match(r"^(ok|changed|skipping|fatal|failed|included|\.\.\.ignoring|"
                          r"FAILED - RETRYING|\[WARNING\]|\[ERROR\]|\S+ +: ok=|--- before|NO MORE HOSTS LEFT)", line)
        if starts or not recs:
            recs.append([line])
        else:
            recs[-1].append(line)
    return ["\n".join(r) for r in recs]


def out(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = [mask(l) for l in f.read().splitlines()]
    sections, cur = [], None
    for line in lines:
        if HEAD.match(line):
            cur = [line, []]
            sections.append(cur)
        elif cur is None:
            sections.append([line, []])
        elif line:
            cur[1].append(line)
    res = []
    for head, body in sections:
        res.append(head)
        res.extend(sorted(records(body)))
    print("\n".join(res))


def outfree(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = [mask(l) for l in f.read().splitlines()]
    plays, task = [], None
    for line in lines:
        if re.match(r"^(PLAY \[|PLAY RECAP)", line):
            plays.append([line, []])
            task = None
        elif re.match(r"^(TASK \[|RUNNING HANDLER \[)", line):
            task = re.sub(r"\s*\*+$", "", line)
        elif not plays:
            plays.append([line, []])
        elif line:
            plays[-1][1].append((task, line))
    res = []
    for head, body in plays:
        res.append(head)
        by_task = {}
        for task, line in body:
            by_task.setdefault(task, []).append(line)
        recs = []
        for task, tl in by_task.items():
            recs.extend("%s | %s" % (task, r) for r in records(tl))
        res.extend(sorted(recs))
    print("\n".join(res))


def recap(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            if re.match(r"^\S+ +: ok=", line):
                print(re.sub(r"\s+", " ", line.strip()))


def tree(root):
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(dirs + files):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            mode = "%04o" % stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                print("%s link -> %s" % (rel, os.readlink(p)))
            elif stat.S_ISDIR(st.st_mode):
                print("%s dir %s" % (rel, mode))
            else:
                with open(p, "rb") as f:
                    print("%s file %s %r" % (rel, mode, f.read(4096)))


if __name__ == "__main__":
    {"out": out, "outfree": outfree, "recap": recap, "tree": tree}[sys.argv[1]](sys.argv[2])
