"""End-to-end tests of drover-worker's file modules, driven over the worker
protocol (workerproto.py). Prints TAP.

Three parts:
  1. the worker alone: each module's states, first run changed and second
     run unchanged, check mode changing nothing, diff structures, binary
     contents through _content_b;
  2. differential: one list of steps run by the worker on directory A and
     by ansible-playbook (local connection, json callback, one run) on a
     twin directory B, then results (changed, failed, msg and each
     module's key fields) and the resulting trees (names, types, modes,
     owners, contents, link targets) compared;
  3. faults: a full disk (a 64 KiB tmpfs, when mount is permitted) must
     fail clearly and leave the old file whole and no temporary file.

Usage: modules_files_test.py WORKER TMPDIR"""
import base64
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workerproto import HELLO, REPLY, Worker, read, write  # noqa: E402

WORKER = sys.argv[1]
TMP = sys.argv[2]
n_tests = 0
n_failed = 0


def ok(cond, name, detail=None):
    global n_tests, n_failed
    n_tests += 1
    if cond:
        print('ok %d - %s' % (n_tests, name))
    else:
        n_failed += 1
        print('not ok %d - %s' % (n_tests, name))
        if detail is not None:
            text = detail if isinstance(detail, str) else json.dumps(detail, indent=1, sort_keys=True, default=str)
            if len(text) > 6000:
                text = text[:6000] + ' ...'
            for line in text.splitlines():
                print('#   ' + line)
    sys.stdout.flush()


def skip(name, why):
    global n_tests
    n_tests += 1
    print('ok %d - %s # SKIP %s' % (n_tests, name, why))


def start_worker():
    w = Worker(WORKER, cwd=TMP)
    f = w.hello()
    assert f is not None and f[0] == HELLO, f
    return w


def req(w, module, args, check=False, diff=False, raw=False, env=None):
    extra = {'env': env} if env else {}
    t, _, r = w.request(module, args, check=check, diff=diff, raw=raw, **extra)
    assert t == REPLY, (t, r)
    return r


def mode_of(path):
    return '%04o' % stat.S_IMODE(os.lstat(path).st_mode)


# ---------------------------------------------------------------- part 1


def part_worker():
    d = os.path.join(TMP, 'solo')
    os.makedirs(d)
    w = start_worker()
    try:
        solo_file(w, d)
        solo_copy(w, d)
        solo_edit(w, d)
        solo_other(w, d)
    finally:
        w.close()


def solo_file(w, d):
    p = os.path.join(d, 'a', 'b')
    r = req(w, 'file', {'path': p, 'state': 'directory', 'mode': '0750'})
    ok(r.get('changed') is True and os.path.isdir(p) and mode_of(p) == '0750' and r.get('mode') == '0750'
       and r.get('state') == 'directory', 'file directory: created with its mode', r)
    r = req(w, 'file', {'path': p, 'state': 'directory', 'mode': '0750'})
    ok(r.get('changed') is False, 'file directory: second run unchanged', r)
    q = os.path.join(d, 'c')
    r = req(w, 'file', {'path': q, 'state': 'directory'}, check=True)
    ok(r.get('changed') is True and not os.path.exists(q), 'file directory: check mode creates nothing', r)
    t = os.path.join(d, 't')
    r = req(w, 'file', {'path': t, 'state': 'touch', 'mode': 'u=rw,g=r,o='})
    ok(r.get('changed') is True and mode_of(t) == '0640' and r.get('dest') == t, 'file touch: symbolic mode', r)
    r = req(w, 'file', {'path': t, 'mode': 'u+x'}, diff=True)
    ok(r.get('changed') is True and r.get('diff') == {'before': {'path': t, 'mode': '0640'},
                                                       'after': {'path': t, 'mode': '0740'}}
       and mode_of(t) == '0740', 'file: u+x and its diff', r)
    r = req(w, 'file', {'path': t, 'mode': 'u+x'})
    ok(r.get('changed') is False, 'file: u+x again unchanged', r)
    r = req(w, 'file', {'path': t, 'mode': '0600'}, check=True)
    ok(r.get('changed') is True and mode_of(t) == '0740', 'file: check mode keeps the mode', r)
    ln = os.path.join(d, 'ln')
    r = req(w, 'file', {'path': ln, 'src': 't', 'state': 'link'})
    ok(r.get('changed') is True and os.readlink(ln) == 't' and r.get('state') == 'link', 'file link', r)
    r = req(w, 'file', {'path': ln, 'src': 't', 'state': 'link'})
    ok(r.get('changed') is False, 'file link: second run unchanged', r)
    h = os.path.join(d, 'h')
    r = req(w, 'file', {'path': h, 'src': t, 'state': 'hard'})
    ok(r.get('changed') is True and os.stat(h).st_ino == os.stat(t).st_ino, 'file hard', r)
    r = req(w, 'file', {'path': h, 'src': t, 'state': 'hard'})
    ok(r.get('changed') is False, 'file hard: second run unchanged', r)
    r = req(w, 'file', {'path': os.path.join(d, 'a'), 'state': 'absent'}, check=True)
    ok(r.get('changed') is True and os.path.isdir(p), 'file absent: check mode removes nothing', r)
    r = req(w, 'file', {'path': os.path.join(d, 'a'), 'state': 'absent'}, diff=True)
    ok(r.get('changed') is True and not os.path.exists(p)
       and r['diff']['before'].get('path_content') == {'directories': [p], 'files': []},
       'file absent: tree removed, path_content in the diff', r)
    r = req(w, 'file', {'path': os.path.join(d, 'a'), 'state': 'absent'})
    ok(r.get('changed') is False, 'file absent: second run unchanged', r)


