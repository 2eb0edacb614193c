#!/usr/bin/env python3
"""Checks monitoring/grafana/voip-ha.json for test/prometheus/run.sh.

Usage: dashboard-queries.py DASHBOARD OUTDIR (OUTDIR holds pair.series.yml)

Fails (exit 1, one line per problem) unless the dashboard imports as is:
one data source input DS_PROMETHEUS, used by every panel, query, annotation
and variable. Writes, from every PromQL query (Grafana's variables replaced
by values a check can use):
  dashboard.exprs       the queries, one a line
  dashboard.rules.yml   each one a recording rule (promtool check rules)
  dashboard.test.yml    each one evaluated on the recorded pair at 11 m,
                        a minute after its failover: count(QUERY) > bool 0
                        must be 1 (count of an empty result is empty)
"""
import json
import re
import sys

DS = "${DS_PROMETHEUS}"
SUBST = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h", "$cluster": ".*"}


def panels(ps):
    for p in ps:
        yield p
        yield from panels(p.get("panels", []))


def main():
    dash, out = sys.argv[1], sys.argv[2]
    d = json.load(open(dash, encoding="utf-8"))
    errs, exprs = [], []
    if [i.get("name") for i in d.get("__inputs", [])] != ["DS_PROMETHEUS"]:
        errs.append("__inputs must declare exactly the data source DS_PROMETHEUS")
    for p in panels(d.get("panels", [])):
        if p.get("type") == "row":
            continue
        title = p.get("title")
        if p.get("datasource", {}).get("uid") != DS:
            errs.append("panel %r: data source is not %s" % (title, DS))
        if not p.get("targets"):
            errs.append("panel %r has no query" % title)
        for t in p.get("targets", []):
            if t.get("datasource", {}).get("uid") != DS:
                errs.append("panel %r: query %s: data source is not %s" % (title, t.get("refId"), DS))
            exprs.append(("panel %r query %s" % (title, t.get("refId")), t.get("expr", "")))
    for a in d.get("annotations", {}).get("list", []):
        if a.get("builtIn"):
            continue
        if a.get("datasource", {}).get("uid") != DS:
            errs.append("annotation %r: data source is not %s" % (a.get("name"), DS))
        exprs.append(("annotation %r" % a.get("name"), a.get("expr", "")))
    for v in d.get("templating", {}).get("list", []):
        if v.get("datasource", {}).get("uid") != DS:
            errs.append("variable %r: data source is not %s" % (v.get("name"), DS))
        m = re.fullmatch(r"label_values\((\w+), *(\w+)\)", v.get("query", {}).get("query", ""))
        if not m:
            errs.append("variable %r: not label_values(METRIC, LABEL)" % v.get("name"))
            continue
        exprs.append(("variable %r" % v.get("name"), "group by (%s) (%s)" % (m.group(2), m.group(1))))

    series = "".join(l for l in open(out + "/pair.series.yml", encoding="utf-8") if not l.startswith("#"))
    with open(out + "/dashboard.exprs", "w") as x, open(out + "/dashboard.rules.yml", "w") as r, \
            open(out + "/dashboard.test.yml", "w") as t:
        r.write("groups:\n  - name: dashboard\n    rules:\n")
        t.write("rule_files: [dashboard.rules.yml]\nevaluation_interval: 15s\ntests:\n"
                "  - interval: 15s\n    input_series:\n" + series + "    promql_expr_test:\n")
        for i, (where, e) in enumerate(exprs):
            for k, v in SUBST.items():
                e = e.replace(k, v)
            if not e.strip():
                errs.append("%s: empty query" % where)
                continue
            if "$" in e:
                errs.append("%s: a variable this check does not know: %s" % (where, e))
            x.write(e + "\n")
            r.write("      - record: dashboard:query_%d\n        expr: %s\n" % (i, json.dumps(e)))
            t.write("      - expr: %s\n        eval_time: 11m\n        exp_samples:\n"
                    "          - labels: '{}'\n            value: 1\n"
                    % json.dumps("count(%s) > bool 0" % e))
    for e in errs:
        print(e)
    print("%d queries" % len(exprs))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
