//! Errors of the storage layer.

/// What can go wrong when reading or writing the store.
///
/// `NotFound` and `Conflict` are distinct so the service layer can turn them into clear
/// answers for people; driver errors keep their source for the operator's log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The requested record does not exist.
    #[error("không tìm thấy {what} / {what} not found")]
    NotFound {
        /// What was looked for, e.g. `dossier 000.00.13.H05-261127-0001`.
        what: String,
    },
    /// Someone else changed the record first (optimistic concurrency) or a unique key is taken.
    #[error(
        "{what} đã bị thay đổi bởi người khác (phiên bản mong đợi {expected}, hiện tại {actual}); hãy tải lại và thử lại / {what} was changed by someone else (expected version {expected}, found {actual}); reload and try again"
    )]
    Conflict {
        /// The record, e.g. `procedure 2.000815`.
        what: String,
        /// The version the writer based its change on.
        expected: i64,
        /// The version found in the store.
        actual: i64,
    },
    /// A unique key is already taken.
    #[error("{what} đã tồn tại / {what} already exists")]
    Duplicate {
        /// The record whose key is taken.
        what: String,
    },
    /// The database URL is not one we understand.
    #[error(
        "địa chỉ cơ sở dữ liệu không hợp lệ '{url}': chỉ chấp nhận sqlite:// hoặc postgres:// / unsupported database URL '{url}': use sqlite:// or postgres://"
    )]
    UnsupportedUrl {
        /// The URL, with any password removed.
        url: String,
    },
    /// The database schema is newer than this program.
    #[error(
        "cơ sở dữ liệu có phiên bản lược đồ {found} mới hơn chương trình ({known}); hãy cập nhật motcua / the database schema version {found} is newer than this program ({known}); upgrade motcua"
    )]
    SchemaTooNew {
        /// Highest migration applied in the database.
        found: i64,
        /// Highest migration this binary knows.
        known: i64,
    },
    /// A stored value could not be decoded into a domain value.
    #[error("dữ liệu lưu trữ bị hỏng: {0} / stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database driver failed (connection lost, disk full, ...).
    #[error("lỗi cơ sở dữ liệu / database error: {0}")]
    Database(#[source] sqlx::Error),
    /// SQLite failed in a read made on the calling thread (`inline`).
    #[error("lỗi cơ sở dữ liệu / database error: {0}")]
    Sqlite(#[source] rusqlite::Error),
    /// A migration failed.
    #[error("lỗi nâng cấp lược đồ / migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

/// Fails a compare-and-set write that changed `affected` rows instead of `wanted`: another
/// writer moved `what` past the `expected` version first.
pub(crate) fn ensure_written(
    affected: u64,
    wanted: u64,
    expected: i64,
    what: impl FnOnce() -> String,
) -> Result<(), StoreError> {
    if affected == wanted {
        return Ok(());
    }
    Err(StoreError::Conflict {
        what: what(),
        expected,
        actual: expected + 1,
    })
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound {
                what: "bản ghi / record".into(),
            },
            other => StoreError::Database(other),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// Whether a driver error is a unique-constraint violation (both backends).
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db.is_unique_violation(),
        _ => false,
    }
}