def solo_copy(w, d):
    f = os.path.join(d, 'copy.txt')
    r = req(w, 'copy', {'content': 'one\n', 'dest': f, 'mode': '0640'}, diff=True)
    ok(r.get('changed') is True and read(f) == b'one\n' and mode_of(f) == '0640'
       and r.get('checksum') == hashlib.sha1(b'one\n').hexdigest()
       and r.get('md5sum') == hashlib.md5(b'one\n').hexdigest()
       and r.get('diff') == [{'before': '', 'after': 'one\n', 'after_header': 'dynamically generated'}],
       'copy content: written, checksums, diff', r)
    ok(r.get('invocation', {}).get('module_args', {}).get('content') == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER',
       'copy content is hidden in the invocation', r.get('invocation'))
    r = req(w, 'copy', {'content': 'one\n', 'dest': f, 'mode': '0640'})
    ok(r.get('changed') is False and r.get('dest') == f, 'copy content: second run unchanged', r)
    r = req(w, 'copy', {'content': 'two\n', 'dest': f}, check=True, diff=True)
    ok(r.get('changed') is True and read(f) == b'one\n' and r['diff'][0].get('before') == 'one\n',
       'copy content: check mode writes nothing, diff shows the old text', r)
    blob = bytes(range(256)) + b'\x00\xff\xfe'
    b = os.path.join(d, 'blob.bin')
    r = req(w, 'copy', {'_content_b': blob, 'dest': b, 'src': '/controller/blob.bin',
                        '_original_basename': 'blob.bin'}, diff=True, raw=True)
    ok(r.get('changed') is True and read(b) == blob and r['diff'][0].get('src_binary') == 1
       and r.get('checksum') == hashlib.sha1(blob).hexdigest().encode(), '_content_b: bytes arrive exactly', r)
    r = req(w, 'copy', {'_content_b': blob, 'dest': d + '/', '_original_basename': 'blob.bin'}, raw=True)
    ok(r.get('changed') is False and r.get('dest') == b.encode(), '_content_b: a directory dest takes the basename', r)
    r = req(w, 'copy', {'content': 'x', 'dest': d + '/'})
    ok(r.get('failed') is True and r.get('msg') == 'can not use content with a dir as dest', 'copy content to a dir', r)
    r = req(w, 'copy', {'content': 'bad\n', 'dest': f, 'validate': 'grep -q good %s'})
    ok(r.get('failed') is True and r.get('msg') == 'failed to validate' and r.get('exit_status') == 1
       and read(f) == b'one\n' and not [x for x in os.listdir(d) if x.startswith('.copy.txt')],
       'copy validate: a failing check leaves the file and no temporary file', r)
    r = req(w, 'copy', {'content': 'good\n', 'dest': f, 'validate': 'grep -q good %s', 'backup': True})
    bk = r.get('backup_file', '')
    ok(r.get('changed') is True and read(f) == b'good\n' and re.match(re.escape(f) + r'\.\d+\.\d{4}-\d\d-\d\d@\d\d:'
                                                                      r'\d\d:\d\d~$', bk) and read(bk) == b'one\n',
       'copy validate passes; backup named path.PID.YYYY-MM-DD@HH:MM:SS~', r)


def solo_edit(w, d):
    f = os.path.join(d, 'edit.conf')
    write(f, 'a=1\nb=2\n')
    r = req(w, 'lineinfile', {'path': f, 'regexp': '^b=', 'line': 'b=3'}, diff=True)
    ok(r.get('changed') is True and r.get('msg') == 'line replaced' and read(f) == b'a=1\nb=3\n'
       and r['diff'][0]['before'] == 'a=1\nb=2\n' and r['diff'][0]['after'] == 'a=1\nb=3\n'
       and r['diff'][1] == {'before_header': f + ' (file attributes)', 'after_header': f + ' (file attributes)'},
       'lineinfile: line replaced, two-part diff', r)
    r = req(w, 'lineinfile', {'path': f, 'regexp': '^b=', 'line': 'b=3'})
    ok(r.get('changed') is False and r.get('msg') == '', 'lineinfile: second run unchanged', r)
    r = req(w, 'lineinfile', {'path': f, 'line': 'c=4'}, check=True)
    ok(r.get('changed') is True and r.get('msg') == 'line added' and read(f) == b'a=1\nb=3\n',
       'lineinfile: check mode writes nothing', r)
    r = req(w, 'lineinfile', {'path': f, 'line': 'c=4', 'mode': '0600'})
    ok(r.get('changed') is True and r.get('msg') == 'line added and ownership, perms or SE linux context changed'
       and mode_of(f) == '0600', 'lineinfile: line and mode in one message', r)
    r = req(w, 'blockinfile', {'path': f, 'block': 'x\ny'})
    ok(r.get('changed') is True and r.get('msg') == 'Block inserted'
       and read(f).endswith(b'# BEGIN ANSIBLE MANAGED BLOCK\nx\ny\n# END ANSIBLE MANAGED BLOCK\n'),
       'blockinfile: block inserted with markers', r)
    r = req(w, 'blockinfile', {'path': f, 'block': 'x\ny'})
    ok(r.get('changed') is False, 'blockinfile: second run unchanged', r)
    r = req(w, 'blockinfile', {'path': f, 'state': 'absent'}, check=True)
    ok(r.get('changed') is True and b'BEGIN' in read(f), 'blockinfile: check mode keeps the block', r)
    r = req(w, 'replace', {'path': f, 'regexp': r'^(\w)=(\d)$', 'replace': r'\2=\g<1>'})
    ok(r.get('changed') is True and r.get('msg') == '3 replacements made' and read(f).startswith(b'1=a\n3=b\n4=c\n'),
       'replace: backrefs \\2 and \\g<1>', r)
    r = req(w, 'replace', {'path': f, 'regexp': r'^(\w)=(\d)$', 'replace': r'\2=\g<1>'})
    ok(r.get('changed') is False, 'replace: second run unchanged', r)
    r = req(w, 'replace', {'path': f, 'regexp': 'a*?', 'replace': ''})
    ok(r.get('failed') is True and 'lazy quantifiers (*?) are not supported' in r.get('msg', ''),
       'replace: an untranslatable regex fails naming the construct', r)


def solo_other(w, d):
    f = os.path.join(d, 'edit.conf')
    r = req(w, 'slurp', {'src': f})
    ok(base64.b64decode(r.get('content', '')) == read(f) and r.get('encoding') == 'base64', 'slurp', r)
    r = req(w, 'stat', {'path': f, 'checksum_algorithm': 'sha256'})
    ok(r['stat'].get('checksum') == hashlib.sha256(read(f)).hexdigest() and r['stat']['mode'] == '0600',
       'stat: sha256 checksum', r)
    r = req(w, 'find', {'paths': d, 'patterns': '*.conf,*.txt'})
    ok(sorted(x['path'] for x in r.get('files', [])) == [os.path.join(d, 'copy.txt'), os.path.join(d, 'edit.conf')],
       'find: glob patterns', r)
    r = req(w, 'tempfile', {'path': d, 'prefix': 'pre.', 'suffix': '.suf'})
    p = r.get('path', '')
    ok(r.get('changed') is True and re.match(re.escape(d) + r'/pre\.[a-z0-9_]{8}\.suf$', p) and mode_of(p) == '0600',
       'tempfile: name and mode', r)
    r = req(w, 'tempfile', {'path': d}, check=True)
    ok(r.get('skipped') is True, 'tempfile does not support check mode', r)


# ---------------------------------------------------------------- part 2

# Steps: (module, args, options). "@D@" is the twin directory.
STEPS = []


def step(module, args, check=False, diff=False, env=None):
    STEPS.append((module, args, {'check': check, 'diff': diff, 'env': env}))


