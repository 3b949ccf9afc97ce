//! Plans: built-in templates per hazard kind (data in `assets/plan-templates/`), and what a plan
//! still lacks before it is complete.

use std::collections::BTreeMap;

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::records::{
    EvacuationRoute, FloodResponsible, Grid, GridMember, HazardKind, Plan, PlanPhase, PlanStep,
    Shelter, Team, TeamMember, Village,
};
use crate::store::Store;
use crate::validate::ValidationError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanTemplate {
    pub hazard: HazardKind,
    pub title: String,
    pub warning_signal: String,
    pub steps: Vec<TemplateStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TemplateStep {
    pub phase: PlanPhase,
    pub warning_level: Option<String>,
    pub who: String,
    pub what: String,
    pub how: String,
}

/// Something a plan still lacks. `field` is the plan column (e.g. `monitor`) or `phase:<phase>`;
/// `message` says in Chinese what to fill in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanGap {
    pub field: String,
    pub label: String,
    pub message: String,
}

/// A roster entry a 六落实 item can point at.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefChoice {
    pub id: String,
    /// What goes into the plan's text column, e.g. "张三（村主任）13800000000".
    pub label: String,
    /// Where it comes from, e.g. "抢险队" or "网格员".
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanChoices {
    /// People for responsible / monitor / reporter (team members, grid members, flood responsible).
    pub people: Vec<RefChoice>,
    pub routes: Vec<RefChoice>,
    pub shelters: Vec<RefChoice>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanView {
    pub plan: Plan,
    /// In phase order, then position.
    pub steps: Vec<PlanStep>,
    pub gaps: Vec<PlanGap>,
    pub choices: PlanChoices,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanSummary {
    pub plan: Plan,
    pub steps: i64,
    pub gaps: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanList {
    pub plans: Vec<PlanSummary>,
    /// The village's hazard kinds that have no plan yet.
    pub hazards_without_plan: Vec<HazardKind>,
}

/// The built-in templates, one JSON file per hazard kind (data, not code).
fn template_json(hazard: HazardKind) -> &'static str {
    match hazard {
        HazardKind::Flood => include_str!("../../../assets/plan-templates/flood.json"),
        HazardKind::Geological => include_str!("../../../assets/plan-templates/geological.json"),
        HazardKind::ForestFire => include_str!("../../../assets/plan-templates/forest-fire.json"),
        HazardKind::Fire => include_str!("../../../assets/plan-templates/fire.json"),
        HazardKind::Earthquake => include_str!("../../../assets/plan-templates/earthquake.json"),
        HazardKind::Other => include_str!("../../../assets/plan-templates/other.json"),
    }
}

/// Hazard kinds whose plans must say what is done at each warning level (蓝/黄/橙/红).
pub fn needs_warning_levels(hazard: HazardKind) -> bool {
    matches!(hazard, HazardKind::Flood | HazardKind::Geological)
}

/// The warning levels a step can carry, mildest first: (code stored in `warning_level`, label).
pub const WARNING_LEVELS: [(&str, &str); 4] = [
    ("blue", "蓝色预警"),
    ("yellow", "黄色预警"),
    ("orange", "橙色预警"),
    ("red", "红色预警"),
];

/// The built-in template for a hazard kind (`assets/plan-templates/<code>.json`).
pub fn template(hazard: HazardKind) -> Result<PlanTemplate> {
    let broken = |why: String| {
        CoreError::Format(format!(
            "内置的{}预案模板（plan-templates/{}.json）有误：{why}。请重新安装村安；如仍不行，请联系县应急管理局。",
            hazard.label(),
            hazard.code()
        ))
    };
    let t: PlanTemplate =
        serde_json::from_str(template_json(hazard)).map_err(|e| broken(e.to_string()))?;
    if t.hazard != hazard {
        return Err(broken(format!("模板写的灾种是 {}", t.hazard.code())));
    }
    Ok(t)
}

/// Saves a new plan and its steps from the template, in one transaction.
///
/// The title is the village name and the template's title ("青石村防汛防台应急预案"); the warning
/// signal comes from the template; the people, route and safe place are left for the officer to
/// pick, so they show as gaps. A village keeps one plan per hazard kind (the response card prints
/// it), except for "other", which may have several.
pub fn create_from_template(store: &mut Store, hazard: HazardKind) -> Result<Plan> {
    let template = template(hazard)?;
    let village = store.village()?.ok_or(CoreError::NoVillage)?;
    store.write(|w| {
        // Checked inside the transaction that saves the plan, so two creations cannot both pass.
        if hazard != HazardKind::Other {
            let existing: Option<String> = w
                .conn()
                .prepare_cached(
                    "SELECT title FROM plan WHERE deleted = 0 AND hazard = ?1 ORDER BY rowid LIMIT 1",
                )?
                .query_row([hazard.code()], |r| r.get(0))
                .optional()?;
            if let Some(title) = existing {
                return Err(ValidationError::new(
                    "plan_exists",
                    "灾种",
                    format!(
                        "已有{}预案（{title}），每个灾种只保留一份预案。请直接修改这份预案；如要从模板重写，请先删除它。",
                        hazard.label(),
                    ),
                )
                .into());
            }
        }
        let plan = w.save(&Plan {
            hazard: Some(hazard),
            title: format!("{}{}", village.name, template.title),
            warning_signal: template.warning_signal.clone(),
            ..Plan::default()
        })?;
        let mut positions: BTreeMap<PlanPhase, i64> = BTreeMap::new();
        for step in &template.steps {
            let position = positions.entry(step.phase).or_insert(0);
            w.save(&PlanStep {
                plan_id: plan.id.clone(),
                phase: step.phase,
                position: *position,
                warning_level: step.warning_level.clone(),
                who: step.who.clone(),
                what: step.what.clone(),
                how: step.how.clone(),
                ..PlanStep::default()
            })?;
            *position += 1;
        }
        Ok(plan)
    })
}

/// Every live plan, by hazard kind then title, with its step and gap counts.
pub fn plan_list(store: &Store) -> Result<PlanList> {
    let mut plans = store.list::<Plan>()?;
    plans.sort_by(|a, b| (a.hazard, &a.title).cmp(&(b.hazard, &b.title)));
    let mut out = Vec::with_capacity(plans.len());
    for plan in plans {
        let steps = steps_of(store, &plan.id)?;
        let gaps = gaps(store, &plan, &steps)?.len() as i64;
        out.push(PlanSummary {
            steps: steps.len() as i64,
            gaps,
            plan,
        });
    }
    let hazards_without_plan = match store.village()? {
        Some(village) => village
            .hazard_kinds
            .iter()
            .copied()
            .filter(|k| !out.iter().any(|p| p.plan.hazard == Some(*k)))
            .collect(),
        None => Vec::new(),
    };
    Ok(PlanList {
        plans: out,
        hazards_without_plan,
    })
}

/// One plan with its steps (phase order, then position), what it still lacks, and the roster
/// entries its 六落实 items can point at. `None` if there is no live plan with this id.
pub fn plan_view(store: &Store, id: &str) -> Result<Option<PlanView>> {
    let Some(plan) = store.get::<Plan>(id)? else {
        return Ok(None);
    };
    let steps = steps_of(store, &plan.id)?;
    let gaps = gaps(store, &plan, &steps)?;
    let choices = choices(store)?;
    Ok(Some(PlanView {
        plan,
        steps,
        gaps,
        choices,
    }))
}

/// A plan's live steps in phase order, then position.
pub fn steps_of(store: &Store, plan_id: &str) -> Result<Vec<PlanStep>> {
    let mut steps = store.query::<PlanStep>("deleted = 0 AND plan_id = ?1", &[&plan_id])?;
    steps.sort_by_key(|s| (s.phase, s.position));
    Ok(steps)
}

/// Moves a step one place up (`by` = -1) or down (+1) within its phase and renumbers the
/// phase's steps 0, 1, 2, … — all in one transaction, so a power cut never leaves two steps in
/// one place or one step twice. Returns the steps whose position changed (none at either end).
pub fn move_step(store: &mut Store, step_id: &str, by: i64) -> Result<Vec<PlanStep>> {
    let step = store
        .get::<PlanStep>(step_id)?
        .ok_or(CoreError::NotFound { what: "步骤" })?;
    let mut phase: Vec<PlanStep> = steps_of(store, &step.plan_id)?
        .into_iter()
        .filter(|s| s.phase == step.phase)
        .collect();
    let Some(i) = phase.iter().position(|s| s.id == step.id) else {
        return Ok(Vec::new());
    };
    let j = i as i64 + by.signum();
    if by == 0 || j < 0 || j >= phase.len() as i64 {
        return Ok(Vec::new());
    }
    phase.swap(i, j as usize);
    let changed: Vec<PlanStep> = phase
        .into_iter()
        .enumerate()
        .filter(|(k, s)| s.position != *k as i64)
        .map(|(k, s)| PlanStep {
            position: k as i64,
            ..s
        })
        .collect();
    store.write(|w| changed.iter().map(|s| w.save(s)).collect())
}

/// The six items of 六落实: (plan column, label, what to write in).
const SIX_ITEMS: [(&str, &str, &str); 6] = [
    (
        "responsible",
        "责任人",
        "请填写责任人：谁对本村这项工作总负责（一般为村党组织书记），写明姓名和电话。",
    ),
    (
        "monitor",
        "监测人",
        "请填写监测预警人：谁盯守隐患点、雨量和水位，发现异常立即报告，写明姓名和电话。",
    ),
    (
        "reporter",
        "信息员",
        "请填写信息员：谁负责向镇里、县里报告险情灾情（1小时内、力争30分钟），写明姓名和电话。",
    ),
    (
        "warning_signal",
        "预警信号",
        "请填写预警信号：用什么信号通知群众转移，如敲锣、吹哨、村应急广播、手摇报警器。",
    ),
    (
        "route",
        "转移路线",
        "请填写转移路线：从危险区到安置点怎么走，可从已登记的转移路线中选择。",
    ),
    (
        "safe_place",
        "安置点",
        "请填写安置点：群众转移到哪里安置，可从已登记的避险安置点中选择。",
    ),
];

/// What the plan still lacks: empty 六落实 items, references to rows since deleted, phases with no
/// step, and for flood and geological plans, warning steps without a warning level.
pub fn gaps(store: &Store, plan: &Plan, steps: &[PlanStep]) -> Result<Vec<PlanGap>> {
    let mut out = Vec::new();
    for (field, label, message) in SIX_ITEMS {
        let (text, reference) = match field {
            "responsible" => (&plan.responsible, &plan.responsible_ref),
            "monitor" => (&plan.monitor, &plan.monitor_ref),
            "reporter" => (&plan.reporter, &plan.reporter_ref),
            "route" => (&plan.route, &plan.route_ref),
            "safe_place" => (&plan.safe_place, &plan.safe_place_ref),
            _ => (&plan.warning_signal, &None),
        };
        let dangling = match reference.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => !ref_is_live(store, field, id)?,
            _ => false,
        };
        if dangling {
            let what = match field {
                "route" => "转移路线已被删除，请重新选择转移路线",
                "safe_place" => "安置点已被删除，请重新选择安置点",
                _ => "人员已从名册中删除，请重新选择",
            };
            out.push(PlanGap {
                field: field.to_string(),
                label: label.to_string(),
                message: format!("{label}：所选{what}（或直接填写）。"),
            });
        } else if text.trim().is_empty() {
            out.push(PlanGap {
                field: field.to_string(),
                label: label.to_string(),
                message: message.to_string(),
            });
        }
    }
    for phase in PlanPhase::ALL {
        if !steps.iter().any(|s| s.phase == phase) {
            out.push(PlanGap {
                field: format!("phase:{}", phase_code(phase)),
                label: phase.label().to_string(),
                message: format!(
                    "“{}”还没有步骤：请写明谁来做、做什么、怎么做。",
                    phase.label()
                ),
            });
        }
    }
    if let Some(hazard) = plan.hazard.filter(|h| needs_warning_levels(*h)) {
        let has_warning_steps = steps.iter().any(|s| s.phase == PlanPhase::Warning);
        let has_level = steps.iter().any(|s| {
            s.phase == PlanPhase::Warning
                && s.warning_level
                    .as_deref()
                    .is_some_and(|l| !l.trim().is_empty())
        });
        if has_warning_steps && !has_level {
            out.push(PlanGap {
                field: "warning_level".to_string(),
                label: "分级预警".to_string(),
                message: format!(
                    "{}预案要按预警等级（蓝、黄、橙、红）写明各级做什么：请至少给一个预警步骤选上预警等级。",
                    hazard.label()
                ),
            });
        }
    }
    Ok(out)
}

/// The `kebab-case` code of a phase, as stored (`first-response`).
pub fn phase_code(phase: PlanPhase) -> &'static str {
    match phase {
        PlanPhase::Warning => "warning",
        PlanPhase::FirstResponse => "first-response",
        PlanPhase::Evacuation => "evacuation",
        PlanPhase::Reporting => "reporting",
        PlanPhase::Recovery => "recovery",
    }
}

