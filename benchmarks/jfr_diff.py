#!/usr/bin/env python3
"""Where two load phases differ in CPU per request, from their JFR recordings (load.sh with BENCH_JFR=DIR).

   jfr_diff.py A.jfr B.jfr [TOP]

Each file's name ends in -nREQUESTS.jfr (load.sh names them so). For every method, the share of execution
samples with the method on the stack (inclusive) and on top (self) is divided by the phase's requests, and the
methods whose per-request samples differ most between A and B are listed, with A's and B's figures. A sample is
one running Java thread seen by JFR's sampler (the "profile" settings: every 10 ms), so samples per request
compare like CPU time per request; they are not milliseconds.
"""
import collections
import json
import re
import subprocess
import sys


def load(path):
    n = int(re.search(r"-n(\d+)\.jfr$", path).group(1))
    out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample", path], check=True,
                         capture_output=True, text=True).stdout
    inclusive, own, total = collections.Counter(), collections.Counter(), 0
    for event in json.loads(out)["recording"]["events"]:
        frames = [f["method"]["type"]["name"] + "." + f["method"]["name"]
                  for f in event["values"]["stackTrace"]["frames"]]
        if not frames:
            continue
        total += 1
        own[frames[0]] += 1
        for name in set(frames):
            inclusive[name] += 1
    return n, total, inclusive, own


def main():
    a, b = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    (na, ta, ia, oa), (nb, tb, ib, ob) = load(a), load(b)
    print(f"A {a}: {na} requests, {ta} samples, {1000 * ta / na:.2f} samples per 1000 requests")
    print(f"B {b}: {nb} requests, {tb} samples, {1000 * tb / nb:.2f} samples per 1000 requests")
    for title, ca, cb in (("inclusive", ia, ib), ("self", oa, ob)):
        print(f"\n{title}: samples per 1000 requests, A - B (A, B)")
        diff = {m: 1000 * ca[m] / na - 1000 * cb[m] / nb for m in set(ca) | set(cb)}
        for m in sorted(diff, key=lambda k: -abs(diff[k]))[:top]:
            print(f"{diff[m]:+8.2f}  ({1000 * ca[m] / na:7.2f}, {1000 * cb[m] / nb:7.2f})  {m}")


if __name__ == "__main__":
    main()
