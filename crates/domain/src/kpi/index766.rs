//! The Decision 766/QĐ-TTg service-quality index ("Bộ chỉ số 766"): the indicator catalogue,
//! the scoring rules, a unit's score out of 100, its rating and its rank among peers.
//!
//! Sources (regulations.md §1): the decision confirms the 100-point total, the 20 points of
//! processing progress and two indicator maxima (✅); the six groups, the other maxima and the
//! formulas come from the operator's formula document and METRICS sheet as published by
//! third-party crawlers, and the scoring functions were reverse-engineered from portal
//! responses (🟡); the official rating cut-offs were not found (❌). So the catalogue states
//! what the sources say, and every choice they leave open is a field of [`Rules766`], whose
//! [`Default`] documents the value chosen and why. The portal's published score stays
//! authoritative (§1.4): this module recomputes it to explain it, never to overwrite it.
//!
//! Counting is the caller's: [`Input766`] gives each measured indicator's numerator and
//! denominator for one unit and one period (month, quarter or year). An indicator without an
//! input is [`Score::NotMeasured`] and the [`Total`] says which indicators it is out of.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Add;

use serde::{Deserialize, Serialize};

use super::{Confidence, Ratio};
use Confidence::{Confirmed, NotFound, Secondary};
use Indicator as I;
use Scoring::Linear;
use WhenEmpty::{Full, Zero};

/// Points of the index, kept in hundredths so that sums and ties are exact.
///
/// Scores are rounded to 2 decimals, as the formula document says (🟡 regulations §1.3,
/// "common notes"). It does not say where (🔶): each indicator's score is rounded, half up,
/// so that groups and the total are exactly the sums of the scores shown. Serialized as a
/// number of points (`5.99`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "f64", into = "f64")]
pub struct Points(u32);

impl Points {
    /// No points.
    pub const ZERO: Points = Points(0);

    /// Whole points (saturating far above any maximum).
    pub const fn whole(points: u32) -> Points {
        Points(points.saturating_mul(100))
    }

    /// Points from hundredths of a point.
    pub const fn from_hundredths(hundredths: u32) -> Points {
        Points(hundredths)
    }

    /// Hundredths of a point.
    pub const fn hundredths(self) -> u32 {
        self.0
    }

    /// The points as a number.
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }

    /// Vietnamese notation with a decimal comma: `61,50`.
    pub fn format_vi(self) -> String {
        format!("{},{:02}", self.0 / 100, self.0 % 100)
    }
}

impl fmt::Display for Points {
    /// English notation: `61.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl Add for Points {
    type Output = Points;
    fn add(self, other: Points) -> Points {
        Points(self.0.saturating_add(other.0))
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, Add::add)
    }
}

impl From<Points> for f64 {
    fn from(p: Points) -> f64 {
        p.as_f64()
    }
}

impl TryFrom<f64> for Points {
    type Error = RulesError;
    /// Rounds to hundredths; refuses negative, non-finite or absurdly large values.
    fn try_from(value: f64) -> Result<Points, RulesError> {
        let hundredths = (value * 100.0).round();
        if value.is_finite() && (0.0..=f64::from(u32::MAX)).contains(&hundredths) {
            // In range and whole, so the cast is exact.
            Ok(Points(hundredths as u32))
        } else {
            Err(RulesError::InvalidPoints(value))
        }
    }
}

/// Why a rule set was refused. Messages are Vietnamese, then English.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RulesError {
    /// A number of points that is negative, not finite or too large.
    #[error(
        "Số điểm {0} không hợp lệ (phải là số hữu hạn, không âm) / Points {0} are invalid (must be finite and not negative)"
    )]
    InvalidPoints(f64),
    /// A threshold of 0 or above 100 %.
    #[error(
        "Ngưỡng của chỉ tiêu {code} là {basis_points}/10.000, phải lớn hơn 0 và không quá 100 % / The threshold of indicator {code} is {basis_points}/10,000; it must be above 0 and at most 100%"
    )]
    Threshold {
        /// The indicator's code.
        code: &'static str,
        /// The threshold, in ten-thousandths.
        basis_points: u32,
    },
    /// Rating cut-offs that do not decrease from "Xuất sắc" to "Trung bình".
    #[error(
        "Ngưỡng xếp loại phải giảm dần: Xuất sắc {excellent} ≥ Tốt {good} ≥ Khá {fair} ≥ Trung bình {average} / Rating cut-offs must decrease: excellent {excellent} ≥ good {good} ≥ fair {fair} ≥ average {average}"
    )]
    RatingOrder {
        /// Lower bound of "Xuất sắc".
        excellent: Points,
        /// Lower bound of "Tốt".
        good: Points,
        /// Lower bound of "Khá".
        fair: Points,
        /// Lower bound of "Trung bình".
        average: Points,
    },
}

/// The six scored groups, in the portal's order (🟡 regulations §1.2: the decision names five
/// themes; the portal splits online services and online payment, and every crawler agrees on
/// 18 / 20 / 12 / 10 / 18 / 22 = 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// 1. Công khai, minh bạch — 18 points.
    Transparency,
    /// 2. Tiến độ giải quyết — 20 points (✅ the decision's summary).
    Progress,
    /// 3. Dịch vụ công trực tuyến — 12 points.
    OnlineServices,
    /// 4. Thanh toán trực tuyến — 10 points.
    OnlinePayment,
    /// 5. Mức độ hài lòng — 18 points.
    Satisfaction,
    /// 6. Số hóa hồ sơ — 22 points.
    Digitization,
}

impl Group {
    /// The groups in order 1–6.
    pub const ALL: [Group; 6] = [
        Group::Transparency,
        Group::Progress,
        Group::OnlineServices,
        Group::OnlinePayment,
        Group::Satisfaction,
        Group::Digitization,
    ];