def setup_tree(root):
    write(root + '/f/t0', 'zero\n', 0o644)
    write(root + '/c/old.txt', 'old\n', 0o600)
    write(root + '/c/bin.dat', b'\x00\x01\x02binary', 0o644)
    write(root + '/c/big.txt', 'x' * 120000 + '\n', 0o644)
    write(root + '/src/one.txt', 'one\n', 0o755)
    write(root + '/src/sub/two.txt', 'two\n', 0o640)
    write(root + '/src/sub/deeper/three.txt', 'three\n', 0o644)
    os.symlink('one.txt', root + '/src/link-one')
    os.makedirs(root + '/dst/existing')
    write(root + '/dst/existing/one.txt', 'stale\n', 0o644)
    os.symlink('old.txt', root + '/c/lnk')
    write(root + '/l/conf', '# config\nPort 22\n#Listen 0.0.0.0\nhost=old\nkey = value\n', 0o644)
    write(root + '/l/noeol', 'first\nlast', 0o644)
    write(root + '/l/crlf', 'a=1\r\nb=2\r\n', 0o644)
    write(root + '/l/dups', 'x\nmark\ny\nmark\nz\n', 0o644)
    write(root + '/b/hosts', '127.0.0.1 localhost\n# end\n', 0o644)
    write(root + '/b/noeol', 'no newline', 0o644)
    write(root + '/r/text', 'alpha=1\nbeta=2\n[section]\nalpha=3\n[other]\nalpha=4\n', 0o644)
    write(root + '/s/file', 'hello\n', 0o640)
    os.symlink('file', root + '/s/link')
    os.symlink('missing', root + '/s/dangling')
    write(root + '/s/exec.sh', '#!/bin/sh\n', 0o4755)
    write(root + '/find/a.txt', 'needle here\n', 0o644)
    write(root + '/find/b.log', 'nothing\n', 0o600)
    write(root + '/find/.hidden', 'needle\n', 0o644)
    write(root + '/find/sub/c.txt', 'x' * 5000, 0o644)
    write(root + '/find/sub/deep/d.txt', 'needle deep\n', 0o644)
    os.symlink('a.txt', root + '/find/ln.txt')
    os.makedirs(root + '/tmp')
    os.symlink('gone', root + '/c/dangling')
    os.symlink('old.txt', root + '/c/lnk2')
    os.symlink('conf', root + '/l/viaLink')
    os.makedirs(root + '/s/sub')
    os.symlink('../find', root + '/s/sub/tofind')
    os.makedirs(root + '/cs')
    os.mkfifo(root + '/s/fifo')
    os.makedirs(root + '/c/ro', mode=0o555)
    os.chmod(root + '/c/ro', 0o555)