/// Ids of the village's own leaders as people choices (they live on the village row).
pub const PARTY_SECRETARY_REF: &str = "village:party-secretary";
pub const OFFICER_REF: &str = "village:officer";

/// Whether a `*_ref` of a plan still points at a live row.
fn ref_is_live(store: &Store, field: &str, id: &str) -> Result<bool> {
    Ok(match field {
        "route" => store.get::<EvacuationRoute>(id)?.is_some(),
        "safe_place" => store.get::<Shelter>(id)?.is_some(),
        _ => match id {
            PARTY_SECRETARY_REF => store
                .village()?
                .is_some_and(|v| !v.party_secretary.trim().is_empty()),
            OFFICER_REF => store
                .village()?
                .is_some_and(|v| !v.officer_name.trim().is_empty()),
            _ => {
                store.get::<TeamMember>(id)?.is_some()
                    || store.get::<GridMember>(id)?.is_some()
                    || store.get::<FloodResponsible>(id)?.is_some()
            }
        },
    })
}

/// "李建国（队长）13800000000", or "李建国 13800000000" without a role.
fn person_label(name: &str, role: &str, phone: &str) -> String {
    let mut s = name.trim().to_string();
    if !role.trim().is_empty() {
        s.push_str(&format!("（{}）", role.trim()));
    } else if !phone.trim().is_empty() {
        s.push(' ');
    }
    s.push_str(phone.trim());
    s
}