    /// The group's number on the portal, 1–6.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    /// Declared maximum; [`Rules766::groups`] may change it.
    pub fn max_points(self) -> Points {
        Points::whole(match self {
            Group::Transparency => 18,
            Group::Progress => 20,
            Group::OnlineServices => 12,
            Group::OnlinePayment => 10,
            Group::Satisfaction => 18,
            Group::Digitization => 22,
        })
    }

    /// Vietnamese name as on the portal.
    pub fn name_vi(self) -> &'static str {
        match self {
            Group::Transparency => "Công khai, minh bạch",
            Group::Progress => "Tiến độ giải quyết",
            Group::OnlineServices => "Dịch vụ công trực tuyến",
            Group::OnlinePayment => "Thanh toán trực tuyến",
            Group::Satisfaction => "Mức độ hài lòng",
            Group::Digitization => "Số hóa hồ sơ",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Group::Transparency => "Transparency",
            Group::Progress => "Processing progress",
            Group::OnlineServices => "Online public services",
            Group::OnlinePayment => "Online payment",
            Group::Satisfaction => "Satisfaction",
            Group::Digitization => "Dossier digitization",
        }
    }
}

/// How a ratio R in [0, 1] becomes points out of a maximum P (🟡 regulations §1.3, "scoring
/// patterns"). A ratio above 1 counts as 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scoring {
    /// `P × R`.
    Linear,
    /// `P` when R ≥ T, otherwise `P × R ÷ T`; T in ten-thousandths (8,000 = 80 %).
    Threshold {
        /// T × 10,000.
        basis_points: u32,
    },
}

impl Scoring {
    /// A threshold of `percent` %.
    pub const fn threshold_percent(percent: u32) -> Scoring {
        Scoring::Threshold {
            basis_points: percent.saturating_mul(100),
        }
    }
}

/// What an indicator scores when its denominator is 0 (nothing to count in the period).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WhenEmpty {
    /// No points.
    Zero,
    /// Full points.
    Full,
    /// Not counted: the indicator's points leave the total's maximum.
    Excluded,
}

/// How an indicator that does not apply to a level is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exemption {
    /// Full points, measured or not (METRICS policy: "award the declared maximum").
    AwardMax,
    /// Not counted: the total is out of fewer points.
    Excluded,
}

/// The scoring of one indicator: what [`Rules766`] holds per indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IndicatorRule {
    /// Maximum points (0: monitored only).
    pub points: Points,
    /// How the ratio becomes points.
    pub scoring: Scoring,
    /// What a denominator of 0 scores.
    pub when_empty: WhenEmpty,
}

/// The indicators of Decision 766, in catalogue order (by group). Codes and metric names are
/// the formula document's and the portal API's (🟡 regulations §1.3); each variant says what
/// its numerator and denominator count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// 1.1 — procedures whose publication decision (QĐCB) was on time ÷ procedures published
    /// in the period (on time: ≤ the legal basis's effective date − 20 working days for a
    /// ministry, − 5 for a province; one late publication makes the procedure late).
    PublishedOnTime,
    /// 1.2 — procedures made public in the National TTHC Database on time (≤ QĐCB + 10
    /// working days for a ministry, + 5 for a province) ÷ procedures to make public. The
    /// formula document says ministries and provinces only, METRICS says province and commune
    /// (🟡 conflict): communes are scored unless [`Rules766::commune`] says otherwise.
    UpdatedOnTime,
    /// 1.3 — published procedures with every mandatory part (Decree 63/2010 art. 8(2)) ÷
    /// procedures published; measured as of now, not per period.
    PublishedInFull,
    /// 1.4 — dossiers received in the period whose status was synced to the national portal ÷
    /// the larger of the dossiers received per the national reporting system and per the
    /// portal; see [`dossier_sync_ratio`] for the substitute when both are 0.
    DossiersSynced,
    /// 2.1 — (resolved early or on time + in progress within time) ÷ dossiers received or
    /// processed in the period: [`crate::kpi::report06::Report06Row::on_time_766`].
    ProcessedOnTime,
    /// 3.0 (METRICS row 6) — full-process (toàn trình) online dossiers ÷ dossiers received for
    /// procedures eligible for full-process service. Its 12 points are the whole group's;
    /// the scoring function was not reconstructed (❌), so linear is a placeholder.
    FullProcessOnline,
    /// 3.1 — procedures offered as online services, partial or full-process, counted once at
    /// the higher level ÷ procedures under the unit's authority. No points found; the formula
    /// document's "≥ 80 % earns full points" is kept as its rule.
    OnlineServicesOffered,
    /// 3.2 — online services with at least one dossier received online ÷ online services of
    /// the procedures (published, pending unpublication or in testing). No points found.
    OnlineServicesUsed,
    /// 3.3 — dossiers received online in the period, with an electronic result where the
    /// procedure requires a document result, ÷ dossiers received (the portal also multiplies
    /// by the sync ratio of 1.4). No points found; the document's threshold is 50 %.
    SubmittedOnline,
    /// 3.5 — fee-bearing procedures having a dossier with fee data synced to the portal ÷
    /// procedures with fee information in the National TTHC Database (`totalFeeDossierFormality
    /// ÷ totalFeeFormality`).
    FeesIntegrated,
    /// 3.5b — fee-bearing procedures with at least one successful online payment ÷ procedures
    /// with fee information (`totalDossierOnlineFormalityPaymentSuccess ÷ totalFeeFormality`).
    FeesPaidOnline,
    /// 3.6 — dossiers paid online (through the national portal or the local gateway) whose
    /// processing started in the period ÷ dossiers of fee-bearing procedures, less those whose
    /// synced fees are all 0.
    DossiersPaidOnline,
    /// 5.1a — feedback and petitions (PAKN) about rules and procedures ÷ all PAKN. Monitored,
    /// 0 points.
    PetitionsAboutProcedures,
    /// 5.1b — PAKN about staff behaviour ÷ all PAKN. Monitored, 0 points.
    PetitionsAboutStaff,
    /// 5.2 — PAKN handled on time + in progress within time ÷ PAKN received or handled in the
    /// period (deadlines: [`crate::petition::PetitionRules`]).
    PetitionsOnTime,
    /// 5.3 — PAKN first received in the period, less those with more dislikes than likes,
    /// overdue or complained about again, ÷ PAKN first received in the period.
    PetitionSatisfaction,
    /// 5.4 — dossiers received and resolved, less those resolved late, rated "dislike" or
    /// petitioned about, ÷ dossiers received and resolved. METRICS counts a dossier with any
    /// of the three once ("hoặc"); count it once.
    DossierSatisfaction,
    /// 4.1 — synced dossiers with a result file, of procedures that require a document
    /// result, ÷ resolved dossiers of such procedures.
    ElectronicResults,
    /// 4.2 — dossiers with a file attached to their components and, where a document result
    /// is required, a result file ÷ dossiers under the unit's authority.
    DigitizedDossiers,
    /// 4.3 — dossiers received with at least one component flagged as reused digitized data ÷
    /// dossiers received.
    ReusedData,
    /// 4.4 — dossiers with a component taken from the applicant's data store on the portal,
    /// or whose electronic result was synced to it, ÷ dossiers received. The coefficient is
    /// not known (❌), so linear is a placeholder.
    SharedForReuse,
    /// 4.5a — procedures with synced dossiers authenticated with VNeID or using
    /// population-database data ÷ procedures whose applicants are individuals.
    PopulationDataProcedures,
    /// 4.5b — dossiers with the same flags ÷ all dossiers.
    PopulationDataDossiers,
    /// 4.6 — communes offering electronic certified copies from originals ÷ communes under
    /// management. The note numbers it "—"; 4.6 is ours, the metric name is the portal's.
    ElectronicCertifiedCopies,
}