def define_steps():
    D = '@D@'
    # file
    step('file', {'path': D + '/f/d1/d2', 'state': 'directory', 'mode': '0750'}, diff=True)
    step('file', {'path': D + '/f/d1/d2', 'state': 'directory', 'mode': '0750'})
    step('file', {'path': D + '/f/d3', 'state': 'directory'}, check=True)
    step('file', {'path': D + '/f/t1', 'state': 'touch', 'mode': '0640'})
    step('file', {'path': D + '/f/t1', 'mode': 'u+x,g-r'}, diff=True)
    step('file', {'path': D + '/f/t1', 'mode': 'u+x,g-r', 'state': 'file'})
    step('file', {'path': D + '/f/t1', 'mode': 'a+X'})
    step('file', {'path': D + '/f/t1', 'mode': 420})
    step('file', {'path': D + '/f/t1', 'mode': '=r'}, check=True, diff=True)
    step('file', {'path': D + '/f/missing', 'state': 'file'})
    step('file', {'path': D + '/f/l1', 'src': 't1', 'state': 'link'}, diff=True)
    step('file', {'path': D + '/f/l1', 'src': 't1', 'state': 'link'})
    step('file', {'path': D + '/f/l1', 'src': 't0', 'state': 'link'}, diff=True)
    step('file', {'path': D + '/f/l2', 'src': 'nonexistent', 'state': 'link'})
    step('file', {'path': D + '/f/l2', 'src': 'nonexistent', 'state': 'link', 'force': True})
    step('file', {'path': D + '/f/t0', 'src': 't1', 'state': 'link'})
    step('file', {'path': D + '/f/h1', 'src': D + '/f/t1', 'state': 'hard'})
    step('file', {'path': D + '/f/h1', 'src': D + '/f/t1', 'state': 'hard'})
    step('file', {'path': D + '/f/h1', 'src': D + '/f/t0', 'state': 'hard'})
    step('file', {'path': D + '/f/h1', 'state': 'file'}, diff=True)
    step('file', {'path': D + '/f/l2', 'state': 'absent'}, diff=True)
    step('file', {'path': D + '/f/d1', 'state': 'absent'}, check=True, diff=True)
    step('file', {'path': D + '/f/d1', 'state': 'absent'}, diff=True)
    step('file', {'path': D + '/f/d1', 'state': 'absent'})
    step('file', {'path': D + '/f/rd', 'recurse': True, 'mode': '0755'})
    step('file', {'path': D + '/f/rd/x', 'state': 'touch', 'mode': '0600'})
    step('file', {'path': D + '/f/rd/sub', 'state': 'directory', 'mode': '0700'})
    step('file', {'path': D + '/f/rd', 'state': 'directory', 'recurse': True, 'mode': 'u=rwX,g=rX,o=rX'})
    step('file', {'path': D + '/f/rd', 'state': 'directory', 'recurse': True, 'mode': 'u=rwX,g=rX,o=rX'})
    step('file', {'path': D + '/f/t1', 'state': 'directory'})
    step('file', {'path': D + '/f/t2', 'state': 'touch', 'modification_time': '202001011200.00',
                  'access_time': 'preserve'})
    step('file', {'path': D + '/f/t2', 'state': 'file', 'modification_time': '202001011200.00',
                  'access_time': 'preserve'})
    step('file', {'path': D + '/f/t2', 'state': 'file', 'modification_time': '2020-01-01',
                  'modification_time_format': '%Y-%m-%d'}, diff=True)
    step('file', {'path': D + '/f/t2', 'state': 'file', 'modification_time': 'yesterday'})
    step('file', {'path': D + '/f/t1', 'mode': 'u+q'})
    step('file', {'path': D + '/f/t1', 'owner': 'no-such-user-drover'})
    step('file', {'path': D + '/f/t1', 'group': 'no-such-group-drover'})
    step('file', {'path': D + '/f/t1', 'owner': 'root', 'group': '0'})
    step('file', {'path': D + '/f/t1', 'owner': 'no-such-user-drover'}, check=True)
    step('file', {'path': D + '/f/t1', 'src': 't0', 'state': 'file'})
    step('file', {'path': D + '/f/t1', 'recurse': True, 'state': 'file'})
    step('file', {'path': D + '/f/t1', 'state': 'bogus'})
    step('file', {'state': 'file'})
    step('file', {'path': D + '/f/t1', 'bogus': 1, 'other': 2})
    step('file', {'dest': D + '/f/t1', 'state': 'file'})
    step('file', {'path': D + '/f/t1', 'state': 'absent'}, check=True)
    step('file', {'path': D + '/f/t3', 'state': 'touch'}, check=True)
    step('file', {'path': D + '/f/dl', 'src': 'rd', 'state': 'link'})
    step('file', {'path': D + '/f/dl', 'state': 'directory', 'mode': '0711'})
    step('file', {'path': D + '/f/dl', 'state': 'directory', 'follow': False})
    step('file', {'path': D + '/f/rd', 'src': 't1', 'state': 'link'})
    step('file', {'path': D + '/f/empty', 'state': 'directory'})
    step('file', {'path': D + '/f/empty', 'src': 't1', 'state': 'link', 'force': True})
    step('file', {'path': D + '/f/rd', 'state': 'touch'})
    step('file', {'path': D + '/f/t0', 'attributes': '+d'}, diff=True)
    step('file', {'path': D + '/f/t0', 'attributes': '-d'}, diff=True)
    step('file', {'path': D + '/f/t0', 'attributes': 'e'})
    step('file', {'path': D + '/f/own', 'state': 'touch', 'owner': 'nobody', 'group': 'nogroup'}, diff=True)
    step('file', {'path': D + '/f/own', 'state': 'file', 'owner': 'nobody', 'group': 'nogroup'})
    step('file', {'path': D + '/f/own', 'state': 'file', 'owner': '0', 'group': 'root'}, check=True, diff=True)
    step('file', {'path': D + '/f/hrel', 'src': 'f/t2', 'state': 'hard'})
    step('file', {'path': D + '/f/sticky', 'state': 'directory', 'mode': '1777'})
    step('file', {'path': D + '/f/sticky', 'state': 'directory', 'mode': 'o-t,g+s'})
    # copy
    step('copy', {'content': 'hello\n', 'dest': D + '/c/f1', 'mode': '0640'}, diff=True)
    step('copy', {'content': 'hello\n', 'dest': D + '/c/f1', 'mode': '0640'}, diff=True)
    step('copy', {'content': 'hello\n', 'dest': D + '/c/f1', 'mode': '0600'})
    step('copy', {'content': 'changed\n', 'dest': D + '/c/f1'}, check=True, diff=True)
    step('copy', {'content': 'changed\n', 'dest': D + '/c/old.txt'}, diff=True)
    step('copy', {'content': 'x', 'dest': D + '/c/'})
    step('copy', {'content': 'x', 'dest': D + '/c'})
    step('copy', {'content': 'new\n', 'dest': D + '/c/f1', 'force': False})
    step('copy', {'content': 'new\n', 'dest': D + '/c/f2', 'force': False})
    step('copy', {'content': 'ok\n', 'dest': D + '/c/v1', 'validate': 'grep -q ok %s'})
    step('copy', {'content': 'no\n', 'dest': D + '/c/v1', 'validate': 'grep -q ok %s'})
    step('copy', {'content': 'no\n', 'dest': D + '/c/v1', 'validate': 'grep -q ok'})
    step('copy', {'content': 'x\n', 'dest': D + '/c/nodir/f'})
    step('copy', {'content': {'a': 1, 'b': [True, None]}, 'dest': D + '/c/json'})
    step('copy', {'content': 'root\n', 'dest': D + '/c/own', 'owner': 'root', 'group': 'root', 'mode': 'u=rw,go=r'})
    step('copy', {'content': 'through\n', 'dest': D + '/c/lnk'}, diff=True)
    step('copy', {'content': 'bigger\n', 'dest': D + '/c/big.txt'}, diff=True)
    step('copy', {'content': 'text\n', 'dest': D + '/c/bin.dat'}, diff=True)
    step('copy', {'content': 'backup me\n', 'dest': D + '/c/f1', 'backup': True})
    step('copy', {'content': 'pres\n', 'dest': D + '/c/pres', 'mode': 'preserve'})
    step('copy', {'dest': D + '/c/x'})
    step('copy', {'content': 'x', 'src': D + '/src/one.txt', 'dest': D + '/c/x'})
    step('copy', {'src': D + '/src/one.txt', 'dest': D + '/c/r1', 'remote_src': True})
    step('copy', {'src': D + '/src/one.txt', 'dest': D + '/c/r1', 'remote_src': True})
    step('copy', {'src': D + '/src/one.txt', 'dest': D + '/c/r2', 'remote_src': True, 'mode': 'preserve'})
    step('copy', {'src': D + '/src/one.txt', 'dest': D + '/c/deep/er/', 'remote_src': True, 'directory_mode': '0700'})
    step('copy', {'src': D + '/src/nothere', 'dest': D + '/c/r3', 'remote_src': True})
    step('copy', {'src': D + '/src/', 'dest': D + '/dst/tree1', 'remote_src': True})
    step('copy', {'src': D + '/src/', 'dest': D + '/dst/tree1', 'remote_src': True})
    step('copy', {'src': D + '/src', 'dest': D + '/dst/existing', 'remote_src': True})
    step('copy', {'src': D + '/src', 'dest': D + '/dst/existing', 'remote_src': True})
    step('copy', {'src': D + '/src/', 'dest': D + '/dst/existing', 'remote_src': True})
    step('copy', {'src': D + '/src', 'dest': D + '/dst/fresh', 'remote_src': True})
    step('copy', {'src': D + '/src/', 'dest': D + '/dst/chk', 'remote_src': True}, check=True)
    step('copy', {'content': 'owned\n', 'dest': D + '/c/owned', 'owner': 'nobody', 'group': 'nogroup'}, diff=True)
    step('copy', {'content': 'owned\n', 'dest': D + '/c/owned', 'owner': 'nobody', 'group': 'nogroup'})
    step('copy', {'content': 'owned\n', 'dest': D + '/c/owned', 'owner': 'root'})
    step('copy', {'content': 'sum\n', 'dest': D + '/c/sum', 'checksum': '0' * 40})
    step('copy', {'content': 'dangle\n', 'dest': D + '/c/dangling'})
    step('copy', {'content': 'follow\n', 'dest': D + '/c/lnk2', 'follow': True})
    step('copy', {'content': 'follow\n', 'dest': D + '/c/lnk2', 'follow': True})
    step('copy', {'src': D + '/src/link-one', 'dest': D + '/c/r4', 'remote_src': True})
    step('copy', {'src': D + '/src/', 'dest': D + '/dst/nolinks', 'remote_src': True, 'local_follow': False})
    step('copy', {'src': D + '/src/', 'dest': D + '/dst/follow', 'remote_src': True, 'local_follow': True})
    step('copy', {'src': D + '/src/one.txt', 'dest': D + '/c/ro/x', 'remote_src': True})
    # src on the controller: the worker gets the bytes in _content_b
    step('copy', {'src': D + '/src/one.txt', 'dest': D + '/cs/a.txt'}, diff=True)
    step('copy', {'src': D + '/src/one.txt', 'dest': D + '/cs/a.txt'}, diff=True)
    step('copy', {'src': D + '/src/sub/two.txt', 'dest': D + '/cs/a.txt', 'backup': True}, check=True, diff=True)
    step('copy', {'src': D + '/src/sub/two.txt', 'dest': D + '/cs/'})
    step('copy', {'src': D + '/src/sub/two.txt', 'dest': D + '/cs/'})
    step('copy', {'src': D + '/src/sub/two.txt', 'dest': D + '/cs/new/deeper/', 'directory_mode': '0700'})
    step('copy', {'src': D + '/src/one.txt', 'dest': D + '/cs/pres', 'mode': 'preserve'})
    step('copy', {'src': D + '/src/one.txt', 'dest': D + '/cs/a.txt', 'mode': '0600', 'force': False})
    # stat
    step('stat', {'path': '/dev/null'})
    for p in ('/s/file', '/s/link', '/s/dangling', '/s', '/s/exec.sh', '/s/nothere', '/s/fifo'):
        step('stat', {'path': D + p})
    step('stat', {'path': D + '/s/link', 'follow': True})
    for alg in ('md5', 'sha224', 'sha256', 'sha384', 'sha512'):
        step('stat', {'path': D + '/s/file', 'checksum_algorithm': alg, 'get_md5': alg == 'md5'})
    step('stat', {'path': D + '/s/file', 'get_mime': False, 'get_attributes': False, 'get_checksum': False})
    step('stat', {'path': D + '/s/file', 'checksum_algorithm': 'crc32'})
    # Without lsattr and file(1) in PATH: no attributes, an unknown type.
    step('stat', {'path': D + '/s/file'}, env={'PATH': '/nonexistent'})
    # lineinfile
    L = D + '/l/conf'
    step('lineinfile', {'path': L, 'line': 'new line'}, diff=True)
    step('lineinfile', {'path': L, 'line': 'new line'})
    step('lineinfile', {'path': L, 'regexp': '^Port ', 'line': 'Port 2222'}, diff=True)
    step('lineinfile', {'path': L, 'regexp': '^#?Listen ', 'line': 'Listen 127.0.0.1'})
    step('lineinfile', {'path': L, 'regexp': r'^(host=).*', 'line': r'\g<1>new', 'backrefs': True})
    step('lineinfile', {'path': L, 'regexp': r'^nomatch(.*)', 'line': r'\1', 'backrefs': True})
    step('lineinfile', {'path': L, 'regexp': r'^key\s*=\s*(\w+)$', 'line': r'key = \1-x', 'backrefs': True})
    step('lineinfile', {'path': L, 'line': 'after port', 'insertafter': '^Port'})
    step('lineinfile', {'path': L, 'line': 'after port', 'insertafter': '^Port'})
    step('lineinfile', {'path': L, 'line': 'before host', 'insertbefore': '^host='})
    step('lineinfile', {'path': L, 'line': '# top', 'insertbefore': 'BOF'})
    step('lineinfile', {'path': L, 'line': 'bottom', 'insertafter': 'EOF'})
    step('lineinfile', {'path': L, 'line': 'nowhere', 'insertafter': '^nomatch'})
    step('lineinfile', {'path': L, 'search_string': 'Port 2222', 'line': 'Port 2200'})
    step('lineinfile', {'path': L, 'search_string': '', 'line': 'empty'}, check=True)
    step('lineinfile', {'path': L, 'regexp': '', 'line': 'empty'}, check=True)
    step('lineinfile', {'path': L, 'regexp': '^Listen', 'state': 'absent'}, diff=True)
    step('lineinfile', {'path': L, 'line': 'bottom', 'state': 'absent'})
    step('lineinfile', {'path': L, 'search_string': 'port', 'state': 'absent'})
    step('lineinfile', {'path': L, 'state': 'absent'})
    step('lineinfile', {'path': L, 'line': 'x', 'insertafter': 'a', 'insertbefore': 'b'})
    step('lineinfile', {'path': L, 'regexp': 'a', 'search_string': 'b', 'line': 'x'})
    step('lineinfile', {'path': L, 'backrefs': True, 'line': 'x'})
    step('lineinfile', {'path': L})
    step('lineinfile', {'path': D + '/l/none', 'line': 'x'})
    step('lineinfile', {'path': D + '/l/created/f', 'line': 'x', 'create': True, 'mode': '0600'})
    step('lineinfile', {'path': D + '/l/none2', 'line': 'x', 'create': True}, check=True)
    step('lineinfile', {'path': D + '/l', 'line': 'x'})
    step('lineinfile', {'path': D + '/l/noeol', 'line': 'added'})
    step('lineinfile', {'path': D + '/l/crlf', 'regexp': '^b=', 'line': 'b=3'})
    step('lineinfile', {'path': D + '/l/crlf', 'line': 'a=1'})
    step('lineinfile', {'path': D + '/l/dups', 'line': 'after-first', 'insertafter': '^mark', 'firstmatch': True})
    step('lineinfile', {'path': D + '/l/dups', 'line': 'after-last', 'insertafter': '^mark'})
    step('lineinfile', {'path': D + '/l/dups', 'regexp': '^mark', 'line': 'MARK', 'firstmatch': True})
    step('lineinfile', {'path': D + '/l/dups', 'regexp': '^mark', 'line': 'MARK'})
    step('lineinfile', {'path': D + '/l/dups', 'line': 'backed', 'backup': True})
    step('lineinfile', {'path': D + '/l/dups', 'line': 'valid', 'validate': 'grep -q nope %s'})
    step('lineinfile', {'path': D + '/l/dups', 'line': 'MARK', 'mode': '0600'})
    step('lineinfile', {'path': D + '/l/dups', 'line': 'MARK', 'mode': '0600'})
    step('lineinfile', {'path': D + '/l/viaLink', 'line': 'through the link', 'mode': '0600'})
    step('lineinfile', {'path': D + '/l/conf', 'line': 'z', 'insertbefore': '^Port', 'firstmatch': True})
    step('lineinfile', {'path': D + '/l/conf', 'line': 'owned', 'owner': 'nobody'}, diff=True)
    # blockinfile
    B = D + '/b/hosts'
    step('blockinfile', {'path': B, 'block': 'multi', 'marker': '# {mark} M', 'insertafter': '(?m)^127.*$'})
    step('blockinfile', {'path': B, 'block': '10.0.0.1 a\n10.0.0.2 b'}, diff=True)
    step('blockinfile', {'path': B, 'block': '10.0.0.1 a\n10.0.0.2 b'})
    step('blockinfile', {'path': B, 'block': '10.0.0.3 c'}, diff=True)
    step('blockinfile', {'path': B, 'block': 'mine', 'marker': '// {mark} mine', 'insertbefore': 'BOF'})
    step('blockinfile', {'path': B, 'block': 'custom', 'marker': '# {mark} X', 'marker_begin': 'START',
                         'marker_end': 'STOP', 'insertafter': '^127'})
    step('blockinfile', {'path': B, 'block': 'before end', 'marker': '# {mark} Y', 'insertbefore': '^# end'})
    step('blockinfile', {'path': B, 'block': '', 'marker': '# {mark} X', 'marker_begin': 'START',
                         'marker_end': 'STOP'})
    step('blockinfile', {'path': B, 'state': 'absent'}, check=True)
    step('blockinfile', {'path': B, 'state': 'absent'})
    step('blockinfile', {'path': B, 'state': 'absent'})
    step('blockinfile', {'path': D + '/b/noeol', 'block': 'appended'})
    step('blockinfile', {'path': D + '/b/none', 'block': 'x'})
    step('blockinfile', {'path': D + '/b/none', 'state': 'absent'})
    step('blockinfile', {'path': D + '/b/made', 'block': 'x', 'create': True, 'backup': True, 'mode': '0640'})
    step('blockinfile', {'path': D + '/b/made', 'block': 'y', 'backup': True})
    step('blockinfile', {'path': D + '/b', 'block': 'y'})
    step('blockinfile', {'path': B, 'block': 'a', 'insertafter': 'x', 'insertbefore': 'y'})
    # replace
    R = D + '/r/text'
    step('replace', {'path': R, 'regexp': r'^alpha=(\d)$', 'replace': r'ALPHA=\1'}, diff=True)
    step('replace', {'path': R, 'regexp': r'^alpha=(\d)$', 'replace': r'ALPHA=\1'})
    step('replace', {'path': R, 'regexp': r'=(?P<n>\d)', 'replace': r': \g<n>', 'after': r'\[section\]',
                     'before': r'\[other\]'}, diff=True)
    step('replace', {'path': R, 'regexp': 'ALPHA', 'replace': 'alpha', 'after': 'nomatch'})
    step('replace', {'path': R, 'regexp': '^ALPHA', 'replace': 'Alpha', 'before': r'\[section\]'})
    step('replace', {'path': R, 'regexp': 'beta', 'replace': 'BETA'}, check=True)
    step('replace', {'path': R, 'regexp': 'beta', 'replace': 'BETA', 'backup': True, 'mode': '0600'})
    step('replace', {'path': R, 'regexp': 'x{', 'replace': 'y'})
    step('replace', {'path': D + '/r/none', 'regexp': 'x'})
    step('replace', {'path': D + '/r', 'regexp': 'x'})
    step('replace', {'path': R, 'regexp': 'zzz', 'replace': 'y', 'mode': '0644'})
    step('replace', {'path': R, 'regexp': 'alpha', 'replace': 'a', 'after': r'\[other\]',
                     'before': r'\[section\]'})
    step('replace', {'path': R, 'regexp': '^', 'replace': '> ', 'before': 'beta'})
    step('replace', {'path': R, 'regexp': r'(?P<k>\w+)=(?P<v>\d)', 'replace': r'\g<v>\g<k>\n'}, diff=True)
    # slurp
    step('slurp', {'src': D + '/s/file'})
    step('slurp', {'path': D + '/s/none'})
    step('slurp', {'src': D + '/s'})
    # find
    F = D + '/find'
    step('find', {'paths': F})
    step('find', {'paths': F, 'recurse': True})
    step('find', {'paths': F, 'recurse': True, 'hidden': True, 'file_type': 'any'})
    step('find', {'paths': F, 'patterns': '*.txt', 'recurse': True, 'excludes': 'c*'})
    step('find', {'paths': F, 'patterns': [r'.*\.t.t'], 'use_regex': True, 'recurse': True})
    step('find', {'paths': F, 'contains': 'needle', 'recurse': True, 'hidden': True})
    step('find', {'paths': F, 'contains': 'deep', 'read_whole_file': True, 'recurse': True})
    step('find', {'paths': F, 'file_type': 'directory', 'recurse': True})
    step('find', {'paths': F, 'file_type': 'link'})
    step('find', {'paths': F, 'recurse': True, 'depth': 1})
    step('find', {'paths': F, 'recurse': True, 'size': '1k'})
    step('find', {'paths': F, 'recurse': True, 'size': '-100'})
    step('find', {'paths': F, 'recurse': True, 'age': '-1d'})
    step('find', {'paths': F, 'recurse': True, 'age': '1w'})
    step('find', {'paths': F, 'get_checksum': True})
    step('find', {'paths': [F, D + '/nowhere', D + '/s/file']})
    step('find', {'paths': D + '/s', 'follow': True, 'recurse': True, 'file_type': 'any'})
    step('find', {'paths': F, 'patterns': ['*.TXT', '[ab].*'], 'recurse': True})
    step('find', {'paths': F, 'excludes': ['a.*'], 'use_regex': True})
    step('find', {'paths': F, 'age': 'soon'})
    step('find', {'paths': F, 'depth': 'x'})
    # tempfile
    step('tempfile', {'path': D + '/tmp', 'prefix': 'p.', 'suffix': '.s'})
    step('tempfile', {'path': D + '/tmp', 'state': 'directory'})
    step('tempfile', {'path': D + '/tmp/none'})
    step('tempfile', {'path': D + '/tmp'}, check=True)