/// "村文化礼堂（4组村委会旁，可容纳300人）"
pub fn shelter_label(s: &Shelter) -> String {
    let mut details = Vec::new();
    if !s.address.trim().is_empty() {
        details.push(s.address.trim().to_string());
    }
    if let Some(c) = s.capacity {
        details.push(format!("可容纳{c}人"));
    }
    if details.is_empty() {
        s.name.clone()
    } else {
        format!("{}（{}）", s.name, details.join("，"))
    }
}

/// "溪边片转移路线：沿村道向北……"
pub fn route_label(r: &EvacuationRoute) -> String {
    if r.description.trim().is_empty() {
        r.name.clone()
    } else {
        format!("{}：{}", r.name, r.description.trim())
    }
}

/// The roster entries a plan's 六落实 items can point at.
pub fn choices(store: &Store) -> Result<PlanChoices> {
    let mut people = Vec::new();
    let village = store.village()?.unwrap_or_else(Village::default);
    if !village.party_secretary.trim().is_empty() {
        people.push(RefChoice {
            id: PARTY_SECRETARY_REF.to_string(),
            label: person_label(
                &village.party_secretary,
                "村党组织书记",
                &village.party_secretary_phone,
            ),
            detail: "村庄信息".to_string(),
        });
    }
    if !village.officer_name.trim().is_empty() {
        people.push(RefChoice {
            id: OFFICER_REF.to_string(),
            label: person_label(
                &village.officer_name,
                "村应急管理员",
                &village.officer_phone,
            ),
            detail: "村庄信息".to_string(),
        });
    }
    let teams = store.list::<Team>()?;
    let mut members = store.list::<TeamMember>()?;
    members.retain(|m| teams.iter().any(|t| t.id == m.team_id));
    members.sort_by_key(|m| teams.iter().position(|t| t.id == m.team_id));
    for m in members {
        let team = teams
            .iter()
            .find(|t| t.id == m.team_id)
            .map(|t| t.name.as_str())
            .unwrap_or("");
        people.push(RefChoice {
            label: person_label(&m.name, &m.role, &m.phone),
            detail: team.to_string(),
            id: m.id,
        });
    }
    let grids: Vec<Grid> = store.list::<Grid>()?;
    let mut grid_members = store.list::<GridMember>()?;
    grid_members.retain(|m| grids.iter().any(|g| g.id == m.grid_id));
    grid_members.sort_by_key(|m| grids.iter().position(|g| g.id == m.grid_id));
    for m in grid_members {
        let grid = grids
            .iter()
            .find(|g| g.id == m.grid_id)
            .map(|g| g.name.as_str())
            .unwrap_or("");
        let role = if m.role.trim().is_empty() {
            "网格员"
        } else {
            m.role.as_str()
        };
        people.push(RefChoice {
            label: person_label(&m.name, role, &m.phone),
            detail: format!("{grid} 网格员"),
            id: m.id,
        });
    }
    for f in store.list::<FloodResponsible>()? {
        let detail = if f.duty_area.trim().is_empty() {
            "防汛责任人".to_string()
        } else {
            format!("防汛责任人（{}）", f.duty_area.trim())
        };
        people.push(RefChoice {
            label: person_label(&f.name, "防汛责任人", &f.phone),
            detail,
            id: f.id,
        });
    }
    let shelters = store.list::<Shelter>()?;
    let routes = store
        .list::<EvacuationRoute>()?
        .into_iter()
        .map(|r| {
            let to = r
                .shelter_id
                .as_deref()
                .and_then(|id| shelters.iter().find(|s| s.id == id))
                .map(|s| s.name.as_str())
                .unwrap_or("未指定安置点");
            let mut detail = if r.from_place.trim().is_empty() {
                format!("到 {to}")
            } else {
                format!("{} → {to}", r.from_place.trim())
            };
            if let Some(m) = r.distance_m {
                detail.push_str(&format!("，约 {m} 米"));
            }
            RefChoice {
                label: route_label(&r),
                detail,
                id: r.id,
            }
        })
        .collect();
    let shelters = shelters
        .into_iter()
        .map(|s| {
            let detail = if s.keeper_name.trim().is_empty() {
                "未填写管理员".to_string()
            } else {
                format!(
                    "管理员 {}",
                    person_label(&s.keeper_name, "", &s.keeper_phone)
                )
            };
            RefChoice {
                label: shelter_label(&s),
                detail,
                id: s.id,
            }
        })
        .collect();
    Ok(PlanChoices {
        people,
        routes,
        shelters,
    })
}
