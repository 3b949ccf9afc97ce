//! The TypeScript declarations of every type that crosses IPC, as one file (`ui/src/bindings.ts`).
//! Rust is the source; the `bindings` test fails when the committed file is stale.

use cunan_core::kit::{KitChecklist, KitLine, KitProblem};
use cunan_core::{Grid, HazardKind, KitCondition, KitInspection, KitItem, Village};
use ts_rs::{Config, TS};

use crate::ipc::{AppInfo, IpcError};
use crate::print::{PrintRequest, PrintedFile};
use crate::sync::{
    ConflictField, ConflictView, SyncPhase, SyncProgressView, SyncStage, SyncStatusView,
};

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
        decl::<IpcError>(&cfg),
        decl::<AppInfo>(&cfg),
        decl::<SyncStatusView>(&cfg),
        decl::<SyncPhase>(&cfg),
        decl::<SyncProgressView>(&cfg),
        decl::<SyncStage>(&cfg),
        decl::<ConflictView>(&cfg),
        decl::<ConflictField>(&cfg),
        decl::<Grid>(&cfg),
        decl::<PrintRequest>(&cfg),
        decl::<PrintedFile>(&cfg),
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