/// What the sources say about one indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndicatorSpec {
    /// The indicator.
    pub indicator: Indicator,
    /// Code in the formula document, e.g. `2.1`.
    pub code: &'static str,
    /// Metric code of the portal API, where known.
    pub metric: Option<&'static str>,
    /// Vietnamese name (METRICS sheet wording).
    pub name_vi: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Group it scores in.
    pub group: Group,
    /// The declared points, scoring and empty rule: the default of [`Rules766::indicators`].
    pub rule: IndicatorRule,
    /// How sure the declared points are.
    pub points_confidence: Confidence,
    /// How sure the scoring function is.
    pub rule_confidence: Confidence,
}

const fn spec(
    indicator: Indicator,
    code: &'static str,
    metric: Option<&'static str>,
    names: (&'static str, &'static str),
    group: Group,
    (points, scoring, when_empty): (u32, Scoring, WhenEmpty),
    (points_confidence, rule_confidence): (Confidence, Confidence),
) -> IndicatorSpec {
    IndicatorSpec {
        indicator,
        code,
        metric,
        name_vi: names.0,
        name_en: names.1,
        group,
        rule: IndicatorRule {
            points: Points::whole(points),
            scoring,
            when_empty,
        },
        points_confidence,
        rule_confidence,
    }
}

