#!/usr/bin/env python3
"""tests/wire/load.py - the banking load driver of tests/wire/load_test.sh.

  load.py setup  --port P --accounts N --initial B
  load.py run    --port P --clients C --seconds S --requests R --state FILE
  load.py verify --port P --state FILE

`run` opens C connections (all of them are open at once before any client
starts: a barrier), then every client runs a random mix until S seconds pass
or it has made R requests:

  transfer      BEGIN; two UPDATEs of accounts; two ledger INSERTs; COMMIT
  read          SELECT balance ... / SELECT sum(balance) (must be the total)
  snapshot      BEGIN; sum(balance); sum(ledger.amount); COMMIT (both exact)
  event         an autocommit INSERT into events
  rollback      a transfer ended by ROLLBACK
  error         a deliberate error (22012 inside a transaction, then 25P02,
                23505, 42601, 23514 overdraft) that must come back with
                exactly that SQLSTATE
  disconnect    a transfer abandoned mid-transaction: the socket is shut
                down without a Terminate message, or the connection is closed
                (Terminate) inside the transaction; the client reconnects

Expected concurrency failures (40001 serialization, 55P03 lock wait) roll
back and count as retries; any other error is a failure. Every transfer or
event whose COMMIT was acknowledged is recorded in the state file.

`verify` checks the invariants on a fresh connection: the balances sum to
the initial total, the ledger is double-entry (each transfer two rows that sum
to zero), each balance equals its initial value plus its ledger rows, the
ledger's transfers and the events are exactly the acknowledged ones (nothing
acknowledged lost, nothing rolled back or abandoned kept), and
SELECT strata_check() is ok. Prints "ok   ..." / "FAIL ..." lines; exit 1 on
any failure. Loopback only: the host is always 127.0.0.1.
"""
import argparse
import json
import random
import socket
import sys
import threading
import time

import psycopg2

RETRY_CODES = {"40001", "55P03", "40P01"}


def connect(port):
    conn = psycopg2.connect(host="127.0.0.1", port=port, user="bank", dbname="strata",
                            connect_timeout=30)
    conn.autocommit = True
    return conn


class Result:
    def __init__(self):
        self.lock = threading.Lock()
        self.transfers = []      # acknowledged transfer ids
        self.events = []         # acknowledged (client, seq)
        self.ambiguous = []      # transfer ids whose COMMIT got no answer
        self.counts = {}
        self.failures = []

    def count(self, name, n=1):
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + n

    def fail(self, text):
        with self.lock:
            if len(self.failures) < 20:
                self.failures.append(text)
            self.counts["unexpected"] = self.counts.get("unexpected", 0) + 1


