# Prints the expected-results table of tests/unit/test_ini.c, computed by
# Python's own configparser:
#   /usr/bin/python3 tests/unit/ini_cases.py
# Modes: 'd' configparser's defaults (read_string), 'a' as Ansible creates its
# parser (inline ';' comments), 's' as supervisord does (inline ';' and '#',
# strict=False, a file opened in text mode: universal newlines).
# A success is json.dumps of {"DEFAULT": defaults (when any), section: {key:
# value}}; a failure is "!" and the line configparser names.
import configparser
import json

CASES = [
    ('d', ""),
    ('d', "# only a comment\n; another\n"),
    ('d', "[s]\nk = v\n"),
    ('d', "[s]\nk: v\n"),
    ('d', "[s]\nk=v"),
    ('d', "[s]\n  k  =   v  \n"),
    ('d', "[s]\nk\t=\tv\t\n"),
    ('d', "[s]\nFoRkS = 10\nMixed_Key=Value\n"),
    ('d', "[S]\nk=1\n[s]\nk=2\n"),
    ('d', "[s]\nmy key = my value\n"),
    ('d', "[s]\nk =\n"),
    ('d', "[s]\nk = \n"),
    ('d', "[s]\nk:\n"),
    ('d', "[s]\nk : v = w\n"),
    ('d', "[s]\nk = v : w\n"),
    ('d', "[s]\na:b=c\n"),
    ('d', "[s]\nk=:x\n"),
    ('d', "[s]\nk = 'quoted'\nq = \"dq\"\n"),
    ('d', "[s]\nk = %(other)s/x\n"),
    ('d', "[s]\nk = a\n  b\n  c\n"),
    ('d', "[s]\nk =\n  a\n  b\n"),
    ('d', "[s]\nk = a\n\n  b\n"),
    ('d', "[s]\nk = a\n  b\n\n\n[t]\nx=1\n"),
    ('d', "[s]\nk = a\n# c\n  b\n"),
    ('d', "[s]\nk = a\n  # c\n  b\n"),
    ('d', "[s]\nk = a\n  \n"),
    ('d', "[s]\nk = a\n\t\tb\n"),
    ('d', "[s]\n  k = a\n b = c\n"),
    ('d', "[s]\n  k = a\n    x\n"),
    ('d', "[s]\n  k = a\n  b = c\n"),
    ('d', "[s]\nk = a\n  [t]\n"),
    ('d', "[s]\n  [t]\nk=1\n"),
    ('d', "  [s]\n  k = 1\n"),
    ('d', "[s] trailing\nk=1\n"),
    ('d', "[s]k=1\n"),
    ('d', "[ s ]\nk=1\n"),
    ('d', "[a]b]\nk=1\n"),
    ('d', "[a] ; c]\nk=1\n"),
    ('d', "[[x]]\nk=1\n"),
    ('d', "[]]\nk=1\n"),
    ('d', "[s]\nk = v ; c\n"),
    ('a', "[s]\nk = v ; c\n"),
    ('a', "[s]\nk = v;c\n"),
    ('a', "[s]\nk = ;c\n"),
    ('a', "[s]\nk=;c\n"),
    ('a', "[s]\nk = v ;\n"),
    ('a', "[s]\nk = v\t;c\n"),
    ('a', "[s] ; comment\nk=1\n"),
    ('a', "[s]\nk = a ; c\n  b ; d\n"),
    ('a', "[s]\nk = a\n ; only comment\n  b\n"),
    ('a', "[s]\nk = a # not a comment\n"),
    ('a', "[s]\nk = a\u00a0;c\n"),
    ('a', "[s]\nk = a\u3000;c\n"),
    ('a', "[s]\nk = x;y ;z\n"),
    ('a', "[s]\nk = ;;\n"),
    ('s', "[s]\nk = a # c\n"),
    ('s', "[s]\nk = a#b\n"),
    ('s', "[s]\nk = x#y #z ;w\n"),
    ('s', "[s]\nk = x;y #z ;w\n"),
    ('s', "[s]\nk = 1\n[s]\nj = 2\n"),
    ('s', "[s]\nk = 1\nj = 2\nk = 3\n"),
    ('s', "[s]\nk = 1\n  more\nk = 3\n"),
    ('s', "[s]\r\nk = a\r\n  b\r\n"),
    ('s', "[s]\rk = a\r  b\r"),
    ('d', "[s]\r\nk = a\r\n  b\r\n"),
    ('d', "[s]\nk = a\rj = b\n"),
    ('d', "[DEFAULT]\nx = 1\n[s]\ny = 2\n[DEFAULT]\nz = 3\n"),
    ('d', "[DEFAULT]\nx = 1\n[DEFAULT]\nx = 2\n"),
    ('d', "[default]\nx = 1\n"),
    ('d', "[s]\nk\u00a0=\u00a0v\u00a0\n"),
    ('d', "[s]\n\u3000k = a\n\u3000\u3000b\n"),
    ('d', "[s]\nk = a\x0c\n\x1cb = c\x1d\n"),
    ('d', "[s]\nk = caf\u00e9 \u2603\n\u00e9t\u00e9 = x\n"),
    ('d', "[s\u00e9]\nk=1\n"),
    ('d', "[s]\nk = a\n[t]\n  x\n"),
    ('d', "[s]\nk = v\n\n\n"),
    ('d', "\n\n[s]\n\nk = v\n"),
    # errors
    ('d', "k = v\n"),
    ('d', "# c\n\nk = v\n"),
    ('d', "  k = v\n[s]\n"),
    ('d', "[s]\ngarbage\n"),
    ('d', "[s]\nk = 1\ngarbage\nmore garbage\n"),
    ('d', "[s]\n[]\n"),
    ('d', "[s]\n[t\n"),
    ('d', "[s]\n= v\n"),
    ('d', "[s]\n : v\n"),
    ('d', "[s]\nk = 1\n[s]\n"),
    ('d', "[s]\nk = 1\n[t]\n[s]\n"),
    ('d', "[s]\nk = 1\nK = 2\n"),
    ('d', "[s]\nk = 1\n[t]\nk = 1\n[s]\nj=1\n"),
    ('d', "[s]\ngarbage\nk = 1\nk = 2\n"),
    ('d', "[s]\n= 1\n  x\n= 2\n"),
    ('d', "[s]\n= 1\n  b=1\nb=2\n"),
    ('d', "[DEFAULT]\nx = 1\n[DEFAULT]\nX = 2\n"),
    ('a', "[s]\nk = 1 ; c\nk = 2\n"),
    ('s', "[s]\ngarbage\n"),
    ('s', "k = 1\n"),
]


