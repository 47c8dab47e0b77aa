#!/usr/bin/env python3
"""bench/oltp/commit_cost.py - what one durable commit writes, from an strace log.

    commit_cost.py STRACE_LOG COMMITS [LABEL [FD_MAP]]

STRACE_LOG: `strace -f -e trace=openat,close,pwrite64,write,fdatasync,fsync -o LOG`
of a strata process (runner or server). COMMITS: how many commits the traced
window made. Files are told apart by the path their descriptor was opened with
(`*-wal` = the WAL, `*.db` = the database file, anything else = other, e.g. the
runner's fsync probe); FD_MAP gives the
descriptors a process already had when strace attached (lines "FD PATH"). A WAL write of a whole 32-frame piece (the zero fill)
or of 32 bytes (a header rewrite at a WAL restart), and every write or sync of the
database file, is checkpoint work ("background"); every other WAL write and every
WAL fdatasync of a thread that made such a write is the commit path (the closing
checkpoint's one or two WAL syncs land there too: noise over hundreds of commits).
Columns per commit: commit path WAL writes, bytes and fdatasyncs; checkpoint
bytes copied into the database file and its fsyncs; WAL zero-fill and header
bytes (the fill runs ahead of the append point, so over a short run it says
more about the run's length than about the commits). Prints one Markdown table row:
per commit on the commit path, WAL writes, WAL bytes, WAL fdatasyncs, and the
background's totals per commit.
"""
import collections
import re
import sys

FILL_PIECE = 32 * (32 + 8192)  # wal.c's zero-fill piece: 32 frames


def kind_of(path):
    return 'wal' if path.endswith('-wal') else ('db' if path.endswith('.db') else 'other')


def main():
    log, commits = sys.argv[1], int(sys.argv[2])
    label = sys.argv[3] if len(sys.argv) > 3 else log
    fd_kind = {}  # (fd) -> 'wal' | 'db' | 'other'; one process, fds shared by threads
    if len(sys.argv) > 4:
        for entry in open(sys.argv[4]):
            fd, path = entry.split(None, 1)
            fd_kind[int(fd)] = kind_of(path.strip())
    per = collections.defaultdict(lambda: collections.Counter())
    line_re = re.compile(r'^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+)')
    unfinished = {}  # tid -> the first half of a call another thread interrupted
    for raw in open(log):
        line = raw.rstrip('\n')
        tid = line.split(None, 1)[0] if line else ''
        if line.endswith('<unfinished ...>'):
            unfinished[tid] = line[:-len('<unfinished ...>')].rstrip()
            continue
        resumed = re.match(r'^(\d+)\s+<\.\.\. \w+ resumed>(.*)$', line)
        if resumed and tid in unfinished:
            line = unfinished.pop(tid) + resumed.group(2)
        m = line_re.match(line)
        if not m:
            continue
        tid, call, args, ret = m.group(1), m.group(2), m.group(3), int(m.group(4))
        if call == 'openat':
            p = re.search(r'"([^"]+)"', args)
            if p and ret >= 0:
                fd_kind[ret] = kind_of(p.group(1))
            continue
        fd = int(args.split(',')[0])
        kind = fd_kind.get(fd)
        if call == 'close':
            fd_kind.pop(fd, None)
            continue
        if kind is None:
            continue
        if call in ('pwrite64', 'write'):
            if kind == 'wal' and ret not in (FILL_PIECE, 32):
                per[tid]['commit_wal_writes'] += 1
                per[tid]['commit_wal_bytes'] += max(ret, 0)
            else:
                per[tid][kind + '_writes'] += 1
                per[tid][kind + '_bytes'] += max(ret, 0)
        elif call in ('fdatasync', 'fsync'):
            per[tid][kind + '_syncs'] += 1
    commit = collections.Counter()
    background = collections.Counter()
    for tid, c in per.items():
        if c['commit_wal_writes'] > 0:
            commit['wal_writes'] += c['commit_wal_writes']
            commit['wal_bytes'] += c['commit_wal_bytes']
            commit['wal_syncs'] += c['wal_syncs']
            c['wal_syncs'] = 0
        background.update(c)
    n = float(commits)
    print('| %s | %.2f | %.0f | %.2f | %.0f | %.3f | %.0f |' % (
        label, commit['wal_writes'] / n, commit['wal_bytes'] / n, commit['wal_syncs'] / n,
        background['db_bytes'] / n, background['db_syncs'] / n, background['wal_bytes'] / n))


if __name__ == '__main__':
    main()
