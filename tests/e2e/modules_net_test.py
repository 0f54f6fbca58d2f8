"""End-to-end tests of drover-worker's package, git, HTTP and waiting
modules (uri, get_url, git, wait_for, apt, package), driven over the worker
protocol (workerproto.py). Prints TAP.

Each part runs one list of steps through the worker on a directory A and
through ansible-playbook (local connection, json callback, one run per
part) on a twin directory B, then compares the results (the keys both
must agree on) and the resulting files. Servers and repositories are made
here, on 127.0.0.1 and under TMPDIR; every process started is stopped by
its pid.

Usage: modules_net_test.py WORKER TMPDIR [PART...]"""
import hashlib
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workerproto import HELLO, REPLY, Worker, poll, read, write  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = sys.argv[1]
TMP = sys.argv[2]
PARTS = sys.argv[3:]
n_tests = 0
n_failed = 0
PIDS = []


def ok(cond, name, detail=None):
    global n_tests, n_failed
    n_tests += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', n_tests, name))
    if not cond:
        n_failed += 1
        if detail is not None:
            text = detail if isinstance(detail, str) else json.dumps(detail, indent=1, sort_keys=True, default=str)
            for line in text[:6000].splitlines():
                print('#   ' + line)
    sys.stdout.flush()


def skip(name, why):
    global n_tests
    n_tests += 1
    print('ok %d - %s # SKIP %s' % (n_tests, name, why))


def start_worker(env=None):
    w = Worker(WORKER, cwd=TMP, env=env)
    f = w.hello()
    assert f is not None and f[0] == HELLO, f
    return w


def req(w, module, args, check=False, diff=False, wait=60.0):
    t, _, r = w.request(module, args, check=check, diff=diff, wait=wait)
    assert t == REPLY, (t, r)
    return r


def stop(p):
    if p.poll() is None:
        p.kill()
    p.wait()


def subst(v, table):
    s = json.dumps(v)
    for k, x in table.items():
        s = s.replace(k, x)
    return json.loads(s)


def normalize(v, table):
    """The inverse of subst, for comparing results from twin roots."""
    if isinstance(v, dict):
        return {k: normalize(x, table) for k, x in v.items()}
    if isinstance(v, list):
        return [normalize(x, table) for x in v]
    if isinstance(v, str):
        for k, x in sorted(table.items(), key=lambda kv: -len(kv[1])):
            v = v.replace(x, k)
        return re.sub(r'\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~', '.PID.STAMP~', v)
    return v