class Client:
    def __init__(self, index, args, result, barrier):
        self.index = index
        self.args = args
        self.result = result
        self.barrier = barrier
        self.rng = random.Random(args.seed * 1000 + index)
        self.conn = None
        self.seq = 0

    def reconnect(self):
        try:
            if self.conn is not None:
                self.conn.close()
        except psycopg2.Error:
            pass
        self.conn = connect(self.args.port)
        self.result.count("connections")

    def run(self):
        try:
            self.reconnect()
        except psycopg2.Error as e:
            self.result.fail("client %d: connect: %s" % (self.index, e))
            self.barrier.abort()
            return
        try:
            self.barrier.wait(timeout=120)
        except threading.BrokenBarrierError:
            self.result.fail("client %d: not every client connected" % self.index)
            return
        deadline = time.monotonic() + self.args.seconds
        requests = 0
        while requests < self.args.requests and time.monotonic() < deadline:
            requests += 1
            try:
                self.step()
            except psycopg2.Error as e:
                self.result.fail("client %d: %s %s" % (self.index, e.pgcode, str(e).strip()))
                try:
                    self.reconnect()
                except psycopg2.Error:
                    return
        self.result.count("requests", requests)
        try:
            self.conn.close()
        except psycopg2.Error:
            pass

    def step(self):
        r = self.rng.random()
        if r < 0.45:
            self.transfer("commit")
        elif r < 0.60:
            self.read()
        elif r < 0.65:
            self.snapshot()
        elif r < 0.78:
            self.event()
        elif r < 0.84:
            self.transfer("rollback")
        elif r < 0.95:
            self.error()
        else:
            self.transfer(self.rng.choice(["shutdown", "terminate"]))

    def next_id(self):
        self.seq += 1
        return self.index * 1000000 + self.seq

    def transfer(self, ending):
        cur = self.conn.cursor()
        tid = self.next_id()
        src, dst = self.rng.sample(range(1, self.args.accounts + 1), 2)
        amount = self.rng.randint(1, 50)
        try:
            cur.execute("BEGIN")
            cur.execute("UPDATE accounts SET balance = balance - %s WHERE id = %s",
                        (amount, src))
            cur.execute("UPDATE accounts SET balance = balance + %s WHERE id = %s",
                        (amount, dst))
            cur.execute("INSERT INTO ledger (transfer_id, account, amount) VALUES "
                        "(%s, %s, %s), (%s, %s, %s)", (tid, src, -amount, tid, dst, amount))
        except psycopg2.Error as e:
            self.abandon(cur, e, tid)
            return
        if ending == "rollback":
            cur.execute("ROLLBACK")
            self.result.count("rolled_back")
            return
        if ending == "shutdown":
            # Drop the connection without a Terminate message: the server sees EOF.
            sock = socket.socket(fileno=self.conn.fileno())
            try:
                sock.shutdown(socket.SHUT_RDWR)
            finally:
                sock.detach()
            self.result.count("disconnects")
            self.reconnect()
            return
        if ending == "terminate":
            self.result.count("disconnects")
            self.reconnect()
            return
        try:
            cur.execute("COMMIT")
        except psycopg2.OperationalError as e:
            if e.pgcode is None:
                with self.result.lock:
                    self.result.ambiguous.append(tid)
                self.reconnect()
                return
            self.abandon(cur, e, tid)
            return
        except psycopg2.Error as e:
            self.abandon(cur, e, tid)
            return
        with self.result.lock:
            self.result.transfers.append(tid)
        self.result.count("committed")

    def abandon(self, cur, e, tid):
        """An error inside a transfer: expected ones are retries, or the
        overdraft CHECK (23514); the transaction is rolled back."""
        if e.pgcode in RETRY_CODES:
            self.result.count("retry_" + e.pgcode)
        elif e.pgcode == "23514":
            self.result.count("overdraft")
        else:
            self.result.fail("transfer %d: %s %s" % (tid, e.pgcode, str(e).strip()))
        cur.execute("ROLLBACK")

    def read(self):
        cur = self.conn.cursor()
        if self.rng.random() < 0.5:
            cur.execute("SELECT balance FROM accounts WHERE id = %s",
                        (self.rng.randint(1, self.args.accounts),))
            if cur.fetchone()[0] < 0:
                self.result.fail("negative balance")
        else:
            cur.execute("SELECT sum(balance) FROM accounts")
            total = cur.fetchone()[0]
            if total != self.args.accounts * self.args.initial:
                self.result.fail("sum(balance) = %s mid-run" % total)
        self.result.count("reads")

    def snapshot(self):
        cur = self.conn.cursor()
        cur.execute("BEGIN")
        cur.execute("SELECT sum(balance) FROM accounts")
        total = cur.fetchone()[0]
        cur.execute("SELECT coalesce(sum(amount), 0), count(*) % 2 FROM ledger")
        ledger_sum, odd = cur.fetchone()
        cur.execute("COMMIT")
        if total != self.args.accounts * self.args.initial or ledger_sum != 0 or odd != 0:
            self.result.fail("snapshot: sum(balance) %s, ledger sum %s, odd %s"
                             % (total, ledger_sum, odd))
        self.result.count("snapshots")

    def event(self):
        cur = self.conn.cursor()
        seq = self.next_id()
        try:
            cur.execute("INSERT INTO events (client, seq) VALUES (%s, %s)", (self.index, seq))
        except psycopg2.Error as e:
            if e.pgcode in RETRY_CODES:
                self.result.count("retry_" + e.pgcode)
                return
            raise
        with self.result.lock:
            self.result.events.append([self.index, seq])
        self.result.count("events")

    def expect_error(self, cur, sql, params, code):
        try:
            cur.execute(sql, params)
        except psycopg2.Error as e:
            if e.pgcode == code or e.pgcode in RETRY_CODES:
                return e.pgcode
            self.result.fail("%s: expected %s, got %s %s" % (sql, code, e.pgcode, e))
            return e.pgcode
        self.result.fail("%s: expected error %s, got none" % (sql, code))
        return None

    def error(self):
        cur = self.conn.cursor()
        kind = self.rng.randrange(4)
        if kind == 0:
            cur.execute("BEGIN")
            code = self.expect_error(cur, "UPDATE accounts SET balance = balance + 1 / 0 "
                                     "WHERE id = %s", (self.rng.randint(1, self.args.accounts),),
                                     "22012")
            if code == "22012":
                self.expect_error(cur, "SELECT 1", None, "25P02")
            cur.execute("ROLLBACK")
        elif kind == 1:
            self.expect_error(cur, "INSERT INTO accounts (id, balance) VALUES (%s, 0)",
                              (self.rng.randint(1, self.args.accounts),), "23505")
        elif kind == 2:
            self.expect_error(cur, "SELEC balance FROM accounts", None, "42601")
        else:
            self.expect_error(cur, "UPDATE accounts SET balance = balance - 1000000000 "
                              "WHERE id = %s", (self.rng.randint(1, self.args.accounts),),
                              "23514")
        self.result.count("errors")