/// The catalogue, in [`Indicator`] order (checked at compile time below).
///
/// Scoring: as regulations §1.3 gives it (🟡); where the sources differ the default follows
/// the portal's observed scores, the practical rule of §1.4, so 4.2 is linear (the formula
/// document says threshold 80 %); where no function is known (3.0, 4.4, ❌) linear is a
/// placeholder. Empty denominators: 5.2 and 5.3 score full and 5.4 scores 0, as the portal
/// does (🟡); for the others the document's common note says "show 0 or N/A" and we take 0,
/// which never rewards a unit for having nothing to count (🔶).
const CATALOGUE: [IndicatorSpec; 24] = [
    spec(
        I::PublishedOnTime,
        "1.1",
        Some("PUBLISH_ON_TIME"),
        (
            "Tỷ lệ thủ tục hành chính công bố đúng hạn",
            "Procedures published on time",
        ),
        Group::Transparency,
        (6, Linear, Zero),
        (Secondary, Secondary),
    ),
    spec(
        I::UpdatedOnTime,
        "1.2",
        Some("PUBLIC_UPDATE_ON_TIME"),
        (
            "Tỷ lệ thủ tục hành chính được cập nhật, công khai đúng hạn",
            "Procedures made public on time in the National TTHC Database",
        ),
        Group::Transparency,
        (4, Linear, Zero),
        (Confirmed, Secondary),
    ),
    spec(
        I::PublishedInFull,
        "1.3",
        Some("PUBLIC_CONTENT_FULL"),
        (
            "Tỷ lệ thủ tục hành chính được công khai có đầy đủ các nội dung quy định",
            "Published procedures with every mandatory part",
        ),
        Group::Transparency,
        (2, Linear, Zero),
        (Secondary, Secondary),
    ),
    spec(
        I::DossiersSynced,
        "1.4",
        Some("DOSSIER_SYNC"),
        (
            "Tỷ lệ hồ sơ được đồng bộ trạng thái theo thời gian thực với Cổng Dịch vụ công quốc gia",
            "Dossiers whose status is synced in real time to the National Public Service Portal",
        ),
        Group::Transparency,
        (6, Linear, Zero),
        (Secondary, Secondary),
    ),
    spec(
        I::ProcessedOnTime,
        "2.1",
        None,
        (
            "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn (bao gồm hồ sơ đang xử lý trong hạn)",
            "Dossiers processed early or on time, including those in progress within time",
        ),
        Group::Progress,
        (20, Linear, Zero),
        (Confirmed, Secondary),
    ),
    spec(
        I::FullProcessOnline,
        "3.0",
        None,
        (
            "Tỷ lệ hồ sơ dịch vụ công trực tuyến toàn trình trên tổng số hồ sơ của TTHC đủ điều kiện cung cấp toàn trình",
            "Full-process online dossiers among dossiers of procedures eligible for full-process service",
        ),
        Group::OnlineServices,
        (12, Linear, Zero),
        (Secondary, NotFound),
    ),
    spec(
        I::OnlineServicesOffered,
        "3.1",
        None,
        (
            "Tỷ lệ thủ tục hành chính thuộc phạm vi quản lý cung cấp dịch vụ công trực tuyến",
            "Procedures offered as online public services",
        ),
        Group::OnlineServices,
        (0, Scoring::threshold_percent(80), Zero),
        (NotFound, Secondary),
    ),
    spec(
        I::OnlineServicesUsed,
        "3.2",
        None,
        (
            "Tỷ lệ dịch vụ công trực tuyến có phát sinh hồ sơ",
            "Online services with at least one dossier",
        ),
        Group::OnlineServices,
        (0, Linear, Zero),
        (NotFound, NotFound),
    ),
    spec(
        I::SubmittedOnline,
        "3.3",
        None,
        ("Tỷ lệ hồ sơ nộp trực tuyến", "Dossiers submitted online"),
        Group::OnlineServices,
        (0, Scoring::threshold_percent(50), Zero),
        (NotFound, Secondary),
    ),
    spec(
        I::FeesIntegrated,
        "3.5",
        None,
        (
            "Tỷ lệ TTHC có phí, lệ phí được tích hợp thanh toán trực tuyến trên Cổng Dịch vụ công quốc gia",
            "Fee-bearing procedures integrated for online payment on the National Public Service Portal",
        ),
        Group::OnlinePayment,
        (2, Scoring::threshold_percent(80), Zero),
        (Secondary, Secondary),
    ),
    spec(
        I::FeesPaidOnline,
        "3.5b",
        None,
        (
            "Tỷ lệ TTHC có phát sinh thanh toán trực tuyến thành công",
            "Fee-bearing procedures with at least one successful online payment",
        ),
        Group::OnlinePayment,
        (2, Scoring::threshold_percent(80), Zero),
        (Secondary, Secondary),
    ),
    spec(
        I::DossiersPaidOnline,
        "3.6",
        None,
        ("Tỷ lệ hồ sơ thanh toán trực tuyến", "Dossiers paid online"),
        Group::OnlinePayment,
        (6, Linear, Zero),
        (Secondary, Secondary),
    ),
    spec(
        I::PetitionsAboutProcedures,
        "5.1a",
        Some("PETITION_CLASSIFICATION_TTHC"),
        (
            "Tỷ lệ phản ánh, kiến nghị về quy định, thủ tục hành chính",
            "Feedback and petitions about rules and procedures",
        ),
        Group::Satisfaction,
        (0, Linear, Zero),
        (Secondary, Secondary),
    ),
    spec(
        I::PetitionsAboutStaff,
        "5.1b",
        Some("PETITION_CLASSIFICATION_STAFF"),
        (
            "Tỷ lệ phản ánh, kiến nghị về hành vi cán bộ, công chức, viên chức",
            "Feedback and petitions about staff behaviour",
        ),
        Group::Satisfaction,
        (0, Linear, Zero),
        (Secondary, Secondary),
    ),
    spec(
        I::PetitionsOnTime,
        "5.2",
        Some("PETITION_PROCESSING_ON_TIME"),
        (
            "Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn",
            "Feedback and petitions handled on time",
        ),
        Group::Satisfaction,
        (6, Linear, Full),
        (Secondary, Secondary),
    ),
    spec(
        I::PetitionSatisfaction,
        "5.3",
        Some("PETITION_HANDLING_SATISFACTION"),
        (
            "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị",
            "Satisfaction with the handling of feedback and petitions",
        ),
        Group::Satisfaction,
        (6, Linear, Full),
        (Secondary, Secondary),
    ),
    spec(
        I::DossierSatisfaction,
        "5.4",
        Some("DOSSIER_RECEIVING_SATISFACTION"),
        (
            "Tỷ lệ hài lòng trong tiếp nhận, giải quyết thủ tục hành chính",
            "Satisfaction in receiving and resolving procedures",
        ),
        Group::Satisfaction,
        (6, Scoring::threshold_percent(90), Zero),
        (Confirmed, Secondary),
    ),
    spec(
        I::ElectronicResults,
        "4.1",
        Some("ORIGINAL_RESULT_AVAILABLE"),
        (
            "Tỷ lệ hồ sơ thủ tục hành chính có cấp kết quả giải quyết thủ tục hành chính điện tử",
            "Dossiers with an electronic result",
        ),
        Group::Digitization,
        (6, Linear, Zero),
        (Secondary, Secondary),
    ),
    spec(
        I::DigitizedDossiers,
        "4.2",
        Some("SO_HOA_GIAY_TO_GIAI_QUYET"),
        (
            "Tỷ lệ hồ sơ thủ tục hành chính thực hiện số hóa hồ sơ",
            "Dossiers digitized",
        ),
        Group::Digitization,
        (4, Linear, Zero),
        (Secondary, Secondary),
    ),
    spec(
        I::ReusedData,
        "4.3",
        Some("REUSED_DIGITIZED_DATA"),
        (
            "Tỷ lệ hồ sơ khai thác, sử dụng lại thông tin, dữ liệu số hóa",
            "Dossiers reusing digitized data",
        ),
        Group::Digitization,
        (2, Scoring::threshold_percent(80), Zero),
        (Secondary, Secondary),
    ),
    spec(
        I::SharedForReuse,
        "4.4",
        Some("SYNCED_WITH_DVCQG_PERSONAL_STORAGE"),
        (
            "Tỷ lệ hồ sơ TTHC được số hóa có kết nối, chia sẻ dữ liệu phục vụ tái sử dụng",
            "Digitized dossiers linked and shared for reuse",
        ),
        Group::Digitization,
        (4, Linear, Zero),
        (Secondary, NotFound),
    ),
    spec(
        I::PopulationDataProcedures,
        "4.5a",
        Some("CITIZEN_DATA_CONNECTED_FORMALITY"),
        (
            "Tỷ lệ TTHC triển khai kết nối, chia sẻ dữ liệu dân cư phục vụ giải quyết TTHC",
            "Procedures connected to the population database",
        ),
        Group::Digitization,
        (2, Linear, Zero),
        (Secondary, Secondary),
    ),
    spec(
        I::PopulationDataDossiers,
        "4.5b",
        Some("CITIZEN_DATA_CONNECTED_DOSSIER"),
        (
            "Tỷ lệ hồ sơ TTHC có sử dụng thông tin, dữ liệu dân cư",
            "Dossiers using population-database data",
        ),
        Group::Digitization,
        (2, Linear, Zero),
        (Secondary, Secondary),
    ),
    spec(
        I::ElectronicCertifiedCopies,
        "4.6",
        Some("ELECTRONIC_CERTIFIED_COPY"),
        (
            "Tỷ lệ cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính",
            "Communes offering electronic certified copies from originals",
        ),
        Group::Digitization,
        (2, Linear, Zero),
        (Secondary, Secondary),
    ),
];

