//! The content-addressed file store: uploaded documents, identified by the SHA-256 of their
//! bytes, stored once and never changed.
//!
//! The bytes live on local disk under a directory next to the database (`motcua-data/files`
//! by default, `MOTCUA_FILES_DIR` or [`FileStore::new`] to change it), at
//! `{dir}/{first two hex digits}/{all 64 hex digits}`. A write goes to a temporary file in
//! `{dir}/tmp`, is fsynced, renamed into place and the directory fsynced, so a crash leaves
//! either the whole file or none — never a torn one under its final name. The table `files`
//! indexes what is durable: its row is inserted only after the rename.
//!
//! Files attached to a dossier after its submission (a supplement) are recorded as events of
//! the stream `dossier_attachment` (id = the dossier code) with the projection
//! `dossier_attachments`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use motcua_domain::dossier::FileRef;
use motcua_domain::event::EventMeta;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::types::Json;

use crate::{Store, StoreError, StoreResult, Tx, events, on_pool, on_tx};

/// Stream type of files attached to a dossier after submission (id = the dossier code).
pub const ATTACHMENT_STREAM: &str = "dossier_attachment";

/// Environment variable naming the file directory, overriding the default.
pub const FILES_DIR_ENV: &str = "MOTCUA_FILES_DIR";

/// Default file directory for a PostgreSQL store (relative to the working directory).
pub const DEFAULT_FILES_DIR: &str = "motcua-data/files";

/// The SHA-256 of `bytes` as 64 lower-case hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Whether `text` is a SHA-256 in our spelling (64 lower-case hex digits): the only shape a
/// path under the store is ever built from.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| HEX.contains(&b))
}

/// A stored file's index row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredFile {
    /// SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// Media type, as detected when it was first stored.
    pub media_type: String,
    /// When it was first stored.
    pub created_at: DateTime<Utc>,
}

/// Where the bytes live. Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStore {
    dir: PathBuf,
}

/// Distinguishes temporary files of concurrent writers in one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn io_error(what: &str, e: std::io::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Io(std::io::Error::new(
        e.kind(),
        format!("{what}: {e}"),
    )))
}

/// Makes a directory entry (a rename, a new file) durable: fsync of the directory itself.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

impl FileStore {
    /// A store of files under `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> FileStore {
        FileStore { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the content with this SHA-256 lives; `None` for anything that is not a SHA-256
    /// (so no caller can make us read outside the store).
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        is_sha256(sha256).then(|| self.dir.join(&sha256[..2]).join(sha256))
    }

    /// Writes `bytes` under `sha256` unless a complete copy is already there: temp file,
    /// fsync, rename, fsync of the directory. Blocking; run it off the async threads.
    fn write_blocking(&self, sha256: &str, bytes: &[u8]) -> StoreResult<()> {
        let target = self
            .path_of(sha256)
            .ok_or_else(|| StoreError::Corrupt(format!("not a sha256: {sha256}")))?;
        if let Ok(existing) = std::fs::read(&target) {
            // Content-addressed: an intact copy is the same file. A damaged one (a disk
            // fault) is replaced below, atomically.
            if sha256_hex(&existing) == sha256 {
                return Ok(());
            }
            tracing::warn!(file.sha256 = sha256, "stored file damaged; rewriting it");
        }
        let shard = target
            .parent()
            .ok_or_else(|| StoreError::Corrupt(format!("no directory for {sha256}")))?;
        let tmp_dir = self.dir.join("tmp");
        std::fs::create_dir_all(&tmp_dir).map_err(|e| io_error("create tmp dir", e))?;
        let shard_is_new = !shard.exists();
        std::fs::create_dir_all(shard).map_err(|e| io_error("create shard dir", e))?;
        if shard_is_new {
            sync_dir(&self.dir).map_err(|e| io_error("sync files dir", e))?;
        }
        let tmp = tmp_dir.join(format!(
            "{sha256}.{}.{}.part",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| -> std::io::Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &target)?;
            sync_dir(shard)
        })();
        if let Err(e) = written {
            // Best effort: a temporary file left behind is harmless and never read.
            let _ = std::fs::remove_file(&tmp);
            return Err(io_error("write file", e));
        }
        Ok(())
    }

    /// Stores `bytes` (if not already stored) and indexes them: the identity is their
    /// SHA-256, computed here. The same bytes stored twice give the same row, written once.
    ///
    /// # Errors
    /// A disk or database failure.
    pub async fn put(
        &self,
        store: &Store,
        bytes: Vec<u8>,
        media_type: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<StoredFile> {
        let mut tx = store.begin().await?;
        let sha256 = self.put_in(&mut tx, bytes, media_type, at).await?;
        tx.commit().await?;
        store
            .find_file(&sha256)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("tệp / file {sha256}"),
            })
    }

    /// Stores `bytes` as [`FileStore::put`] does, indexing them in `tx`: for a file that
    /// belongs to a change recorded in the same transaction. Its SHA-256.
    ///
    /// # Errors
    /// A disk or database failure.
    pub async fn put_in(
        &self,
        tx: &mut Tx,
        bytes: Vec<u8>,
        media_type: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<String> {
        let size = i64::try_from(bytes.len())
            .map_err(|_| StoreError::Corrupt("file larger than i64".into()))?;
        let this = self.clone();
        let sha256 = tokio::task::spawn_blocking(move || {
            let sha256 = sha256_hex(&bytes);
            this.write_blocking(&sha256, &bytes).map(|()| sha256)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("file writer: {e}")))??;
        // The index row follows the durable file; a crash in between (or a rolled-back
        // transaction) leaves an unindexed file that the next identical upload adopts.
        const INSERT: &str = "INSERT INTO files (sha256, size, media_type, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING";
        on_tx!(tx, conn => {
            sqlx::query(INSERT)
                .bind(&sha256)
                .bind(size)
                .bind(media_type)
                .bind(at)
                .execute(conn)
                .await?;
        });
        Ok(sha256)
    }

    /// The bytes of a stored file, checked against their SHA-256.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when absent; [`StoreError::Corrupt`] when the bytes on disk
    /// no longer match their name.
    pub async fn read(&self, sha256: &str) -> StoreResult<Vec<u8>> {
        let not_found = || StoreError::NotFound {
            what: format!("tệp / file {sha256}"),
        };
        let path = self.path_of(sha256).ok_or_else(not_found)?;
        let bytes = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(not_found()),
            Err(e) => return Err(io_error("read file", e)),
        };
        if sha256_hex(&bytes) != sha256 {
            return Err(StoreError::Corrupt(format!("file {sha256} is damaged")));
        }
        Ok(bytes)
    }
}

