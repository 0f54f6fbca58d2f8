"""End-to-end tests of drover-worker, driven over its stdin/stdout by the
minimal protocol client in workerproto.py. Prints TAP. Every process the
tests start (workers, and the sleepers commands leave behind) is killed by
pid before exit.

Usage: worker_test.py WORKER TMPDIR"""
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workerproto import BYE, ERROR, HELLO, PROTO, REPLY, REQUEST, Worker, frame, poll  # noqa: E402

WORKER = sys.argv[1]
TMP = sys.argv[2]
n_tests = 0
n_failed = 0
workers = []
pids = []


def ok(cond, name, detail=None):
    global n_tests, n_failed
    n_tests += 1
    if cond:
        print('ok %d - %s' % (n_tests, name))
    else:
        n_failed += 1
        print('not ok %d - %s' % (n_tests, name))
        if detail is not None:
            text = str(detail)
            if len(text) > 4000:
                text = text[:4000] + ' ...'
            for line in text.splitlines():
                print('#   ' + line)
    sys.stdout.flush()


def skip(name, why):
    global n_tests
    n_tests += 1
    print('ok %d - %s # SKIP %s' % (n_tests, name, why))


def start():
    w = Worker(WORKER)
    workers.append(w)
    pids.append(w.p.pid)
    return w


def ready():
    w = start()
    f = w.hello()
    assert f is not None and f[0] == HELLO, f
    return w


def alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open('/proc/%d/stat' % pid) as fh:
            return fh.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def kill_pid(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


TS = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$')
DELTA = re.compile(r'^\d+:\d\d:\d\d(\.\d{6})?$')


def test_hello():
    w = start()
    f = w.recv()
    ok(f is not None and f[0] == HELLO and f[1] == 0, 'worker says HELLO first, id 0', f)
    h = f[2]
    with open(WORKER, 'rb') as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    ok(h.get('proto') == PROTO and isinstance(h.get('version'), str), 'hello carries proto and version', h)
    ok(h.get('hash') == digest, 'hello hash is the SHA-256 of the executable', h.get('hash'))
    ok(h.get('arch') == os.uname().machine and h.get('os') == os.uname().sysname, 'hello arch and os', h)
    pw = pwd.getpwuid(os.getuid())
    ok(h.get('uid') == os.getuid() and h.get('gid') == os.getgid() and h.get('user') == pw.pw_name
       and h.get('home') == pw.pw_dir and h.get('pid') == w.p.pid, 'hello uid, gid, user, home, pid', h)
    ok({'command', 'shell', 'ping'} <= set(h.get('modules', [])), 'hello lists the modules', h)
    w.send(HELLO, 0, {'proto': PROTO, 'version': 'test'})
    w.send(BYE, 0, {})
    ok(w.wait() == 0, 'BYE: worker exits 0')


def test_basic(w):
    t, fid, r = w.request('ping')
    ok(t == REPLY and r == {'ping': 'pong', 'invocation': {'module_args': {'data': 'pong'}}}, 'ping', r)
    t, fid, r = w.request('ansible.builtin.ping', {'data': 'crash'})
    ok(t == REPLY and r.get('failed') is True and r['msg'].startswith('MODULE FAILURE')
       and 'boom' in r['module_stderr'], 'ping data=crash fails like Ansible', r)
    t, fid, r = w.request('command', {'_raw_params': 'echo hello   world'})
    ok(t == REPLY and r['stdout'] == 'hello world' and r['rc'] == 0 and r['cmd'] == ['echo', 'hello', 'world']
       and r['changed'] is True and 'failed' not in r, 'command echo', r)
    ok(TS.match(r['start'] or '') and TS.match(r['end'] or '') and DELTA.match(r['delta'] or ''),
       'start, end, delta in Python formats', r)
    t, fid, r = w.request('shell', {'_raw_params': 'printf "a\\nb\\n" | tr a-z A-Z; echo oops >&2'})
    ok(t == REPLY and r['stdout'] == 'A\nB' and r['stderr'] == 'oops' and r['cmd'].startswith('printf'),
       'shell with a pipe', r)
    t, fid, r = w.request('command', {'_raw_params': 'echo $HOME'}, env={'HOME': '/nowhere'})
    ok(r.get('stdout') == '/nowhere', 'command expands $VARS from the request env, never via a shell', r)
    t, fid, r = w.request('command', {'_raw_params': 'echo "a;b" | cat'})
    ok(r.get('stdout') == 'a;b | cat', 'command passes shell syntax as plain words', r)
    t, fid, r = w.request('shell', {'_raw_params': 'echo "$FOO"'}, env={'FOO': 'bar baz'})
    ok(r.get('stdout') == 'bar baz', 'request env reaches the command', r)
    t, fid, r = w.request('command', {'_raw_params': 'false'})
    ok(r.get('rc') == 1 and r.get('failed') is True and r.get('msg') == 'non-zero return code', 'rc 1 fails', r)
    t, fid, r = w.request('command', {'_raw_params': 'nosuchcmd-drover arg'})
    ok(r.get('rc') == 2 and r.get('failed') is True and r.get('cmd') == 'nosuchcmd-drover arg'
       and r.get('msg') == "[Errno 2] No such file or directory: b'nosuchcmd-drover'", 'exec failure', r)


def test_files(w):
    marker = os.path.join(TMP, 'marker')
    with open(marker, 'w') as fh:
        fh.write('x')
    t, fid, r = w.request('command', {'_raw_params': 'echo ran', 'creates': os.path.join(TMP, 'mark*')})
    ok(r.get('stdout') == 'skipped, since %s/mark* exists' % TMP and r.get('rc') == 0 and r['changed'] is False
       and r.get('msg') == "Did not run command since '%s/mark*' exists" % TMP, 'creates (glob) skips', r)
    t, fid, r = w.request('command', {'_raw_params': 'echo ran', 'removes': os.path.join(TMP, 'nope')})
    ok(r.get('stdout') == 'skipped, since %s/nope does not exist' % TMP and r['changed'] is False,
       'removes skips', r)
    t, fid, r = w.request('command', {'_raw_params': 'echo ran', 'creates': 'marker', 'chdir': TMP})
    ok(r.get('stdout', '').startswith('skipped'), 'creates is relative to chdir', r)
    t, fid, r = w.request('command', {'_raw_params': 'echo ran', 'removes': marker})
    ok(r.get('stdout') == 'ran', 'removes runs when the file exists', r)
    t, fid, r = w.request('command', {'_raw_params': 'pwd', 'chdir': TMP})
    ok(r.get('stdout') == os.path.realpath(TMP), 'chdir', r)
    t, fid, r = w.request('command', {'_raw_params': 'pwd'})
    ok(r.get('stdout') == os.getcwd(), 'the worker goes back to its directory after chdir', r)
    t, fid, r = w.request('command', {'_raw_params': 'pwd', 'chdir': os.path.join(TMP, 'nope')})
    ok(r.get('failed') is True and r.get('msg') == "Unable to change directory before execution: "
       "[Errno 2] No such file or directory: b'%s/nope'" % TMP, 'chdir failure', r)
    t, fid, r = w.request('command', {'_raw_params': 'echo hi'}, check=True)
    ok(r.get('skipped') is True and r.get('msg') == 'Command would have run if not in check mode'
       and r.get('changed') is False, 'check mode skips', r)


def test_stdin_and_bytes(w):
    t, fid, r = w.request('command', {'_raw_params': 'cat', 'stdin': 'abc'})
    ok(r.get('stdout') == 'abc', 'stdin', r)
    t, fid, r = w.request('command', {'_raw_params': 'cat', 'stdin': 'abc', 'strip_empty_ends': False})
    ok(r.get('stdout') == 'abc\n', 'stdin_add_newline default true', r)
    t, fid, r = w.request('command', {'_raw_params': 'cat', 'stdin': 'abc', 'stdin_add_newline': 'no',
                                      'strip_empty_ends': False})
    ok(r.get('stdout') == 'abc', 'stdin_add_newline false', r)
    t, fid, r = w.request('command', {'_raw_params': 'cat'})
    ok(r.get('stdout') == '' and r.get('rc') == 0, 'stdin is /dev/null by default', r)
    t, fid, r = w.request('shell', {'_raw_params': "printf '\\377\\376\\000x\\r\\n\\n'; printf '\\200' >&2"},
                          raw=True)
    ok(r.get('stdout') == b'\xff\xfe\x00x' and r.get('stderr') == b'\x80', 'non-UTF-8 output is byte-exact', r)
    big = os.urandom(3 << 20)
    t, fid, r = w.request('command', {'_raw_params': 'cat', 'stdin': big, 'stdin_add_newline': False,
                                      'strip_empty_ends': False}, raw=True, wait=60)
    ok(r.get('stdout') == big, '3 MiB through stdin and stdout without deadlock')
    # 50 MiB of stdin echoed in the invocation plus 16 MiB of output do not
    # fit in one frame.
    big = b'x' * (50 << 20)
    t, fid, r = w.request('shell', {'_raw_params': 'head -c 20000000 /dev/zero', 'stdin': big}, raw=True,
                          wait=120)
    ok(t == REPLY and 'invocation' not in r and len(r.get('stdout', b'')) == 16 << 20
       and r.get('stdout_truncated') is True, 'a reply over FRAME_MAX drops its invocation and still comes',
       {k: v for k, v in r.items() if k not in ('stdout', 'invocation')})
    del big
    t, fid, r = w.request('shell', {'_raw_params': 'head -c 100000 /dev/zero; echo err >&2'}, output_cap=1000,
                          raw=True)
    ok(len(r.get('stdout', b'')) == 1000 and r.get('stdout_truncated') is True and 'stderr_truncated' not in r
       and r.get('stderr') == b'err' and any(b'truncated' in x for x in r.get('warnings', [])),
       'output cap: first bytes kept, truncation marked', {k: v for k, v in r.items() if k != 'stdout'})


def test_background(w):
    t0 = time.monotonic()
    t, fid, r = w.request('shell', {'_raw_params': 'sleep 30 >/dev/null 2>&1 & echo $!'})
    pid = int(r['stdout'])
    pids.append(pid)
    ok(alive(pid), 'a backgrounded sleep survives the task', r)
    ok(os.getsid(pid) != os.getsid(0), 'the task ran in a session of its own')
    kill_pid(pid)
    t0 = time.monotonic()
    t, fid, r = w.request('shell', {'_raw_params': 'sleep 30 & echo $!'}, wait=10)
    took = time.monotonic() - t0
    pid = int(r['stdout'])
    pids.append(pid)
    ok(took < 2.0 and alive(pid), 'a child holding stdout open does not delay the reply (%.2fs)' % took, r)
    kill_pid(pid)
    t0 = time.monotonic()
    t, fid, r = w.request('shell', {'_raw_params': 'sh -c "sleep 30 >&2 &" ; echo started'}, wait=10)
    took = time.monotonic() - t0
    ok(took < 2.0 and r.get('stdout') == 'started', 'a grandchild holding stderr open does not delay the '
       'reply (%.2fs)' % took, r)
    t0 = time.monotonic()
    t, fid, r = w.request('shell', {'_raw_params': 'sleep 30 & echo $! > %s/bgpid; wait' % TMP}, wait=15,
                          timeout=1)
    took = time.monotonic() - t0
    with open(os.path.join(TMP, 'bgpid')) as fh:
        pid = int(fh.read())
    pids.append(pid)
    ok(r.get('failed') is True and r.get('rc') == -9 and r.get('msg') == 'The shell action failed to execute '
       'in the expected time frame (1) and was terminated' and 1.0 <= took < 5.0,
       'timeout kills and fails (%.2fs)' % took, r)
    ok(poll(lambda: not alive(pid), 5), 'timeout killed the whole process group')


def test_errors():
    w = ready()
    t, fid, r = w.request('nosuch')
    ok(t == ERROR and r.get('code') == 'unknown_module' and 'nosuch' in r.get('msg', ''),
       'unknown module: ERROR with the request id', (t, fid, r))
    w.send(REQUEST, 77, {'args': {}})
    t, fid, r = w.recv()
    ok(t == ERROR and fid == 77 and r.get('code') == 'bad_request', 'request without module: bad_request',
       (t, fid, r))
    w.send(REQUEST, 78, {'module': 'ping', 'timeout': 'soon'})
    t, fid, r = w.recv()
    ok(t == ERROR and fid == 78 and r.get('code') == 'bad_request', 'timeout not an int: bad_request', r)
    body = b'M\x00\x00\x00\x01\x00\x00\x00\x01aX'
    w.send_raw(struct.pack('>IBBI', len(body) + 6, PROTO, REQUEST, 79) + body)
    t, fid, r = w.recv()
    ok(t == ERROR and fid == 79 and r.get('code') == 'malformed', 'malformed frame: ERROR with its id',
       (t, fid, r))
    w.send(REPLY, 80, {})
    t, fid, r = w.recv()
    ok(t == ERROR and fid == 80 and r.get('code') == 'malformed', 'unexpected frame type: malformed', r)
    t, fid, r = w.request('ping')
    ok(t == REPLY, 'the worker carries on after refused frames')
    # Two requests before reading: answered in order.
    w.send(REQUEST, 90, {'module': 'command', 'args': {'_raw_params': 'echo one'}})
    w.send(REQUEST, 91, {'module': 'command', 'args': {'_raw_params': 'echo two'}})
    a, b = w.recv(), w.recv()
    ok(a[1] == 90 and a[2]['stdout'] == 'one' and b[1] == 91 and b[2]['stdout'] == 'two',
       'pipelined requests are answered in order')
    w.p.stdin.close()
    ok(w.wait() == 0 and w.recv() is None, 'EOF: worker exits 0 quietly')
    ok(w.p.stderr.read() == b'', 'nothing on stderr in normal operation')

    w = start()
    w.recv()
    w.send(HELLO, 0, {'proto': PROTO}, version=PROTO + 1)
    f = w.recv()
    ok(f is not None and f[0] == ERROR and f[2].get('code') == 'version' and w.wait() == 2,
       'frame version mismatch: ERROR version, exit 2', f)
    w = start()
    w.recv()
    w.send(HELLO, 0, {'proto': 7, 'version': 'future'})
    f = w.recv()
    ok(f is not None and f[0] == ERROR and f[2].get('code') == 'version' and w.wait() == 2,
       'hello proto mismatch: ERROR version, exit 2', f)
    w = start()
    w.recv()
    w.send(REQUEST, 1, {'module': 'ping'})
    f = w.recv()
    ok(f is not None and f[0] == ERROR and f[2].get('code') == 'malformed' and w.wait() == 2,
       'a request before HELLO: ERROR, exit 2', f)
    w = start()
    w.recv()
    w.send_raw(struct.pack('>IB', 0x7fffffff, PROTO))
    f = w.recv()
    ok(f is not None and f[0] == ERROR and f[2].get('code') == 'too_big' and w.wait() == 2,
       'oversized frame: ERROR too_big, exit 2', f)
    w = start()
    w.recv()
    w.send(HELLO, 0, {'proto': PROTO, 'version': 'test'})
    w.send_raw(frame(REQUEST, 5, {'module': 'ping'})[:9])
    w.p.stdin.close()
    ok(w.wait() == 0, 'EOF inside a frame: exit 0')


def test_become_protocol():
    """become's request checks and the cap on escalations per session
    (/bin/false as the tool: nothing is escalated)."""
    w = ready()
    t, fid, r = w.request('ping', become={'user': 'root', 'passwd': 'x', 'exe': '/bin/false'})
    ok(t == ERROR and r.get('code') == 'bad_request' and 'unknown key' in r.get('msg', ''),
       'become with an unknown key (a misspelt pass): bad_request', (t, r))
    for i in range(16):
        w.request('ping', become={'user': 'u%d' % i, 'exe': '/bin/false'})
    t, fid, r = w.request('ping', become={'user': 'u16', 'exe': '/bin/false'})
    ok(t == REPLY and r.get('failed') and 'at most 16' in r.get('msg', ''),
       'a 17th become key fails, naming the cap', r)
    t, fid, r = w.request('ping')
    ok(t == REPLY and r.get('ping') == 'pong', 'direct requests go on past the cap', r)
    w.send(BYE, 0, {})
    ok(w.wait() == 0, 'BYE after become requests: exit 0')


def test_become_big_frames():
    """Frames near FRAME_MAX both ways through an escalated worker, whose
    stand-in tool passes its output on in odd-sized pieces (the relay's
    reads then end anywhere in a frame)."""
    tool = os.path.join(TMP, 'ddsudo')
    with open(tool, 'w') as f:
        f.write('#!/bin/sh\nwhile [ $# -gt 0 ] && [ "$1" != /bin/sh ]; do shift; done\n'
                '"$@" | dd bs=999 2>/dev/null\n')
    os.chmod(tool, 0o755)
    home = os.path.join(TMP, 'bighome')
    os.makedirs(home, exist_ok=True)
    w = Worker(WORKER, env=dict(os.environ, HOME=home))
    workers.append(w)
    pids.append(w.p.pid)
    w.hello()
    become = {'exe': tool}
    dest = os.path.join(TMP, 'big-copy')
    t, fid, r = w.request('copy', {'content': 'c' * (20 << 20), 'dest': dest}, wait=60, become=become)
    ok(t == REPLY and not r.get('failed') and os.path.getsize(dest) == 20 << 20,
       'a 20 MB copy content through become', r.get('msg'))
    os.unlink(dest)
    # cat's reply echoes stdin (invocation) and carries its capped stdout:
    # sized from a first reply to end 200 bytes short of FRAME_MAX.
    cap = 24 << 20
    args = {'_raw_params': 'cat', 'stdin': 'z' * (cap + 1000), 'stdin_add_newline': False}
    t, fid, r = w.request('command', args, wait=60, output_cap=cap, become=become)
    size = len(frame(t, fid, r))
    args['stdin'] = 'z' * (cap + 1000 + (64 << 20) - 200 - size)
    t, fid, r = w.request('command', args, wait=60, output_cap=cap, become=become)
    ok(t == REPLY and not r.get('failed') and len(frame(t, fid, r)) == (64 << 20) - 200,
       'a reply 200 bytes short of FRAME_MAX through become', r.get('msg'))
    t, fid, r = w.request('ping', become=become)
    ok(t == REPLY and r.get('ping') == 'pong', 'the escalated worker goes on after big frames', r)
    w.p.stdin.close()
    ok(w.wait() == 0, 'EOF after big frames through become: exit 0')


def splitlines(s):
    return s.splitlines() if isinstance(s, str) else []


def compare_with_ansible():
    if shutil.which('ansible-playbook') is None:
        skip('results match ansible-playbook', 'ansible-playbook not installed')
        return
    marker = os.path.join(TMP, 'amark')
    open(marker, 'w').close()
    # (task for Ansible, module and args for the worker, check mode)
    cases = [
        ({'command': 'echo hello world'}, 'command', {'_raw_params': 'echo hello world'}, False),
        ({'shell': 'echo a | tr a b; echo err >&2; exit 3'}, 'shell',
         {'_raw_params': 'echo a | tr a b; echo err >&2; exit 3'}, False),
        ({'command': 'nosuchcmd-drover arg'}, 'command', {'_raw_params': 'nosuchcmd-drover arg'}, False),
        ({'command': '--password=x nosuch-drover'}, 'command', {'_raw_params': '--password=x nosuch-drover'},
         False),
        ({'command': 'ls', 'args': {'chdir': '/nonexistent-drover'}}, 'command',
         {'_raw_params': 'ls', 'chdir': '/nonexistent-drover'}, False),
        ({'command': 'echo hi', 'args': {'creates': TMP + '/am*'}}, 'command',
         {'_raw_params': 'echo hi', 'creates': TMP + '/am*'}, False),
        ({'command': 'echo hi', 'args': {'removes': TMP + '/none'}}, 'command',
         {'_raw_params': 'echo hi', 'removes': TMP + '/none'}, False),
        ({'command': 'cat', 'args': {'stdin': 'abc', 'stdin_add_newline': False, 'strip_empty_ends': False}},
         'command', {'_raw_params': 'cat', 'stdin': 'abc', 'stdin_add_newline': False,
                     'strip_empty_ends': False}, False),
        ({'command': {'argv': ['echo', '$HOME', '~', 'a b']}}, 'command',
         {'argv': ['echo', '$HOME', '~', 'a b']}, False),
        ({'command': "printf 'a\\n\\nb\\r\\n\\n'", 'args': {'strip_empty_ends': False}}, 'command',
         {'_raw_params': "printf 'a\\n\\nb\\r\\n\\n'", 'strip_empty_ends': False}, False),
        ({'command': "sh -c 'kill -9 $$'"}, 'command', {'_raw_params': "sh -c 'kill -9 $$'"}, False),
        ({'command': 'echo hi', 'args': {'foo': 1}}, 'command', {'_raw_params': 'echo hi', 'foo': 1}, False),
        ({'command': 'echo x', 'args': {'executable': '/bin/bash'}}, 'command',
         {'_raw_params': 'echo x', 'executable': '/bin/bash'}, False),
        ({'shell': 'echo $0', 'args': {'executable': '/bin/bash'}}, 'shell',
         {'_raw_params': 'echo $0', 'executable': '/bin/bash'}, False),
        ({'shell': {'argv': ['echo', 'a b', '$HOME']}}, 'shell', {'argv': ['echo', 'a b', '$HOME']}, False),
        ({'command': 'echo hi', 'check_mode': True}, 'command', {'_raw_params': 'echo hi'}, True),
        ({'command': 'echo hi', 'args': {'creates': '/nonexistent-drover'}, 'check_mode': True}, 'command',
         {'_raw_params': 'echo hi', 'creates': '/nonexistent-drover'}, True),
        ({'command': 'echo hi', 'args': {'removes': '/nonexistent-drover'}, 'check_mode': True}, 'command',
         {'_raw_params': 'echo hi', 'removes': '/nonexistent-drover'}, True),
        ({'ping': None}, 'ping', {}, False),
        ({'ping': {'data': 'hello'}}, 'ping', {'data': 'hello'}, False),
    ]
    tasks = []
    for task, _, _, _ in cases:
        t = dict(task)
        t['ignore_errors'] = True
        tasks.append(t)
    play = [{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]
    pb = os.path.join(TMP, 'pb.yml')
    with open(pb, 'w') as fh:
        json.dump(play, fh)
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK='json', ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCALHOST_WARNING='False', ANSIBLE_PYTHON_INTERPRETER='/usr/bin/python3')
    proc = subprocess.run(['ansible-playbook', '-i', 'localhost,', '-c', 'local', pb], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    try:
        results = [t['hosts']['localhost'] for t in json.loads(proc.stdout)['plays'][0]['tasks']]
    except (ValueError, KeyError, IndexError):
        ok(False, 'ansible-playbook ran', proc.stderr.decode(errors='replace')[-2000:])
        return
    ok(len(results) == len(cases), 'ansible-playbook ran every task', len(results))
    w = ready()
    volatile = {'start', 'end', 'delta'}
    for (task, module, args, check), want in zip(cases, results):
        t, fid, got = w.request(module, args, check=check)
        got = dict(got)
        # What Ansible's executor and action layer add to every module result.
        got.setdefault('changed', False)
        for k in ('stdout', 'stderr'):
            if k in got:
                got[k + '_lines'] = splitlines(got[k])
        want = {k: v for k, v in want.items() if k not in ('_ansible_no_log', 'action', 'ansible_facts')}
        if want.get('msg', '').startswith('MODULE FAILURE'):
            want = {k: v for k, v in want.items() if k not in ('module_stderr', 'exception')}
            got = {k: v for k, v in got.items() if k not in ('module_stderr', 'exception')}
        name = 'same result as Ansible: %s %s' % (module, json.dumps(args))
        diff = [k for k in sorted(set(want) | set(got)) if k not in volatile and want.get(k) != got.get(k)]
        same_keys = set(want) == set(got)
        stamps = all((want.get(k) is None) == (got.get(k) is None) for k in volatile)
        ok(not diff and same_keys and stamps, name,
           '\n'.join('%s: ansible %r, worker %r' % (k, want.get(k), got.get(k)) for k in diff) or
           'keys: ansible %s, worker %s' % (sorted(want), sorted(got)))
    w.send(BYE, 0, {})
    w.wait()


def main():
    try:
        test_hello()
        w = ready()
        test_basic(w)
        test_files(w)
        test_stdin_and_bytes(w)
        test_background(w)
        w.send(BYE, 0, {})
        ok(w.wait() == 0, 'BYE after a session of requests: exit 0')
        test_errors()
        test_become_protocol()
        test_become_big_frames()
        compare_with_ansible()
    finally:
        for w in workers:
            w.close()
        for p in pids:
            kill_pid(p)
    print('1..%d' % n_tests)
    return 1 if n_failed else 0


if __name__ == '__main__':
    sys.exit(main())