// `Indicator::spec` indexes the catalogue by discriminant: a reordering fails the build.
const _: () = {
    let mut i = 0;
    while i < CATALOGUE.len() {
        assert!(CATALOGUE[i].indicator as usize == i);
        i += 1;
    }
};

impl Indicator {
    /// Every indicator, in catalogue order.
    pub const ALL: [Indicator; 24] = {
        let mut all = [Indicator::PublishedOnTime; 24];
        let mut i = 0;
        while i < 24 {
            all[i] = CATALOGUE[i].indicator;
            i += 1;
        }
        all
    };

    /// What the sources say about it.
    pub fn spec(self) -> &'static IndicatorSpec {
        // The catalogue is in declaration order (asserted at compile time).
        &CATALOGUE[self as usize]
    }

    /// Code in the formula document, e.g. `2.1`.
    pub fn code(self) -> &'static str {
        self.spec().code
    }

    /// The group it scores in.
    pub fn group(self) -> Group {
        self.spec().group
    }

    /// The indicator with code `code`.
    pub fn from_code(code: &str) -> Option<Indicator> {
        Indicator::ALL.into_iter().find(|i| i.code() == code)
    }
}

/// The whole catalogue, in order.
pub fn catalogue() -> &'static [IndicatorSpec] {
    &CATALOGUE
}

/// Level of the assessed unit. Ministries and provinces score alike (their rules differ only
/// in how 1.1 and 1.2 count "on time"); communes have exemptions ([`Rules766::commune`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    /// A ministry, ministerial-level agency or Vietnam Social Security.
    Ministry,
    /// A province, or one of its departments (scored alike, 🔶: the sheet's scope names only
    /// province and commune).
    Province,
    /// A commune-level unit.
    Commune,
}

/// What happens when a unit had no feedback or petitions at all in the period (5.2 and 5.3
/// both have a denominator of 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoPetitions {
    /// Each indicator follows its own [`WhenEmpty`] rule (by default 5.2 and 5.3 score full):
    /// what the portal's API was seen to do (🟡 regulations §1.3 group 5). Default, since the
    /// portal's score is the authoritative one.
    #[default]
    EachByItsRule,
    /// METRICS row 23 (🟡): 5.3's points are "split evenly between" 5.2 and 5.4, which
    /// then weigh 9 points each (an odd hundredth goes to 5.2); 5.3 is not scored. 5.2 still
    /// follows its empty rule. The note flags the conflict with the API.
    SplitPetitionSatisfaction,
}

/// Rating words used with 766 results, best first (regulations §1.4: "trung bình" and "yếu"
/// appear in official reporting; third-party dashboards use all five).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// Xuất sắc.
    Excellent,
    /// Tốt.
    Good,
    /// Khá.
    Fair,
    /// Trung bình.
    Average,
    /// Yếu.
    Weak,
}

impl Rating {
    /// Vietnamese word.
    pub fn name_vi(self) -> &'static str {
        match self {
            Rating::Excellent => "Xuất sắc",
            Rating::Good => "Tốt",
            Rating::Fair => "Khá",
            Rating::Average => "Trung bình",
            Rating::Weak => "Yếu",
        }
    }

    /// English word.
    pub fn name_en(self) -> &'static str {
        match self {
            Rating::Excellent => "Excellent",
            Rating::Good => "Good",
            Rating::Fair => "Fair",
            Rating::Average => "Average",
            Rating::Weak => "Weak",
        }
    }
}

/// Lower bounds (inclusive) of each rating on the 100-point scale; below `average` is "Yếu".
///
/// ❌ The official cut-offs were not found (regulations §1.4). The default 90 / 80 / 70 / 50
/// is ours: it fits the only published examples (61.5 = "trung bình", 43 = "yếu", which
/// suggest "≥ 50 and < 70 = trung bình", 🔶) with ten-point steps above. Replace it when the
/// official text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RatingScale {
    /// "Xuất sắc" from here.
    pub excellent: Points,
    /// "Tốt" from here.
    pub good: Points,
    /// "Khá" from here.
    pub fair: Points,
    /// "Trung bình" from here.
    pub average: Points,
}

impl Default for RatingScale {
    fn default() -> Self {
        RatingScale {
            excellent: Points::whole(90),
            good: Points::whole(80),
            fair: Points::whole(70),
            average: Points::whole(50),
        }
    }
}

impl RatingScale {
    /// The rating of a score out of 100.
    pub fn rate(&self, score: Points) -> Rating {
        if score >= self.excellent {
            Rating::Excellent
        } else if score >= self.good {
            Rating::Good
        } else if score >= self.fair {
            Rating::Fair
        } else if score >= self.average {
            Rating::Average
        } else {
            Rating::Weak
        }
    }
}