def ansible_run(steps, table, name, extra_env=None):
    tasks = []
    for i, (module, args, opt) in enumerate(steps):
        t = {'name': 'step %d' % i, 'ansible.builtin.' + module: subst(args, table), 'ignore_errors': True}
        if opt.get('check'):
            t['check_mode'] = True
        if opt.get('diff'):
            t['diff'] = True
        tasks.append(t)
    play = [{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]
    pb = os.path.join(TMP, name + '_playbook.yml')
    with open(pb, 'w') as fh:
        json.dump(play, fh)
    env = dict(os.environ)
    env.update({'ANSIBLE_STDOUT_CALLBACK': 'json', 'ANSIBLE_LOAD_CALLBACK_PLUGINS': '1', 'ANSIBLE_NOCOLOR': '1',
                'ANSIBLE_RETRY_FILES_ENABLED': '0', 'ANSIBLE_LOCAL_TEMP': os.path.join(TMP, 'ansible-local'),
                'ANSIBLE_REMOTE_TEMP': os.path.join(TMP, 'ansible-remote'),
                'ANSIBLE_DEPRECATION_WARNINGS': '0', 'ANSIBLE_PIPELINING': '1'})
    env.update(extra_env or {})
    p = subprocess.run(['ansible-playbook', '-i', 'localhost,', '-c', 'local', '-e',
                        'ansible_python_interpreter=/usr/bin/python3', pb], cwd=TMP, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    try:
        out = json.loads(p.stdout.decode('utf-8', 'replace'))
        return [t['hosts'].get('localhost', {}) for t in out['plays'][0]['tasks']], None
    except (ValueError, KeyError, IndexError):
        return None, p.stdout.decode('utf-8', 'replace')[-3000:] + p.stderr.decode('utf-8', 'replace')[-3000:]


def trim(module, res, keys, drop=()):
    out = {}
    for k in ('changed', 'failed', 'msg', 'rc', 'skipped') + tuple(keys):
        if k in res and k not in drop:
            out[k] = res[k]
    out.setdefault('failed', False)
    out.setdefault('changed', False)
    if isinstance(out.get('msg'), str):
        out['msg'] = out['msg'].strip()
    return out


def differential(name, steps, roots, tables, keys, run_mine, drop=(), fix=None, extra_env=None):
    """Runs steps through the worker (run_mine) on roots[0] and Ansible on
    roots[1]; compares trimmed results and the trees."""
    why = None
    if shutil.which('ansible-playbook') is None:
        why = 'ansible-playbook is not installed'
    elif os.environ.get('DROVER_TEST_NO_DIFF'):
        why = 'DROVER_TEST_NO_DIFF: the sanitizer pass leaves the Ansible side out'
    if why is not None:
        # The worker side still runs every step (under the sanitizers).
        mine = run_mine(steps, tables[0])
        ok(len(mine) == len(steps) and all(isinstance(r, dict) and 'changed' in r or 'failed' in r or 'skipped' in r
                                           for r in mine), '%s: the worker answered every step' % name, mine)
        skip('%s: differential run against ansible-playbook' % name, why)
        return None
    t0 = time.monotonic()
    mine = run_mine(steps, tables[0])
    t1 = time.monotonic()
    theirs, err = ansible_run(steps, tables[1], name, extra_env)
    print('# %s: %d steps, drover-worker %.1f s, ansible-playbook %.1f s' % (name, len(steps), t1 - t0,
                                                                          time.monotonic() - t1))
    ok(theirs is not None and len(theirs) == len(steps), '%s: ansible-playbook ran every step' % name, err)
    if theirs is None:
        return None
    for i, (module, args, opt) in enumerate(steps):
        x = normalize(trim(module, mine[i], keys.get(module, ()), drop), tables[0])
        y = normalize(trim(module, theirs[i], keys.get(module, ()), drop), tables[1])
        if fix is not None:
            fix(module, args, x, y)
        label = '%s step %d: %s %s%s' % (name, i, module, json.dumps(args, sort_keys=True)[:140],
                                          ' check' if opt.get('check') else '')
        ok(x == y, label, {k: {'drover': x.get(k, '(absent)'), 'ansible': y.get(k, '(absent)')}
                           for k in sorted(set(x) | set(y)) if x.get(k, '(absent)') != y.get(k, '(absent)')})
    if roots is not None:
        ta, tb = tree(roots[0], tables[0]), tree(roots[1], tables[1])
        ok(ta == tb, '%s: the twin trees end the same' % name,
           {k: [ta.get(k), tb.get(k)] for k in sorted(set(ta) | set(tb)) if ta.get(k) != tb.get(k)})
    return mine, theirs


def tree(root, table=None):
    """Names, kinds, modes and contents (with the twin's paths normalized)."""
    out = {}
    for base, dirs, files in os.walk(root):
        if '.git' in dirs:
            dirs.remove('.git')
        for name in dirs + files:
            p = os.path.join(base, name)
            rel = os.path.relpath(p, root)
            rel = re.sub(r'\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~', '.PID.STAMP~', rel)
            st = os.lstat(p)
            if stat.S_ISDIR(st.st_mode):
                what = ('dir',)
            elif stat.S_ISLNK(st.st_mode):
                what = ('link', os.readlink(p))
            else:
                data = read(p)
                for k, x in sorted((table or {}).items(), key=lambda kv: -len(kv[1])):
                    data = data.replace(x.encode(), k.encode())
                what = ('file', hashlib.sha1(data).hexdigest())
            out[rel] = what + ('%04o' % stat.S_IMODE(st.st_mode),)
    return out


LEGACY = ('uri',)


def worker_steps(steps, table, env=None):
    w = start_worker(env)
    out = []
    try:
        for module, args, opt in steps:
            a = subst(args, table)
            if isinstance(a, str):
                # A free-form shell step, as the controller passes it.
                a = {'_raw_params': a, '_uses_shell': module == 'shell'}
            # What the controller passes: modules with an action plugin
            # in Ansible (uri) run as ansible.legacy.<name>.
            a['_ansible_module_name'] = ('ansible.legacy.' if module in LEGACY else 'ansible.builtin.') + module
            out.append(req(w, module, a, check=opt.get('check', False), diff=opt.get('diff', False)))
    finally:
        w.close()
    return out


# ---------------------------------------------------------------- HTTP


def start_server(d, tls=None):
    portfile = os.path.join(TMP, 'port.%d' % len(PIDS))
    p = subprocess.Popen([sys.executable, os.path.join(HERE, 'nettest_server.py'), d, portfile] + list(tls or []),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    PIDS.append(p)
    if not poll(lambda: os.path.exists(portfile)):
        raise RuntimeError('the test HTTP server did not start')
    return ('https' if tls else 'http') + '://127.0.0.1:' + read(portfile).decode()


def make_cert():
    """A self-signed certificate for 127.0.0.1, or None without openssl."""
    if shutil.which('openssl') is None:
        return None
    cert, key = os.path.join(TMP, 'cert.pem'), os.path.join(TMP, 'key.pem')
    p = subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1',
                        '-days', '1', '-keyout', key, '-out', cert], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return (cert, key) if p.returncode == 0 else None


HTTP_KEYS = {
    'uri': ('status', 'redirected', 'url', 'content', 'json', 'content_type', 'content_length', 'location',
            'path', 'cookies', 'cookies_string', 'www_authenticate', 'stdout', 'body'),
    'get_url': ('dest', 'checksum_src', 'checksum_dest', 'md5sum', 'status_code', 'mode', 'size', 'response',
                'state', 'backup_file'),
}


def http_steps(https):
    s = []

    def step(m, a, **o):
        s.append((m, a, o))
    step('uri', {'url': '@U@/files/j.json'})
    step('uri', {'url': '@U@/files/j.json', 'return_content': True})
    step('uri', {'url': '@U@/files/none'})
    step('uri', {'url': '@U@/files/none', 'status_code': [404, 200]})
    step('uri', {'url': '@U@/redir/3', 'return_content': True})
    step('uri', {'url': '@U@/redir/1', 'follow_redirects': 'none', 'status_code': 302})
    step('uri', {'url': '@U@/see-other', 'method': 'POST', 'body': 'x', 'follow_redirects': 'all'})
    step('uri', {'url': '@U@/echo', 'method': 'POST', 'body_format': 'json', 'body': {'k': [1, 'two'], 'n': None},
                 'return_content': True, 'headers': {'X-Test': 'v'}})
    step('uri', {'url': '@U@/echo', 'method': 'put', 'body_format': 'form-urlencoded',
                 'body': {'a b': 'c&d', 'list': ['1', '2']}})
    step('uri', {'url': '@U@/chunked', 'return_content': True})
    step('uri', {'url': '@U@/auth', 'return_content': True, 'url_username': 'user', 'url_password': 'pass'})
    step('uri', {'url': '@U@/auth', 'return_content': True, 'user': 'user', 'password': 'pass',
                 'force_basic_auth': True})
    step('uri', {'url': '@U@/auth', 'url_username': 'user', 'url_password': 'wrong'})
    step('uri', {'url': '@U@/status/204', 'status_code': [204]})
    step('uri', {'url': '@U@/status/500', 'return_content': True})
    step('uri', {'url': '@U@/cookie'})
    step('uri', {'url': 'http://127.0.0.1:1/refused'})
    step('uri', {'url': '@U@/files/h.txt', 'dest': '@D@/uri.txt'})
    step('uri', {'url': '@U@/files/h.txt', 'dest': '@D@/uri.txt'})
    step('uri', {'url': '@U@/files/h.txt', 'creates': '@D@/uri.txt'})
    step('uri', {'url': '@U@/files/h.txt', 'method': 'get post'})
    step('uri', {'url': '@U@/files/h.txt'}, check=True)
    step('get_url', {'url': '@U@/files/h.txt', 'dest': '@D@/dl/', 'mode': '0640'})
    step('get_url', {'url': '@U@/files/h.txt', 'dest': '@D@/dl/', 'mode': '0640'})
    step('get_url', {'url': '@U@/files/h.txt', 'dest': '@D@/dl/named.txt'})
    step('get_url', {'url': '@U@/files/h.txt', 'dest': '@D@/dl/named.txt'})
    step('get_url', {'url': '@U@/files/h.txt', 'dest': '@D@/dl/named.txt', 'force': True})
    step('get_url', {'url': '@U@/files/big.bin', 'dest': '@D@/dl/big.bin',
                     'checksum': 'sha256:' + hashlib.sha256(big_data()).hexdigest()})
    step('get_url', {'url': '@U@/files/big.bin', 'dest': '@D@/dl/big.bin',
                     'checksum': 'sha256:' + hashlib.sha256(big_data()).hexdigest()})
    step('get_url', {'url': '@U@/files/h.txt', 'dest': '@D@/dl/sum.txt', 'checksum': 'sha1:@U@/files/SUMS'})
    step('get_url', {'url': '@U@/files/h.txt', 'dest': '@D@/dl/bad.txt', 'checksum': 'md5:00112233'})
    step('get_url', {'url': '@U@/files/h.txt', 'dest': '@D@/dl/bad2.txt', 'checksum': 'md5'})
    step('get_url', {'url': '@U@/redir/2', 'dest': '@D@/dl/'})
    step('get_url', {'url': '@U@/files/missing', 'dest': '@D@/dl/m.txt'})
    step('get_url', {'url': '@U@/files/h.txt', 'dest': '@D@/nodir/x.txt'})
    step('get_url', {'url': '@U@/files/h.txt', 'dest': '@D@/dl/check.txt'}, check=True)
    step('get_url', {'url': '@U@/files/h.txt', 'dest': '@D@/dl/named.txt', 'mode': '0600'}, check=True)
    step('get_url', {'url': '@U@/files/h2.txt', 'dest': '@D@/dl/named.txt', 'backup': True, 'force': True})
    step('uri', {'url': '@U@/chunked-cut', 'return_content': True})
    if https:
        # https goes through the host's curl on drover's side.
        step('uri', {'url': '@S@/files/j.json', 'validate_certs': False, 'return_content': True})
        step('uri', {'url': '@S@/redir/2', 'validate_certs': False, 'return_content': True})
        step('uri', {'url': '@S@/echo', 'method': 'POST', 'body_format': 'json', 'body': {'tls': True},
                     'validate_certs': False, 'return_content': True})
        step('uri', {'url': '@S@/files/j.json'})
        step('get_url', {'url': '@S@/files/h.txt', 'dest': '@D@/dl/tls.txt', 'validate_certs': False})
    return s


def big_data():
    return bytes((i * 7 + (i >> 8)) & 255 for i in range(300000))


def http_fix(module, args, x, y):
    # A certificate that does not verify: Python's ssl and curl word it
    # differently after the common prefix.
    if args.get('url', '').startswith('@S@') and args.get('validate_certs', True):
        for v in (x, y):
            v['msg'] = v.get('msg', '').split('<urlopen error')[0]


def part_http():
    files = os.path.join(TMP, 'www')
    write(files + '/j.json', '{"a": 1}\n')
    write(files + '/h.txt', 'hello\n')
    write(files + '/h2.txt', 'hello again\n')
    write(files + '/big.bin', big_data())
    write(files + '/SUMS', '%s  h.txt\n%s  other.txt\n' % (hashlib.sha1(b'hello\n').hexdigest(), '0' * 40))
    base = start_server(files)
    cert = make_cert() if shutil.which('curl') else None
    sbase = start_server(files, cert) if cert else 'https://127.0.0.1:1'
    if cert is None:
        skip('uri and get_url over https', 'needs openssl and curl')
    roots = [os.path.join(TMP, 'httpA'), os.path.join(TMP, 'httpB')]
    for r in roots:
        os.makedirs(r + '/dl')
    tables = [{'@D@': r, '@U@': base, '@S@': sbase} for r in roots]
    got = differential('http', http_steps(cert is not None), roots, tables, HTTP_KEYS, worker_steps, fix=http_fix)
    if got is not None:
        mine = got[0]
        ok(mine[9].get('content') == 'first part, second part, end\n', 'uri: a chunked body is decoded', mine[9])
        ok(json.loads(mine[7].get('content', '{}')).get('headers', {}).get('x-test') == 'v',
           'uri: headers are sent', mine[7])
    http_solo(base)


def http_solo(base):
    """What Ansible cannot be compared on: https without curl, a server
    that never answers (timeout), a response that stops short."""
    w = start_worker(env={'PATH': '/nonexistent'})
    try:
        r = req(w, 'uri', {'url': 'https://127.0.0.1:1/'})
        ok(r.get('failed') is True and r.get('status') == -1 and 'curl' in r.get('msg', ''),
           'uri https without curl: a clear error', r)
    finally:
        w.close()
    srv = socket.socket()
    srv.bind(('127.0.0.1', 0))
    srv.listen(4)
    port = srv.getsockname()[1]
    w = start_worker()
    try:
        r = req(w, 'uri', {'url': 'http://127.0.0.1:%d/' % port, 'timeout': 1})
        ok(r.get('failed') is True and r.get('status') == -1 and 'timed out' in r.get('msg', ''),
           'uri: a silent server times out', r)
    finally:
        w.close()
        srv.close()


# ---------------------------------------------------------------- git

GIT_ENV = {'GIT_AUTHOR_NAME': 't', 'GIT_AUTHOR_EMAIL': 't@example.com', 'GIT_COMMITTER_NAME': 't',
           'GIT_COMMITTER_EMAIL': 't@example.com', 'GIT_AUTHOR_DATE': '2020-01-01T00:00:00Z',
           'GIT_COMMITTER_DATE': '2020-01-01T00:00:00Z', 'GIT_CONFIG_NOSYSTEM': '1'}


def git(cwd, *args):
    env = dict(os.environ)
    env.update(GIT_ENV)
    env['HOME'] = TMP
    return subprocess.run(['git'] + list(args), cwd=cwd, env=env, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE).stdout.decode().strip()


def make_repo(d):
    """The same history in every copy: fixed names and dates give the same
    commit ids."""
    os.makedirs(d)
    git(d, 'init', '-q', '-b', 'main')
    write(d + '/a.txt', 'one\n')
    git(d, 'add', 'a.txt')
    git(d, 'commit', '-q', '-m', 'one')
    git(d, 'tag', '-a', 'v1', '-m', 'version 1')
    write(d + '/a.txt', 'two\n')
    git(d, 'commit', '-q', '-am', 'two')
    git(d, 'checkout', '-q', '-b', 'dev')
    write(d + '/b.txt', 'dev\n')
    git(d, 'add', 'b.txt')
    git(d, 'commit', '-q', '-m', 'dev')
    git(d, 'checkout', '-q', 'main')
    return git(d, 'rev-list', '--max-parents=0', 'HEAD')


GIT_KEYS = {'git': ('before', 'after', 'remote_url_changed', 'diff', 'warnings', 'stderr', 'rc')}


def git_steps(first):
    s = []

    def step(m, a, **o):
        s.append((m, a, o))
    step('git', {'repo': '@R@', 'dest': '@D@/co'}, check=True, diff=True)
    step('git', {'repo': '@R@', 'dest': '@D@/co'}, diff=True)
    step('git', {'repo': '@R@', 'dest': '@D@/co'})
    step('git', {'repo': '@R@', 'dest': '@D@/co', 'version': 'dev'}, check=True)
    step('git', {'repo': '@R@', 'dest': '@D@/co', 'version': 'dev'})
    step('git', {'repo': '@R@', 'dest': '@D@/co', 'version': 'dev'})
    step('git', {'repo': '@R@', 'dest': '@D@/co', 'version': 'v1'})
    step('git', {'repo': '@R@', 'dest': '@D@/co', 'version': first})
    step('git', {'repo': '@R@', 'dest': '@D@/co', 'version': 'main'})
    step('copy', {'content': 'changed here\n', 'dest': '@D@/co/a.txt'})
    step('git', {'repo': '@R@', 'dest': '@D@/co'})
    step('git', {'repo': '@R@', 'dest': '@D@/co', 'force': True}, check=True)
    step('git', {'repo': '@R@', 'dest': '@D@/co', 'force': True})
    step('shell', 'cd @R@ && echo three > a.txt && git commit -q -am three')
    step('git', {'repo': '@R@', 'dest': '@D@/co', 'update': False})
    step('git', {'repo': '@R@', 'dest': '@D@/co'}, check=True, diff=True)
    step('git', {'repo': '@R@', 'dest': '@D@/co'}, diff=True)
    step('git', {'repo': '@L@', 'dest': '@D@/co'})
    step('git', {'repo': '@R@', 'dest': '@D@/co', 'remote': 'upstream'})
    step('git', {'repo': 'file://@R@', 'dest': '@D@/shallow', 'depth': 1, 'version': 'dev'})
    step('git', {'repo': '@R@', 'dest': '@D@/bare.git', 'bare': True})
    step('git', {'repo': '@R@', 'dest': '@D@/bare.git', 'bare': True})
    step('git', {'repo': '@R@', 'clone': False, 'version': 'v1'})
    step('git', {'repo': '@R@', 'dest': '@D@/none', 'version': 'no-such-ref'})
    step('git', {'repo': '@D@/missing-repo', 'dest': '@D@/none2'})
    step('git', {'repo': '@R@'})
    return s


def part_git():
    if shutil.which('git') is None:
        skip('git', 'git is not installed')
        return
    roots = [os.path.join(TMP, 'gitA'), os.path.join(TMP, 'gitB')]
    tables = []
    for r in roots:
        first = make_repo(r + '-src')
        os.symlink(r + '-src', r + '-link')
        os.makedirs(r)
        tables.append({'@D@': r, '@R@': r + '-src', '@L@': r + '-link'})
    env = dict(GIT_ENV, HOME=TMP)
    steps = git_steps(first)

    def mine(st, table):
        w_env = dict(os.environ)
        w_env.update(env)
        return worker_steps(st, table, env=w_env)
    got = differential('git', steps, roots, tables, GIT_KEYS, mine, extra_env=env, fix=git_fix)
    if got is not None:
        ok(os.path.exists(roots[0] + '/shallow/.git/shallow'), 'git depth=1 makes a shallow clone')
        ok(git(roots[0] + '/co', 'rev-parse', 'HEAD') == git(roots[0] + '-src', 'rev-parse', 'HEAD'),
           'git: the checkout ends at the source head')


def git_fix(module, args, x, y):
    # git's own messages name the twin directories; both were normalized.
    # warnings: Ansible adds its own list only when not empty.
    for v in (x, y):
        if v.get('warnings') == []:
            v.pop('warnings')


# ---------------------------------------------------------------- wait_for

BANNER = r"""
import socket, sys, os
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 0))
s.listen(16)
open(sys.argv[1] + '.tmp', 'w').write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + '.tmp', sys.argv[1])
while True:
    c, _ = s.accept()
    try:
        c.sendall(b'HELLO proto=2 build=42\n')
    except OSError:
        pass
    c.close()
"""

WAIT_KEYS = {'wait_for': ('state', 'port', 'search_regex', 'match_groups', 'match_groupdict', 'path')}


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_steps(port, closed):
    s = []

    def step(m, a, **o):
        s.append((m, a, o))
    step('wait_for', {'port': port, 'timeout': 5})
    step('wait_for', {'port': port, 'search_regex': r'proto=(\d+) build=(?P<build>\d+)', 'timeout': 5})
    step('wait_for', {'port': closed, 'state': 'stopped', 'timeout': 5})
    step('wait_for', {'port': closed, 'timeout': 1, 'sleep': 1})
    step('wait_for', {'port': closed, 'timeout': 1, 'msg': 'custom message'})
    step('wait_for', {'path': '@D@/present.txt'})
    step('wait_for', {'path': '@D@/present.txt', 'search_regex': '^(?P<key>[a-z]+)=(\\d+)$'})
    step('wait_for', {'path': '@D@/present.txt', 'search_regex': 'nowhere', 'timeout': 1})
    step('wait_for', {'path': '@D@/absent.txt', 'state': 'absent'})
    step('wait_for', {'path': '@D@/absent.txt', 'timeout': 1})
    step('wait_for', {'path': '@D@/present.txt', 'state': 'absent', 'timeout': 1})
    step('wait_for', {'port': closed, 'state': 'drained', 'timeout': 2})
    step('wait_for', {'port': port, 'path': '@D@/x'})
    step('wait_for', {'path': '@D@/x', 'state': 'stopped'})
    step('wait_for', {'port': port, 'exclude_hosts': ['10.0.0.1']})
    step('wait_for', {'port': port, 'active_connection_states': ['BOGUS']})
    step('wait_for', {'path': '@D@/present.txt', 'search_regex': '(unclosed'})
    step('wait_for', {'port': port}, check=True)
    step('wait_for', {'timeout': 0})
    return s


def part_wait_for():
    portfile = os.path.join(TMP, 'banner.port')
    p = subprocess.Popen([sys.executable, '-c', BANNER, portfile], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    PIDS.append(p)
    if not poll(lambda: os.path.exists(portfile)):
        ok(False, 'wait_for: the banner server started')
        return
    port = int(read(portfile))
    closed = free_port()
    roots = [os.path.join(TMP, 'waitA'), os.path.join(TMP, 'waitB')]
    for r in roots:
        write(r + '/present.txt', 'first line\nkey=7\n')
    tables = [{'@D@': r} for r in roots]

    def fix(module, args, x, y):
        # Ansible's regex error text comes from Python's re.
        if args.get('search_regex') == '(unclosed':
            for v in (x, y):
                v['msg'] = v.get('msg', '').split(':')[0]
    differential('wait_for', wait_steps(port, closed), roots, tables, WAIT_KEYS, worker_steps, fix=fix)
    wait_solo(roots[0], port)


def wait_solo(root, port):
    """A file that appears while the worker waits; the worker answers a
    ping sent behind a long wait once the wait ends, and the wait's result
    reports the time it took."""
    from workerproto import REQUEST
    late = os.path.join(root, 'late.txt')
    w = start_worker()
    try:
        w.send(REQUEST, 90, {'module': 'wait_for', 'args': {'path': late, 'search_regex': 'ready', 'sleep': 0,
                                                            'timeout': 20}})
        write(late, 'not yet\n')
        time.sleep(0.3)
        write(late, 'ready\n')
        f = w.recv(25)
        ok(f is not None and f[1] == 90 and f[2].get('failed') is not True and f[2].get('path') == late,
           'wait_for: a file that appears (and gets its text) during the wait ends it', f)
        r = req(w, 'ping', {})
        ok(r.get('ping') == 'pong', 'the worker answers after a wait', r)
    finally:
        w.close()


# ---------------------------------------------------------------- apt

APT_PKGS = ('drover-test-a', 'drover-test-b', 'drover-test-c')
APT_KEYS = {'apt': ('cache_updated', 'stdout', 'diff'), 'package': ('cache_updated', 'stdout')}


def build_deb(out_dir, name, version, depends=None):
    root = os.path.join(TMP, 'debsrc', '%s-%s' % (name, version))
    write(root + '/usr/share/%s/version.txt' % name, version + '\n')
    control = ['Package: ' + name, 'Version: ' + version, 'Architecture: all', 'Maintainer: Drover Tests <t@example.com>',
               'Priority: optional', 'Section: misc', 'Description: drover test package']
    if depends:
        control.insert(3, 'Depends: ' + depends)
    write(root + '/DEBIAN/control', '\n'.join(control) + '\n')
    deb = os.path.join(out_dir, '%s_%s_all.deb' % (name, version))
    subprocess.run(['dpkg-deb', '--root-owner-group', '-Zgzip', '--build', root, deb], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return deb


def apt_setup():
    """A private file: repository and an APT_CONFIG that points apt at it
    alone: its own sources, lists and cache, never the system's."""
    base = os.path.join(TMP, 'apt')
    repo = os.path.join(base, 'repo')
    os.makedirs(repo)
    build_deb(repo, 'drover-test-a', '1.0')
    build_deb(repo, 'drover-test-a', '2.0')
    build_deb(repo, 'drover-test-b', '1.0', 'drover-test-a')
    local = build_deb(base, 'drover-test-c', '1.0')
    p = subprocess.run(['dpkg-scanpackages', '--multiversion', '.', '/dev/null'], cwd=repo, check=True,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    write(repo + '/Packages', p.stdout)
    for d in ('lists/partial', 'cache/archives/partial', 'sources.list.d', 'preferences.d'):
        os.makedirs(os.path.join(base, d))
    write(base + '/sources.list', 'deb [trusted=yes] file:%s ./\n' % repo)
    write(base + '/apt.conf', '\n'.join([
        'Dir::Etc::sourcelist "%s/sources.list";' % base,
        'Dir::Etc::sourceparts "%s/sources.list.d";' % base,
        'Dir::Etc::preferencesparts "%s/preferences.d";' % base,
        'Dir::State::Lists "%s/lists";' % base,
        'Dir::Cache "%s/cache";' % base,
        'Acquire::Languages "none";',
        'APT::Update::Post-Invoke-Success "";',
        'APT::Update::Post-Invoke "";',
        'DPkg::Lock::Timeout "120";',
    ]) + '\n')
    return base, local


def apt_purge():
    subprocess.run(['dpkg', '--purge'] + list(APT_PKGS), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def apt_installed():
    out = {}
    for name in APT_PKGS:
        p = subprocess.run(['dpkg-query', '-W', '-f', '${Status} ${Version}', name], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
        out[name] = p.stdout.decode() if p.returncode == 0 else 'unknown'
    return out


def apt_steps(local):
    s = []

    def step(m, a, **o):
        s.append((m, a, o))
    step('apt', {'update_cache': True})
    step('apt', {'update_cache': True}, check=True)
    step('apt', {'name': 'drover-test-a', 'state': 'present'}, check=True, diff=True)
    step('apt', {'name': 'drover-test-a=1.0'})
    step('apt', {'name': 'drover-test-a=1.0'})
    step('apt', {'name': 'drover-test-a', 'state': 'latest'}, diff=True)
    step('apt', {'name': 'drover-test-a', 'state': 'present'})
    step('apt', {'name': ['drover-test-b'], 'install_recommends': False})
    step('apt', {'name': 'drover-test-nope'})
    step('apt', {'name': 'drover-test-a=9.9'})
    step('apt', {'name': 'drover-test-a=1=2'})
    step('apt', {'deb': local})
    step('apt', {'deb': local})
    step('apt', {'deb': local, 'state': 'absent'})
    step('apt', {'name': ['drover-test-b', 'drover-test-a'], 'state': 'absent'}, check=True)
    step('package', {'name': ['drover-test-b', 'drover-test-a', 'drover-test-c'], 'state': 'absent'})
    step('apt', {'name': ['drover-test-b', 'drover-test-a', 'drover-test-c'], 'state': 'absent', 'purge': True})
    step('apt', {'name': ['drover-test-b', 'drover-test-a', 'drover-test-c'], 'state': 'absent'})
    step('apt', {'state': 'present'})
    return s


def part_apt():
    if os.geteuid() != 0 or shutil.which('dpkg-scanpackages') is None or shutil.which('apt-get') is None:
        skip('apt', 'needs root, apt-get and dpkg-scanpackages (dpkg-dev)')
        return
    if any(v != 'unknown' and not v.startswith('deinstall ok not-installed') for v in apt_installed().values()):
        skip('apt', 'drover-test-* packages are already on this system')
        return
    base, local = apt_setup()
    env = {'APT_CONFIG': base + '/apt.conf'}
    states = []

    def mine(st, table):
        w_env = dict(os.environ)
        w_env.update(env)
        out = worker_steps(st, table, env=w_env)
        states.append(apt_installed())
        return out

    def fix(module, args, x, y):
        for v in (x, y):
            # apt-get prints how long dpkg's database read took as a
            # progress counter only on a terminal; the rest must agree.
            if isinstance(v.get('stdout'), str):
                v['stdout'] = re.sub(r'\(Reading database \.\.\. .*?\)', '(Reading database)', v['stdout'],
                                     flags=re.S)
    try:
        got = differential('apt', apt_steps(local), None, [{}, {}], APT_KEYS, mine, fix=fix, extra_env=env)
        if got is not None:
            after = apt_installed()
            ok(states[0] == after, 'apt: the packages end in the same state on both runs',
               {'drover': states[0], 'ansible': after})
    finally:
        apt_purge()
    ok(all(v == 'unknown' or v.startswith('deinstall ok not-installed') or v.startswith('unknown ok not-installed')
           for v in apt_installed().values()), 'apt: the test packages are gone afterwards', apt_installed())


# ---------------------------------------------------------------- main

ALL_PARTS = [('http', part_http), ('git', part_git), ('wait_for', part_wait_for), ('apt', part_apt)]


def main():
    try:
        for name, fn in ALL_PARTS:
            if PARTS and name not in PARTS:
                continue
            try:
                fn()
            except Exception as e:  # noqa: BLE001 - a part that crashes is a failure, not an abort
                import traceback
                ok(False, '%s: part ran to the end' % name, traceback.format_exc())
                del e
    finally:
        for p in PIDS:
            stop(p)
    print('1..%d' % n_tests)
    sys.exit(1 if n_failed else 0)


main()
