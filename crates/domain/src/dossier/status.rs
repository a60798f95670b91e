//! Dossier statuses as the national statistics count them.

use serde::{Deserialize, Serialize};

/// Status of a dossier, numbered as the DVCQG sync field `TrangThaiHoSo` (regulations §2.8,
/// identical in four independent production code bases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 1 — Mới đăng ký: submitted online, not yet received (also while an intake supplement
    /// is awaited: the clock has not started).
    Submitted,
    /// 2 — Được tiếp nhận: a complete, valid dossier was received; the clock runs.
    Received,
    /// 3 — Không được tiếp nhận: refused at reception with written reasons (Form 03).
    NotReceived,
    /// 4 — Đang xử lý: in processing at a step of an agency.
    InProgress,
    /// 5 — Yêu cầu bổ sung: supplement requested during processing; the clock is paused.
    SupplementRequested,
    /// 6 — Yêu cầu thực hiện nghĩa vụ tài chính: awaiting payment of fees or taxes.
    AwaitingPayment,
    /// 7 — Công dân yêu cầu rút hồ sơ: withdrawn by the applicant.
    Withdrawn,
    /// 8 — Dừng xử lý: processing stopped (Form 05 of Circular 03/2025).
    Stopped,
    /// 9 — Đã xử lý xong: processing finished; the result awaits issuing or return.
    Processed,
    /// 10 — Đã trả kết quả: the result was returned to the applicant.
    Returned,
}

impl Status {
    /// Every status, in national-code order.
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::Received,
        Status::NotReceived,
        Status::InProgress,
        Status::SupplementRequested,
        Status::AwaitingPayment,
        Status::Withdrawn,
        Status::Stopped,
        Status::Processed,
        Status::Returned,
    ];

    /// The national status code 1–10.
    pub fn national_code(self) -> u8 {
        match self {
            Status::Submitted => 1,
            Status::Received => 2,
            Status::NotReceived => 3,
            Status::InProgress => 4,
            Status::SupplementRequested => 5,
            Status::AwaitingPayment => 6,
            Status::Withdrawn => 7,
            Status::Stopped => 8,
            Status::Processed => 9,
            Status::Returned => 10,
        }
    }

    /// Stable identifier (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Received => "received",
            Status::NotReceived => "not_received",
            Status::InProgress => "in_progress",
            Status::SupplementRequested => "supplement_requested",
            Status::AwaitingPayment => "awaiting_payment",
            Status::Withdrawn => "withdrawn",
            Status::Stopped => "stopped",
            Status::Processed => "processed",
            Status::Returned => "returned",
        }
    }

    /// Parses the stable identifier.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Vietnamese name as on the national portal.
    pub fn name_vi(self) -> &'static str {
        match self {
            Status::Submitted => "Mới đăng ký",
            Status::Received => "Được tiếp nhận",
            Status::NotReceived => "Không được tiếp nhận",
            Status::InProgress => "Đang xử lý",
            Status::SupplementRequested => "Yêu cầu bổ sung giấy tờ",
            Status::AwaitingPayment => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Status::Withdrawn => "Công dân yêu cầu rút hồ sơ",
            Status::Stopped => "Dừng xử lý",
            Status::Processed => "Đã xử lý xong",
            Status::Returned => "Đã trả kết quả",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Status::Submitted => "Submitted",
            Status::Received => "Received",
            Status::NotReceived => "Not received",
            Status::InProgress => "In progress",
            Status::SupplementRequested => "Supplement requested",
            Status::AwaitingPayment => "Awaiting payment",
            Status::Withdrawn => "Withdrawn by the applicant",
            Status::Stopped => "Stopped",
            Status::Processed => "Processed",
            Status::Returned => "Result returned",
        }
    }

    /// Whether statistics count the dossier as received (regulations §2.8: codes 2 and 4–10).
    pub fn counts_as_received(self) -> bool {
        !matches!(self, Status::Submitted | Status::NotReceived)
    }

    /// Whether no further processing can happen (results may still be issued and returned
    /// after [`Status::Processed`], which is why it is not terminal here).
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Status::NotReceived | Status::Withdrawn | Status::Stopped | Status::Returned
        )
    }
}
