#!/usr/bin/env python3
"""Many-node simulation (docs/SCALE.md): N `itin node start` processes on
127.0.0.2, 127.0.0.3, ... (plain TCP on loopback), AGENTS agents hopping
among them, with the embedded directory or etcd. Reports hops/s, directory
operations per hop, message round trips to moving agents, failure detection
when nodes are SIGKILLed, and memory per node (RSS).

Usage: scripts/simulate.py --directory embedded|etcd [--nodes 40]
       [--agents 10000] [--pause-ms 2000] [--window 30] [--kill 3]
       [--itin target/ci/itin]
Prints one JSON object with the figures (and progress on stderr).
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

PORT = 7400


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def pct(values, q):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


class Node:
    def __init__(self, i, args, workdir, cluster):
        self.name = f"n{i}"
        self.addr = f"127.0.0.{2 + i}:{PORT}"
        self.url = None
        self.lines = []
        launcher = os.path.join(workdir, f"launch-{self.name}.tcl")
        with open(launcher, "w") as f:
            f.write(launcher_script(args, self.name))
        cmd = [args.itin, "node", "start", "--name", self.name, "--listen", self.addr,
               "--insecure-loopback", "--workers", "1", "--agent", launcher,
               "--http", f"127.0.0.{2 + i}:0"]
        if cluster:
            cmd += ["--cluster", cluster, "--lease-ttl", str(args.lease_ttl)]
        else:
            for j in range(args.nodes):
                if j != i:
                    cmd += ["--peer", f"n{j}=127.0.0.{2 + j}:{PORT}"]
        err = open(os.path.join(workdir, f"{self.name}.log"), "w")
        env = dict(os.environ, ITIN_LOG=os.environ.get("ITIN_LOG", "warn"))
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL,
                                     text=True, env=env)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            line = line.strip()
            self.lines.append(line)
            if line.startswith("dashboard "):
                self.url = line.split(" ", 1)[1]

    def metrics(self):
        base, token = self.url.split("/?token=")
        req = urllib.request.Request(base + "/metrics", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read().decode()
        out = {}
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            m = re.match(r'^(\w+)(\{[^}]*\})? ([0-9.e+-]+)$', line)
            if m:
                out[m.group(1) + (m.group(2) or "")] = float(m.group(3))
        return out


def pick_expr(args):
    """Tcl: a random node other than the agent's own."""
    return "[pick $nodes $agent(node)]"


PICK_PROC = """
proc pick {nodes here} {
    while 1 {
        set n [lindex $nodes [expr {int(rand() * [llength $nodes])}]]
        if {$n ne $here} { return $n }
    }
}
"""


def launcher_script(args, name):
    per_node = args.agents // args.nodes
    nodes = " ".join(f"n{j}" for j in range(args.nodes))
    # Forks its share of hoppers to random nodes (once every peer is
    # linked), then ends. Each hopper jumps to a random node every
    # pause_ms until the simulation stops the nodes.
    return PICK_PROC + f"""
set nodes {{{nodes}}}
expr {{srand([string length $agent(node)] * 7919 + [clock microseconds] % 100000)}}
for {{set k 0}} {{$k < {per_node}}} {{incr k}} {{
    while {{[catch {{set child [agent_fork {pick_expr(args)}]}} e]}} {{ after 200 }}
    if {{$child eq ""}} {{
        while 1 {{
            after {args.pause_ms}
            catch {{agent_jump {pick_expr(args)}}}
        }}
    }}
}}
return launched
"""


def pinger_script(args):
    nodes = " ".join(f"n{j}" for j in range(args.nodes))
    return PICK_PROC + f"""
set nodes {{{nodes}}}
set n {args.pings}
while {{[catch {{set p [agent_fork {pick_expr(args)}]}}]}} {{ after 200 }}
if {{$p eq ""}} {{
    for {{set i 0}} {{$i < $n}} {{incr i}} {{
        set from [agent_receive c b -timeout 20000]
        if {{$from eq ""}} break
        agent_send $from 0 pong
        catch {{agent_jump {pick_expr(args)}}}
    }}
    return
}}
set rtts {{}}
for {{set i 0}} {{$i < $n}} {{incr i}} {{
    set t [clock microseconds]
    agent_send $p 0 ping
    if {{[agent_receive c b -timeout 20000] eq ""}} {{ lappend rtts timeout; continue }}
    lappend rtts [expr {{[clock microseconds] - $t}}]
    after 100
}}
return $rtts
"""