def setup(args):
    conn = connect(args.port)
    cur = conn.cursor()
    cur.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL "
                "CHECK (balance >= 0))")
    cur.execute("INSERT INTO accounts SELECT g, %s FROM generate_series(1, %s) g",
                (args.initial, args.accounts))
    cur.execute("CREATE TABLE ledger (entry_id bigserial PRIMARY KEY, transfer_id bigint NOT NULL, "
                "account int NOT NULL, amount bigint NOT NULL)")
    cur.execute("CREATE INDEX ledger_transfer ON ledger (transfer_id)")
    cur.execute("CREATE TABLE events (client int, seq bigint, PRIMARY KEY (client, seq))")
    conn.close()
    return 0


def run(args):
    result = Result()
    barrier = threading.Barrier(args.clients)
    clients = [Client(i + 1, args, result, barrier) for i in range(args.clients)]
    threads = [threading.Thread(target=c.run) for c in clients]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    state = {"transfers": result.transfers, "events": result.events,
             "ambiguous": result.ambiguous, "counts": result.counts,
             "accounts": args.accounts, "initial": args.initial}
    with open(args.state, "w") as f:
        json.dump(state, f)
    print("clients %d, %.1f s: %s" % (args.clients, elapsed,
                                      json.dumps(result.counts, sort_keys=True)))
    ok = True
    ok &= report("%d clients connected at once" % args.clients,
                 result.counts.get("connections", 0) >= args.clients
                 and not barrier.broken)
    ok &= report("no unexpected error", not result.failures, "\n".join(result.failures))
    ok &= report("transfers committed (%d)" % result.counts.get("committed", 0),
                 result.counts.get("committed", 0) > 0)
    for name in ("events", "reads", "errors", "rolled_back", "disconnects"):
        ok &= report("%s happened (%d)" % (name, result.counts.get(name, 0)),
                     result.counts.get(name, 0) > 0)
    ok &= report("no COMMIT without an answer", not result.ambiguous, str(result.ambiguous[:10]))
    return 0 if ok else 1


def report(name, is_ok, detail=""):
    print(("ok   " if is_ok else "FAIL ") + name)
    if not is_ok and detail:
        print(detail)
    sys.stdout.flush()
    return is_ok


def verify(args):
    with open(args.state) as f:
        state = json.load(f)
    conn = connect(args.port)
    cur = conn.cursor()
    total = state["accounts"] * state["initial"]
    ok = True
    cur.execute("SELECT sum(balance), count(*) FROM accounts")
    got = cur.fetchone()
    ok &= report("sum(balance) = %d over %d accounts" % (total, state["accounts"]),
                 got == (total, state["accounts"]), "got %s" % (got,))
    cur.execute("SELECT coalesce(sum(amount), 0) FROM ledger")
    got = cur.fetchone()[0]
    ok &= report("ledger sums to zero", got == 0, "got %s" % got)
    cur.execute("SELECT transfer_id, count(*), sum(amount) FROM ledger GROUP BY transfer_id "
                "HAVING count(*) <> 2 OR sum(amount) <> 0")
    bad = cur.fetchall()
    ok &= report("every transfer is two entries summing to zero", not bad, str(bad[:10]))
    cur.execute("SELECT a.id, a.balance, %s + coalesce(sum(l.amount), 0) FROM accounts a "
                "LEFT JOIN ledger l ON l.account = a.id GROUP BY a.id, a.balance "
                "HAVING a.balance <> %s + coalesce(sum(l.amount), 0)",
                (state["initial"], state["initial"]))
    bad = cur.fetchall()
    ok &= report("each balance = initial + its ledger entries", not bad, str(bad[:10]))
    cur.execute("SELECT DISTINCT transfer_id FROM ledger")
    in_ledger = {row[0] for row in cur.fetchall()}
    acked = set(state["transfers"])
    ambiguous = set(state["ambiguous"])
    lost = acked - in_ledger
    ok &= report("no acknowledged transfer lost (%d acknowledged)" % len(acked), not lost,
                 str(sorted(lost)[:10]))
    extra = in_ledger - acked - ambiguous
    ok &= report("no rolled-back or abandoned transfer kept", not extra, str(sorted(extra)[:10]))
    cur.execute("SELECT client, seq FROM events")
    in_events = {tuple(row) for row in cur.fetchall()}
    acked_events = {tuple(e) for e in state["events"]}
    ok &= report("events are exactly the acknowledged ones (%d)" % len(acked_events),
                 in_events == acked_events,
                 "lost %s, extra %s" % (sorted(acked_events - in_events)[:5],
                                        sorted(in_events - acked_events)[:5]))
    cur.execute("SELECT strata_check()")
    got = cur.fetchone()[0]
    ok &= report("strata_check() is ok", got == "ok", str(got))
    conn.close()
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["setup", "run", "verify"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--initial", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--state", default="load-state.json")
    args = parser.parse_args()
    if args.command == "setup":
        return setup(args)
    if args.command == "run":
        return run(args)
    return verify(args)


if __name__ == "__main__":
    sys.exit(main())
