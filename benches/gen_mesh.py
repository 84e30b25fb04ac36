#!/usr/bin/env python3
"""Generates a mesh of N proxies x 10 upstreams as Consul agent JSON or HCL files (issue 13).

    python3 benches/gen_mesh.py --proxies 100000 --out /tmp/mesh-100k [--format hcl]

Three datacenters, a directory each (dc1 the primary; dc2 and dc3 federated with it), every
directory holding its agent configuration, two mesh gateways, and the proxies in files of
`--per-file` services (default 1,000): each service has an inline sidecar with ten upstreams.
Every precedence layer is in use:

* proxy-defaults (`dc1/00-proxy-defaults.json`, a file that sorts before the agent's, so
  placement must follow the directory merge, not the file order): mode `local`;
* service-defaults for 400 services: half set their own `MeshGateway` (the downstream's
  layer), a quarter `UpstreamConfig` defaults and an override (dc1's agent bootstraps some;
  dc2 has the others as config entry files of its own, shared through the federation);
* per-proxy: one sidecar in four sets `proxy.mesh_gateway`;
* per-upstream: the fourth upstream of every proxy sets `remote`, the eighth of every other
  proxy `none`.

A third of the upstreams stay in their own datacenter; the rest name another. The output is
deterministic: the same arguments give the same bytes. 100,000 proxies are about 100 MB.

With `--format hcl` every file but the CA roots (an API response, JSON only) is written as
HCL instead, the same values in the syntax both Consul's HCL1 decoder and hcl-rs (HCL2) read:
services as repeated `services { ... }` blocks, everything else as `key = value` with
object and list literals, one item a line.
"""

import argparse
import json
import os

DCS = ("dc1", "dc2", "dc3")
UPSTREAMS = 10
TRUST_DOMAIN = "7f2ee3b4-5a44-4d5e-9b1c-4a2b9c1c7e0d.consul"


