//! The TypeScript declarations of every type that crosses IPC, as one file (`ui/src/bindings.ts`).
//! Rust is the source; the `bindings` test fails when the committed file is stale.

use cunan_app_api::core::education::{
    Attendee, EducationLog, EducationShare, GridEducation, SessionRow,
};
use cunan_app_api::core::incident::{
    DeadlineRule, DeadlineSetting, DeadlineSource, DeadlineState, ReportKind, ReportText, Severity,
};
use cunan_app_api::core::kit::{
    KitChecklist, KitLine, KitProblem, ResponsibleKit, ResponsibleKitRow,
};
use cunan_app_api::core::plan::{PlanChoices, PlanGap, PlanList, PlanSummary, PlanView, RefChoice};
use cunan_app_api::core::readiness::{CheckState, Readiness, ReadinessGroup, ReadinessItem};
use cunan_app_api::core::registers::{DrillLog, HazardRegister, ReportRow, ReportStatus, SiteRow};
use cunan_app_api::core::rollcall::{
    Count, GridTotals, Mark, MarkCount, MarkInput, RollCall, RollCallPerson, RollCallSummary,
    RollCallTotals, ShelterLoad, Totals, TransferOrder,
};
use cunan_app_api::core::roster::{
    GridSummary, HouseholdDetail, HouseholdRow, MatchKind, PersonHit, PersonSource, ResidentEntry,
    RosterTotals, RosterView, TeamView, VulnerableRow,
};
use cunan_app_api::core::store::Tombstone;
use cunan_app_api::core::{
    Contact, Drill, EducationAttendance, EducationSession, EvacuationEvent, EvacuationRoute,
    FloodResponsible, Grid, GridMember, HazardKind, HazardReport, HazardSite, Household, Incident,
    IncidentReport, KitCondition, KitInspection, KitItem, Plan, PlanPhase, PlanStep, Resident,
    Shelter, Team, TeamMember, Village, VulnerableKind, VulnerablePerson,
};
use cunan_app_api::{ImportPreview, ImportSummary, RowError};
use ts_rs::{Config, TS};

use cunan_app_api::conflicts::{ConflictField, ConflictView};
use cunan_app_api::excel::ExportKind;
use cunan_app_api::incident::{
    DeadlineLine, IncidentBoard, IncidentEntry, NewIncident, ReportTexts,
};
use cunan_app_api::print::{PrintRequest, PrintedFile};
use cunan_app_api::rollcall::{GridChoice, IncidentChoice, MarkResult, RollCallBoard};
use cunan_app_api::usb::{BundleRead, BundleWritten, UsbFolder};
use cunan_app_api::worker::{SyncPhase, SyncProgressView, SyncStage, SyncStatusView};
use cunan_app_api::{ApiError, AppInfo, ErrorCode};

