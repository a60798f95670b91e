//! Static files, embedded in the binary and served with long cache lifetimes.
//!
//! Each file's URL carries a hash of its content, so a new release never meets a stale copy
//! in a browser cache.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../static/app.css"),
    },
    Asset {
        name: "portal.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../static/portal.css"),
    },
    Asset {
        name: "office.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../static/office.css"),
    },
];

/// FNV-1a, enough to tell versions of a file apart in a URL.
fn fingerprint(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", hash >> 32)
}

static URLS: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| {
            (
                a.name,
                format!("/static/{}/{}", fingerprint(a.body), a.name),
            )
        })
        .collect()
});

/// The versioned URL of an embedded file, e.g. `/static/1a2b3c4d/app.css`.
pub fn url(name: &str) -> &'static str {
    URLS.iter()
        .find(|(n, _)| *n == name)
        .map_or("/static/missing", |(_, url)| url.as_str())
}

/// Serves `/static/{version}/{name}`.
pub async fn serve(Path((_version, name)): Path<(String, String)>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(asset) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(asset.content_type),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            asset.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
