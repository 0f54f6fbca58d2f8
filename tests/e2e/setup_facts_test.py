"""Differential test of the setup module: Ansible 2.14's setup (run once,
through ansible-playbook with the json callback, for several argument sets)
against drover-worker's setup with the same arguments over the worker
protocol, compared key by key. Differences are allowed only where
tests/setup/EXPECTED_DIFFERENCES.md lists them. Prints TAP.

Usage: setup_facts_test.py WORKER TMPDIR ROOT [DROVER]"""
import fnmatch
import json
import os
import re
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workerproto import REPLY, Worker  # noqa: E402

WORKER, TMP, ROOT = sys.argv[1], sys.argv[2], sys.argv[3]
DROVER = sys.argv[4] if len(sys.argv) > 4 else None
n_tests = 0
n_failed = 0


def ok(cond, name, detail=None):
    global n_tests, n_failed
    n_tests += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', n_tests, name))
    if not cond:
        n_failed += 1
        if detail:
            for line in str(detail)[:6000].splitlines():
                print('#   ' + line)
    sys.stdout.flush()


def load_rules():
    rules = []
    path = os.path.join(ROOT, 'tests/setup/EXPECTED_DIFFERENCES.md')
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) != 3 or cells[1] not in ('absent', 'shape', 'number', 'ignore', 'unordered'):
            continue
        rules.append((cells[0], cells[1]))
    return rules


RULES = load_rules()


def rule_for(path):
    best = None
    for pat, kind in RULES:
        if fnmatch.fnmatchcase(path, pat) and (best is None or len(pat) > len(best[0])):
            best = (pat, kind)
    return best[1] if best else None


def text_shape(s):
    return re.sub(r'[A-Za-z]+', 'a', re.sub(r'[0-9]', '9', s))


def shape(v):
    if isinstance(v, dict):
        return {k: shape(x) for k, x in v.items()}
    if isinstance(v, list):
        return [shape(x) for x in v]
    if isinstance(v, str):
        return text_shape(v)
    return type(v).__name__


def compare(path, a, d, out):
    """Appends to out one line per difference between Ansible's a and
    drover's d at path that no rule allows."""
    kind = rule_for(path)
    if kind == 'ignore':
        return
    if kind == 'shape':
        if shape(a) != shape(d):
            out.append('%s: shape %r != %r' % (path, shape(a), shape(d)))
        return
    if kind == 'number':
        if type(a) is not type(d):
            out.append('%s: type %s != %s' % (path, type(a).__name__, type(d).__name__))
        return
    if kind == 'unordered' and isinstance(a, list) and isinstance(d, list):
        if sorted(map(json.dumps, a)) != sorted(map(json.dumps, d)):
            out.append('%s: %s != %s' % (path, json.dumps(a), json.dumps(d)))
        return
    if isinstance(a, dict) and isinstance(d, dict):
        for k in sorted(set(a) | set(d)):
            sub = '%s.%s' % (path, k) if path else k
            if k not in d:
                if rule_for(sub) not in ('absent', 'ignore'):
                    out.append('%s: missing in drover (ansible: %s)' % (sub, json.dumps(a[k])[:200]))
            elif k not in a:
                if rule_for(sub) != 'ignore':
                    out.append('%s: only in drover: %s' % (sub, json.dumps(d[k])[:200]))
            else:
                compare(sub, a[k], d[k], out)
        return
    if isinstance(a, list) and isinstance(d, list) and len(a) == len(d):
        for x, y in zip(a, d):
            compare(path + '.*', x, y, out)
        return
    if type(a) is not type(d) or a != d:
        out.append('%s: ansible %s != drover %s' % (path, json.dumps(a)[:300], json.dumps(d)[:300]))


def strip_tmp_mounts(*facts):
    """Other tests running alongside mount scratch file systems under /tmp
    (bind mounts of /dev/vda files): not this machine's mounts."""
    for f in facts:
        if isinstance(f.get('ansible_mounts'), list):
            f['ansible_mounts'] = [m for m in f['ansible_mounts'] if not m.get('mount', '').startswith('/tmp/')]


