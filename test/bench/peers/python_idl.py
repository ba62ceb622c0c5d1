#!/usr/bin/python3
"""The reference peer: Open vSwitch's own Python IDL (python3-openvswitch), measured on
the same workloads as libs/ovsdb. Prints one line of JSON.

  python_idl.py txn REMOTE SCHEMA COUNT [WARMUP]
                                          one transaction at a time: insert an Interface
                                          and a Port, add the Port to the bridge (after
                                          WARMUP untimed ones)
  python_idl.py sync REMOTE SCHEMA ROWS   initial sync of the whole database into the IDL
                                          until it holds ROWS Port rows; time and memory
  python_idl.py reconnect unix:SOCK SCHEMA ROUNDS UNIXCTL
                                          ROUNDS times: the server drops every connection
                                          (ovs-appctl ovsdb-server/reconnect), another
                                          client adds 3 ports to br0 (one transaction
                                          each); time until the IDL has reconnected and
                                          holds them
"""
import json
import os
import resource
import socket
import subprocess
import sys
import time

import ovs.db.idl
import ovs.poller


def rss_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def connect(remote, schema):
    helper = ovs.db.idl.SchemaHelper(schema)
    helper.register_all()
    idl = ovs.db.idl.Idl(remote, helper)
    return idl


def run_until(idl, done):
    while not done():
        idl.run()
        if done():
            break
        poller = ovs.poller.Poller()
        idl.wait(poller)
        poller.block()


def add_ports(idl, bridge, count, prefix):
    for i in range(count):
        t = ovs.db.idl.Transaction(idl)
        iface = t.insert(idl.tables["Interface"])
        iface.name = "%s%d" % (prefix, i)
        port = t.insert(idl.tables["Port"])
        port.name = "%s%d" % (prefix, i)
        port.interfaces = [iface]
        bridge.addvalue("ports", port.uuid)
        status = t.commit_block()
        if status != ovs.db.idl.Transaction.SUCCESS:
            raise SystemExit("transaction %d failed: %s %s" % (i, status, t.get_error()))


def txn(remote, schema, count, warmup=0):
    idl = connect(remote, schema)
    run_until(idl, lambda: idl.has_ever_connected() and len(idl.tables["Bridge"].rows) > 0)
    bridge = next(iter(idl.tables["Bridge"].rows.values()))
    add_ports(idl, bridge, warmup, "w")
    start = time.perf_counter()
    cpu = time.process_time()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    add_ports(idl, bridge, count, "py")
    elapsed = time.perf_counter() - start
    cpu_us = (time.process_time() - cpu) * 1e6 / count
    faults_per_txn = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / count
    idl.close()
    print(json.dumps({"txn": count, "seconds": elapsed, "txn_per_s": count / elapsed, "cpu_us_per_txn": cpu_us, "minor_faults_per_txn": faults_per_txn}))


def sync(remote, schema, rows):
    before = rss_bytes()
    start = time.perf_counter()
    idl = connect(remote, schema)
    run_until(idl, lambda: len(idl.tables["Port"].rows) >= rows)
    elapsed = time.perf_counter() - start
    grown = rss_bytes() - before
    idl.close()
    print(json.dumps({"rows": rows, "seconds": elapsed, "rss_growth_bytes": grown}))


def add_port_ops(name):
    return [
        {"op": "insert", "table": "Interface", "row": {"name": name}, "uuid-name": "i"},
        {"op": "insert", "table": "Port", "row": {"name": name, "interfaces": ["named-uuid", "i"]}, "uuid-name": "p"},
        {"op": "mutate", "table": "Bridge", "where": [["name", "==", "br0"]],
         "mutations": [["ports", "insert", ["set", [["named-uuid", "p"]]]]]},
    ]


def write_ports(socket_path, names):
    """The other client: a plain JSON-RPC connection, one transaction per port."""
    decoder = json.JSONDecoder()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(socket_path)
        buffered = ""
        for ident, name in enumerate(names):
            request = {"method": "transact", "params": ["Open_vSwitch"] + add_port_ops(name), "id": ident}
            sock.sendall(json.dumps(request).encode())
            while True:
                try:
                    reply, end = decoder.raw_decode(buffered)
                except ValueError:
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise SystemExit("writer: connection closed")
                    buffered += chunk.decode()
                    continue
                buffered = buffered[end:].lstrip()
                if reply.get("id") == ident:
                    break
            failed = reply.get("error") or [r for r in reply["result"] if r and "error" in r]
            if failed:
                raise SystemExit("writer: %s failed: %s" % (name, failed))


def port_names(idl):
    return {row.name for row in idl.tables["Port"].rows.values()}


def reconnect(remote, schema, rounds, ctl):
    if not remote.startswith("unix:"):
        raise SystemExit("reconnect needs a unix: remote")
    idl = connect(remote, schema)
    run_until(idl, lambda: idl.has_ever_connected() and len(idl.tables["Bridge"].rows) > 0)
    timings = []
    for r in range(rounds):
        names = {"rc%d-%d" % (r, k) for k in range(3)}
        seqno = idl._session.get_seqno()
        start = time.perf_counter()
        subprocess.run(["ovs-appctl", "-t", ctl, "ovsdb-server/reconnect"], check=True, stdout=subprocess.DEVNULL)
        write_ports(remote[len("unix:"):], sorted(names))
        # Reconnected (the session's seqno moves on disconnect and on connect) and holding every write.
        run_until(idl, lambda: idl._session.get_seqno() >= seqno + 2 and idl._session.is_connected()
                  and names <= port_names(idl))
        timings.append((time.perf_counter() - start) * 1000)
    idl.close()
    print(json.dumps({"rounds": rounds, "ms": timings}))


if __name__ == "__main__":
    mode, remote, schema, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if mode == "reconnect":
        reconnect(remote, schema, n, sys.argv[5])
    elif mode == "txn":
        txn(remote, schema, n, int(sys.argv[5]) if len(sys.argv) > 5 else 0)
    else:
        sync(remote, schema, n)