def itin(args, cmd, node, timeout=60):
    env = dict(os.environ, ITIN_NODE=node.addr)
    for k in ("ITIN_CERTS", "ITIN_CLIENT", "ITIN_KEY"):
        env.pop(k, None)
    r = subprocess.run([args.itin] + cmd, capture_output=True, text=True, timeout=timeout, env=env)
    return r.returncode, r.stdout, r.stderr


def directory_ops(args, nodes):
    total = 0
    for n in nodes:
        code, out, _ = itin(args, ["nodes"], n)
        m = re.search(r"; (\d+) operations by this node", out)
        if m:
            total += int(m.group(1))
    return total


def totals(nodes):
    hops = agents = msgs = 0
    for n in nodes:
        m = n.metrics()
        hops += m.get("itinerant_migrations_in_total", 0)
        msgs += m.get("itinerant_messages_in_total", 0)
        agents += sum(v for k, v in m.items() if k.startswith("itinerant_agents{"))
    return hops, agents, msgs


def start_etcd(workdir):
    client, peer = free_port(), free_port()
    data = os.path.join(workdir, "etcd")
    url = lambda p: f"http://127.0.0.1:{p}"
    proc = subprocess.Popen(
        [os.environ.get("ITIN_ETCD", "etcd"), "--name", "sim", "--data-dir", data, "--log-level", "warn",
         "--listen-client-urls", url(client), "--advertise-client-urls", url(client),
         "--listen-peer-urls", url(peer), "--initial-advertise-peer-urls", url(peer),
         "--initial-cluster", f"sim={url(peer)}", "--quota-backend-bytes", str(2 << 30)],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "etcd.log"), "w"))
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", client), timeout=1).close()
            return proc, f"127.0.0.1:{client}"
        except OSError:
            time.sleep(0.1)
    raise SystemExit("etcd did not start")