/// Files attached to a dossier after its submission, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The dossier code.
    pub code: String,
    /// Position in the dossier's attachment stream, from 1.
    pub version: i64,
    /// Why they were given: `supplement` or `intake_supplement`.
    pub purpose: String,
    /// The files.
    pub files: Vec<FileRef>,
    /// When.
    pub attached_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    code: String,
    version: i64,
    purpose: String,
    files: Json<Vec<FileRef>>,
    attached_at: DateTime<Utc>,
}

impl Store {
    /// The default file directory: `MOTCUA_FILES_DIR` when set; else `files/` beside an
    /// SQLite database file; else [`DEFAULT_FILES_DIR`].
    pub fn default_files_dir(&self) -> PathBuf {
        if let Some(dir) = std::env::var_os(FILES_DIR_ENV).filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        match self {
            Store::Sqlite(s) => s
                .writer
                .connect_options()
                .get_filename()
                .parent()
                .map_or_else(|| PathBuf::from(DEFAULT_FILES_DIR), |d| d.join("files")),
            Store::Postgres(_) => PathBuf::from(DEFAULT_FILES_DIR),
        }
    }

    /// The index row of a stored file.
    pub async fn find_file(&self, sha256: &str) -> StoreResult<Option<StoredFile>> {
        const SQL: &str =
            "SELECT sha256, size, media_type, created_at FROM files WHERE sha256 = $1";
        Ok(on_pool!(self, pool => sqlx::query_as(SQL).bind(sha256).fetch_optional(pool).await?))
    }

    /// Records files attached to dossier `code` after its submission, as the next event of
    /// its attachment stream. The files must be in the store's index.
    pub async fn record_attachment(
        &self,
        code: &str,
        purpose: &str,
        files: &[FileRef],
        meta: &EventMeta,
    ) -> StoreResult<Attachment> {
        const CURRENT: &str = "SELECT COALESCE(MAX(version), 0) FROM dossier_attachments \
             WHERE code = $1";
        const KNOWN: &str = "SELECT COUNT(*) FROM files WHERE sha256 = $1";
        const INSERT: &str = "INSERT INTO dossier_attachments (code, version, purpose, files, \
             attached_at) VALUES ($1, $2, $3, $4, $5)";
        let mut tx = self.begin().await?;
        for file in files {
            let known: i64 = on_tx!(&mut tx, conn => {
                sqlx::query_scalar(KNOWN).bind(&file.sha256).fetch_one(conn).await?
            });
            if known == 0 {
                return Err(StoreError::NotFound {
                    what: format!("tệp / file {}", file.sha256),
                });
            }
        }
        let current: i64 = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(CURRENT).bind(code).fetch_one(conn).await?
        });
        let payload = serde_json::json!({ "purpose": purpose, "files": files });
        let version = events::append(
            &mut tx,
            ATTACHMENT_STREAM,
            code,
            current,
            &[("attached", payload)],
            meta,
        )
        .await?;
        on_tx!(&mut tx, conn => {
            sqlx::query(INSERT)
                .bind(code)
                .bind(version)
                .bind(purpose)
                .bind(Json(files))
                .bind(meta.at)
                .execute(conn)
                .await?;
        });
        tx.commit().await?;
        Ok(Attachment {
            code: code.to_owned(),
            version,
            purpose: purpose.to_owned(),
            files: files.to_vec(),
            attached_at: meta.at,
        })
    }

    /// Files attached to dossier `code` after its submission, in order.
    pub async fn dossier_attachments(&self, code: &str) -> StoreResult<Vec<Attachment>> {
        const SQL: &str = "SELECT code, version, purpose, files, attached_at \
             FROM dossier_attachments WHERE code = $1 ORDER BY version";
        let rows: Vec<AttachmentRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(code).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|r| Attachment {
                code: r.code,
                version: r.version,
                purpose: r.purpose,
                files: r.files.0,
                attached_at: r.attached_at,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_lower_case_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_sha256(&sha256_hex(b"")));
        assert!(!is_sha256("../../etc/passwd"));
        assert!(FileStore::new("x").path_of("ABC").is_none());
    }
}
