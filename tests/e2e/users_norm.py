#!/usr/bin/env python3
"""Normalisers for tests/e2e/test_modules_users.sh: one tool's results and the accounts it
left, made comparable with the other tool's (which used another name prefix, id base and
directory).

  users_norm.py results FILE PREFIX BASE TMP   the registered results in FILE (a JSON map of
                                               task name to result), without "invocation"
                                               (drover's register keeps it) and the
                                               interpreter fact, names, ids and paths masked
  users_norm.py state PREFIX BASE TMP          the accounts and groups named PREFIX* in
                                               /etc/passwd, /etc/group, /etc/shadow and
                                               /etc/gshadow, and the files under TMP/homes
  users_norm.py out FILE PREFIX BASE TMP         ansible-playbook's human output, names and paths
                                               masked, the controller's temporary file too
  users_norm.py bases N                        two free id ranges of N ids (passwd and group)
"""
import json
import os
import re
import stat
import sys


def masker(prefix, base, tmp):
    base = int(base)

    def text(s):
        s = s.replace(tmp, 'TMP').replace(prefix, 'P')
        s = re.sub(r'SHA256:[A-Za-z0-9+/=]+', 'SHA256:X', s)
        # hash_host's random salt, Python's random temporary file names
        s = re.sub(r'\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+', '|1|HASH', s)
        s = re.sub(r'/tmp[a-z0-9_]{8}\b', '/tmpX', s)
        s = re.sub(r'\b\d+\b', lambda m: str(num(int(m.group(0)))), s)
        s = re.sub(r'^(ssh-\S+) \S+', r'\1 KEY', s)
        return s

    def num(n, is_id=False):
        # Ids the system allocated differ between the tools' accounts.
        if base <= n < base + 100:
            return 'B+%d' % (n - base)
        return 'ID' if is_id and n >= 100 else n

    def walk(v, key=''):
        if isinstance(v, dict):
            return {k: walk(x, k) for k, x in v.items() if k not in ('invocation', 'ansible_facts')}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, str):
            return text(v)
        if isinstance(v, int) and not isinstance(v, bool):
            return num(v, key in ('uid', 'gid', 'group'))
        return v
    return text, num, walk


def results(path, prefix, base, tmp):
    _, _, walk = masker(prefix, base, tmp)
    with open(path) as f:
        data = json.load(f)
    print(json.dumps(walk(data), indent=1, sort_keys=True))


def field(text, num, s, is_id):
    return str(num(int(s), is_id)) if s.isdigit() else text(s)


def state(prefix, base, tmp):
    text, num, _ = masker(prefix, base, tmp)
    for db in ('/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow'):
        with open(db) as f:
            for line in f:
                fields = line.rstrip('\n').split(':')
                if not fields[0].startswith(prefix):
                    continue
                if db == '/etc/shadow' and len(fields) > 2:
                    fields[2] = 'DAY'  # the day of the last change
                ids = (2, 3) if db in ('/etc/passwd', '/etc/group') else ()
                print(db, ':'.join(field(text, num, x, i in ids) for i, x in enumerate(fields)))
    homes = os.path.join(tmp, 'homes')
    for root, dirs, files in os.walk(homes):
        dirs.sort()
        for name in sorted(dirs + files):
            p = os.path.join(root, name)
            st = os.lstat(p)
            print('file', text(p), stat.filemode(st.st_mode), num(st.st_uid, True), num(st.st_gid, True))
            if name in ('authorized_keys', 'known_hosts'):
                with open(p) as f:
                    print(''.join('    ' + text(line) for line in f), end='')


def out(path, prefix, base, tmp):
    text, _, _ = masker(prefix, base, tmp)
    with open(path) as f:
        for line in f:
            line = re.sub(r'^\+\+\+ after: (/\S*/\.ansible/tmp/\S*|dynamically generated)$', '+++ after: TMPFILE',
                          line.rstrip('\n'))
            print(text(line))


def bases(n):
    used = set()
    for db in ('/etc/passwd', '/etc/group'):
        with open(db) as f:
            for line in f:
                fields = line.split(':')
                if len(fields) > 2 and fields[2].isdigit():
                    used.add(int(fields[2]))
    found = []
    b = 20000 + (os.getpid() % 300) * 100
    while len(found) < 2:
        if not any(x in used for x in range(b, b + n)):
            found.append(b)
        b += n
    print(*found)


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'results':
        results(*sys.argv[2:6])
    elif cmd == 'out':
        out(*sys.argv[2:6])
    elif cmd == 'state':
        state(*sys.argv[2:5])
    else:
        bases(int(sys.argv[2]))