/// Every choice the sources leave open, with documented defaults (regulations §0: the 766
/// weights are configuration, versioned with the period they apply to).
///
/// Maps may be partial when read from a file: an indicator or group absent from
/// [`Rules766::indicators`] or [`Rules766::groups`] uses the catalogue's declared value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules766 {
    /// Maximum of each group; the sum of a group's indicator scores is capped at it. Default:
    /// [`Group::max_points`] (🟡, all crawlers agree).
    pub groups: BTreeMap<Group, Points>,
    /// Points, scoring and empty rule of each indicator. Default: the catalogue's
    /// ([`IndicatorSpec::rule`]). To reproduce the group-4 fit `6A + min(2, 2.5B) + 2.5C`
    /// (🟡, 984 observations) instead of the table's 3.5 "threshold 80 %", give 3.5 2.5
    /// points, linear: the group cap then keeps group 4 within 10.
    pub indicators: BTreeMap<Indicator, IndicatorRule>,
    /// Indicators that do not apply to communes and how they score. Default: METRICS rows
    /// 6, 16 and 17 (3.0, 4.5b, 4.5a) award their maximum, the sheet's stated policy (🟡);
    /// its rows 8 and 9 are unscored sub-ratios of 3.1 and 3.2 and carry no points. 1.2 stays
    /// scored for communes (METRICS scope "Tỉnh, xã"), though the formula document limits it
    /// to ministries and provinces (🟡 conflict).
    pub commune: BTreeMap<Indicator, Exemption>,
    /// A unit with no petitions at all. Default: [`NoPetitions::EachByItsRule`].
    pub no_petitions: NoPetitions,
    /// Rating cut-offs. Default: [`RatingScale::default`] (❌ not official).
    pub ratings: RatingScale,
    /// Whether to rate a total some of whose indicators are not measured, on its score
    /// scaled to 100. Default `false`: a rating from part of the index would be a guess.
    pub rate_incomplete: bool,
}

impl Default for Rules766 {
    fn default() -> Self {
        Rules766 {
            groups: Group::ALL
                .into_iter()
                .map(|g| (g, g.max_points()))
                .collect(),
            indicators: CATALOGUE.iter().map(|s| (s.indicator, s.rule)).collect(),
            commune: [
                I::FullProcessOnline,
                I::PopulationDataDossiers,
                I::PopulationDataProcedures,
            ]
            .into_iter()
            .map(|i| (i, Exemption::AwardMax))
            .collect(),
            no_petitions: NoPetitions::default(),
            ratings: RatingScale::default(),
            rate_incomplete: false,
        }
    }
}

impl Rules766 {
    /// The maximum of `group`.
    pub fn group_max(&self, group: Group) -> Points {
        self.groups
            .get(&group)
            .copied()
            .unwrap_or(group.max_points())
    }

    /// The rule of `indicator`.
    pub fn rule(&self, indicator: Indicator) -> IndicatorRule {
        self.indicators
            .get(&indicator)
            .copied()
            .unwrap_or(indicator.spec().rule)
    }

    /// The exemption of `indicator` for a unit at `level`, if any.
    pub fn exemption(&self, level: UnitLevel, indicator: Indicator) -> Option<Exemption> {
        match level {
            UnitLevel::Commune => self.commune.get(&indicator).copied(),
            UnitLevel::Ministry | UnitLevel::Province => None,
        }
    }

    /// Refuses thresholds of 0 or above 100 % and rating cut-offs out of order. Scoring never
    /// fails, even on unchecked rules; this is for rule sets read from configuration.
    pub fn validate(&self) -> Result<(), RulesError> {
        for indicator in Indicator::ALL {
            if let Scoring::Threshold { basis_points } = self.rule(indicator).scoring
                && !(1..=10_000).contains(&basis_points)
            {
                return Err(RulesError::Threshold {
                    code: indicator.code(),
                    basis_points,
                });
            }
        }
        let r = &self.ratings;
        if !(r.excellent >= r.good && r.good >= r.fair && r.fair >= r.average) {
            return Err(RulesError::RatingOrder {
                excellent: r.excellent,
                good: r.good,
                fair: r.fair,
                average: r.average,
            });
        }
        Ok(())
    }
}

/// Counts of one unit for one period: each measured indicator's numerator and denominator.
/// An indicator absent from [`Input766::ratios`] is one the system does not measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input766 {
    /// The unit's code (agency identifier or administrative-unit code).
    pub unit: String,
    /// Its level.
    pub level: UnitLevel,
    /// Measured indicators.
    pub ratios: BTreeMap<Indicator, Ratio>,
    /// Of those, the ones whose figures were imported from elsewhere (see
    /// [`crate::kpi::imported::index_ratios`]) rather than counted.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub imported: BTreeSet<Indicator>,
}

impl Input766 {
    /// A unit with nothing measured yet.
    pub fn new(unit: impl Into<String>, level: UnitLevel) -> Self {
        Input766 {
            unit: unit.into(),
            level,
            ratios: BTreeMap::new(),
            imported: BTreeSet::new(),
        }
    }

    /// Records `numerator ÷ denominator` for `indicator`.
    pub fn with(mut self, indicator: Indicator, numerator: u64, denominator: u64) -> Self {
        self.set(indicator, Ratio::new(numerator, denominator));
        self
    }

    /// Records `ratio` for `indicator`, replacing any earlier value.
    pub fn set(&mut self, indicator: Indicator, ratio: Ratio) {
        self.ratios.insert(indicator, ratio);
    }

    /// Records an imported `ratio` for `indicator`, unless it is already measured: a counted
    /// figure is never overwritten by an imported one.
    pub fn set_imported(&mut self, indicator: Indicator, ratio: Ratio) {
        if let std::collections::btree_map::Entry::Vacant(slot) = self.ratios.entry(indicator) {
            slot.insert(ratio);
            self.imported.insert(indicator);
        }
    }
}

/// The length of a reporting period, for 1.4's substitute denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// A month: a twelfth of a year.
    Month,
    /// A quarter: a quarter of a year.
    Quarter,
    /// A year.
    Year,
}

