#!/usr/bin/python3
"""The reference peer: Open vSwitch's own Python IDL (python3-openvswitch), measured on
the same workloads as libs/ovsdb. Prints one line of JSON.

  python_idl.py txn REMOTE SCHEMA COUNT   one transaction at a time: insert an Interface
                                          and a Port, add the Port to the bridge
  python_idl.py sync REMOTE SCHEMA ROWS   initial sync of the whole database into the IDL
                                          until it holds ROWS Port rows; time and memory
"""
import json
import os
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


def txn(remote, schema, count):
    idl = connect(remote, schema)
    run_until(idl, lambda: idl.has_ever_connected() and len(idl.tables["Bridge"].rows) > 0)
    bridge = next(iter(idl.tables["Bridge"].rows.values()))
    start = time.perf_counter()
    for i in range(count):
        t = ovs.db.idl.Transaction(idl)
        iface = t.insert(idl.tables["Interface"])
        iface.name = "py%d" % i
        port = t.insert(idl.tables["Port"])
        port.name = "py%d" % i
        port.interfaces = [iface]
        bridge.addvalue("ports", port.uuid)
        status = t.commit_block()
        if status != ovs.db.idl.Transaction.SUCCESS:
            raise SystemExit("transaction %d failed: %s %s" % (i, status, t.get_error()))
    elapsed = time.perf_counter() - start
    idl.close()
    print(json.dumps({"txn": count, "seconds": elapsed, "txn_per_s": count / elapsed}))


def sync(remote, schema, rows):
    before = rss_bytes()
    start = time.perf_counter()
    idl = connect(remote, schema)
    run_until(idl, lambda: len(idl.tables["Port"].rows) >= rows)
    elapsed = time.perf_counter() - start
    grown = rss_bytes() - before
    idl.close()
    print(json.dumps({"rows": rows, "seconds": elapsed, "rss_growth_bytes": grown}))


if __name__ == "__main__":
    mode, remote, schema, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    {"txn": txn, "sync": sync}[mode](remote, schema, n)
