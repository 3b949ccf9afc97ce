//! The readiness self-check: the village against 六个一 and the five-have (有机构、有预案、有队伍、
//! 有物资、有科普宣教), scored from the data actually entered. Each item says where it is fixed.
//!
//! Which lists:
//! - **六个一** (village "six ones"): one plan, one team, one risk map, one evacuation-route map, one
//!   supply point, at least one drill a year.
//! - **五有**: the "five-in, five-have" campaign of `shared/domain.md` [000] (有机构、有预案、有队伍、
//!   有后勤保障、有科普宣教) with 后勤保障 read as supplies, and 有科普宣教 measured as the rule
//!   states it: within 3 years every villager has been taught the plan (预案受教育率100%) [002],
//!   from the education sessions and their sign-in sheets (`education.rs`). To it we add one item
//!   the rules ask of every village: every vulnerable person has a named helper with a phone
//!   (重点人群"四个一"). Drills are checked by 六个一's 每年一次演练.
//!
//! The rules, one line each (ok / partial / missing):
//! - 一个预案: every hazard kind of the village has a live plan with no gaps / some plans / none.
//! - 一支队伍: a team with at least [`TEAM_MIN_MEMBERS`] members with phones / smaller teams / none.
//! - 一张风险图: hazard sites, each with a risk colour, and threatened households linked / sites
//!   without colour or without any household linked / no site.
//! - 一张转移路线图: routes that all end at a live shelter / some do not / no route.
//! - 一个物资储备点: every required 5+X item present and not broken / some missing or broken / no
//!   kit at all.
//! - 每年一次演练: a drill this calendar year / — / none this year.
//! - 有机构: village officer and party secretary with phones, grids each with a member, a county
//!   duty line in the contacts / some of these / none.
//! - 重点人群帮扶: vulnerable people registered, each with a helper and a valid phone / some without,
//!   or residents but nobody registered as vulnerable / no residents.
//! - 有预案: every hazard kind has a plan, each signed off (审定人 and date) / some / none.
//! - 有队伍: a shock team (应急突击队) of at least [`TEAM_MIN_MEMBERS`] with phones, and every team
//!   member reachable by phone / teams but not that / no team.
//! - 有物资: the kit checklist has no problem at all and every flood responsible person has the four
//!   small items (a flood village needs at least one such person) / some kit / none.
//! - 有科普宣教: every live resident taught the plan within [`education::CYCLE_YEARS`] years (in
//!   person or with their whole household) / some / nobody, or no session at all (no residents:
//!   missing, fixed on the roster).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::education::{self, EducationShare};
use crate::error::Result;
use crate::kit::{self, KitChecklist, KitLine, KitProblem, ResponsibleKit};
use crate::plan::{self, PlanGap};
use crate::records::{
    Contact, Drill, EvacuationRoute, Grid, GridMember, HazardKind, HazardSite, Plan, Shelter, Team,
    TeamMember, Village, VulnerablePerson,
};
use crate::store::Store;

