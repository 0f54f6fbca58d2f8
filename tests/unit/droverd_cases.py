# Prints the expected-results tables of tests/unit/test_droverd_values.c,
# computed by supervisor 4.2.5's own functions. Run with Debian's python:
#   /usr/bin/python3 tests/unit/droverd_cases.py > /tmp/cases.h
# and paste the tables into the test. Each expected value is a string:
# "!message" for a ValueError, else the result in the test's encoding.
import re
import sys

from supervisor import datatypes
from supervisor.options import expand

ENV_CASES = [
    "A=1", "A=1,B=2", 'A="x y",B=z', "A='x,y'", "A=1 B=2", "A=a@b", "A=caf\u00e9",
    "A=x#y,B=z", 'A="unclosed', "", "A=", "A=,B=1", 'KEY="val",KEY2=val2',
    'PATH="/usr/bin:/bin"', "A=http://x:80/y", "A=1,A=2", '"A"=1', "A=b\\c",
    "A=1,\nB=2", "A=\"it's\"", "A='a\"b'", "A==", "A", "A=1,", "A=1,,B=2",
    "A=-1.5e+3", "A=%", "A=x y z,B=1", "A = 1 , B = 2", "A=\"a\"\"b\",C=d",
    "A=x\"y z\",B=1", "A=1;B=2", "A=~/x", "A=$HOME", "A=*", "A='' ,B=\"\"",
    "A=1\tB=2", "# c\nA=1", "A=1 # c\n,B=2", "A=\u00e9\u00e9,B=1", "A=a\u00e9b",
]

EXPAND_VARS = {
    "here": "/etc/sv", "program_name": "web", "process_num": 3, "numprocs": 10,
    "ENV_HOME": "/root", "group_name": "g", "q": "it's",
}
EXPAND_CASES = [
    "%(here)s", "%(process_num)02d", "%(process_num)d", "%(process_num)s",
    "%(numprocs)x", "%(here)r", "%(program_name)10s|", "%(program_name)-10s|",
    "%(program_name).2s", "100%%", "%(nope)s", "%(here)d", "%", "%(here",
    "%(here)", "%(here)q", "%(process_num)+d", "%(process_num) d",
    "%(process_num)#x", "%(process_num)#o", "%(process_num)5.3d", "%(process_num)-4d|",
    "%(process_num)f", "%(process_num).2e", "a%(here)sb%(program_name)sc",
    "%(q)r", "%(ENV_HOME)s/x", "%(numprocs)X", "%(process_num)05s", "%(here)x",
    "%(process_num)i", "%(process_num)u", "%(here)c", "%(process_num)g",
    "%(process_num)*d", "x%(a(b)c)sy", "%(here)ls", "%%(here)s", "%(program_name)%",
]

BYTES_CASES = ["50MB", "1kb", "10", "1GB", "0", "x", "kb", "1.5MB", " 7 ", "-1", "1_000", "5 mb", "12b"]
BOOL_CASES = ["true", "TRUE", "Yes", "on", "1", "false", "No", "OFF", "0", "2", "", "t"]
SIGNAL_CASES = ["TERM", "SIGTERM", "term", "9", " KILL ", "HUP", "USR1", "40", "34", "64", "0",
                "NOPE", "SIGCLD", "IOT", "POLL", "RTMIN", "_DFL", "-1", "99"]
EXITCODE_CASES = ["0", "0,2", "", "1, 2 ,3", "256", "-1", "a", "0,,2", "255", " 5 "]
OCTAL_CASES = ["022", "0o22", "777", "8", "", "0o", "-7", " 7 ", "0_22", "022x"]
INT_CASES = ["1", "-1", "+5", " 10 ", "1_000", "1__0", "_1", "1_", "", "x", "0x10", "007",
             "9223372036854775807", "-9223372036854775808"]
NAME_CASES = ["web", " web ", "a b", "a:b", "a/b", "caf\u00e9"]
AUTORESTART_CASES = ["true", "false", "unexpected", "UNEXPECTED", "yes", "0", "maybe"]
LEVEL_CASES = ["info", "INFO", "debug", "warn", "error", "critical", "trace", "blather", "bogus"]
AUTO_NAMES = [
    "web-stdout---supervisor-abc123.log", "web-stdout---supervisor-abc123.log.1",
    "web-stderr---supervisor-x.log.10", "---supervisor-x.log", "w---supervisor-.log",
    "w---supervisor-x y.log", "w---other-x.log", "a---supervisor-b.logx",
    "a---supervisor-b.txt", "a---supervisor-b.log.12345", "x.log",
]


def c_str(s):
    out = '"'
    for ch in s.encode("utf-8"):
        c = chr(ch)
        if c == '"' or c == "\\":
            out += "\\" + c
        elif 32 <= ch < 127:
            out += c
        else:
            out += '\\%03o' % ch
    return out + '"'


def run(fn, arg):
    try:
        return fn(arg)
    except ValueError as e:
        return "!" + str(e)


def table(name, cases, fn):
    print("static const struct vcase %s[] = {" % name)
    for c in cases:
        print("\t{%s, %s}," % (c_str(c), c_str(fn(c))))
    print("};")


def env(c):
    r = run(datatypes.dict_of_key_value_pairs, c)
    if isinstance(r, str):
        return r
    return "".join("%s\t%s\n" % (k, v) for k, v in r.items())


def exp(c):
    try:
        return expand(c, dict(EXPAND_VARS), "what")
    except ValueError as e:
        return "!" + str(e)


def plain(fn):
    def f(c):
        r = run(fn, c)
        if isinstance(r, str) and r.startswith("!"):
            return r
        if r is True:
            return "1"
        if r is False:
            return "0"
        if isinstance(r, list):
            return ",".join(str(x) for x in r)
        if fn is datatypes.auto_restart:
            return {datatypes.RestartWhenExitUnexpected: "unexpected",
                    datatypes.RestartUnconditionally: "true"}.get(r, str(r))
        return str(int(r)) if not isinstance(r, str) else r
    return f


def auto(c):
    fnre = re.compile(r'.+?---%s-\S+\.log\.{0,1}\d{0,4}' % "supervisor")
    return "1" if fnre.match(c) else "0"


table("env_cases", ENV_CASES, env)
table("expand_cases", EXPAND_CASES, exp)
table("bytes_cases", BYTES_CASES, plain(datatypes.byte_size))
table("bool_cases", BOOL_CASES, plain(datatypes.boolean))
table("signal_cases", SIGNAL_CASES, plain(datatypes.signal_number))
table("exitcode_cases", EXITCODE_CASES, plain(datatypes.list_of_exitcodes))
table("octal_cases", OCTAL_CASES, plain(datatypes.octal_type))
table("int_cases", INT_CASES, plain(datatypes.integer))
table("name_cases", NAME_CASES, plain(datatypes.process_or_group_name))
table("autorestart_cases", AUTORESTART_CASES, plain(datatypes.auto_restart))
table("level_cases", LEVEL_CASES, plain(datatypes.logging_level))
table("auto_cases", AUTO_NAMES, auto)