/// Indicator 1.4: `synced ÷ max(received per the national reporting system, received per the
/// portal)`. When both are 0 the formula document (🟡 regulations §1.3) uses the previous
/// year's total ÷ 12 (month), ÷ 4 (quarter) or × 1 (year); that is returned exactly as
/// `synced × 12 ÷ previous year` (resp. × 4, × 1), so the numerator is then not a count of
/// dossiers. Without previous-year data the ratio is undefined, which 1.4's empty rule
/// scores 0 ("the ratio is 0").
pub fn dossier_sync_ratio(
    synced: u64,
    received_reported: u64,
    received_on_portal: u64,
    previous_year_received: Option<u64>,
    period: PeriodKind,
) -> Ratio {
    let received = received_reported.max(received_on_portal);
    if received > 0 {
        return Ratio::new(synced, received);
    }
    let per_year = match period {
        PeriodKind::Month => 12,
        PeriodKind::Quarter => 4,
        PeriodKind::Year => 1,
    };
    match previous_year_received {
        Some(previous) if previous > 0 => Ratio::new(synced.saturating_mul(per_year), previous),
        _ => Ratio::new(synced, 0),
    }
}

/// Why an indicator's points are not in the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// Its denominator is 0 and its rule is [`WhenEmpty::Excluded`].
    EmptyDenominator,
    /// It does not apply to the unit's level ([`Exemption::Excluded`]).
    Exempt,
    /// No petitions: its points went to 5.2 and 5.4 ([`NoPetitions::SplitPetitionSatisfaction`]).
    PointsMoved,
}

/// The score of one indicator and how it came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Score {
    /// Computed from the ratio by the scoring rule.
    Computed(Points),
    /// The denominator is 0; the indicator's [`WhenEmpty`] rule gave these points.
    EmptyDenominator(Points),
    /// Does not apply to the unit's level; awarded its maximum ([`Exemption::AwardMax`]).
    Exempt(Points),
    /// Not counted in the total, nor in what the total is out of.
    Excluded(Exclusion),
    /// The system does not measure it: no input. Not counted, and the total says so.
    NotMeasured,
}

impl Score {
    /// The points counted in the total, `None` when excluded or not measured.
    pub fn points(self) -> Option<Points> {
        match self {
            Score::Computed(p) | Score::EmptyDenominator(p) | Score::Exempt(p) => Some(p),
            Score::Excluded(_) | Score::NotMeasured => None,
        }
    }
}

/// One indicator of an [`Assessment`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorScore {
    /// The indicator.
    pub indicator: Indicator,
    /// Its input, when measured.
    pub ratio: Option<Ratio>,
    /// Its maximum for this unit (5.2 and 5.4 gain 5.3's points under the split rule).
    pub max: Points,
    /// Its score.
    pub score: Score,
    /// Whether its figures were imported from elsewhere rather than counted.
    #[serde(default)]
    pub imported: bool,
}

/// One group of an [`Assessment`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupScore {
    /// The group.
    pub group: Group,
    /// Sum of its counted indicator scores, capped at the group maximum.
    pub points: Points,
    /// Sum of its counted indicator maxima, capped at the group maximum.
    pub out_of: Points,
    /// Whether the cap cut the sum.
    pub capped: bool,
}

/// The total of an [`Assessment`] and what it is out of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Total {
    /// Sum of the group scores (the portal's `TONG_SCORE` when everything is measured).
    pub points: Points,
    /// Sum of the groups' `out_of`: 100 under the default rules when nothing is unmeasured.
    pub out_of: Points,
    /// The point-bearing indicators whose scores are in `points`.
    pub counted: Vec<Indicator>,
    /// The point-bearing indicators not measured, whose points are missing from `out_of`.
    pub not_measured: Vec<Indicator>,
}

impl Total {
    /// Whether every point-bearing indicator was measured (or exempt).
    pub fn is_complete(&self) -> bool {
        self.not_measured.is_empty()
    }

    /// The score scaled to 100 points (`points × 100 ÷ out_of`, rounded half up); `None`
    /// when nothing is counted. Equals `points` when the total is out of 100.
    pub fn on_100(&self) -> Option<Points> {
        let out_of = u64::from(self.out_of.hundredths());
        (out_of > 0).then(|| {
            let scaled = (2 * u64::from(self.points.hundredths()) * 10_000 + out_of) / (2 * out_of);
            Points(u32::try_from(scaled).unwrap_or(u32::MAX))
        })
    }
}

/// A unit's 766 score for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// The unit's code.
    pub unit: String,
    /// Its level.
    pub level: UnitLevel,
    /// Every indicator, in catalogue order.
    pub indicators: Vec<IndicatorScore>,
    /// The six groups, in order.
    pub groups: Vec<GroupScore>,
    /// The total.
    pub total: Total,
    /// Rating of [`Total::on_100`]; `None` when the total is incomplete (unless
    /// [`Rules766::rate_incomplete`]) or empty.
    pub rating: Option<Rating>,
}

impl Assessment {
    /// The numerators and denominators it was made of.
    pub fn input(&self) -> Input766 {
        let mut input = Input766::new(&self.unit, self.level);
        for s in &self.indicators {
            match s.ratio {
                Some(r) if s.imported => input.set_imported(s.indicator, r),
                Some(r) => input.set(s.indicator, r),
                None => {}
            }
        }
        input
    }

    /// The score of `indicator`.
    pub fn indicator(&self, indicator: Indicator) -> Option<&IndicatorScore> {
        self.indicators.iter().find(|s| s.indicator == indicator)
    }

    /// The score of `group`.
    pub fn group(&self, group: Group) -> Option<&GroupScore> {
        self.groups.iter().find(|g| g.group == group)
    }
}

/// `a ÷ b` rounded half up (b > 0).
fn div_round(a: u128, b: u128) -> u128 {
    (2 * a + b) / (2 * b)
}

