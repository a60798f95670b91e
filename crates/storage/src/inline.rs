//! Point reads of an SQLite file made on the calling thread (docs/adr/0011-sqlite-point-reads-inline.md).
//!
//! sqlx runs every SQLite connection on a worker thread of its own and hands each command
//! and each row across channels; for a lookup by key that answers in microseconds from the
//! memory map, those hand-offs cost more than the query (`perf` under `motcua loadtest`).
//! The few hot point reads go through [`InlineReader`] instead: a small set of read-only
//! rusqlite connections to the same file (rusqlite links the same `libsqlite3-sys` as sqlx),
//! used on the thread that asks. Only reads bounded to a handful of rows belong here: the
//! thread is an async worker and must not wait on a scan.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::{SQLITE_CACHE_KIB, SQLITE_MMAP_BYTES, StoreError, StoreResult};

/// How long a read waits for a lock before it fails. In WAL mode readers do not wait for
/// the writer; this covers only the rare moments SQLite itself needs (recovery after a crash).
const BUSY_TIMEOUT: Duration = Duration::from_millis(250);

/// Read-only connections to one SQLite file, lent to the thread that reads.
pub(crate) struct InlineReader {
    path: PathBuf,
    /// Connections not in use. It grows to the number of threads reading at once (the
    /// async runtime's workers) and no further.
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for InlineReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineReader")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl InlineReader {
    /// A reader of the file at `path`; connections open on first use.
    pub(crate) fn new(path: &Path) -> InlineReader {
        InlineReader {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on an idle connection (opening one if none is idle) and gives the
    /// connection back afterwards, unless the read failed in a way that may have left it
    /// unusable.
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> StoreResult<T> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let connection = match idle {
            Some(c) => c,
            None => self.open().map_err(StoreError::Sqlite)?,
        };
        let result = read(&connection);
        if result.is_ok()
            && let Ok(mut idle) = self.idle.lock()
        {
            idle.push(connection);
        }
        result.map_err(StoreError::Sqlite)
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags)?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        // The same memory map and cache as the sqlx connections (see `connect_sqlite`).
        connection.pragma_update(None, "mmap_size", SQLITE_MMAP_BYTES.to_string())?;
        connection.pragma_update(None, "cache_size", format!("-{SQLITE_CACHE_KIB}"))?;
        Ok(connection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_is_reused_and_a_failed_one_is_dropped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("t.sqlite");
        let db = Connection::open(&path).expect("create");
        db.execute_batch(
            "PRAGMA journal_mode = wal; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7);",
        )
        .expect("fill");
        let reader = InlineReader::new(&path);
        let x: i64 = reader
            .read(|c| c.query_row("SELECT x FROM t", [], |r| r.get(0)))
            .expect("read");
        assert_eq!(x, 7);
        let mmap: i64 = reader
            .read(|c| c.query_row("PRAGMA mmap_size", [], |r| r.get(0)))
            .expect("mmap_size");
        assert_eq!(mmap, SQLITE_MMAP_BYTES as i64, "the whole file is mapped");
        assert_eq!(reader.idle.lock().expect("lock").len(), 1);
        let write = reader.read(|c| c.execute("INSERT INTO t VALUES (8)", []));
        assert!(
            matches!(write, Err(StoreError::Sqlite(_))),
            "a read-only connection must refuse writes: {write:?}"
        );
        assert_eq!(reader.idle.lock().expect("lock").len(), 0);
        db.execute("INSERT INTO t VALUES (9)", []).expect("write");
        let n: i64 = reader
            .read(|c| c.query_row("SELECT count(*) FROM t", [], |r| r.get(0)))
            .expect("read again");
        assert_eq!(n, 2, "a new connection sees the other connection's commit");
    }
}
