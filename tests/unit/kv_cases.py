# Prints the expected-results table of tests/unit/test_kv.c, computed by
# ansible-core's own functions. Run with the Debian python that has ansible:
#   /usr/bin/python3 tests/unit/kv_cases.py
# An IndexError shows as parse_kv's message without its Python detail, as kv.c words it.
import json
from ansible.parsing.splitter import join_args, parse_kv, split_args

CASES = [
    "a=b", "a=b c=d", 'a="b c" d=e', "a='b c' d=e", 'a="b \\"c\\" d"', "a='it\\'s'",
    'msg="a=b"', "a=b=c", "a\\=b=c", "a\\=b", "=a", "a=", "a= b", "a=b  c=d", "a=b   c=d",
    "a=b ", " a=b", "  a=b", " ", "", "msg=a\\nb", 'msg="a\\tb"', "msg=\\x41\\u00e9\\U0001F600",
    "msg=\\\\n", "msg=caf\u00e9", "k=\u00a0v\u2003", "k=\tv\t", "echo hi", "echo hi creates=/x",
    "echo hi chdir=/tmp removes=/y executable=/bin/bash warn=no", "echo a=b",
    "stdin=hello stdin_add_newline=no strip_empty_ends=yes cat", "{{ a }}", 'msg="{{ a }}"',
    'msg={{ a | default("x y") }}', "msg={{ a }} b={{ c }}", "{% if x %}a=b{% endif %}",
    "{% if x == 1 %} y=2 {% endif %}", "x={# c o m #}y", "{{ {{ a }} }}", "{{ a", 'a="b', "a='b",
    "}} a=b", "a\nb", "a=1\nb=2", 'msg="line1\nline2"', "a \\\nb", "a=1 \\\nb=2", "\nfoo",
    "a\n\nb", "a\n", 'a="x  y"', 'a="x" "y z"', "a=b a=c", "b=1 a=2 b=3", "_raw_params=x y",
    'a="b"c', "a='b\"", 'a="b\\""', 'a=""', "a='' b=\"\"", "a=\\'b\\'",
    "path=/tmp/x state=directory mode=0755", "chdir=/tmp", '"creates=/x"', "a\\==b", "x\\\\=y",
    '\\"a b\\"', "'a b'", "\"a 'b' c\"", "'a \"b' c\"", 'a\\\\"b c"', "{{a}}={{b}}",
    "a={{ b }}c d", "{{ 'a b' }}", "{% raw %}{{ x y {% endraw %}", "a=\\u00", "a=\\xZZ", "a=\\q",
    "echo \\N{BULLET}", "a=\\x00b", "a=\\ud800", "a=\r", "a=b\tc=d", "k=v\\", "\\", "a \\ b",
    '"a \\ b"', "a=1 # comment", "{{ a }} {{ b }}", "x={{ a }}\ny={{ b }}", "{{ a\n}}",
    "\u00e9=b", "\u043a\u043b\u044e\u0447=\u0437\u043d\u0430\u0447\u0435\u043d\u0438\u0435",
    "a\\x3db", "creates=/x chdir=/y echo", "warn=yes  echo  hi", "a=' b '", "a= 'b' ",
    "{%a%} {%b", "{#", "#}", "x={{ '\"' }}", "\"{{\" a", "a = b", "x=\"a\nb\" y",
    "a=\\\n", "a=b \\", "echo 'hi there' creates=\"/tmp/a b\"", "a=\\\\\\\\", "a=\\\\\\=b",
    "a=\\x3d", "a\u3000=b\u3000", "\\n=x", "'a=b'", "a=\"b\" c", "a=\"b=c d\"", "a=b\x00c d=\x00", "{{ a\n\n\n}}", "{{ a\nb c\n}}",
]
JOINS = [[], ["a"], ["a", "b"], ["a\n", "b"], ["", "b"], ["a", ""], ["a ", "b"],
         ["a\n", "", "c"], ["x=1", "y=\"a b\"", "\n", "z"]]


def c_str(s):
    if s is None:
        return "NULL"
    b = s.encode('utf-8', 'surrogatepass') if isinstance(s, str) else s
    out = '"'
    for ch in b:
        c = chr(ch)
        if c == '"' or c == '\\':
            out += '\\' + c
        elif c == '\n':
            out += '\\n'
        elif c == '\t':
            out += '\\t'
        elif 32 <= ch < 127 and c != '?':
            out += c
        else:
            out += '\\%03o' % ch
    return out + '"'


def run(f, s):
    try:
        return json.dumps(f(s), ensure_ascii=False)
    except IndexError:
        return "!Unable to parse argument string"
    except Exception as e:
        msg = str(e)
        if 'list index out of range' in msg:
            return "!Unable to parse argument string"
        return "!" + msg


for s in CASES:
    n = len(s.encode('utf-8'))
    print('\t{%s, %d,\n\t %s,\n\t %s,\n\t %s},' % (
        c_str(s), n, c_str(run(split_args, s)), c_str(run(parse_kv, s)),
        c_str(run(lambda x: parse_kv(x, check_raw=True), s))))
print('---')
for j in JOINS:
    print('\t{{%s}, %d, %s},' % (', '.join(c_str(x) for x in j) if j else 'NULL', len(j), c_str(join_args(j))))
