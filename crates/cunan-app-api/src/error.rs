//! The one error shape of the application layer, and the closed list of error codes.
//!
//! Every failed call gives an [`ApiError`]: `message` is the Chinese text for the officer (what
//! is wrong and what to do), `code` is what programs match on (the UI, scripts), `field` names the
//! form field a validation error is about (its Chinese label, which the form shows it next to).
//! The codes are one enum, exported to TypeScript, so the UI can only match on codes that exist.

use cunan_core::CoreError;
use cunan_excel::ExcelError;
use cunan_print::PrintError;
use cunan_sync::bundle::BundleError;
use cunan_sync::SyncError;
use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $code:literal,)*) => {
        /// Every error code the village side can give. The text is the wire form (snake_case).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum ErrorCode {
            $($(#[doc = $doc])* #[serde(rename = $code)] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the order declared.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The wire form, e.g. `"sync_network"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The code with this wire form, if there is one.
            pub fn from_code(code: &str) -> Option<ErrorCode> {
                match code {
                    $($code => Some(ErrorCode::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    // The store (cunan-core).
    StoreTooNew = "store_too_new",
    StoreExists = "store_exists",
    StoreMissing = "store_missing",
    StoreBusy = "store_busy",
    NoDataDir = "no_data_dir",
    NoVillage = "no_village",
    NotFound = "not_found",
    NoPlan = "no_plan",
    Storage = "storage",
    Io = "io",
    Format = "format",
    /// A record kind the command does not know.
    UnknownTable = "unknown_table",
    BadRecord = "bad_record",
    // Validation: a field, with `field` set.
    Required = "required",
    OutOfRange = "out_of_range",
    TooLong = "too_long",
    Date = "date",
    DateOrder = "date_order",
    Phone = "phone",
    DivisionCode = "division_code",
    ResidentId = "resident_id",
    IdNumberTaken = "id_number_taken",
    VillageExists = "village_exists",
    VillageCodeFixed = "village_code_fixed",
    /// A record the county pushed down: read-only in the village.
    CountyOwned = "county_owned",
    GridMissing = "grid_missing",
    HouseholdMissing = "household_missing",
    ResidentMissing = "resident_missing",
    HazardSiteMissing = "hazard_site_missing",
    PlanExists = "plan_exists",
    AttendeeMissing = "attendee_missing",
    AttendeeAmbiguous = "attendee_ambiguous",
    /// An incident report already sent: it cannot be edited, only followed by another.
    ReportSent = "report_sent",
    /// An incident with its final report: nothing more can be reported on it.
    IncidentClosed = "incident_closed",
    /// A roll call whose scope holds nobody on the roster.
    NobodyToMove = "nobody_to_move",
    /// A roll call called off (解除): it takes no more marks.
    RollCallEnded = "roll_call_ended",
    /// A mark naming a shelter that is not (or no longer) registered.
    ShelterMissing = "shelter_missing",
    /// A report's free text holds what reads as an ID number (it would be kept as sent).
    IdNumberInText = "id_number_in_text",
    /// Input the application layer refused before calling the core (an address, a folder).
    Input = "input",
    UnknownHazard = "unknown_hazard",
    // Printing (cunan-print and the print rules here).
    NothingToPrint = "nothing_to_print",
    GridNotApplicable = "grid_not_applicable",
    MissingGlyphs = "missing_glyphs",
    CardTooLong = "card_too_long",
    PdfFailed = "pdf_failed",
    PrintFailed = "print_failed",
    PrintoutUnreadable = "printout_unreadable",
    ViewerFailed = "viewer_failed",
    RevealFailed = "reveal_failed",
    BadFileName = "bad_file_name",
    FileMissing = "file_missing",
    FileUnreadable = "file_unreadable",
    // Excel.
    ExcelUnreadable = "excel_unreadable",
    ExcelNoHeader = "excel_no_header",
    ImportStale = "import_stale",
    NoImport = "no_import",
    ImportBadRows = "import_bad_rows",
    ImportNothing = "import_nothing",
    // Sync with the county.
    SyncNetwork = "sync_network",
    SyncBadResponse = "sync_bad_response",
    SyncUnauthorized = "sync_unauthorized",
    SyncForbidden = "sync_forbidden",
    SyncVersion = "sync_version",
    SyncServer = "sync_server",
    SyncNotEnrolled = "sync_not_enrolled",
    SyncWrongServer = "sync_wrong_server",
    SyncForeignRows = "sync_foreign_rows",
    SyncResponseTooLarge = "sync_response_too_large",
    SyncPlainHttp = "sync_plain_http",
    SyncCertificate = "sync_certificate",
    EnrollWrongVillage = "enroll_wrong_village",
    EnrollFailed = "enroll_failed",
    AddressFailed = "address_failed",
    // USB bundles.
    BundleNotABundle = "bundle_not_a_bundle",
    BundleTooNew = "bundle_too_new",
    BundleTruncated = "bundle_truncated",
    BundleChecksum = "bundle_checksum",
    BundleBody = "bundle_body",
    BundleNotForVillage = "bundle_not_for_village",
    BundleNotForCounty = "bundle_not_for_county",
    BundleWrongVillage = "bundle_wrong_village",
    BundleForeignRows = "bundle_foreign_rows",
    BundleOtherServer = "bundle_other_server",
    BundleUnsigned = "bundle_unsigned",
    BundleBadSignature = "bundle_bad_signature",
    BundleUnknownDevice = "bundle_unknown_device",
    BundleFailed = "bundle_failed",
    FolderMissing = "folder_missing",
    /// The program itself went wrong (a lost thread, a code nobody declared).
    Internal = "internal",
}

impl ErrorCode {
    /// The code for a lower crate's code text. A code missing from the list is a bug (the
    /// `error_codes` test looks for them in the sources); it shows as `internal`, with the
    /// text in the log so it can be added.
    pub fn of(code: &str) -> ErrorCode {
        ErrorCode::from_code(code).unwrap_or_else(|| {
            eprintln!("cunan: error code {code:?} is not in ErrorCode");
            ErrorCode::Internal
        })
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed call: the code, the Chinese message, and the form field it is about (if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// An error about one form field, shown next to it.
    pub fn field(code: ErrorCode, field: &str, message: impl Into<String>) -> Self {
        ApiError {
            field: Some(field.to_string()),
            ..ApiError::new(code, message)
        }
    }

    /// A worker thread or task was lost: nothing was done.
    pub fn internal() -> Self {
        ApiError::new(
            ErrorCode::Internal,
            "程序内部出错，本次操作没有完成，请重试。",
        )
    }

    pub fn no_data_dir() -> Self {
        ApiError::new(
            ErrorCode::NoDataDir,
            "找不到本机的应用数据文件夹，无法保存数据。请检查当前用户的主目录是否存在、是否有写入权限。",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

/// The technical detail behind an error goes to the log (stderr) only, with its code: never to
/// the officer, and it never holds personal data (the lower crates keep it so).
fn log_detail(code: &str, detail: Option<String>) {
    if let Some(detail) = detail {
        eprintln!("cunan: {code}: {detail}");
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        log_detail(e.code(), e.detail());
        let field = match &e {
            CoreError::Validation(v) => Some(v.field.clone()),
            _ => None,
        };
        ApiError {
            code: ErrorCode::of(e.code()),
            message: e.to_string(),
            field,
        }
    }
}

/// A lower crate's own error (not the core's it wraps): its code, its message, its detail logged.
fn lower(code: &str, message: String, detail: Option<String>) -> ApiError {
    log_detail(code, detail);
    ApiError::new(ErrorCode::of(code), message)
}

impl From<PrintError> for ApiError {
    fn from(e: PrintError) -> Self {
        lower(e.code(), e.to_string(), e.detail().map(str::to_string))
    }
}

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Core(core) => core.into(),
            other => lower(other.code(), other.to_string(), other.detail()),
        }
    }
}

impl From<BundleError> for ApiError {
    fn from(e: BundleError) -> Self {
        match e {
            BundleError::Core(core) => core.into(),
            other => lower(other.code(), other.to_string(), other.detail()),
        }
    }
}

impl From<ExcelError> for ApiError {
    fn from(e: ExcelError) -> Self {
        match e {
            ExcelError::Core(core) => core.into(),
            other => ApiError::new(ErrorCode::of(other.code()), other.to_string()),
        }
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        CoreError::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "twice: {code}");
            assert_eq!(ErrorCode::from_code(code.as_str()), Some(*code));
            let json = serde_json::to_string(code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
        assert_eq!(ErrorCode::from_code("no_such_code"), None);
        assert_eq!(ErrorCode::of("no_such_code"), ErrorCode::Internal);
    }

    #[test]
    fn a_validation_error_keeps_its_code_and_field() {
        let core: CoreError =
            cunan_core::validate::ValidationError::new("phone", "电话", "手机号应为 11 位").into();
        let e = ApiError::from(core);
        assert_eq!(e.code, ErrorCode::Phone);
        assert_eq!(e.field.as_deref(), Some("电话"));
        let json = serde_json::to_value(&e).unwrap_or_default();
        assert_eq!(json["code"], "phone");
    }
}