/// Members with a phone a team needs to count as "a team".
pub const TEAM_MIN_MEMBERS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum CheckState {
    Ok,
    Partial,
    Missing,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReadinessItem {
    pub id: String,
    pub label: String,
    pub state: CheckState,
    /// Chinese: what was found, and what is still missing.
    pub detail: String,
    /// The screen where it is fixed, one of: village, roster, teams (teams and contacts), places
    /// (shelters and routes), plans, kit, hazards, drills, education.
    pub page: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReadinessGroup {
    pub id: String,
    pub label: String,
    pub items: Vec<ReadinessItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Readiness {
    /// 0–100: ok items count 1, partial ½.
    pub score: i64,
    pub groups: Vec<ReadinessGroup>,
}

impl Readiness {
    /// Every item of every group, in screen order.
    pub fn items(&self) -> impl Iterator<Item = &ReadinessItem> {
        self.groups.iter().flat_map(|g| g.items.iter())
    }

    pub fn item(&self, id: &str) -> Option<&ReadinessItem> {
        self.items().find(|i| i.id == id)
    }
}

/// round(100 × (ok + ½ partial) / items); 0 when there are no items.
pub fn score(items: &[&ReadinessItem]) -> i64 {
    if items.is_empty() {
        return 0;
    }
    let points: usize = items
        .iter()
        .map(|i| match i.state {
            CheckState::Ok => 2,
            CheckState::Partial => 1,
            CheckState::Missing => 0,
        })
        .sum();
    // Half points, rounded half up in integers: (100 × points / 2 + items / 2) / items.
    ((100 * points + items.len()) / (2 * items.len())) as i64
}

/// Everything the checks read, loaded once.
struct Facts {
    village: Village,
    has_village: bool,
    plans: Vec<(Plan, Vec<PlanGap>)>,
    teams: Vec<(Team, Vec<TeamMember>)>,
    grids: Vec<(Grid, Vec<GridMember>)>,
    contacts: Vec<Contact>,
    sites: Vec<HazardSite>,
    linked_households: i64,
    routes: Vec<EvacuationRoute>,
    shelters: Vec<Shelter>,
    checklist: Option<KitChecklist>,
    responsible: ResponsibleKit,
    drills: Vec<Drill>,
    residents: i64,
    /// Live vulnerable people with their resident's name.
    vulnerable: Vec<(VulnerablePerson, String)>,
    /// Residents taught the plan within the cycle.
    education: EducationShare,
    /// Education sessions held (dated on or before today).
    education_sessions: usize,
    today: NaiveDate,
}

impl Facts {
    fn load(store: &Store, today: NaiveDate) -> Result<Facts> {
        let village = store.village()?;
        let has_village = village.is_some();
        let mut plans = Vec::new();
        for p in store.list::<Plan>()? {
            let steps = plan::steps_of(store, &p.id)?;
            let gaps = plan::gaps(store, &p, &steps)?;
            plans.push((p, gaps));
        }
        let members = store.list::<TeamMember>()?;
        let teams = store
            .list::<Team>()?
            .into_iter()
            .map(|t| {
                let m = members
                    .iter()
                    .filter(|m| m.team_id == t.id)
                    .cloned()
                    .collect();
                (t, m)
            })
            .collect();
        let grid_members = store.list::<GridMember>()?;
        let grids = store
            .list::<Grid>()?
            .into_iter()
            .map(|g| {
                let m = grid_members
                    .iter()
                    .filter(|m| m.grid_id == g.id)
                    .cloned()
                    .collect();
                (g, m)
            })
            .collect();
        let linked_households: i64 = store.conn().query_row(
            "SELECT count(DISTINCT l.household_id) FROM household_hazard l \
             JOIN household h ON h.id = l.household_id AND h.deleted = 0 \
             JOIN hazard_site s ON s.id = l.hazard_site_id AND s.deleted = 0 \
             WHERE l.deleted = 0",
            [],
            |r| r.get(0),
        )?;
        let residents: i64 =
            store
                .conn()
                .query_row("SELECT count(*) FROM resident WHERE deleted = 0", [], |r| {
                    r.get(0)
                })?;
        let resident_names: HashMap<String, String> = store
            .conn()
            .prepare("SELECT id, name FROM resident WHERE deleted = 0")?
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        let vulnerable = store
            .list::<VulnerablePerson>()?
            .into_iter()
            .filter_map(|v| {
                let name = resident_names.get(&v.resident_id)?.clone();
                Some((v, name))
            })
            .collect();
        let checklist = if has_village {
            Some(kit::checklist(store, today)?)
        } else {
            None
        };
        let education_data = education::EducationData::load(store)?;
        let education_sessions = education_data
            .sessions
            .iter()
            .filter(|s| s.date <= today)
            .count();
        Ok(Facts {
            village: village.unwrap_or_default(),
            has_village,
            plans,
            teams,
            grids,
            contacts: store.list::<Contact>()?,
            sites: store.list::<HazardSite>()?,
            linked_households,
            routes: store.list::<EvacuationRoute>()?,
            shelters: store.list::<Shelter>()?,
            checklist,
            responsible: kit::responsible_kit(store)?,
            drills: store.list::<Drill>()?,
            residents,
            vulnerable,
            education: education::share(&education_data, today),
            education_sessions,
            today,
        })
    }

    /// The hazard kinds that need a plan: the village's, or if none is chosen yet, those of the
    /// plans there are.
    fn plan_hazards(&self) -> Vec<HazardKind> {
        if !self.village.hazard_kinds.is_empty() {
            return self.village.hazard_kinds.clone();
        }
        let mut kinds: Vec<HazardKind> = self.plans.iter().filter_map(|(p, _)| p.hazard).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    fn plans_for(&self, hazard: HazardKind) -> impl Iterator<Item = &(Plan, Vec<PlanGap>)> {
        self.plans
            .iter()
            .filter(move |(p, _)| p.hazard == Some(hazard))
    }

    /// The kit checklist's lines (none without a village).
    fn kit_lines(&self) -> &[KitLine] {
        self.checklist
            .as_ref()
            .map(|c| c.lines.as_slice())
            .unwrap_or(&[])
    }

    /// Drills held (dated on or before today).
    fn drills_done(&self) -> impl Iterator<Item = &Drill> {
        self.drills.iter().filter(|d| d.date <= self.today)
    }

    fn drills_this_year(&self) -> Vec<&Drill> {
        self.drills_done()
            .filter(|d| d.date.year() == self.today.year())
            .collect()
    }
}

fn item(id: &str, label: &str, state: CheckState, detail: String, page: &str) -> ReadinessItem {
    ReadinessItem {
        id: id.to_string(),
        label: label.to_string(),
        state,
        detail,
        page: page.to_string(),
    }
}

fn kinds_text(kinds: &[HazardKind]) -> String {
    kinds
        .iter()
        .map(|k| k.label())
        .collect::<Vec<_>>()
        .join("、")
}

/// Ok when every part holds, missing when none does, partial in between.
fn state_of(parts: &[bool]) -> CheckState {
    if parts.iter().all(|p| *p) {
        CheckState::Ok
    } else if parts.iter().any(|p| *p) {
        CheckState::Partial
    } else {
        CheckState::Missing
    }
}

/// The self-check on `today`. A store without a village yet gives every item missing.
pub fn readiness(store: &Store, today: NaiveDate) -> Result<Readiness> {
    let f = Facts::load(store, today)?;
    let groups = vec![
        ReadinessGroup {
            id: "six-ones".into(),
            label: "六个一".into(),
            items: vec![
                six_plan(&f),
                six_team(&f),
                risk_map(&f),
                route_map(&f),
                supply_point(&f),
                drill_this_year(&f),
            ],
        },
        ReadinessGroup {
            id: "five-have".into(),
            label: "五有".into(),
            items: vec![
                organisation(&f),
                vulnerable(&f),
                plans_signed(&f),
                shock_team(&f),
                supplies(&f),
                education_item(&f),
            ],
        },
    ];
    let all: Vec<&ReadinessItem> = groups.iter().flat_map(|g| g.items.iter()).collect();
    Ok(Readiness {
        score: score(&all),
        groups,
    })
}

fn no_hazard_kinds_item(id: &str, label: &str) -> ReadinessItem {
    item(
        id,
        label,
        CheckState::Missing,
        "还没有预案，村庄信息里也还没有选本村的灾种。请先在村庄信息中选好灾种（如防汛防台、地质灾害），再从模板新建预案。".into(),
        "village",
    )
}

fn six_plan(f: &Facts) -> ReadinessItem {
    const ID: &str = "plan";
    const LABEL: &str = "一个预案";
    let hazards = f.plan_hazards();
    if hazards.is_empty() {
        return no_hazard_kinds_item(ID, LABEL);
    }
    let mut complete = Vec::new();
    let mut incomplete = Vec::new();
    let mut absent = Vec::new();
    for k in &hazards {
        match f.plans_for(*k).min_by_key(|(_, g)| g.len()) {
            None => absent.push(*k),
            Some((_, gaps)) if gaps.is_empty() => complete.push(*k),
            Some((_, gaps)) => {
                let labels: Vec<&str> = gaps.iter().take(3).map(|g| g.label.as_str()).collect();
                let more = if gaps.len() > 3 { "等" } else { "" };
                incomplete.push(format!(
                    "{}预案还缺 {} 项（{}{more}）",
                    k.label(),
                    gaps.len(),
                    labels.join("、")
                ));
            }
        }
    }
    let have = hazards.len() - absent.len();
    let state = if complete.len() == hazards.len() {
        CheckState::Ok
    } else if have == 0 {
        CheckState::Missing
    } else {
        CheckState::Partial
    };
    let mut detail = format!(
        "本村 {} 个灾种（{}），已有预案 {} 个，其中 {} 个已填完整",
        hazards.len(),
        kinds_text(&hazards),
        have,
        complete.len()
    );
    for text in &incomplete {
        detail.push('；');
        detail.push_str(text);
    }
    if !absent.is_empty() {
        detail.push_str(&format!(
            "；{}还没有预案，请从模板新建",
            kinds_text(&absent)
        ));
    }
    detail.push('。');
    item(ID, LABEL, state, detail, "plans")
}

/// (team name, members, members with a phone)
fn team_counts(f: &Facts) -> Vec<(&str, usize, usize)> {
    f.teams
        .iter()
        .map(|(t, m)| {
            let with_phone = m.iter().filter(|m| !m.phone.trim().is_empty()).count();
            (t.name.as_str(), m.len(), with_phone)
        })
        .collect()
}

fn teams_summary(counts: &[(&str, usize, usize)]) -> String {
    let members: usize = counts.iter().map(|c| c.1).sum();
    let mut s = format!("已有 {} 支队伍、{} 名队员", counts.len(), members);
    let phoneless: Vec<String> = counts
        .iter()
        .filter(|c| c.1 > c.2)
        .map(|c| format!("{} {} 人无电话", c.0, c.1 - c.2))
        .collect();
    if !phoneless.is_empty() {
        s.push('；');
        s.push_str(&phoneless.join("，"));
    }
    s
}

fn six_team(f: &Facts) -> ReadinessItem {
    const ID: &str = "team";
    const LABEL: &str = "一支队伍";
    let counts = team_counts(f);
    let members: usize = counts.iter().map(|c| c.1).sum();
    if members == 0 {
        return item(
            ID,
            LABEL,
            CheckState::Missing,
            "还没有应急队伍或队员。请建立以党员为主的应急突击队，登记队员和电话。".into(),
            "teams",
        );
    }
    let best = counts.iter().map(|c| c.2).max().unwrap_or(0);
    let mut detail = teams_summary(&counts);
    let state = if best >= TEAM_MIN_MEMBERS {
        CheckState::Ok
    } else {
        detail.push_str(&format!(
            "；人数最多的队伍只有 {best} 名队员留有电话，一支队伍至少要 {TEAM_MIN_MEMBERS} 人能电话联系上"
        ));
        CheckState::Partial
    };
    detail.push('。');
    item(ID, LABEL, state, detail, "teams")
}

fn risk_map(f: &Facts) -> ReadinessItem {
    const ID: &str = "risk-map";
    const LABEL: &str = "一张风险图";
    if f.sites.is_empty() {
        return item(
            ID,
            LABEL,
            CheckState::Missing,
            "还没有登记隐患点。请登记山塘水库、地质灾害隐患点、低洼易涝点、危旧房等，并标明风险等级颜色。".into(),
            "hazards",
        );
    }
    let uncoloured = f
        .sites
        .iter()
        .filter(|s| s.risk_color.trim().is_empty())
        .count();
    let mut detail = format!(
        "已登记 {} 个隐患点，关联受威胁住户 {} 户",
        f.sites.len(),
        f.linked_households
    );
    let mut page = "hazards";
    if uncoloured > 0 {
        detail.push_str(&format!("；{uncoloured} 个隐患点还没有标风险等级颜色"));
    }
    if f.linked_households == 0 {
        detail.push_str("；还没有住户关联到隐患点，请在户籍名册里标明受哪个隐患点威胁");
        if uncoloured == 0 {
            page = "roster";
        }
    }
    detail.push('。');
    let state = if uncoloured == 0 && f.linked_households > 0 {
        CheckState::Ok
    } else {
        CheckState::Partial
    };
    item(ID, LABEL, state, detail, page)
}

fn route_map(f: &Facts) -> ReadinessItem {
    const ID: &str = "route-map";
    const LABEL: &str = "一张转移路线图";
    if f.routes.is_empty() {
        let shelters = if f.shelters.is_empty() {
            "也还没有避险安置点；".to_string()
        } else {
            format!("已有 {} 个安置点；", f.shelters.len())
        };
        return item(
            ID,
            LABEL,
            CheckState::Missing,
            format!("还没有转移路线，{shelters}请登记从危险区到安置点的转移路线。"),
            "places",
        );
    }
    let ends_at_shelter = |r: &EvacuationRoute| {
        r.shelter_id
            .as_deref()
            .is_some_and(|id| f.shelters.iter().any(|s| s.id == id))
    };
    let open_ended: Vec<&str> = f
        .routes
        .iter()
        .filter(|r| !ends_at_shelter(r))
        .map(|r| r.name.as_str())
        .collect();
    let capacity: i64 = f.shelters.iter().filter_map(|s| s.capacity).sum();
    let mut detail = format!(
        "已有 {} 条转移路线、{} 个安置点（共可容纳 {} 人）",
        f.routes.len(),
        f.shelters.len(),
        capacity
    );
    let state = if open_ended.is_empty() {
        detail.push_str("，每条路线都通到安置点。");
        CheckState::Ok
    } else {
        detail.push_str(&format!(
            "；{} 条路线没有指定安置点或安置点已删除（{}），请补上终点。",
            open_ended.len(),
            open_ended.join("、")
        ));
        CheckState::Partial
    };
    item(ID, LABEL, state, detail, "places")
}

fn supply_point(f: &Facts) -> ReadinessItem {
    const ID: &str = "supply-point";
    const LABEL: &str = "一个物资储备点";
    let lines = f.kit_lines();
    let present = lines.iter().filter(|l| l.item.quantity > 0).count();
    if present == 0 {
        return item(
            ID,
            LABEL,
            CheckState::Missing,
            "还没有登记应急器材。请按 5+X 标准登记小型发电机、带动力排水泵、微型消防站、手持扩音器等的数量、存放位置和保管人。".into(),
            "kit",
        );
    }
    let names = |p: KitProblem| -> Vec<&str> {
        lines
            .iter()
            .filter(|l| l.required > 0 && l.problems.contains(&p))
            .map(|l| l.item.name.as_str())
            .collect()
    };
    let missing = names(KitProblem::Missing);
    let broken = names(KitProblem::Broken);
    let mut required_absent: Vec<String> = Vec::new();
    // Standard items with no row at all (never seeded) are missing too.
    if let (Ok(catalog), true) = (kit::KitCatalog::bundled(), f.has_village) {
        for c in &catalog.items {
            if c.required_for(&f.village) > 0
                && !lines
                    .iter()
                    .any(|l| l.item.catalog_code.as_deref() == Some(c.code.as_str()))
            {
                required_absent.push(c.name.clone());
            }
        }
    }
    let mut detail = format!("已登记器材 {present} 种，存放地点和保管人见器材清单");
    let all_missing: Vec<String> = missing
        .iter()
        .map(|s| s.to_string())
        .chain(required_absent)
        .collect();
    if !all_missing.is_empty() {
        detail.push_str(&format!("；缺少{}", all_missing.join("、")));
    }
    if !broken.is_empty() {
        detail.push_str(&format!("；{}已损坏", broken.join("、")));
    }
    let state = if all_missing.is_empty() && broken.is_empty() {
        detail.push_str("；5+X 标准器材都已配备");
        CheckState::Ok
    } else {
        CheckState::Partial
    };
    detail.push('。');
    item(ID, LABEL, state, detail, "kit")
}

fn drill_line(d: &Drill) -> String {
    let hazard = d.hazard.map(|h| h.label()).unwrap_or("综合");
    match d.participants {
        Some(n) => format!("{}（{hazard}，{n} 人参加）", d.date),
        None => format!("{}（{hazard}）", d.date),
    }
}

fn drill_this_year(f: &Facts) -> ReadinessItem {
    const ID: &str = "drill";
    const LABEL: &str = "每年一次演练";
    let this_year = f.drills_this_year();
    let last = f.drills_done().max_by_key(|d| d.date);
    let (state, detail) = match (this_year.iter().max_by_key(|d| d.date), last) {
        (Some(latest), _) => (
            CheckState::Ok,
            format!(
                "{} 年已演练 {} 次，最近一次 {}。",
                f.today.year(),
                this_year.len(),
                drill_line(latest)
            ),
        ),
        (None, Some(last)) => (
            CheckState::Missing,
            format!(
                "{} 年还没有演练，上次演练是 {}。每年至少要组织一次综合或专项演练。",
                f.today.year(),
                drill_line(last)
            ),
        ),
        (None, None) => (
            CheckState::Missing,
            "还没有演练记录。每年至少要组织一次综合或专项演练，并记下日期、参加人数和发现的问题。"
                .into(),
        ),
    };
    item(ID, LABEL, state, detail, "drills")
}

fn organisation(f: &Facts) -> ReadinessItem {
    const ID: &str = "organisation";
    const LABEL: &str = "有机构";
    let v = &f.village;
    let officer = !v.officer_name.trim().is_empty() && !v.officer_phone.trim().is_empty();
    let secretary =
        !v.party_secretary.trim().is_empty() && !v.party_secretary_phone.trim().is_empty();
    let empty_grids: Vec<&str> = f
        .grids
        .iter()
        .filter(|(_, m)| m.is_empty())
        .map(|(g, _)| g.name.as_str())
        .collect();
    let grids_ok = !f.grids.is_empty() && empty_grids.is_empty();
    let duty_line = f
        .contacts
        .iter()
        .any(|c| c.level == "county" && c.is_duty_line && !c.phone.trim().is_empty());
    let mut found = Vec::new();
    let mut lacking = Vec::new();
    if officer {
        found.push(format!("村应急管理员 {}", v.officer_name.trim()));
    } else {
        lacking.push("村应急管理员的姓名和电话".to_string());
    }
    if secretary {
        found.push(format!("村党组织书记 {}", v.party_secretary.trim()));
    } else {
        lacking.push("村党组织书记的姓名和电话".to_string());
    }
    if grids_ok {
        found.push(format!("{} 个网格都有网格员", f.grids.len()));
    } else if f.grids.is_empty() {
        lacking.push("网格和网格员".to_string());
    } else {
        lacking.push(format!(
            "{} 个网格的网格员（{}）",
            empty_grids.len(),
            empty_grids.join("、")
        ));
    }
    if duty_line {
        found.push("通讯录有县应急管理局值班电话".to_string());
    } else {
        lacking.push("通讯录里的县应急管理局值班电话".to_string());
    }
    let state = state_of(&[officer, secretary, grids_ok, duty_line]);
    let page = if !f.has_village || !officer || !secretary {
        "village"
    } else if !grids_ok {
        "roster"
    } else if !duty_line {
        "teams"
    } else {
        "village"
    };
    let mut detail = String::new();
    if !found.is_empty() {
        detail.push_str(&format!("已有{}", found.join("，")));
    }
    if !lacking.is_empty() {
        if !detail.is_empty() {
            detail.push('；');
        }
        detail.push_str(&format!("还缺{}", lacking.join("、")));
    }
    detail.push('。');
    item(ID, LABEL, state, detail, page)
}

fn vulnerable(f: &Facts) -> ReadinessItem {
    const ID: &str = "vulnerable";
    const LABEL: &str = "重点人群有人帮（四个一）";
    if f.residents == 0 {
        return item(
            ID,
            LABEL,
            CheckState::Missing,
            "还没有录入住户和居民，无法登记重点人群。请先录入户籍名册（可从 Excel 导入）。".into(),
            "roster",
        );
    }
    if f.vulnerable.is_empty() {
        return item(
            ID,
            LABEL,
            CheckState::Partial,
            format!(
                "已录入 {} 名居民，还没有登记重点人群。请标出独居老人、残疾人、卧床病人、孕妇、留守儿童，并为每人指定帮扶责任人和电话。",
                f.residents
            ),
            "roster",
        );
    }
    let without: Vec<&str> = f
        .vulnerable
        .iter()
        .filter(|(v, _)| {
            v.helper_pending() || crate::validate::phone("电话", &v.helper_phone).is_err()
        })
        .map(|(_, name)| name.as_str())
        .collect();
    let (state, detail) = if without.is_empty() {
        (
            CheckState::Ok,
            format!(
                "已登记重点人群 {} 人，每人都有帮扶责任人和电话。",
                f.vulnerable.len()
            ),
        )
    } else {
        const SHOWN: usize = 5;
        let mut names = without[..without.len().min(SHOWN)].join("、");
        if without.len() > SHOWN {
            names.push_str(" 等");
        }
        (
            CheckState::Partial,
            format!(
                "已登记重点人群 {} 人，其中 {} 人帮扶人{}（{names}），请在网格花名册中为他们指定帮扶责任人和电话。",
                f.vulnerable.len(),
                without.len(),
                crate::records::HELPER_PENDING,
            ),
        )
    };
    item(ID, LABEL, state, detail, "roster")
}

fn plans_signed(f: &Facts) -> ReadinessItem {
    const ID: &str = "plan-approved";
    const LABEL: &str = "有预案";
    let hazards = f.plan_hazards();
    if hazards.is_empty() {
        return no_hazard_kinds_item(ID, LABEL);
    }
    let signed = |p: &Plan| !p.approved_by.trim().is_empty() && p.approved_on.is_some();
    let absent: Vec<HazardKind> = hazards
        .iter()
        .copied()
        .filter(|k| f.plans_for(*k).next().is_none())
        .collect();
    let unsigned: Vec<&str> = f
        .plans
        .iter()
        .filter(|(p, _)| p.hazard.is_some_and(|h| hazards.contains(&h)) && !signed(p))
        .map(|(p, _)| p.title.as_str())
        .collect();
    let have = hazards.len() - absent.len();
    let state = if have == 0 {
        CheckState::Missing
    } else if absent.is_empty() && unsigned.is_empty() {
        CheckState::Ok
    } else {
        CheckState::Partial
    };
    let mut detail = format!("本村 {} 个灾种中 {} 个有预案", hazards.len(), have);
    if have > 0 && unsigned.is_empty() {
        detail.push_str("，都已审定");
    }
    if !unsigned.is_empty() {
        detail.push_str(&format!(
            "；{}还没有审定，请村党组织书记审定后填上审定人和日期",
            unsigned.join("、")
        ));
    }
    if !absent.is_empty() {
        detail.push_str(&format!("；{}还没有预案", kinds_text(&absent)));
    }
    detail.push('。');
    item(ID, LABEL, state, detail, "plans")
}

fn is_shock_team(t: &Team) -> bool {
    t.kind == "shock" || t.name.contains("突击队")
}

fn shock_team(f: &Facts) -> ReadinessItem {
    const ID: &str = "team-shock";
    const LABEL: &str = "有队伍";
    let counts = team_counts(f);
    if f.teams.is_empty() {
        return item(
            ID,
            LABEL,
            CheckState::Missing,
            "还没有应急队伍。请建立以党员为主的应急突击队，一专多能，登记队员、分工和电话。".into(),
            "teams",
        );
    }
    let shock_size = f
        .teams
        .iter()
        .filter(|(t, _)| is_shock_team(t))
        .map(|(_, m)| m.iter().filter(|m| !m.phone.trim().is_empty()).count())
        .max();
    let phoneless: usize = counts.iter().map(|c| c.1 - c.2).sum();
    let mut detail = teams_summary(&counts);
    match shock_size {
        None => detail.push_str("；还没有应急突击队，请建立（队伍类型选“应急突击队”）"),
        Some(n) if n < TEAM_MIN_MEMBERS => detail.push_str(&format!(
            "；应急突击队只有 {n} 名队员留有电话，至少要 {TEAM_MIN_MEMBERS} 人"
        )),
        Some(n) => detail.push_str(&format!("；应急突击队 {n} 人")),
    }
    if phoneless > 0 {
        detail.push_str("；请补上无电话队员的电话");
    }
    detail.push('。');
    let state = if shock_size.is_some_and(|n| n >= TEAM_MIN_MEMBERS) && phoneless == 0 {
        CheckState::Ok
    } else {
        CheckState::Partial
    };
    item(ID, LABEL, state, detail, "teams")
}

fn supplies(f: &Facts) -> ReadinessItem {
    const ID: &str = "supplies";
    const LABEL: &str = "有物资";
    let lines = f.kit_lines();
    let present = lines.iter().filter(|l| l.item.quantity > 0).count();
    let people = &f.responsible.people;
    if present == 0 && people.is_empty() {
        return item(
            ID,
            LABEL,
            CheckState::Missing,
            "还没有登记应急器材，也没有登记防汛责任人的四小件（头盔、电筒、防雨护具、救生衣）。"
                .into(),
            "kit",
        );
    }
    let problems: Vec<String> = lines
        .iter()
        .filter(|l| !l.problems.is_empty())
        .map(|l| {
            let p: Vec<&str> = l.problems.iter().map(|p| p.label()).collect();
            format!("{}{}", l.item.name, p.join("、"))
        })
        .collect();
    let incomplete = people.iter().filter(|p| !p.missing.is_empty()).count();
    let flood_needs_people =
        f.village.hazard_kinds.contains(&HazardKind::Flood) && people.is_empty();
    let mut detail = if problems.is_empty() {
        format!("器材 {present} 种，都已配齐、完好、按时检查")
    } else {
        let shown: Vec<&str> = problems.iter().take(4).map(String::as_str).collect();
        let more = if problems.len() > 4 { "等" } else { "" };
        format!(
            "器材 {present} 种，{} 项有问题（{}{more}）",
            problems.len(),
            shown.join("；")
        )
    };
    if flood_needs_people {
        detail.push_str("；还没有登记防汛责任人和他们的四小件");
    } else if !people.is_empty() {
        if incomplete == 0 {
            detail.push_str(&format!("；防汛责任人 {} 人四小件都已配齐", people.len()));
        } else {
            detail.push_str(&format!(
                "；防汛责任人 {} 人中 {incomplete} 人四小件不全",
                people.len()
            ));
        }
    }
    detail.push('。');
    let state = if problems.is_empty() && incomplete == 0 && !flood_needs_people && present > 0 {
        CheckState::Ok
    } else {
        CheckState::Partial
    };
    item(ID, LABEL, state, detail, "kit")
}

fn education_item(f: &Facts) -> ReadinessItem {
    const ID: &str = "education";
    const LABEL: &str = "有科普宣教（预案受教育率）";
    const PAGE: &str = "education";
    let years = education::CYCLE_YEARS;
    let e = &f.education;
    if e.residents == 0 {
        return item(
            ID,
            LABEL,
            CheckState::Missing,
            "还没有录入居民，无法统计预案受教育率。请先录入户籍名册（可从 Excel 导入），再登记宣传教育和签到。"
                .into(),
            "roster",
        );
    }
    if f.education_sessions == 0 {
        return item(
            ID,
            LABEL,
            CheckState::Missing,
            format!(
                "还没有预案宣传教育记录。{years} 年内要把预案宣传到每个村民（受教育率 100%）：组织宣讲后在“宣传教育”中登记，并按签到表记下参加的住户和村民。"
            ),
            PAGE,
        );
    }
    let left = e.residents - e.taught;
    let (state, detail) = if e.taught == 0 {
        (
            CheckState::Missing,
            format!(
                "近 {years} 年已受教育 {}。请组织预案宣讲，按签到表登记参加的住户和村民（{years} 年以前的宣传不再计入）。",
                e.text
            ),
        )
    } else if left > 0 {
        (
            CheckState::Partial,
            format!(
                "近 {years} 年已受教育 {}，还有 {} 人没有受过预案宣传教育。请打印签到表，组织宣讲或入户宣传后登记。",
                e.text,
                education::thousands(left)
            ),
        )
    } else {
        (
            CheckState::Ok,
            format!(
                "近 {years} 年已受教育 {}，每个村民都受过预案宣传教育。",
                e.text
            ),
        )
    };
    item(ID, LABEL, state, detail, PAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(states: &[CheckState]) -> i64 {
        let items: Vec<ReadinessItem> = states
            .iter()
            .map(|s| item("x", "x", *s, String::new(), "kit"))
            .collect();
        let refs: Vec<&ReadinessItem> = items.iter().collect();
        score(&refs)
    }

    #[test]
    fn score_rounds_half_points() {
        use CheckState::{Missing, Ok, Partial};
        for (states, expect) in [
            (&[][..], 0),
            (&[Ok][..], 100),
            (&[Missing][..], 0),
            (&[Partial][..], 50),
            (&[Ok, Ok, Partial][..], 83), // 83.33
            (&[Ok, Partial, Partial, Missing][..], 50),
            (&[Partial, Missing, Missing][..], 17), // 16.67
            (
                &[
                    Ok, Missing, Missing, Missing, Missing, Missing, Missing, Missing,
                ][..],
                13,
            ), // 12.5 → 13
        ] {
            assert_eq!(with(states), expect, "{states:?}");
        }
    }
}