# Keys compared for each module besides changed, failed, msg, rc, skipped.
KEYS = {
    'file': ['path', 'dest', 'state', 'mode', 'src', 'uid', 'gid', 'owner', 'group', 'diff', 'warnings',
             'appears_binary', 'details'],
    'copy': ['dest', 'checksum', 'md5sum', 'state', 'mode', 'uid', 'gid', 'owner', 'group', 'size', 'backup_file',
             'diff', 'exit_status', 'stdout', 'stderr'],
    'stat': ['stat'],
    'lineinfile': ['found', 'backup', 'diff', 'warnings'],
    'blockinfile': ['backup_file', 'diff'],
    'replace': ['backup_file', 'diff'],
    'slurp': ['content', 'encoding', 'source'],
    'find': ['files', 'matched', 'examined', 'skipped_paths', 'warnings', 'age', 'size'],
    'tempfile': ['path', 'mode', 'state', 'size'],
}

# Messages that carry a Python exception text where the worker names the
# construct instead, or a local temporary path.
DIFFERENT_BY_DESIGN = {
    ('copy', 'msg'): re.compile(r'^failed to validate'),
}


def normalize(v, root):
    if isinstance(v, dict):
        return {normalize(k, root): normalize(x, root) for k, x in v.items()}
    if isinstance(v, list):
        return [normalize(x, root) for x in v]
    if isinstance(v, str):
        v = v.replace(root, '@D@')
        v = re.sub(r'\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~', '.PID.STAMP~', v)
        return v
    return v