/// Points of a defined ratio out of `max`, in exact integer arithmetic; never above `max`.
fn score_ratio(scoring: Scoring, max: Points, ratio: Ratio) -> Points {
    let d = u128::from(ratio.denominator);
    let n = u128::from(ratio.numerator).min(d);
    let p = u128::from(max.0);
    let hundredths = match scoring {
        Scoring::Linear => div_round(p * n, d),
        // `reaches` holds for every ratio when T = 0, so T > 0 below.
        Scoring::Threshold { basis_points } if ratio.reaches(basis_points) => p,
        Scoring::Threshold { basis_points } => {
            div_round(p * n * 10_000, d * u128::from(basis_points)).min(p)
        }
    };
    // At most `p`, which came from a u32.
    Points(u32::try_from(hundredths).unwrap_or(max.0))
}

fn has_empty_denominator(input: &Input766, indicator: Indicator) -> bool {
    input
        .ratios
        .get(&indicator)
        .is_some_and(|r| r.is_undefined())
}

/// Scores one unit for one period under `rules`.
///
/// Per indicator, in this order: an exemption for the unit's level; no input →
/// [`Score::NotMeasured`]; a denominator of 0 → the empty rule; otherwise the scoring rule
/// on the ratio (capped at 1), rounded half up to hundredths. A group is the sum of its
/// counted indicators capped at its maximum; the total is the sum of the groups.
pub fn assess(input: &Input766, rules: &Rules766) -> Assessment {
    let split = rules.no_petitions == NoPetitions::SplitPetitionSatisfaction
        && has_empty_denominator(input, I::PetitionsOnTime)
        && has_empty_denominator(input, I::PetitionSatisfaction);
    let moved = rules.rule(I::PetitionSatisfaction).points.0;
    let indicators: Vec<IndicatorScore> = Indicator::ALL
        .into_iter()
        .map(|indicator| {
            let rule = rules.rule(indicator);
            let ratio = input.ratios.get(&indicator).copied();
            let max = match indicator {
                I::PetitionsOnTime if split => rule.points + Points(moved - moved / 2),
                I::DossierSatisfaction if split => rule.points + Points(moved / 2),
                I::PetitionSatisfaction if split => Points::ZERO,
                _ => rule.points,
            };
            let score = if split && indicator == I::PetitionSatisfaction {
                Score::Excluded(Exclusion::PointsMoved)
            } else if let Some(exemption) = rules.exemption(input.level, indicator) {
                match exemption {
                    Exemption::AwardMax => Score::Exempt(max),
                    Exemption::Excluded => Score::Excluded(Exclusion::Exempt),
                }
            } else {
                match ratio {
                    None => Score::NotMeasured,
                    Some(r) if r.is_undefined() => match rule.when_empty {
                        WhenEmpty::Zero => Score::EmptyDenominator(Points::ZERO),
                        WhenEmpty::Full => Score::EmptyDenominator(max),
                        WhenEmpty::Excluded => Score::Excluded(Exclusion::EmptyDenominator),
                    },
                    Some(r) => Score::Computed(score_ratio(rule.scoring, max, r)),
                }
            };
            IndicatorScore {
                indicator,
                ratio,
                max,
                score,
                imported: input.imported.contains(&indicator),
            }
        })
        .collect();

    let groups: Vec<GroupScore> = Group::ALL
        .into_iter()
        .map(|group| {
            let counted = indicators
                .iter()
                .filter(|s| s.indicator.group() == group)
                .filter_map(|s| s.score.points().map(|p| (p, s.max)));
            let (points, out_of) = counted
                .fold((Points::ZERO, Points::ZERO), |(p, m), (sp, sm)| {
                    (p + sp, m + sm)
                });
            let cap = rules.group_max(group);
            GroupScore {
                group,
                points: points.min(cap),
                out_of: out_of.min(cap),
                capped: points > cap,
            }
        })
        .collect();

    let bearing = || indicators.iter().filter(|s| s.max > Points::ZERO);
    let total = Total {
        points: groups.iter().map(|g| g.points).sum(),
        out_of: groups.iter().map(|g| g.out_of).sum(),
        counted: bearing()
            .filter(|s| s.score.points().is_some())
            .map(|s| s.indicator)
            .collect(),
        not_measured: bearing()
            .filter(|s| s.score == Score::NotMeasured)
            .map(|s| s.indicator)
            .collect(),
    };
    let rating = if total.is_complete() || rules.rate_incomplete {
        total.on_100().map(|p| rules.ratings.rate(p))
    } else {
        None
    };
    Assessment {
        unit: input.unit.clone(),
        level: input.level,
        indicators,
        groups,
        total,
        rating,
    }
}

/// A unit's place among its peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked<'a> {
    /// 1 for the best.
    pub rank: usize,
    /// The unit's assessment.
    pub assessment: &'a Assessment,
}

/// Ranks units by total points, best first, as the portal ranks by `TONG_SCORE`.
///
/// Equal totals (exact, in hundredths) share a rank and the next rank skips ("1, 2, 2, 4"),
/// so rank n always means n − 1 units did strictly better; the portal's row number
/// (`ROW_STT`) breaks ties arbitrarily, which would show two equal scores as different.
/// Within a tie, units are listed by code. Compare units assessed on the same indicators:
/// totals out of different maxima are ranked as they stand.
pub fn rank(units: &[Assessment]) -> Vec<Ranked<'_>> {
    let mut sorted: Vec<&Assessment> = units.iter().collect();
    sorted.sort_by(|a, b| {
        b.total
            .points
            .cmp(&a.total.points)
            .then_with(|| a.unit.cmp(&b.unit))
    });
    let mut ranked: Vec<Ranked<'_>> = Vec::with_capacity(sorted.len());
    for (i, assessment) in sorted.into_iter().enumerate() {
        let rank = match ranked.last() {
            Some(prev) if prev.assessment.total.points == assessment.total.points => prev.rank,
            _ => i + 1,
        };
        ranked.push(Ranked { rank, assessment });
    }
    ranked
}
