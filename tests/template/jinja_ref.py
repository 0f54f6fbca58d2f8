#!/usr/bin/env python3
"""Renders the JSON-lines cases on stdin with Ansible's templar (Jinja2 with
Ansible 2.14's settings) and prints one JSON line per case, in the format of
`drover template --batch`:
    render: {"id", "ok": text}          (the template module: do_template)
    value:  {"id", "type", "repr"}      (Templar.template on a playbook string)
    cond:   {"id", "type", "repr"}      (a when: condition)
    errors: {"id", "kind": "syntax"|"undefined"|"error", "err": message}
"""
import json
import sys
import warnings

warnings.simplefilter("ignore")

from ansible.errors import AnsibleError, AnsibleUndefinedVariable  # noqa: E402
from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.playbook.conditional import Conditional  # noqa: E402
from ansible.template import AnsibleEnvironment, Templar  # noqa: E402
from ansible.utils.display import Display  # noqa: E402
from jinja2.exceptions import TemplateSyntaxError, UndefinedError  # noqa: E402

Display().warning = lambda *a, **k: None

TYPES = {"AnsibleUnsafeText": "str", "AnsibleUnicode": "str", "NativeJinjaUnsafeText": "str",
         "NativeJinjaText": "str", "AnsibleSequence": "list", "AnsibleMapping": "dict"}


def classify(e):
    msg = str(e)
    if isinstance(e, TemplateSyntaxError) or "template error while templating string" in msg \
            or "TemplateSyntaxError" in msg or "Invalid conditional detected" in msg:
        return "syntax"
    if isinstance(e, (AnsibleUndefinedVariable, UndefinedError)):
        return "undefined"
    if isinstance(e, AnsibleError) and ("is undefined" in msg or "has no attribute" in msg or " has no element " in msg
                                        or "UndefinedError" in msg):
        return "undefined"
    return "error"


def run(templar, loader, case):
    mode = case.get("mode", "render")
    vars = case.get("vars", {})
    templar.available_variables = vars
    if mode == "render":
        o = case.get("opts", {})
        t = templar.copy_with_new_env(environment_class=AnsibleEnvironment,
                                      trim_blocks=o.get("trim_blocks", True),
                                      lstrip_blocks=o.get("lstrip_blocks", False),
                                      newline_sequence=o.get("newline_sequence", "\n"),
                                      keep_trailing_newline=o.get("keep_trailing_newline", False),
                                      available_variables=vars)
        return {"ok": t.do_template(case["t"], preserve_trailing_newlines=True, escape_backslashes=False)}
    if mode == "value":
        res = templar.template(case["t"])
    elif mode == "cond":
        c = Conditional(loader=loader)
        c.when = [case["t"]]
        # Ansible only tests the truth of a conditional's result.
        res = bool(c.evaluate_conditional(templar, vars))
    else:
        raise SystemExit(f"mode {mode} is not supported by the reference")
    name = type(res).__name__
    return {"type": TYPES.get(name, name), "repr": repr(res)}


def main():
    loader = DataLoader()
    templar = Templar(loader=loader, variables={})
    for line in sys.stdin:
        case = json.loads(line)
        out = {"id": case["id"]}
        try:
            out.update(run(templar, loader, case))
        except RecursionError as e:
            out.update({"kind": "error", "err": "RecursionError: %s" % e})
        except Exception as e:  # every failure is a result to compare
            out.update({"kind": classify(e), "err": "%s: %s" % (type(e).__name__, e)})
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