def make_fact_dir():
    fd = os.path.join(TMP, 'facts.d')
    os.makedirs(fd, exist_ok=True)
    with open(os.path.join(fd, 'app.fact'), 'w') as f:
        f.write('{"name": "demo", "ports": [80, 443], "nested": {"on": true}}\n')
    with open(os.path.join(fd, 'ini.fact'), 'w') as f:
        f.write('[general]\nKey = Value\nother=2\n\n[second]\nx: y\n')
    with open(os.path.join(fd, 'broken.fact'), 'w') as f:
        f.write('this is { neither\n')
    script = os.path.join(fd, 'script.fact')
    with open(script, 'w') as f:
        f.write('#!/bin/sh\necho \'{"from": "script", "n": 3}\'\n')
    os.chmod(script, 0o755)
    with open(os.path.join(fd, 'ignored.txt'), 'w') as f:
        f.write('{}')
    return fd


FACT_DIR = make_fact_dir()


def make_fake_lvm():
    """vgs, lvs, pvs and dmsetup that print what LVM prints, first in PATH
    for both tools, so the LVM facts (gathered as root) are compared."""
    d = os.path.join(TMP, 'fakebin')
    os.makedirs(d, exist_ok=True)
    outputs = {
        'vgs': '  vg0,1,2,0,wz--n-,19.99,4.00\n  vgdata,2,1,0,wz--n-,100.00,0\n',
        'lvs': '  root,vg0,-wi-ao----,10.00,,,,,,,,\n  swap,vg0,-wi-ao----,5.99,,,,,,,,\n'
               '  data,vgdata,-wi-a-----,100.00,,,,,,,,\n',
        'pvs': '  /dev/sda2,vg0,lvm2,a--,19.99,4.00\n  /dev/dm-3,vgdata,lvm2,a--,50.00,0\n'
               '  /dev/sdc,vgdata,lvm2,a--,50.00,0\n',
        'dmsetup': 'crypt-data\n',
    }
    for name, text in outputs.items():
        path = os.path.join(d, name)
        with open(path, 'w') as f:
            f.write("#!/bin/sh\nprintf '%%s' '%s'\n" % text.replace('\n', "\n"))
        os.chmod(path, 0o755)
    return d


FAKE_BIN = make_fake_lvm()
os.environ['PATH'] = FAKE_BIN + ':' + os.environ.get('PATH', '')

# Argument sets compared, each a setup task in one playbook run.
CASES = [
    ('all facts', {'fact_path': FACT_DIR}),
    ('gather_subset min', {'gather_subset': ['min'], 'fact_path': FACT_DIR}),
    ('gather_subset !all,network', {'gather_subset': ['!all', 'network']}),
    ('gather_subset !all,!min,hardware', {'gather_subset': ['!all', '!min', 'hardware']}),
    ('gather_subset virtual,!local', {'gather_subset': ['!all', 'virtual', '!local']}),
    ('filter with and without the prefix', {'filter': ['ansible_distribution*', '*_mb', 'machine']}),
    ('filter on a nested key name matches nothing', {'filter': ['nameservers']}),
    ('an interface alias as subset', {'gather_subset': ['!all', '!min', 'interfaces']}),
]