def trim(module, args, res):
    """The part of a result both sides are expected to agree on."""
    out = {}
    for k in ('changed', 'failed', 'msg', 'rc', 'skipped'):
        if k in res:
            out[k] = res[k]
    # The executor, not the module, adds failed: false and changed: false
    # where a module left them out; drover's controller does the same.
    out.setdefault('failed', False)
    out.setdefault('changed', False)
    for k in KEYS.get(module, []):
        if k in res:
            out[k] = res[k]
    if (module != 'copy' or args.get('remote_src')) and isinstance(res.get('invocation'), dict):
        out['invocation'] = res['invocation']
    if module == 'stat' and isinstance(out.get('stat'), dict):
        st = dict(out['stat'])
        for k in ('atime', 'mtime', 'ctime', 'inode', 'dev', 'version', 'blocks'):
            st.pop(k, None)
        out['stat'] = st
    if module == 'file' and isinstance(out.get('diff'), dict):
        for side in ('before', 'after'):
            for k in ('atime', 'mtime'):
                if k in out['diff'].get(side, {}):
                    out['diff'][side][k] = 'TIME'
        if out['diff'].get('before', {}).get('path_content'):
            pc = out['diff']['before']['path_content']
            pc['directories'].sort()
            pc['files'].sort()
    if module == 'copy' and isinstance(out.get('diff'), list) and 'src' not in args:
        out['diff'] = [{k: x for k, x in d.items() if k != 'after_header'} for d in out['diff']]
    if module == 'copy' and args.get('remote_src') is not True:
        # Ansible's copy without remote_src runs the module on a temporary
        # source file; the result keys that name it cannot agree.
        out.pop('src', None)
    if module == 'find' and isinstance(out.get('files'), list):
        out['files'] = sorted([f['path'], f.get('mode'), f.get('size') if not f.get('isdir') else None,
                               f.get('islnk'), f.get('checksum')] for f in out['files'])
    for k in ('path', 'msg'):
        if module == 'tempfile' and isinstance(out.get(k), str):
            out[k] = re.sub(r'[a-z0-9_]{8}(?=[^/]*$)', 'XXXXXXXX', out[k])
    if module == 'file' and out.get('state') == 'directory':
        out.pop('size', None)
    if isinstance(out.get('msg'), str):
        out['msg'] = out['msg'].strip()
    return out


