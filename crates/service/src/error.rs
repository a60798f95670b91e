//! Errors of the use-case layer.

use motcua_storage::StoreError;

/// Result of a use case.
pub type ServiceResult<T> = Result<T, ServiceError>;

/// Why a use case did not complete. Every message is Vietnamese first, then English.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The actor may not do this.
    #[error("không có quyền: {0} / forbidden: {0}")]
    Forbidden(String),
    /// The input is invalid; the message names what is wrong.
    #[error("{0}")]
    Invalid(String),
    /// The domain refused the change (illegal transition, rule violated).
    #[error("{0}")]
    Refused(String),
    /// A fault of ours (a failed hashing task, an exhausted random source): logged, not shown.
    #[error("lỗi hệ thống / internal error: {0}")]
    Internal(String),
    /// Storage failed or reported a conflict / missing record.
    #[error(transparent)]
    Store(#[from] StoreError),
}