def run_ansible():
    play = [{'hosts': 'localhost', 'gather_facts': False,
             'tasks': [{'name': n, 'setup': args} for n, args in CASES]}]
    pb = os.path.join(TMP, 'setup.yml')
    with open(pb, 'w') as f:
        json.dump(play, f)
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK='json', ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_INVENTORY_UNPARSED_WARNING='0',
               ANSIBLE_PYTHON_INTERPRETER='/usr/bin/python3')
    p = subprocess.run(['ansible-playbook', '-i', 'localhost,', '-c', 'local', pb], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    out = p.stdout.decode()
    data = json.loads(out[out.index('{'):])
    res = {}
    for t in data['plays'][0]['tasks']:
        res[t['task']['name']] = t['hosts']['localhost']
    return res


def run_drover():
    w = Worker(WORKER)
    try:
        w.hello()
        res = {}
        times = []
        for n, args in CASES:
            t0 = time.monotonic()
            ftype, _, body = w.request('setup', args)
            times.append(time.monotonic() - t0)
            assert ftype == REPLY, body
            res[n] = body.get('result', body) if isinstance(body, dict) else body
        return res, times
    finally:
        w.close()


ans = run_ansible()
drv, times = run_drover()

for name, args in CASES:
    a, d = ans.get(name, {}), drv.get(name, {})
    af, df = a.get('ansible_facts'), d.get('ansible_facts')
    ok(af is not None and df is not None, '%s: both return ansible_facts' % name,
       'ansible: %s\ndrover: %s' % (json.dumps(a)[:1000], json.dumps(d)[:1000]))
    if af is None or df is None:
        continue
    strip_tmp_mounts(af, df)
    diffs = []
    compare('', af, df, diffs)
    ok(not diffs, '%s: facts equal but for the listed differences (%d keys)' % (name, len(af)),
       '\n'.join(diffs))
    ok(d.get('changed') is False and not d.get('failed'), '%s: not changed, not failed' % name, json.dumps(d)[:500])

full = drv['all facts']['ansible_facts']
ok(full.get('ansible_local', {}).get('broken', '').startswith('error loading facts as JSON or ini'),
   'a broken local fact becomes an error string', json.dumps(full.get('ansible_local'))[:500])
ok(any('broken.fact' in w for w in drv['all facts'].get('warnings', [])),
   'a broken local fact warns', json.dumps(drv['all facts'].get('warnings')))
ok(full.get('gather_subset') == ['all'] and full.get('module_setup') is True,
   'gather_subset and module_setup are reported')

# A bad subset fails in both, with the same message start.
w = Worker(WORKER)
try:
    w.hello()
    _, _, body = w.request('setup', {'gather_subset': ['nonsense']})
finally:
    w.close()
res = body.get('result', body)
ok(res.get('failed') is True and res.get('msg', '').startswith(
    "Bad subset 'nonsense' given to Ansible. gather_subset options allowed: all, "),
   'an unknown subset fails as in Ansible', json.dumps(res)[:500])

# Fast: well under Ansible's second (the median, as a loaded machine can
# stall any one request).
med = sorted(times)[len(times) // 2]
ok(med < 0.1, 'a gathering takes milliseconds (median %.1f ms, slowest %.1f ms)' % (med * 1000, max(times) * 1000))

# Addresses this machine lacks, in a network namespace of their own: a
# second primary address, a labelled alias (its own interface for
# Ansible), a secondary, a global IPv6 address and a default route whose
# source the kernel picks. Both tools run inside the namespace.
NS_SCRIPT = r"""
ip link set lo up
ip addr add 10.9.0.5/24 dev lo
ip addr add 10.9.0.6/24 dev lo
ip addr add 10.9.1.7/16 brd + dev lo label lo:1
ip route add default via 10.9.0.1 dev lo
ip -6 addr add fd01::5/64 dev lo
mkdir -p "$1/bindsrc" && mount --bind "$1/bindsrc" /mnt
ansible localhost -c local -m setup -a 'gather_subset=!all,!min,network,hardware' > "$1/ns_ansible.out" 2>/dev/null
python3 - "$2" "$3" > "$1/ns_drover.out" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[2])
from workerproto import Worker
w = Worker(sys.argv[1])
try:
    w.hello()
    print(json.dumps(w.request('setup', {'gather_subset': ['!all', '!min', 'network', 'hardware']})[2]))
finally:
    w.close()
PY
"""
if os.geteuid() == 0 and subprocess.run(['unshare', '-n', '-m', 'true'], stderr=subprocess.DEVNULL).returncode == 0:
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='0',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='0', ANSIBLE_PYTHON_INTERPRETER='/usr/bin/python3')
    subprocess.run(['unshare', '-n', '-m', '--propagation', 'private', 'sh', '-c', NS_SCRIPT, 'ns', TMP, WORKER, os.path.dirname(os.path.abspath(__file__))],
                   env=env, timeout=300)
    try:
        out = open(os.path.join(TMP, 'ns_ansible.out')).read()
        af = json.loads(out[out.index('{'):])['ansible_facts']
        df = json.loads(open(os.path.join(TMP, 'ns_drover.out')).read())['ansible_facts']
        strip_tmp_mounts(af, df)
        binds = [m for m in df.get('ansible_mounts', []) if m.get('mount') == '/mnt']
        ok(len(binds) == 1 and binds[0].get('options', '').endswith(',bind'),
           'a bind mount in a mount namespace is marked as Ansible marks it', json.dumps(binds))
        diffs = []
        compare('', af, df, diffs)
        # Some kernels (gVisor) answer "ip route get" over lo as a local
        # route, without the gateway the routing table holds.
        diffs = [x for x in diffs if not x.startswith('ansible_default_ipv4.gateway: only in drover')]
        ok(not diffs, 'network and hardware facts with addresses, aliases, secondaries and a bind mount in namespaces', '\n'.join(diffs))
    except (OSError, ValueError, KeyError) as e:
        ok(False, 'network and hardware facts with addresses, aliases, secondaries and a bind mount in namespaces', repr(e))
else:
    n_tests += 1
    print('ok %d - facts in namespaces # SKIP needs root and unshare -n -m' % n_tests)
    n_tests += 1
    print('ok %d - bind mount # SKIP needs root and unshare -n -m' % n_tests)

# As an unprivileged user: user facts, the chroot test without
# /proc/1/root, no LVM. Both tools run as nobody with a scratch home.
def as_nobody():
    import shutil
    import tempfile
    home = tempfile.mkdtemp(prefix='drover-setup-nobody.')
    try:
        os.chmod(home, 0o777)
        env = dict(os.environ, HOME=home, ANSIBLE_REMOTE_TMP=home + '/.rt', ANSIBLE_LOCAL_TEMP=home + '/.lt',
                   ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_INVENTORY_UNPARSED_WARNING='0',
                   ANSIBLE_PYTHON_INTERPRETER='/usr/bin/python3', USER='nobody', LOGNAME='nobody')
        drop = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
        p = subprocess.run(drop + ['ansible', 'localhost', '-c', 'local', '-m', 'setup'], env=env, cwd=home,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300)
        out = p.stdout.decode()
        af = json.loads(out[out.index('{'):])['ansible_facts']
        code = ('import json, sys\nsys.path.insert(0, %r)\nfrom workerproto import Worker\n'
                'w = Worker(%r)\nw.hello()\nprint(json.dumps(w.request("setup")[2]))\nw.close()\n'
                % (os.path.dirname(os.path.abspath(__file__)), WORKER))
        p = subprocess.run(drop + ['python3', '-c', code], env=env, cwd=home, stdout=subprocess.PIPE, timeout=120)
        df = json.loads(p.stdout.decode())['ansible_facts']
        return af, df
    finally:
        shutil.rmtree(home, ignore_errors=True)


if os.geteuid() == 0 and subprocess.run(['setpriv', '--reuid=65534', 'true'], stderr=subprocess.DEVNULL).returncode == 0:
    try:
        af, df = as_nobody()
        diffs = []
        compare('', af, df, diffs)
        ok(not diffs and af.get('ansible_user_uid') == 65534, 'facts gathered as an unprivileged user',
           '\n'.join(diffs))
    except (OSError, ValueError, KeyError, subprocess.SubprocessError) as e:
        ok(False, 'facts gathered as an unprivileged user', repr(e))
else:
    n_tests += 1
    print('ok %d - facts gathered as an unprivileged user # SKIP needs root and setpriv' % n_tests)

# The same module through the CLI prints what ansible prints.
if DROVER and os.access(DROVER, os.X_OK):
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='0',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='0', ANSIBLE_PYTHON_INTERPRETER='/usr/bin/python3')
    argv = ['localhost', '-c', 'local', '-m', 'setup', '-a', 'filter=ansible_os_family,ansible_*_mb']
    outs = []
    for cmd in ([DROVER, 'run'], ['ansible']):
        p = subprocess.run(cmd + argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=120)
        outs.append(re.sub(r'("ansible_(memfree|swapfree)_mb": )\d+|("(free|used|cached)": )\d+', r'\1\3N',
                           p.stdout.decode()))
    ok(outs[0] == outs[1], 'drover run -m setup prints what ansible -m setup prints (free memory masked)',
       'drover:\n%s\nansible:\n%s' % (outs[0], outs[1]))

print('1..%d' % n_tests)
sys.exit(1 if n_failed else 0)
