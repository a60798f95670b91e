//! The public portal: procedures (search and details), online submission with drafts and
//! uploads, tracking without an account, "my dossiers" with supplements, withdrawal and
//! rating, and feedback and petitions — with the agency staff's petition pages.
//!
//! Handlers stay thin: they read the request, call `motcua-service`, and render a template
//! of `templates/portal/`. Every page works without JavaScript; every state-changing form
//! carries the CSRF token (urlencoded forms through [`crate::auth::CsrfForm`], multipart
//! uploads through [`crate::auth::SignedIn::verify_csrf`]).

pub(crate) mod board;
mod catalogue;
pub(crate) mod mine;
mod petitions;
mod submit;
mod track;
pub(crate) mod upload;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use motcua_domain::catalog::{Level, OnlineLevel, TimeLimit};
use motcua_domain::dossier::Status;
use motcua_service::ServiceError;

use crate::AppState;
use crate::auth::CsrfToken;
use crate::error::{AppError, PageError};
use crate::i18n::{Lang, Tr};
use crate::ui::account::in_language;

/// Rows on a page of a list.
pub const PAGE_SIZE: u32 = 20;

/// A page of account data or of someone's dossier: never kept in a shared cache or the
/// browser's history cache.
pub(crate) fn private(status: StatusCode, csrf: Option<CsrfToken>, html: Html<String>) -> Response {
    let mut response = match csrf {
        Some(csrf) => (status, csrf, html).into_response(),
        None => (status, html).into_response(),
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Reads a page number (`trang`): absent is 1; anything but a positive number is a 422
/// naming the field.
pub(crate) fn page_number(text: Option<&str>) -> Result<u32, PageError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(1),
        Some(t) => t.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            PageError(AppError::invalid(
                "trang",
                "số trang phải là số nguyên dương",
                "the page number must be a positive whole number",
            ))
        }),
    }
}

/// Links to the previous and next pages of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// This page, from 1.
    pub page: u32,
    /// Pages in all (at least 1).
    pub pages: u32,
    /// The previous page's address.
    pub prev: Option<String>,
    /// The next page's address.
    pub next: Option<String>,
}

