"""A minimal controller side of doc/PROTOCOL.worker for tests: frames and
wire values over a worker's stdin/stdout, with deadlines on every read."""
import os
import select
import struct
import subprocess
import time

HELLO, REQUEST, REPLY, ERROR, BYE = 1, 2, 3, 4, 5


def enc(v):
    if v is None:
        return b'N'
    if v is True:
        return b'T'
    if v is False:
        return b'F'
    if isinstance(v, int):
        return b'I' + struct.pack('>q', v)
    if isinstance(v, float):
        return b'D' + struct.pack('>d', v)
    if isinstance(v, str):
        v = v.encode('utf-8', 'surrogateescape')
    if isinstance(v, (bytes, bytearray)):
        return b'S' + struct.pack('>I', len(v)) + bytes(v)
    if isinstance(v, (list, tuple)):
        return b'L' + struct.pack('>I', len(v)) + b''.join(enc(x) for x in v)
    if isinstance(v, dict):
        out = [b'M', struct.pack('>I', len(v))]
        for k, x in v.items():
            k = k.encode() if isinstance(k, str) else k
            out += [struct.pack('>I', len(k)), k, enc(x)]
        return b''.join(out)
    raise TypeError(type(v))


def dec(b, i=0, raw=False):
    """Decodes one value at b[i:]; returns (value, next index). Strings come
    back as str (surrogateescape) unless raw, then bytes."""
    t = b[i:i + 1]
    i += 1
    if t == b'N':
        return None, i
    if t == b'T':
        return True, i
    if t == b'F':
        return False, i
    if t == b'I':
        return struct.unpack('>q', b[i:i + 8])[0], i + 8
    if t == b'D':
        return struct.unpack('>d', b[i:i + 8])[0], i + 8
    if t == b'S':
        n = struct.unpack('>I', b[i:i + 4])[0]
        s = bytes(b[i + 4:i + 4 + n])
        return (s if raw else s.decode('utf-8', 'surrogateescape')), i + 4 + n
    if t == b'L':
        n = struct.unpack('>I', b[i:i + 4])[0]
        i += 4
        out = []
        for _ in range(n):
            x, i = dec(b, i, raw)
            out.append(x)
        return out, i
    if t == b'M':
        n = struct.unpack('>I', b[i:i + 4])[0]
        i += 4
        out = {}
        for _ in range(n):
            kl = struct.unpack('>I', b[i:i + 4])[0]
            k = bytes(b[i + 4:i + 4 + kl]).decode('utf-8', 'surrogateescape')
            i += 4 + kl
            out[k], i = dec(b, i, raw)
        return out, i
    raise ValueError('bad tag %r' % t)


PROTO = 2  # PROTO_VERSION of src/proto/frame.h


def frame(ftype, fid, body, version=PROTO):
    b = enc(body)
    return struct.pack('>IBBI', len(b) + 6, version, ftype, fid) + b


class Worker:
    def __init__(self, path, env=None, cwd=None):
        self.p = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env, cwd=cwd)
        self.buf = bytearray()
        self.next_id = 1

    def send_raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def send(self, ftype, fid, body, version=PROTO):
        self.send_raw(frame(ftype, fid, body, version))

    def _fill(self, n, deadline):
        fd = self.p.stdout.fileno()
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError('no frame from the worker in time')
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return False
            self.buf += chunk
        return True

    def recv(self, timeout=10.0, raw=False):
        """Returns (type, id, body) or None at EOF."""
        deadline = time.monotonic() + timeout
        if not self._fill(4, deadline):
            return None
        n = struct.unpack('>I', self.buf[:4])[0]
        if not self._fill(4 + n, deadline):
            raise EOFError('EOF inside a frame')
        data = bytes(self.buf[:4 + n])
        del self.buf[:4 + n]
        version, ftype, fid = struct.unpack('>BBI', data[4:10])
        assert version == PROTO, version
        body, end = dec(data, 10, raw)
        assert end == len(data), 'trailing bytes in frame'
        return ftype, fid, body

    def hello(self):
        self.send(HELLO, 0, {'proto': PROTO, 'version': 'test'})
        return self.recv()

    def request(self, module, args=None, wait=30.0, raw=False, **extra):
        fid = self.next_id
        self.next_id += 1
        body = {'module': module, 'args': args or {}}
        body.update(extra)
        self.send(REQUEST, fid, body)
        f = self.recv(wait, raw)
        assert f is not None, 'worker closed the stream'
        assert f[1] == fid, 'reply id %d for request %d' % (f[1], fid)
        return f

    def wait(self, timeout=10.0):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return None

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        for f in (self.p.stdin, self.p.stdout, self.p.stderr):
            try:
                f.close()
            except OSError:
                pass


# ---- file and waiting helpers the worker tests share ----

def write(path, data, mode=None):
    """Writes data (str or bytes) to path, creating its directory."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as fh:
        fh.write(data.encode() if isinstance(data, str) else data)
    if mode is not None:
        os.chmod(path, mode)


def read(path):
    with open(path, 'rb') as fh:
        return fh.read()


def poll(cond, limit=10.0, step=0.05):
    """Polls cond until it is true or limit seconds have passed."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()