def dc_of(i, per_file):
    """The datacenter index of proxy i: its file's, files dealt round-robin."""
    return (i // per_file) % len(DCS)


def upstream(i, k, n, per_file):
    j = (i * 7 + k * 1009 + 1) % n
    u = {"destination_name": "svc-%d" % j, "local_bind_port": 10000 + k}
    if k % 3 != 0 and dc_of(j, per_file) != dc_of(i, per_file):
        u["datacenter"] = DCS[dc_of(j, per_file)]
    if k == 3:
        u["mesh_gateway"] = {"mode": "remote"}
    elif k == 7 and i % 2:
        u["mesh_gateway"] = {"mode": "none"}
    return u


def service(i, n, per_file):
    proxy = {"upstreams": [upstream(i, k, n, per_file) for k in range(UPSTREAMS)]}
    if i % 4 == 0:
        proxy = {"mesh_gateway": {"mode": ("local", "remote", "none")[i // 4 % 3]}, **proxy}
    return {
        "name": "svc-%d" % i,
        "port": 8080,
        "address": "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255),
        "connect": {"sidecar_service": {"port": 21000, "proxy": proxy}},
    }


def service_defaults(k, j, n):
    """The k-th service-defaults entry, for service j: every other sets the downstream's
    MeshGateway, every fourth (the others) its upstreams' defaults and one override."""
    e = {"Kind": "service-defaults", "Name": "svc-%d" % j, "Protocol": "tcp"}
    if k % 2 == 0:
        e["MeshGateway"] = {"Mode": ("local", "remote", "none")[k // 2 % 3]}
    elif k % 4 == 1:
        e["UpstreamConfig"] = {
            "Defaults": {"MeshGateway": {"Mode": "remote"}},
            "Overrides": [{"Name": "svc-%d" % ((j * 7 + 1009 + 1) % n), "MeshGateway": {"Mode": "none"}}],
        }
    return e


def agent(d, entries):
    a = {
        "datacenter": DCS[d],
        "primary_datacenter": DCS[0],
        "server": True,
        "advertise_addr": "10.%d.0.2" % (100 + d),
        "connect": {"enabled": True},
        "ports": {"grpc": 8502},
    }
    if entries:
        a["config_entries"] = {"bootstrap": entries}
    return a


def gateways(d):
    return {
        "services": [
            {
                "name": "mesh-gateway",
                "id": "mesh-gateway-%d" % g,
                "kind": "mesh-gateway",
                "address": "10.%d.0.%d" % (100 + d, 10 + g),
                "port": 8443,
                "tagged_addresses": {"wan": {"address": "198.18.%d.%d" % (d, 10 + g), "port": 443}},
            }
            for g in (1, 2)
        ]
    }


def hcl_value(v, indent):
    """`v` as an HCL literal: objects one item a line, lists comma-separated."""
    pad = "  " * indent
    if isinstance(v, dict):
        items = "".join("%s  %s = %s\n" % (pad, k, hcl_value(x, indent + 1)) for k, x in v.items())
        return "{\n%s%s}" % (items, pad)
    if isinstance(v, list):
        return "[%s]" % ", ".join(hcl_value(x, indent) for x in v)
    return json.dumps(v)  # strings (JSON escapes are HCL's), numbers, true/false


def hcl_body(value):
    """A top-level object as an HCL body: `services` as repeated blocks, the rest assigned."""
    out = []
    for k, v in value.items():
        if k == "services":
            out.extend("services %s\n" % hcl_value(s, 0) for s in v)
        else:
            out.append("%s = %s\n" % (k, hcl_value(v, 0)))
    return "".join(out)


def write(path, value, indent=None, fmt="json"):
    if fmt == "hcl":
        with open(path[: -len(".json")] + ".hcl", "w", encoding="utf-8") as f:
            f.write(hcl_body(value))
        return
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=indent, separators=(",", ": ") if indent else (", ", ": "))
        f.write("\n")


def services_file(path, first, last, n, per_file, fmt):
    """One file of services first..last, one service at a time (json.dump of the whole list
    in one go would hold it all)."""
    if fmt == "hcl":
        with open(path[: -len(".json")] + ".hcl", "w", encoding="utf-8") as f:
            for i in range(first, last):
                f.write("services %s\n" % hcl_value(service(i, n, per_file), 0))
        return
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"services": [\n')
        for i in range(first, last):
            f.write(json.dumps(service(i, n, per_file), separators=(", ", ": ")))
            f.write(",\n" if i + 1 < last else "\n")
        f.write("]}\n")


def generate(out, n, per_file, fmt="json"):
    step = max(1, n // 400)
    sds = [service_defaults(k, j, n) for k, j in enumerate(range(0, n, step))]
    for d, name in enumerate(DCS):
        os.makedirs(os.path.join(out, name), exist_ok=True)
        write(os.path.join(out, name, "agent.json"), agent(d, sds[0::2] if d == 0 else []), 2, fmt)
        write(os.path.join(out, name, "gateways.json"), gateways(d), 2, fmt)
    write(os.path.join(out, "dc1", "00-proxy-defaults.json"),
          {"Kind": "proxy-defaults", "Name": "global", "MeshGateway": {"Mode": "local"}}, 2, fmt)
    write(os.path.join(out, "dc1", "ca-roots.json"),
          {"TrustDomain": TRUST_DOMAIN, "Roots": [{"ID": "aa:bb", "Name": "Consul CA", "Active": True}]}, 2)
    entries = os.path.join(out, "dc2", "config-entries")
    os.makedirs(entries, exist_ok=True)
    for e in sds[1::2]:
        write(os.path.join(entries, "%s.json" % e["Name"]), e, 2, fmt)
    for f, first in enumerate(range(0, n, per_file)):
        d = DCS[f % len(DCS)]
        path = os.path.join(out, d, "services-%05d.json" % f)
        services_file(path, first, min(first + per_file, n), n, per_file, fmt)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--proxies", type=int, default=100_000)
    p.add_argument("--per-file", type=int, default=1000)
    p.add_argument("--out", required=True)
    p.add_argument("--format", choices=("json", "hcl"), default="json")
    a = p.parse_args()
    generate(a.out, a.proxies, a.per_file, a.format)


if __name__ == "__main__":
    main()
