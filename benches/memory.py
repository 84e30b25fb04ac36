#!/usr/bin/env python3
"""Peak memory of every meshroute command on the largest accepted input.

Generates inputs just under the default size limit (16 MiB) in each format, runs every
command in every output format on them, and reports each run's peak resident set size
(ru_maxrss, measured from outside the process by GNU time) against the input's size.

    cargo build --release --all-features --bin meshroute
    python3 benches/memory.py [--bin target/release/meshroute] [--size BYTES] [--only SHAPE]

Exits 1 when a run goes over --max-ratio (default 10) times its input's size.

Shapes (each an input a user could give):
  services  an agent configuration with sidecar services, three upstreams each (realistic)
  opaque    one config entry whose opaque Config holds a long list of small numbers (the
            most tree nodes per byte: over the value limit, so rejected)
  dense     the same list cut to the value limit (one value for every 8 bytes), the rest
            of the size a long string: the densest document accepted
  opaque-map  one config entry whose opaque Config is a map of small keys
  keys      one service with many unknown keys (the most diagnostics per byte)
  longkey   one service whose unknown key is almost the whole file (the longest message)
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

LIMIT = 16 * 1024 * 1024
TIME = "/usr/bin/time"  # GNU time (Debian package `time`)


def service_json(i):
    return (
        '{"name": "svc-%d", "port": %d, "address": "10.0.%d.%d",\n'
        ' "connect": {"sidecar_service": {"port": %d, "proxy": {"mesh_gateway": {"mode": "local"},\n'
        '  "upstreams": [\n'
        '   {"destination_name": "svc-%d", "datacenter": "dc2", "local_bind_port": 10000},\n'
        '   {"destination_name": "svc-%d", "local_bind_port": 10001},\n'
        '   {"destination_name": "cache", "destination_type": "prepared_query", "local_bind_port": 10002}]}}}}'
    ) % (i, 8000 + i % 1000, i // 250 % 250, i % 250, 21000 + i % 1000, i + 1, i + 2)


def service_hcl(i):
    return (
        'services {\n  name = "svc-%d"\n  port = %d\n  address = "10.0.%d.%d"\n'
        '  connect { sidecar_service { port = %d\n    proxy {\n'
        '      mesh_gateway { mode = "local" }\n      upstreams = [\n'
        '        { destination_name = "svc-%d", datacenter = "dc2", local_bind_port = 10000 },\n'
        '        { destination_name = "svc-%d", local_bind_port = 10001 },\n'
        '        { destination_name = "cache", destination_type = "prepared_query", local_bind_port = 10002 },\n'
        '      ]\n    }\n  } }\n}\n'
    ) % (i, 8000 + i % 1000, i // 250 % 250, i % 250, 21000 + i % 1000, i + 1, i + 2)


def service_yaml(i):
    return (
        '- name: svc-%d\n  port: %d\n  address: 10.0.%d.%d\n  connect:\n    sidecar_service:\n'
        '      port: %d\n      proxy:\n        mesh_gateway: {mode: local}\n        upstreams:\n'
        '        - {destination_name: svc-%d, datacenter: dc2, local_bind_port: 10000}\n'
        '        - {destination_name: svc-%d, local_bind_port: 10001}\n'
        '        - {destination_name: cache, destination_type: prepared_query, local_bind_port: 10002}\n'
    ) % (i, 8000 + i % 1000, i // 250 % 250, i % 250, 21000 + i % 1000, i + 1, i + 2)


def fill(head, item, sep, tail, size):
    """head + item(0) sep item(1) ... + tail, as long as it stays within size bytes."""
    parts, total, i = [head], len(head) + len(tail), 0
    while True:
        s = (sep if i else "") + item(i)
        if total + len(s) > size:
            break
        parts.append(s)
        total += len(s)
        i += 1
    parts.append(tail)
    return "".join(parts)


def services(fmt, size):
    if fmt == "json":
        return fill('{"datacenter": "dc1", "services": [\n', service_json, ",\n", "\n]}\n", size)
    if fmt == "hcl":
        return fill('datacenter = "dc1"\n', service_hcl, "", "", size)
    return fill("datacenter: dc1\nservices:\n", service_yaml, "", "", size)


def opaque(fmt, size):
    if fmt == "json":
        return fill('{"Kind": "proxy-defaults", "Name": "global", "Config": {"x": [', lambda i: "0", ",", "]}}\n", size)
    if fmt == "hcl":
        return fill('Kind = "proxy-defaults"\nName = "global"\nConfig { x = [', lambda i: "0", ",", "] }\n", size)
    return fill("Kind: proxy-defaults\nName: global\nConfig:\n  x: [", lambda i: "0", ",", "]\n", size)


def dense(fmt, size):
    """The densest document the value limit accepts: an opaque list of just under
    size / 8 numbers, the rest of the size a long string."""
    n = size // 8 - 16
    zeros = ",".join("0" * n)
    pad = size - len(zeros) - 160
    if fmt == "json":
        return '{"Kind": "proxy-defaults", "Name": "global", "Config": {"pad": "%s", "x": [%s]}}\n' % ("p" * pad, zeros)
    if fmt == "hcl":
        return 'Kind = "proxy-defaults"\nName = "global"\nConfig { pad = "%s"\n x = [%s] }\n' % ("p" * pad, zeros)
    return 'Kind: proxy-defaults\nName: global\nConfig:\n  pad: "%s"\n  x: [%s]\n' % ("p" * pad, zeros)


def opaque_map(fmt, size):
    """One config entry whose opaque Config is a map of as many small keys as fit."""
    if fmt == "json":
        return fill('{"Kind": "proxy-defaults", "Name": "global", "Config": {', lambda i: '"k%d": 0' % i, ", ", "}}\n", size)
    if fmt == "hcl":
        return fill('Kind = "proxy-defaults"\nName = "global"\nConfig {\n', lambda i: "k%d = 0\n" % i, "", "}\n", size)
    return fill("Kind: proxy-defaults\nName: global\nConfig:\n", lambda i: "  k%d: 0\n" % i, "", "", size)


def keys(fmt, size):
    if fmt == "json":
        return fill('{"Name": "web", ', lambda i: '"k%d": 0' % i, ", ", "}\n", size)
    if fmt == "hcl":
        return fill('Name = "web"\n', lambda i: "k%d = 0\n" % i, "", "", size)
    return fill("Name: web\n", lambda i: "k%d: 0\n" % i, "", "", size)


def longkey(fmt, size):
    n = size - 64
    if fmt == "json":
        return '{"Name": "web", "%s": 0}\n' % ("k" * n)
    if fmt == "hcl":
        return 'Name = "web"\n%s = 0\n' % ("k" * n)
    return "Name: web\n%s: 0\n" % ("k" * n)


SHAPES = {
    "services": services,
    "opaque": opaque,
    "dense": dense,
    "opaque-map": opaque_map,
    "keys": keys,
    "longkey": longkey,
}
FORMATS = {"json": "json", "hcl": "hcl", "yaml": "yaml"}


def commands(path, shape):
    """Every command that reads the inputs, in every output format (label, argv)."""
    out = []
    for f in ["text", "json", "sarif"]:
        out.append(("check --format %s" % f, ["check", "--format", f, path]))
    for f in ["text", "json"]:
        out.append(("show --format %s" % f, ["show", "--format", f, path]))
    td = ["--trust-domain", "example.consul"]
    for f in ["table", "json"]:
        out.append(("resolve --format %s" % f, ["resolve", "--format", f] + td + [path]))
    if shape == "services":
        for f in ["text", "json"]:
            out.append(("explain --format %s" % f,
                        ["explain", "--service", "svc-1", "--upstream", "svc-2", "--format", f] + td + [path]))
        sni = "svc-2.default.dc1.internal.example.consul"
        for f in ["text", "json"]:
            out.append(("route --format %s" % f,
                        ["route", "--datacenter", "dc1", "--sni", sni, "--format", f] + td + [path]))
    return out


def peak_rss(binary, argv, tmp):
    """(exit code, peak RSS in bytes) of one run, stdout and stderr discarded.

    GNU time runs the command as its own child and reports that child's ru_maxrss. (Python's
    os.wait4 on a direct child would count this script's own memory: the child is forked from
    it, and Linux keeps the larger resident size across exec.)
    """
    report = os.path.join(tmp, "rss")
    cmd = [TIME, "-q", "-o", report, "-f", "%M", binary] + argv
    code = subprocess.call(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(report) as f:
        kib = int(f.read().split()[-1])
    return code, kib * 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/meshroute")
    ap.add_argument("--size", type=int, default=LIMIT)
    ap.add_argument("--only", action="append", choices=sorted(SHAPES))
    ap.add_argument("--format", action="append", choices=sorted(FORMATS))
    ap.add_argument("--max-ratio", type=float, default=10.0)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="meshroute-memory-")
    worst = 0.0
    print("| input | format | bytes | command | exit | peak RSS | x input |")
    print("|---|---|---:|---|---:|---:|---:|")
    try:
        for shape in args.only or SHAPES:
            for fmt in args.format or FORMATS:
                text = SHAPES[shape](fmt, args.size)
                path = os.path.join(tmp, "%s.%s" % (shape, fmt))
                with open(path, "w") as f:
                    f.write(text)
                size = os.path.getsize(path)
                for label, argv in commands(path, shape):
                    code, rss = peak_rss(args.bin, argv, tmp)
                    ratio = rss / size
                    worst = max(worst, ratio)
                    print("| %s | %s | %d | %s | %d | %.1f MiB | %.1fx |"
                          % (shape, fmt, size, label, code, rss / 2**20, ratio), flush=True)
                os.remove(path)
    finally:
        shutil.rmtree(tmp)
    print("\nworst: %.1fx the input (goal: at most %.0fx)" % (worst, args.max_ratio))
    sys.exit(1 if worst > args.max_ratio else 0)


if __name__ == "__main__":
    main()
