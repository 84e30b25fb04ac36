#!/usr/bin/env python3
"""The whole job, measured from outside the process (issue 13).

    cargo build --release --all-features --bin meshroute --example whole_job
    python3 benches/e2e.py [--sizes 10000,100000] [--repeat 3] [--work /tmp/meshroute-e2e]
                           [--format json|hcl] [--runs peer,job,cli]

For each size, generates the mesh with benches/gen_mesh.py (kept in --work between runs),
then runs, alternating, --repeat times each:

* peer: `whole_job peer DIRS` (serde_json parsing every file into `Value`; with `--format
  hcl`, `whole_job peer-hcl DIRS`: hcl-rs parsing every `.hcl` file into its `Value`);
* job:  `whole_job job DIRS` (the library job, `Topology::load_paths`: load, move the
  documents into the topology, resolve, write JSON, drop);
* stream: `whole_job stream DIRS` (the same through `Loader::load_paths_each`, now the same load);
* documents: `whole_job documents DIRS` (the same job written as before issue 13: every
  document loaded, then the topology built from them);
* cli:  `meshroute resolve --format json DIRS > /dev/null`.

Each run's wall time and peak RSS (ru_maxrss from os.wait4) are recorded; the fastest run of
each is reported, with the job's per-stage seconds and memory (printed by the example), the
ratios against the peer of the same run, peak RSS over the input's size, and the growth from
the first size to the next. `--format hcl` generates the same mesh in HCL (gen_mesh.py
--format hcl); `--runs` picks the runs (the peer always runs).
"""

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DCS = ("dc1", "dc2", "dc3")
RUNS = ("peer", "job", "stream", "documents", "cli")


def tree_size(path):
    total = 0
    for d, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(d, f)) for f in files)
    return total


def mesh(work, n, fmt):
    out = os.path.join(work, "mesh-%d" % n if fmt == "json" else "mesh-%s-%d" % (fmt, n))
    if not os.path.exists(os.path.join(out, ".done")):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_mesh.py"), "--proxies", str(n),
                        "--out", out, "--format", fmt], check=True)
        open(os.path.join(out, ".done"), "w").close()
    return out


def run(cmd):
    """Wall seconds, peak RSS in bytes, and stderr of one run (stdout to /dev/null)."""
    err_path = "/tmp/meshroute-e2e-stderr-%d" % os.getpid()
    with open(os.devnull, "wb") as null, open(err_path, "wb") as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=null, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
    with open(err_path, encoding="utf-8", errors="replace") as f:
        stderr = f.read()
    os.unlink(err_path)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit("%s exited %d:\n%s" % (" ".join(cmd), code, stderr[-2000:]))
    return wall, usage.ru_maxrss * 1024, stderr


def stages(stderr):
    out = {}
    for line in stderr.splitlines():
        f = line.split()
        if len(f) == 7 and f[0] == "stage":
            out[f[1]] = (float(f[2]), float(f[4]) * 2**20, float(f[6]) * 2**20)
    return out


def mib(b):
    return "%.0f MiB" % (b / 2**20)


def measure(args, n):
    d = mesh(args.work, n, args.format)
    dirs = [os.path.join(d, dc) for dc in DCS]
    size = tree_size(d)
    cmds = {
        "peer": [args.example, "peer" if args.format == "json" else "peer-hcl"] + dirs,
        "job": [args.example, "job"] + dirs,
        "stream": [args.example, "stream"] + dirs,
        "documents": [args.example, "documents"] + dirs,
        "cli": [args.bin, "resolve", "--format", "json"] + dirs,
    }
    cmds = {k: v for k, v in cmds.items() if k in args.runs}
    best = {}
    for _ in range(args.repeat):
        for name, cmd in cmds.items():
            r = run(cmd)
            if name not in best or r[0] < best[name][0]:
                best[name] = r
    return size, best


def report(n, size, best, fmt):
    peer = best["peer"][0]
    print("\n## %d proxies x 10 upstreams: %.1f MB of %s in %s\n"
          % (n, size / 1e6, fmt.upper(), ", ".join(DCS)))
    print("| run | wall | / peer | peak RSS | / input |")
    print("|---|---:|---:|---:|---:|")
    for name in (r for r in RUNS if r in best):
        wall, rss, _ = best[name]
        print("| %s | %.2f s | %.2fx | %s | %.2fx |" % (name, wall, wall / peer, mib(rss), rss / size))
    for job in (r for r in ("job", "stream", "documents") if r in best):
        st = stages(best[job][2])
        print("\n`%s` by stage (its fastest run):\n" % job)
        print("| stage | seconds | RSS after | peak so far |")
        print("|---|---:|---:|---:|")
        for name, (secs, rss, hwm) in st.items():
            if name != "total":
                print("| %s | %.3f | %s | %s |" % (name, secs, mib(rss), mib(hwm)))
        if "build" in st:
            print("\nbuild: %.2f us a proxy" % (st["build"][0] / n * 1e6))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,100000")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--work", default="/tmp/meshroute-e2e")
    p.add_argument("--bin", default=os.path.join(ROOT, "target/release/meshroute"))
    p.add_argument("--example", default=os.path.join(ROOT, "target/release/examples/whole_job"))
    p.add_argument("--format", choices=("json", "hcl"), default="json")
    p.add_argument("--runs", default=",".join(RUNS), help="comma-separated, from " + ", ".join(RUNS))
    args = p.parse_args()
    args.runs = set(args.runs.split(",")) | {"peer"}
    os.makedirs(args.work, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    for n in sizes:
        size, best = measure(args, n)
        report(n, size, best, args.format)
        results.append((n, size, best))
    for (n0, s0, b0), (n1, s1, b1) in zip(results, results[1:]):
        print("\n## growth %d -> %d proxies (input %.1fx)\n" % (n0, n1, s1 / s0))
        print("| run | time | peak RSS |")
        print("|---|---:|---:|")
        for name in (r for r in RUNS if r in b1):
            print("| %s | %.1fx | %.1fx |" % (name, b1[name][0] / b0[name][0], b1[name][1] / b0[name][1]))
        for job in (r for r in ("job", "stream", "documents") if r in b1):
            st0, st1 = stages(b0[job][2]), stages(b1[job][2])
            for stage in st1:
                if stage in st0 and st0[stage][0] > 0:
                    print("| %s: %s | %.1fx | |" % (job, stage, st1[stage][0] / st0[stage][0]))


if __name__ == "__main__":
    main()
