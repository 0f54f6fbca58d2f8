"""A small HTTP server for the network modules' tests (127.0.0.1 only).

Serves the files of a directory (with If-Modified-Since as http.server
does) and a few fixed paths: /redir/N (a 302 chain to /files/h.txt),
/see-other (303), /echo (method, path, headers and body as JSON),
/chunked (a chunked body), /chunked-cut (the connection closes in the
trailers after the last chunk), /auth (Basic auth user:pass), /status/N,
/cookie (Set-Cookie). Usage: nettest_server.py DIR PORTFILE [CERT KEY];
writes the port it listens on to PORTFILE; with CERT and KEY it speaks
https."""
import base64
import http.server
import json
import os
import sys

ROOT = sys.argv[1]


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def __init__(self, *a, **kw):
        super().__init__(*a, directory=ROOT, **kw)

    def log_message(self, *a):
        pass

    def reply(self, code, body, ctype='text/plain', extra=()):
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Connection', 'close')
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)
        self.close_connection = True

    def special(self):
        p = self.path.split('?')[0]
        n = int(self.headers.get('Content-Length') or 0)
        data = self.rfile.read(n) if n else b''
        if p.startswith('/redir/'):
            k = int(p.split('/')[2])
            loc = '/redir/%d' % (k - 1) if k > 1 else '/files/h.txt'
            self.reply(302, b'moved', extra=[('Location', loc)])
        elif p == '/see-other':
            self.reply(303, b'', extra=[('Location', '/echo')])
        elif p == '/echo':
            hs = {k.lower(): v for k, v in self.headers.items() if k.lower() not in ('host',)}
            out = json.dumps({'method': self.command, 'path': self.path, 'headers': hs,
                              'body': data.decode('utf-8', 'replace')}, sort_keys=True).encode()
            self.reply(200, out, 'application/json')
        elif p == '/chunked':
            self.send_response(200)
            self.send_header('Content-Type', 'text/plain')
            self.send_header('Transfer-Encoding', 'chunked')
            self.send_header('Connection', 'close')
            self.end_headers()
            for part in (b'first part,', b' second part,', b' end\n'):
                self.wfile.write(b'%x;ext=1\r\n%s\r\n' % (len(part), part))
            self.wfile.write(b'0\r\nX-Trailer: t\r\n\r\n')
            self.close_connection = True
        elif p == '/chunked-cut':
            self.send_response(200)
            self.send_header('Content-Type', 'text/plain')
            self.send_header('Transfer-Encoding', 'chunked')
            self.send_header('Connection', 'close')
            self.end_headers()
            self.wfile.write(b'5\r\nwhole\r\n0\r\nX-Trailer: cut')
            self.close_connection = True
        elif p == '/auth':
            want = 'Basic ' + base64.b64encode(b'user:pass').decode()
            if self.headers.get('Authorization') == want:
                self.reply(200, b'welcome\n')
            else:
                self.reply(401, b'no', extra=[('WWW-Authenticate', 'Basic realm="t"')])
        elif p.startswith('/status/'):
            self.reply(int(p.split('/')[2]), b'status body\n')
        elif p == '/cookie':
            self.reply(200, b'ok', extra=[('Set-Cookie', 'a=1; Path=/'), ('Set-Cookie', 'b=2')])
        else:
            return False
        return True

    def do_GET(self):
        if not self.special():
            if self.path.startswith('/files/'):
                self.path = self.path[len('/files'):]
            super().do_GET()

    def do_HEAD(self):
        if not self.special():
            if self.path.startswith('/files/'):
                self.path = self.path[len('/files'):]
            super().do_HEAD()

    def do_POST(self):
        if not self.special():
            self.reply(405, b'')

    do_PUT = do_POST
    do_DELETE = do_POST


srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
if len(sys.argv) > 4:
    import ssl
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sys.argv[3], sys.argv[4])
    srv.socket = tls.wrap_socket(srv.socket, server_side=True)
with open(sys.argv[2] + '.tmp', 'w') as fh:
    fh.write(str(srv.server_address[1]))
os.rename(sys.argv[2] + '.tmp', sys.argv[2])
srv.serve_forever()