/// The contents of `ui/src/bindings.ts`.
pub fn typescript() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p cunan-app bindings`.\n\
         // Do not edit by hand.\n",
    );
    let decls = [
        decl::<Village>(&cfg),
        decl::<HazardKind>(&cfg),
        decl::<KitItem>(&cfg),
        decl::<KitCondition>(&cfg),
        decl::<KitInspection>(&cfg),
        decl::<KitChecklist>(&cfg),
        decl::<KitLine>(&cfg),
        decl::<KitProblem>(&cfg),
        decl::<ApiError>(&cfg),
        decl::<ErrorCode>(&cfg),
        decl::<AppInfo>(&cfg),
        decl::<SyncStatusView>(&cfg),
        decl::<SyncPhase>(&cfg),
        decl::<SyncProgressView>(&cfg),
        decl::<SyncStage>(&cfg),
        decl::<ConflictView>(&cfg),
        decl::<ConflictField>(&cfg),
        decl::<UsbFolder>(&cfg),
        decl::<BundleWritten>(&cfg),
        decl::<BundleRead>(&cfg),
        decl::<Grid>(&cfg),
        decl::<PrintRequest>(&cfg),
        decl::<PrintedFile>(&cfg),
        decl::<GridMember>(&cfg),
        decl::<HazardSite>(&cfg),
        decl::<Household>(&cfg),
        decl::<Resident>(&cfg),
        decl::<VulnerableKind>(&cfg),
        decl::<VulnerablePerson>(&cfg),
        decl::<VulnerableRow>(&cfg),
        decl::<Team>(&cfg),
        decl::<TeamMember>(&cfg),
        decl::<Contact>(&cfg),
        decl::<Shelter>(&cfg),
        decl::<EvacuationRoute>(&cfg),
        decl::<Plan>(&cfg),
        decl::<PlanPhase>(&cfg),
        decl::<PlanStep>(&cfg),
        decl::<FloodResponsible>(&cfg),
        decl::<HazardReport>(&cfg),
        decl::<Drill>(&cfg),
        decl::<EducationSession>(&cfg),
        decl::<EducationAttendance>(&cfg),
        decl::<Tombstone>(&cfg),
        decl::<RosterView>(&cfg),
        decl::<RosterTotals>(&cfg),
        decl::<GridSummary>(&cfg),
        decl::<HouseholdRow>(&cfg),
        decl::<HouseholdDetail>(&cfg),
        decl::<ResidentEntry>(&cfg),
        decl::<PersonHit>(&cfg),
        decl::<PersonSource>(&cfg),
        decl::<MatchKind>(&cfg),
        decl::<TeamView>(&cfg),
        decl::<PlanList>(&cfg),
        decl::<PlanSummary>(&cfg),
        decl::<PlanView>(&cfg),
        decl::<PlanGap>(&cfg),
        decl::<PlanChoices>(&cfg),
        decl::<RefChoice>(&cfg),
        decl::<HazardRegister>(&cfg),
        decl::<SiteRow>(&cfg),
        decl::<ReportRow>(&cfg),
        decl::<ReportStatus>(&cfg),
        decl::<DrillLog>(&cfg),
        decl::<EducationLog>(&cfg),
        decl::<EducationShare>(&cfg),
        decl::<SessionRow>(&cfg),
        decl::<Attendee>(&cfg),
        decl::<GridEducation>(&cfg),
        decl::<Readiness>(&cfg),
        decl::<ReadinessGroup>(&cfg),
        decl::<ReadinessItem>(&cfg),
        decl::<CheckState>(&cfg),
        decl::<ResponsibleKit>(&cfg),
        decl::<ResponsibleKitRow>(&cfg),
        decl::<ImportPreview>(&cfg),
        decl::<RowError>(&cfg),
        decl::<ImportSummary>(&cfg),
        decl::<ExportKind>(&cfg),
        decl::<Severity>(&cfg),
        decl::<ReportKind>(&cfg),
        decl::<Incident>(&cfg),
        decl::<IncidentReport>(&cfg),
        decl::<DeadlineRule>(&cfg),
        decl::<DeadlineSetting>(&cfg),
        decl::<DeadlineSource>(&cfg),
        decl::<DeadlineState>(&cfg),
        decl::<DeadlineLine>(&cfg),
        decl::<IncidentEntry>(&cfg),
        decl::<IncidentBoard>(&cfg),
        decl::<NewIncident>(&cfg),
        decl::<ReportText>(&cfg),
        decl::<ReportTexts>(&cfg),
        decl::<EvacuationEvent>(&cfg),
        decl::<Mark>(&cfg),
        decl::<TransferOrder>(&cfg),
        decl::<MarkInput>(&cfg),
        decl::<Count>(&cfg),
        decl::<Totals>(&cfg),
        decl::<MarkCount>(&cfg),
        decl::<GridTotals>(&cfg),
        decl::<ShelterLoad>(&cfg),
        decl::<RollCallTotals>(&cfg),
        decl::<RollCallPerson>(&cfg),
        decl::<RollCall>(&cfg),
        decl::<RollCallSummary>(&cfg),
        decl::<RollCallBoard>(&cfg),
        decl::<GridChoice>(&cfg),
        decl::<IncidentChoice>(&cfg),
        decl::<MarkResult>(&cfg),
    ];
    for d in decls {
        out.push('\n');
        out.push_str(&d);
    }
    // The Chinese labels come from the core too, so the screens and the printed card agree.
    out.push('\n');
    out.push_str(&labels(
        "HAZARD_KIND_LABELS",
        "HazardKind",
        HazardKind::ALL.map(|k| (k, k.label())),
    ));
    out.push_str(&labels(
        "KIT_CONDITION_LABELS",
        "KitCondition",
        [
            KitCondition::Good,
            KitCondition::NeedsRepair,
            KitCondition::Broken,
        ]
        .map(|c| (c, c.label())),
    ));
    out.push_str(&labels(
        "KIT_PROBLEM_LABELS",
        "KitProblem",
        [
            KitProblem::Missing,
            KitProblem::Short,
            KitProblem::Broken,
            KitProblem::NeedsRepair,
            KitProblem::InspectionOverdue,
        ]
        .map(|p| (p, p.label())),
    ));
    out.push_str(&labels(
        "VULNERABLE_KIND_LABELS",
        "VulnerableKind",
        [
            VulnerableKind::ElderlyAlone,
            VulnerableKind::Disabled,
            VulnerableKind::Bedridden,
            VulnerableKind::Pregnant,
            VulnerableKind::LeftBehindChild,
            VulnerableKind::Other,
        ]
        .map(|k| (k, k.label())),
    ));
    out.push_str(&labels(
        "PLAN_PHASE_LABELS",
        "PlanPhase",
        PlanPhase::ALL.map(|p| (p, p.label())),
    ));
    out.push_str(&labels(
        "SEVERITY_LABELS",
        "Severity",
        Severity::ALL.map(|s| (s, s.label())),
    ));
    out.push_str(&labels(
        "REPORT_KIND_LABELS",
        "ReportKind",
        [
            ReportKind::First,
            ReportKind::Continuation,
            ReportKind::Final,
        ]
        .map(|k| (k, k.label())),
    ));
    out.push_str(&labels(
        "MARK_LABELS",
        "Mark",
        Mark::ALL.map(|m| (m, m.label())),
    ));
    out
}

fn decl<T: TS>(cfg: &Config) -> String {
    // `docs()` is already a JSDoc comment, ending in a newline.
    let docs = T::docs().unwrap_or_default();
    format!("{docs}export {}\n", T::decl(cfg))
}

/// `export const NAME: Record<Type, string> = { "flood": "防汛防台", ... };` — the `Record` type
/// makes `vue-tsc` fail if a variant is added in Rust but missing here.
fn labels<T: serde::Serialize, const N: usize>(
    name: &str,
    ty: &str,
    entries: [(T, &str); N],
) -> String {
    let mut out = format!("export const {name}: Record<{ty}, string> = {{\n");
    for (value, label) in entries {
        let key = serde_json::to_string(&value).unwrap_or_default();
        let label = serde_json::to_string(label).unwrap_or_default();
        out.push_str(&format!("  {key}: {label},\n"));
    }
    out.push_str("};\n");
    out
}