impl Pager {
    /// The pager of page `page` of `total` rows, `per_page` a page; `base` is the address
    /// with its other query parameters (`/thu-tuc?q=x&`, `/ho-so-cua-toi?`).
    pub fn new(base: &str, page: u32, total: u64, per_page: u32) -> Pager {
        let pages =
            u32::try_from(total.div_ceil(u64::from(per_page.max(1))).max(1)).unwrap_or(u32::MAX);
        let link = |n: u32| format!("{base}trang={n}");
        Pager {
            page,
            pages,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

/// Percent-encodes a query value.
pub(crate) fn encode(text: &str) -> String {
    crate::auth::encode_component(text).replace('/', "%2F")
}

/// A time limit in words: `15 ngày làm việc` / `15 working days`; a dash when unknown.
pub(crate) fn limit_text(t: &Tr, limit: Option<TimeLimit>) -> String {
    match limit {
        None => "—".to_owned(),
        Some(l) => {
            let value = l.value.to_string();
            let value = match t.lang {
                Lang::Vi => value.replace('.', ","),
                Lang::En => value,
            };
            format!(
                "{value} {}",
                t.t(&format!("portal.unit.{}", l.unit.as_str()))
            )
        }
    }
}

/// Catalogue key of a level.
pub(crate) fn level_key(level: Level) -> String {
    format!("portal.level.{}", level.as_str())
}

/// Catalogue key of an online level.
pub(crate) fn online_key(level: OnlineLevel) -> String {
    format!("portal.online.{}", level.as_str())
}

/// The national name of a dossier status in the page's language.
pub(crate) fn status_name(t: &Tr, status: Status) -> &'static str {
    match t.lang {
        Lang::Vi => status.name_vi(),
        Lang::En => status.name_en(),
    }
}

/// The other language's name of a dossier status (shown beside it: the national list is
/// Vietnamese, and tracking pages are printed and shared).
pub(crate) fn status_other(t: &Tr, status: Status) -> &'static str {
    match t.lang {
        Lang::Vi => status.name_en(),
        Lang::En => status.name_vi(),
    }
}

/// An optional instant as `dd/mm/yyyy HH:MM`, or a dash.
pub(crate) fn when(t: &Tr, at: Option<DateTime<Utc>>) -> String {
    t.opt_datetime(&at)
}

/// A name with all but the first letter of each word hidden (`T*** T*** B***`): enough to
/// recognise one's own dossier on a shared screen, not enough to identify anyone.
pub fn mask_name(name: &str) -> String {
    name.split_whitespace()
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => format!("{first}***"),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One message of a service error in the page's language, for a form's error summary;
/// `None` for errors a page should not absorb (faults, missing pages, refusals of access).
pub(crate) fn form_message(lang: Lang, e: &ServiceError) -> Option<String> {
    match e {
        ServiceError::Invalid(m) | ServiceError::Refused(m) => Some(
            m.split("; ")
                .map(|part| in_language(lang, part))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        ServiceError::Store(motcua_storage::StoreError::Conflict { .. }) => Some(match lang {
            Lang::Vi => "Dữ liệu vừa được thay đổi ở nơi khác (có thể ở một cửa sổ khác); hãy tải lại trang rồi thử lại.".to_owned(),
            Lang::En => "The data was just changed elsewhere (perhaps in another window); reload the page and try again.".to_owned(),
        }),
        _ => None,
    }
}

/// The routes of this area.
pub fn router() -> Router<AppState> {
    // Uploads are bounded by the application's body limit (`WebConfig::max_body_bytes`)
    // and per file by the service; axum's own 2 MB default for extractors would cut them.
    let uploads = DefaultBodyLimit::disable();
    Router::new()
        .route("/dieu-hanh", get(board::page))
        .route("/dieu-hanh/in", get(board::print))
        .route("/dieu-hanh/xuat.xlsx", get(board::xlsx))
        .route("/dieu-hanh/xuat.csv", get(board::csv))
        .route("/dieu-hanh/bieu-06.xlsx", get(board::form06))
        .route("/thu-tuc", get(catalogue::search))
        .route("/thu-tuc/{code}", get(catalogue::procedure))
        .route("/thu-tuc/{code}/nop-truc-tuyen", get(submit::new_form))
        .route(
            "/ho-so-nhap",
            get(submit::drafts).post(submit::save).layer(uploads),
        )
        .route("/ho-so-nhap/{id}", get(submit::resume))
        .route("/ho-so-nhap/{id}/xoa", post(submit::delete))
        .route("/tra-cuu", get(track::form).post(track::lookup))
        .route("/tra-cuu/danh-gia", get(track::rate_page).post(track::rate))
        .route("/ho-so-cua-toi", get(mine::list))
        .route("/kho-du-lieu", get(mine::data_store))
        .route("/ho-so-cua-toi/{code}", get(mine::show))
        .route("/ho-so-cua-toi/{code}/bien-nhan", get(mine::receipt))
        .route(
            "/ho-so-cua-toi/{code}/bo-sung",
            post(mine::supplement).layer(uploads),
        )
        .route("/ho-so-cua-toi/{code}/rut", post(mine::withdraw))
        .route("/ho-so-cua-toi/{code}/danh-gia", post(mine::rate))
        .route("/ho-so-cua-toi/{code}/tep/{sha256}", get(mine::file))
        .route(
            "/phan-anh",
            get(petitions::new_form).post(petitions::submit),
        )
        .route("/phan-anh/tra-cuu", get(petitions::lookup))
        .route("/phan-anh/cua-toi", get(petitions::mine))
        .route("/phan-anh/cong-khai", get(petitions::public))
        .route("/phan-anh/ma/{code}", get(petitions::show))
        .route("/phan-anh/ma/{code}/bo-sung", post(petitions::reply))
        .route("/can-bo/phan-anh", get(petitions::staff_list))
        .route(
            "/can-bo/phan-anh/{code}",
            get(petitions::staff_show).post(petitions::staff_act),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_word_by_word() {
        assert_eq!(mask_name("Trần Thị  Bình"), "T*** T*** B***");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn pagers_link_both_ways() {
        let p = Pager::new("/thu-tuc?q=x&", 2, 45, 20);
        assert_eq!(p.pages, 3);
        assert_eq!(p.prev.as_deref(), Some("/thu-tuc?q=x&trang=1"));
        assert_eq!(p.next.as_deref(), Some("/thu-tuc?q=x&trang=3"));
        assert_eq!(Pager::new("/x?", 1, 0, 20).pages, 1);
    }

    #[test]
    fn page_numbers_are_positive() {
        assert_eq!(page_number(None).ok(), Some(1));
        assert_eq!(page_number(Some("3")).ok(), Some(3));
        assert!(page_number(Some("0")).is_err());
        assert!(page_number(Some("x")).is_err());
    }
}
