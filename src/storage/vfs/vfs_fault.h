/*
 * storage/vfs/vfs_fault.h - a VFS wrapper that injects failures.
 *
 * Wraps any Vfs (usually the memory VFS) and, per its FaultConfig, makes
 * calls fail the way disks and kernels do:
 *   - EIO on the Nth read / write / sync, or with a probability;
 *   - short writes: the Nth write stores only its first half, then fails;
 *   - torn writes: the Nth write stores only a prefix (whole 512-byte
 *     sectors), then the power goes out (see crash);
 *   - disk full: once disk_full_bytes have been written, writes fail with
 *     ENOSPC (SQLSTATE 53100);
 *   - crash: from the Nth write on, every write, sync and truncate is
 *     silently dropped (returns OK), as if the machine lost power at that
 *     moment. The test then calls vfs_memory_crash() on the inner memory VFS
 *     (losing unsynced writes) and reopens from what persisted.
 * Counters run over all files of the wrapper (database and WAL together),
 * 1-based; 0 disables a trigger.
 *
 * Threads: counters are under a mutex; safe to share.
 * See src/storage/vfs/README.md.
 */
#ifndef STRATA_STORAGE_VFS_FAULT_H
#define STRATA_STORAGE_VFS_FAULT_H

#include "storage/vfs/vfs.h"

typedef struct FaultConfig {
    uint64_t seed; /* for probabilities and torn-write lengths */
    uint64_t read_error_at, write_error_at, sync_error_at;
    double read_error_probability, write_error_probability, sync_error_probability;
    uint64_t short_write_at;
    uint64_t torn_write_at;
    uint64_t crash_at_write;
    uint64_t disk_full_bytes;
} FaultConfig;

typedef struct FaultStats {
    uint64_t reads, writes, syncs;
    uint64_t bytes_written;
    uint64_t injected; /* failures injected so far */
    bool crashed;      /* the power is out: writes are being dropped */
} FaultStats;

/* A wrapper around inner (borrowed; must outlive the wrapper). Owned: free
 * with vfs_destroy(). config may be NULL (no faults). */
Vfs *vfs_fault_create(Vfs *inner, const FaultConfig *config);

/* Replaces the configuration and resets every counter and the crash state. */
void vfs_fault_configure(Vfs *fault_vfs, const FaultConfig *config);

void vfs_fault_stats(Vfs *fault_vfs, FaultStats *out);

#endif
