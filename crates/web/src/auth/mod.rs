//! Accounts, sessions and CSRF protection for the web faces (in progress).
