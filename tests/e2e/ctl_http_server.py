"""A fake supervisord XML-RPC endpoint on a unix socket that frames each
response a chosen way, for comparing how droverctl and supervisorctl read
HTTP responses.

Usage: ctl_http_server.py SOCKET MODE. Answers getVersion with "3.0" and
any other method with "4.2.5-fake", one response per connection, until
killed. MODE: length (Content-Length), chunked (three chunks with an
extension), trailers (chunked, a trailer field, then the connection closes
before the blank line), eof (HTTP/1.0, the body runs to the close), lf (bare
LF line ends), unauth (401 with a body)."""
import os
import socket
import sys

PATH, MODE = sys.argv[1], sys.argv[2]


def xml(value):
    return ('<?xml version="1.0"?>\n<methodResponse><params><param><value><string>%s</string>'
            '</value></param></params></methodResponse>\n' % value).encode()


def read_request(conn):
    data = b''
    while b'\r\n\r\n' not in data:
        more = conn.recv(65536)
        if not more:
            return None
        data += more
    head, _, body = data.partition(b'\r\n\r\n')
    length = 0
    for line in head.split(b'\r\n')[1:]:
        name, _, val = line.partition(b':')
        if name.strip().lower() == b'content-length':
            length = int(val)
    while len(body) < length:
        more = conn.recv(65536)
        if not more:
            break
        body += more
    return body


def chunked(body, last):
    third = len(body) // 3
    parts = [body[:third], body[third:2 * third], body[2 * third:]]
    out = b''.join(b'%x;ext=1\r\n%s\r\n' % (len(p), p) for p in parts)
    return out + b'0\r\n' + last


def response(body):
    if MODE == 'length':
        return b'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s' % (len(body), body)
    if MODE == 'chunked':
        return b'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n' + \
            chunked(body, b'\r\n')
    if MODE == 'trailers':
        return b'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n' + \
            chunked(body, b'X-Trailer: 1\r\n')
    if MODE == 'eof':
        return b'HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n' + body
    if MODE == 'lf':
        return b'HTTP/1.1 200 OK\nContent-Type: text/xml\nContent-Length: %d\n\n%s' % (len(body), body)
    if MODE == 'unauth':
        return b'HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\n\r\nUnauthorized'
    raise SystemExit('unknown mode ' + MODE)


def main():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(PATH + '.tmp')
    s.listen(8)
    os.rename(PATH + '.tmp', PATH)
    while True:
        conn, _ = s.accept()
        req = read_request(conn)
        if req is not None:
            conn.sendall(response(xml('3.0' if b'getVersion<' in req else '4.2.5-fake')))
        conn.close()


main()