def c_str(s):
    b = s.encode('utf-8')
    out = '"'
    for ch in b:
        c = chr(ch)
        if c == '"' or c == '\\':
            out += '\\' + c
        elif c == '\n':
            out += '\\n'
        elif c == '\t':
            out += '\\t'
        elif c == '\r':
            out += '\\r'
        elif 32 <= ch < 127 and c != '?':
            out += c
        else:
            out += '\\%03o' % ch
    return out + '"'


def run(mode, text):
    if mode == 'd':
        p = configparser.ConfigParser(interpolation=None)
    elif mode == 'a':
        p = configparser.ConfigParser(inline_comment_prefixes=(';',), interpolation=None)
    else:
        p = configparser.RawConfigParser(inline_comment_prefixes=(';', '#'), strict=False)
        text = text.replace('\r\n', '\n').replace('\r', '\n')
    try:
        p.read_string(text)
    except configparser.MissingSectionHeaderError as e:
        return '!%d' % e.lineno
    except configparser.ParsingError as e:
        return '!%d' % e.errors[0][0]
    except configparser.Error as e:
        return '!%d' % e.lineno
    out = {}
    if p._defaults:
        out['DEFAULT'] = dict(p._defaults)
    for name, opts in p._sections.items():
        out[name] = dict(opts)
    return json.dumps(out, ensure_ascii=False)


for mode, text in CASES:
    print("\t{'%s', %s,\n\t %s}," % (mode, c_str(text), c_str(run(mode, text))))
