#!/usr/bin/python3
# read.py FILE: read an OpenMetrics exposition with Debian's
# python3-prometheus-client, as Prometheus would: with its OpenMetrics
# parser (which checks the grammar, # EOF, family order, _total, UNIT,
# histogram buckets) and with its parser of the older text format 0.0.4
# (node_exporter's textfile collector reads that one).  Prints each sample
# the OpenMetrics parser read as NAME{LABEL=VALUE,...} VALUE, labels sorted
# and unescaped, and exits 1 with the parser's reason on any error, or when
# the two parsers read different samples.
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as read_om
from prometheus_client.parser import text_string_to_metric_families as read_004


def flat(families):
    out = []
    for f in families:
        for s in f.samples:
            labels = ",".join("%s=%s" % kv for kv in sorted(s.labels.items()))
            out.append("%s{%s} %r" % (s.name, labels, float(s.value)))
    return out


text = open(sys.argv[1], encoding="utf-8").read()
try:
    om = flat(read_om(text))
except Exception as e:  # the parser's own words, whatever it raises
    sys.exit("openmetrics parser: %s: %s" % (type(e).__name__, e))
try:
    old = flat(read_004(text))
except Exception as e:
    sys.exit("text 0.0.4 parser: %s: %s" % (type(e).__name__, e))
if sorted(om) != sorted(old):
    sys.exit("the two parsers read different samples: %s" % sorted(set(om) ^ set(old))[:5])
print("\n".join(om))