def ansible_run(root, steps):
    tasks = []
    for i, (module, args, opt) in enumerate(steps):
        a = json.loads(json.dumps(args).replace('@D@', root))
        t = {'name': 'step %d' % i, 'ansible.builtin.' + module: a, 'ignore_errors': True}
        if opt['check']:
            t['check_mode'] = True
        if opt['diff']:
            t['diff'] = True
        if opt['env']:
            t['environment'] = opt['env']
        tasks.append(t)
    play = [{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]
    pb = os.path.join(TMP, 'files_playbook.yml')
    with open(pb, 'w') as fh:
        json.dump(play, fh)
    env = dict(os.environ)
    env.update({'ANSIBLE_STDOUT_CALLBACK': 'json', 'ANSIBLE_LOAD_CALLBACK_PLUGINS': '1', 'ANSIBLE_NOCOLOR': '1',
                'ANSIBLE_RETRY_FILES_ENABLED': '0', 'ANSIBLE_LOCAL_TEMP': os.path.join(TMP, 'ansible-local'),
                'ANSIBLE_REMOTE_TEMP': os.path.join(TMP, 'ansible-remote'),
                'ANSIBLE_DEPRECATION_WARNINGS': '0', 'ANSIBLE_COMMAND_WARNINGS': '0'})
    p = subprocess.run(['ansible-playbook', '-i', 'localhost,', '-c', 'local', '-e',
                        'ansible_python_interpreter=/usr/bin/python3', pb], cwd=TMP, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=900)
    try:
        out = json.loads(p.stdout.decode('utf-8', 'replace'))
    except ValueError:
        return None, p.stdout.decode('utf-8', 'replace')[-3000:] + p.stderr.decode('utf-8', 'replace')[-3000:]
    results = []
    for t in out['plays'][0]['tasks']:
        results.append(t['hosts'].get('localhost', {}))
    return results, None


def tree(root):
    """Names, kinds, modes, owners, contents and link targets under root."""
    out = {}
    for base, dirs, files in os.walk(root):
        for name in dirs + files:
            p = os.path.join(base, name)
            rel = os.path.relpath(p, root)
            rel = re.sub(r'\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~', '.PID.STAMP~', rel)
            rel = re.sub(r'^tmp/(p\.|ansible\.)[a-z0-9_]{8}', r'tmp/\1XXXXXXXX', rel)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                what = ('link', os.readlink(p).replace(root, '@D@'))
            elif stat.S_ISDIR(st.st_mode):
                what = ('dir',)
            elif not stat.S_ISREG(st.st_mode):
                what = ('special', stat.S_IFMT(st.st_mode))
            else:
                what = ('file', hashlib.sha1(read(p)).hexdigest(), st.st_nlink)
            out[rel] = what + ('%04o' % stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
    return out


def controller_copy(args):
    """What drover's controller does with copy's src on its own disk: the
    bytes in _content_b, the name in _original_basename, mode=preserve
    resolved from the local file."""
    src = args['src']
    args['_content_b'] = read(src)
    args['_original_basename'] = os.path.basename(src)
    if args.get('mode') == 'preserve':
        args['mode'] = '0%03o' % stat.S_IMODE(os.stat(src).st_mode)


def part_differential():
    define_steps()
    a = os.path.join(TMP, 'twinA')
    b = os.path.join(TMP, 'twinB')
    for root in (a, b):
        os.makedirs(root)
        setup_tree(root)
    if shutil.which('ansible-playbook') is None:
        skip('differential run against ansible-playbook', 'ansible-playbook is not installed')
        return
    if os.environ.get('DROVER_TEST_NO_DIFF'):
        skip('differential run against ansible-playbook', 'DROVER_TEST_NO_DIFF: the sanitizer pass leaves the Ansible side out')
        return
    w = start_worker()
    mine = []
    try:
        for module, args, opt in STEPS:
            real = json.loads(json.dumps(args).replace('@D@', a))
            # What drover's controller passes, as Ansible's action layer.
            real['_ansible_module_name'] = 'ansible.builtin.' + module
            if module == 'copy' and 'src' in real and not real.get('remote_src'):
                controller_copy(real)
            before = tree(a) if opt['check'] else None
            mine.append(req(w, module, real, check=opt['check'], diff=opt['diff'], env=opt['env']))
            if opt['check']:
                after = tree(a)
                ok(before == after, 'check mode changes nothing: %s %s' % (module, json.dumps(args)[:120]),
                   {k: [before.get(k), after.get(k)] for k in set(before) | set(after) if before.get(k) != after.get(k)})
    finally:
        w.close()
    theirs, err = ansible_run(b, STEPS)
    ok(theirs is not None and len(theirs) == len(STEPS), 'ansible-playbook ran every step', err)
    if theirs is None:
        return
    for i, (module, args, opt) in enumerate(STEPS):
        x = normalize(trim(module, args, mine[i]), a)
        y = normalize(trim(module, args, theirs[i]), b)
        for (mod, key), pattern in DIFFERENT_BY_DESIGN.items():
            if mod == module and isinstance(x.get(key), str) and isinstance(y.get(key), str) \
                    and pattern.match(x[key]) and pattern.match(y[key]):
                x[key] = y[key]
        label = 'step %d: %s %s%s%s' % (i, module, json.dumps(args, sort_keys=True)[:150],
                                        ' check' if opt['check'] else '', ' diff' if opt['diff'] else '')
        ok(x == y, label, {k: {'drover': x.get(k, '(absent)'), 'ansible': y.get(k, '(absent)')}
                           for k in sorted(set(x) | set(y)) if x.get(k, '(absent)') != y.get(k, '(absent)')})
    ta, tb = tree(a), tree(b)
    missing = sorted(set(ta) ^ set(tb))
    differ = sorted(k for k in set(ta) & set(tb) if ta[k] != tb[k])
    ok(not missing and not differ, 'the twin trees end the same',
       {'only in one': missing, 'different': {k: [ta[k], tb[k]] for k in differ}})


# ---------------------------------------------------------------- part 3


def part_faults():
    d = os.path.join(TMP, 'enospc')
    os.makedirs(d)
    r = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', d], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if r.returncode != 0:
        skip('a full disk fails the write and keeps the old file', 'cannot mount a tmpfs: %s'
             % r.stderr.decode().strip())
        return
    w = start_worker()
    try:
        f = os.path.join(d, 'conf')
        write(f, 'old contents\n', 0o644)
        big = 'y' * (200 << 10)
        res = req(w, 'copy', {'content': big, 'dest': f})
        ok(res.get('failed') is True and 'No space left on device' in res.get('msg', '')
           and read(f) == b'old contents\n' and os.listdir(d) == ['conf'],
           'copy on a full disk: clear failure, old file whole, no temporary file', res)
        res = req(w, 'lineinfile', {'path': f, 'line': big})
        ok(res.get('failed') is True and 'No space left on device' in res.get('msg', '')
           and read(f) == b'old contents\n' and os.listdir(d) == ['conf'],
           'lineinfile on a full disk: the same', res)
        res = req(w, 'copy', {'content': 'small\n', 'dest': f})
        ok(res.get('changed') is True and read(f) == b'small\n', 'the disk has room again: the write goes through',
           res)
    finally:
        w.close()
        subprocess.run(['umount', d])
    part_bind_mount()


def part_bind_mount():
    """A file bind-mounted over another (as in containers) cannot be
    renamed over: the write fails and leaves it, unless unsafe_writes."""
    d = os.path.join(TMP, 'bind')
    os.makedirs(d)
    target, source = os.path.join(d, 'target'), os.path.join(d, 'source')
    write(target, 'target\n')
    write(source, 'mounted\n')
    r = subprocess.run(['mount', '--bind', source, target], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        skip('unsafe_writes on a bind-mounted file', 'cannot bind-mount: %s' % r.stderr.decode().strip())
        return
    w = start_worker()
    try:
        res = req(w, 'lineinfile', {'path': target, 'line': 'added'})
        ok(res.get('failed') is True and 'Could not replace file' in res.get('msg', '')
           and read(target) == b'mounted\n' and sorted(os.listdir(d)) == ['source', 'target'],
           'a bind-mounted file: the rename is refused, the file and the directory stay as they were', res)
        res = req(w, 'lineinfile', {'path': target, 'line': 'added', 'unsafe_writes': True})
        ok(res.get('changed') is True and read(target) == b'mounted\nadded\n' and read(source) == read(target)
           and sorted(os.listdir(d)) == ['source', 'target'], 'unsafe_writes writes it in place', res)
    finally:
        w.close()
        subprocess.run(['umount', target])


# ---------------------------------------------------------------- part 4


def part_hostile():
    """Arguments of every wrong type and value: each request is answered
    (a result or a failure), the worker never dies."""
    import random
    rnd = random.Random(6)
    d = os.path.join(TMP, 'hostile')
    write(d + '/f', 'a\nb\n')
    options = {
        'file': ['path', 'state', 'mode', 'owner', 'group', 'src', 'recurse', 'force', 'follow', 'modification_time',
                 'access_time', 'modification_time_format', 'attributes', '_diff_peek', '_original_basename'],
        'copy': ['content', '_content_b', 'dest', 'src', 'remote_src', 'mode', 'backup', 'force', 'validate',
                 'directory_mode', 'follow', 'checksum', '_original_basename', 'local_follow'],
        'stat': ['path', 'follow', 'checksum_algorithm', 'get_mime', 'get_attributes'],
        'lineinfile': ['path', 'line', 'regexp', 'search_string', 'insertafter', 'insertbefore', 'state', 'create',
                       'backrefs', 'firstmatch', 'backup'],
        'blockinfile': ['path', 'block', 'marker', 'marker_begin', 'marker_end', 'insertafter', 'insertbefore',
                        'state', 'create'],
        'replace': ['path', 'regexp', 'replace', 'after', 'before'],
        'slurp': ['src', 'path'],
        'find': ['paths', 'patterns', 'excludes', 'contains', 'file_type', 'age', 'size', 'recurse', 'depth',
                 'use_regex', 'hidden', 'follow'],
        'tempfile': ['path', 'prefix', 'suffix', 'state'],
    }
    values = [None, None, '', 'x', d + '/f', d, d + '/', d + '/new', d + '/new/x/', 0, 1, -1, 493, 1.5, True, False,
              [], ['a', 1], {}, {'a': 'b'}, 'u+x', '0755', 'a=rwX', 'present', 'absent', 'directory', 'file', 'link',
              'hard', 'touch', 'any', 'EOF', 'BOF', '^a', '(', '*', '\\1', '\\g<x>', '[', 'a{2,1}', '%s',
              'true %s', '1d', '-5k', 'sha256', 'preserve', 'now', '202001011200.00', b'\xff\x00bin', 'x' * 3000]
    env = dict(os.environ, TMPDIR=d)
    w = Worker(WORKER, env=env, cwd=d)
    w.hello()
    answered = 0
    try:
        for _ in range(400):
            module = rnd.choice(sorted(options))
            names = options[module]
            args = {k: rnd.choice(values) for k in rnd.sample(names, rnd.randint(0, min(4, len(names))))}
            t, _, r = w.request(module, args, check=rnd.random() < 0.3, diff=rnd.random() < 0.5)
            if t == REPLY and isinstance(r, dict):
                answered += 1
    finally:
        w.close()
    ok(answered == 400, 'hostile arguments: every request answered (%d of 400)' % answered)


def main():
    for part in (part_worker, part_differential, part_faults, part_hostile):
        try:
            part()
        except Exception as e:  # a crash is one failure, and the rest still runs
            import traceback
            ok(False, '%s raised' % part.__name__, traceback.format_exc())
    print('1..%d' % n_tests)
    sys.exit(1 if n_failed else 0)


if __name__ == '__main__':
    main()