def main():
    # A SIGTERM (timeout, Ctrl-C) still stops the nodes: see `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser()
    ap.add_argument("--directory", choices=["embedded", "etcd"], required=True)
    ap.add_argument("--nodes", type=int, default=40)
    ap.add_argument("--agents", type=int, default=10000)
    ap.add_argument("--pause-ms", type=int, default=2000)
    ap.add_argument("--window", type=int, default=30)
    ap.add_argument("--kill", type=int, default=3)
    ap.add_argument("--pingers", type=int, default=10)
    ap.add_argument("--pings", type=int, default=20)
    ap.add_argument("--lease-ttl", type=int, default=5)
    ap.add_argument("--itin", default="target/ci/itin")
    ap.add_argument("--settle-timeout", type=int, default=600)
    args = ap.parse_args()
    if args.nodes > 250:
        raise SystemExit("at most 250 nodes (127.0.0.2 .. 127.0.0.251)")
    workdir = tempfile.mkdtemp(prefix="itin-sim-")
    etcd = None
    cluster = None
    result = {"directory": args.directory, "nodes": args.nodes, "agents": args.agents,
              "pause_ms": args.pause_ms, "window_s": args.window}
    nodes = []
    try:
        if args.directory == "etcd":
            etcd, endpoint = start_etcd(workdir)
            cluster = f"etcd://{endpoint}/sim"
        started = time.time()
        nodes = [Node(i, args, workdir, cluster) for i in range(args.nodes)]
        while any(n.url is None for n in nodes):
            dead = [n.name for n in nodes if n.proc.poll() is not None]
            if dead:
                raise SystemExit(f"nodes {dead} exited; logs in {workdir}")
            if time.time() - started > 120:
                raise SystemExit("nodes did not start within 120 s")
            time.sleep(0.2)
        log(f"{args.nodes} nodes up after {time.time() - started:.1f} s")
        # Launch: until every hopper exists.
        want = (args.agents // args.nodes) * args.nodes
        while True:
            hops, agents, _ = totals(nodes)
            log(f"launching: {int(agents)} agents of {want}")
            if agents >= want:
                break
            if time.time() - started > args.settle_timeout:
                raise SystemExit(f"only {agents} agents after {args.settle_timeout} s")
            time.sleep(2)
        result["launch_s"] = round(time.time() - started, 1)
        time.sleep(args.pause_ms / 1000 * 2)
        # Steady state: hops and directory operations over the window.
        h0, _, _ = totals(nodes)
        d0 = directory_ops(args, nodes)
        t0 = time.time()
        pingers = []
        ping_file = os.path.join(workdir, "pinger.tcl")
        with open(ping_file, "w") as f:
            f.write(pinger_script(args))
        for k in range(args.pingers):
            node = nodes[k % len(nodes)]
            env = dict(os.environ, ITIN_NODE=node.addr)
            pingers.append(subprocess.Popen([args.itin, "submit", "--wait", "--timeout", "600", ping_file],
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
        rss = [rss_kib(n.proc.pid) for n in nodes]
        time.sleep(max(0, args.window - (time.time() - t0)))
        h1, agents, _ = totals(nodes)
        d1 = directory_ops(args, nodes)
        t1 = time.time()
        hops = h1 - h0
        result["hops_per_s"] = round(hops / (t1 - t0), 1)
        result["directory_ops_per_hop"] = round((d1 - d0) / hops, 2) if hops else None
        result["agents_alive"] = int(agents)
        rss = [r for r in rss if r]
        result["rss_mib_median"] = round(statistics.median(rss) / 1024, 1)
        result["rss_mib_max"] = round(max(rss) / 1024, 1)
        result["rss_mib_total_nodes"] = round(sum(rss) / 1024, 1)
        if etcd:
            result["rss_mib_etcd"] = round((rss_kib(etcd.pid) or 0) / 1024, 1)
        rtts, timeouts = [], 0
        for p in pingers:
            out, err = p.communicate(timeout=900)
            for w in out.split():
                if w == "timeout":
                    timeouts += 1
                elif w.isdigit():
                    rtts.append(int(w) / 1000)
        result["rtt_ms_median"] = round(statistics.median(rtts), 1) if rtts else None
        result["rtt_ms_p99"] = round(pct(rtts, 0.99), 1) if rtts else None
        result["rtt_samples"] = len(rtts)
        result["rtt_timeouts"] = timeouts
        # Failure detection: SIGKILL the last nodes, watch node n0.
        victims = nodes[-args.kill:] if args.kill else []
        killed_at = time.time()
        for v in victims:
            v.proc.send_signal(signal.SIGKILL)
        detected = {}
        while len(detected) < len(victims) and time.time() - killed_at < 60:
            code, out, _ = itin(args, ["nodes"], nodes[0])
            for v in victims:
                if v.name in detected:
                    continue
                if args.directory == "etcd":
                    gone = re.search(rf"^{v.name}\s+\S+\s+dead", out, re.M)
                else:
                    gone = re.search(rf"^{v.name}\s+\S+\s+disconnected", out, re.M)
                if gone:
                    detected[v.name] = round(time.time() - killed_at, 2)
            time.sleep(0.1)
        result["killed"] = len(victims)
        result["detection_s"] = sorted(detected.values())
        result["detection_means"] = ("lease expired (itin nodes: dead)" if args.directory == "etcd"
                                     else "link disconnected (itin nodes: LINK disconnected)")
        print(json.dumps(result), flush=True)
    finally:
        for n in nodes:
            if n.proc.poll() is None:
                n.proc.send_signal(signal.SIGKILL)
        for n in nodes:
            n.proc.wait()
        if etcd:
            etcd.kill()
            etcd.wait()
        if os.environ.get("SIM_KEEP"):
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
