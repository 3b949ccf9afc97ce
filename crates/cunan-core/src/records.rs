//! The village's records: one struct per synced table in `schema.sql`.
//!
//! Field names are the column names. The five sync columns (`village_code`, `hlc`, `device_id`,
//! `deleted`, and the `id` the struct does carry) are the store's business, not the struct's.

use chrono::NaiveDate;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::validate::{self, ValidationError};

/// A row of a synced table.
pub trait Record: Serialize + DeserializeOwned + Clone {
    /// The table in `schema.sql`.
    const TABLE: &'static str;
    fn id(&self) -> &str;
    fn set_id(&mut self, id: String);
    /// Checks the fields a person typed; the store refuses to save a record that fails.
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

macro_rules! record {
    ($ty:ident, $table:literal) => {
        impl Record for $ty {
            const TABLE: &'static str = $table;
            fn id(&self) -> &str {
                &self.id
            }
            fn set_id(&mut self, id: String) {
                self.id = id;
            }
        }
    };
    ($ty:ident, $table:literal, validate($me:ident) $body:block) => {
        impl Record for $ty {
            const TABLE: &'static str = $table;
            fn id(&self) -> &str {
                &self.id
            }
            fn set_id(&mut self, id: String) {
                self.id = id;
            }
            fn validate(&self) -> Result<(), ValidationError> {
                let $me = self;
                $body
            }
        }
    };
}

/// The hazard kinds the app knows from day one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum HazardKind {
    Flood,
    Geological,
    ForestFire,
    Fire,
    Earthquake,
    Other,
}

impl HazardKind {
    pub const ALL: [HazardKind; 6] = [
        HazardKind::Flood,
        HazardKind::Geological,
        HazardKind::ForestFire,
        HazardKind::Fire,
        HazardKind::Earthquake,
        HazardKind::Other,
    ];

    /// The Chinese name used on cards and screens.
    pub fn label(self) -> &'static str {
        match self {
            HazardKind::Flood => "防汛防台",
            HazardKind::Geological => "地质灾害",
            HazardKind::ForestFire => "森林火灾",
            HazardKind::Fire => "消防安全",
            HazardKind::Earthquake => "地震",
            HazardKind::Other => "其他灾害",
        }
    }

    /// The word used on the command line and in the store, e.g. `forest-fire`.
    pub fn code(self) -> &'static str {
        match self {
            HazardKind::Flood => "flood",
            HazardKind::Geological => "geological",
            HazardKind::ForestFire => "forest-fire",
            HazardKind::Fire => "fire",
            HazardKind::Earthquake => "earthquake",
            HazardKind::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<HazardKind> {
        HazardKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// 行政村(社区): the village this store belongs to.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Village {
    pub id: String,
    /// 12-digit 统计用区划代码.
    pub code: String,
    pub name: String,
    pub township: String,
    pub county: String,
    pub province_city: String,
    pub population: Option<i64>,
    pub household_count: Option<i64>,
    pub hazard_kinds: Vec<HazardKind>,
    /// Whether communications can be guaranteed after a disaster; if not, a satellite phone is required.
    pub comms_guaranteed: bool,
    pub party_secretary: String,
    pub party_secretary_phone: String,
    pub officer_name: String,
    pub officer_phone: String,
    pub note: String,
}
impl Village {
    /// "浙江省湖州市 临溪县 溪口镇": where the village is, as printed under a title.
    pub fn place_line(&self) -> String {
        [
            self.province_city.as_str(),
            self.county.as_str(),
            self.township.as_str(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
    }
}

record!(Village, "village", validate(v) {
    validate::division_code("区划代码", &v.code)?;
    validate::required("村名", &v.name)?;
    validate::max_chars("村名", &v.name, 30)?;
    validate::optional_phone("书记电话", &v.party_secretary_phone)?;
    validate::optional_phone("应急管理员电话", &v.officer_phone)?;
    validate::optional_count("人口", v.population)?;
    validate::optional_count("户数", v.household_count)?;
    Ok(())
});

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Grid {
    pub id: String,
    pub name: String,
    pub area: String,
    pub note: String,
}
record!(Grid, "grid", validate(g) { validate::required("网格名称", &g.name) });

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GridMember {
    pub id: String,
    pub grid_id: String,
    pub name: String,
    pub phone: String,
    pub role: String,
}
record!(GridMember, "grid_member", validate(m) {
    validate::required("网格员姓名", &m.name)?;
    validate::optional_phone("网格员电话", &m.phone)
});

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HazardSite {
    pub id: String,
    pub name: String,
    pub hazard: Option<HazardKind>,
    pub site_type: String,
    pub location: String,
    pub risk_color: String,
    pub monitor_name: String,
    pub monitor_phone: String,
    pub note: String,
}
record!(HazardSite, "hazard_site", validate(s) {
    validate::required("隐患点名称", &s.name)?;
    if s.hazard.is_none() {
        return Err(ValidationError::new("required", "灾种", "请选择隐患点的灾种。"));
    }
    validate::optional_phone("监测人电话", &s.monitor_phone)
});

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Household {
    pub id: String,
    pub grid_id: Option<String>,
    pub head_name: String,
    pub address: String,
    pub phone: String,
    pub house_type: String,
    pub in_danger_zone: bool,
    pub note: String,
}
record!(Household, "household", validate(h) {
    validate::required("户主姓名", &h.head_name)?;
    validate::optional_phone("户联系电话", &h.phone)
});

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseholdHazard {
    pub id: String,
    pub household_id: String,
    pub hazard_site_id: String,
}
record!(HouseholdHazard, "household_hazard");

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Resident {
    pub id: String,
    pub household_id: String,
    pub name: String,
    pub relation: String,
    pub gender: String,
    pub birth_date: Option<NaiveDate>,
    pub id_number: String,
    pub phone: String,
    pub note: String,
}
record!(Resident, "resident", validate(r) {
    validate::required("姓名", &r.name)?;
    if !r.id_number.is_empty() {
        validate::resident_id("身份证号", &r.id_number)?;
    }
    validate::optional_phone("电话", &r.phone)
});

/// The rules of a table that need the rest of the store, checked by every save
/// (`store::Writer::save`, inside its transaction), whoever saves — the roster's own commands,
/// the generic record save, an import: a resident belongs to a live household and has an ID
/// number no other live resident has; a vulnerable-person record belongs to a live resident; a
/// household's grid is a live grid (or the one it already had).
pub(crate) fn check_in_store(
    conn: &rusqlite::Connection,
    table: &str,
    id: &str,
    fields: &serde_json::Map<String, serde_json::Value>,
) -> crate::Result<()> {
    let text = |name: &str| {
        fields
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
    };
    match table {
        // A report is kept exactly as sent: what changed goes in the next report.
        "incident_report" if is_live(conn, "incident_report", id)? => Err(ValidationError::new(
            "report_sent",
            "报告",
            "这份报告已经报出，不能再修改。情况有变化时，请再报一次（续报）。",
        )
        .into()),
        // Only the county issues county-owned rows (they come down through sync): a village's
        // own row claiming it would show as county-issued and locked, and the county refuses it.
        "contact" | "setting" if text("owner") == "county" => Err(ValidationError::new(
            "county_owned",
            "来源",
            "“县里下发”的记录只能由县应急管理局下发，村里不能把自己录入的记录标为县里下发。请作为本村的记录保存。",
        )
        .into()),
        "resident" => {
            if !is_live(conn, "household", text("household_id"))? {
                return Err(ValidationError::new(
                    "household_missing",
                    "所属户",
                    "找不到这位居民所在的户，可能已被删除。请先保存户的信息，或刷新后重试。",
                )
                .into());
            }
            check_unique_id_number(conn, id, text("id_number"))
        }
        "vulnerable_person" => {
            if !is_live(conn, "resident", text("resident_id"))? {
                return Err(ValidationError::new(
                    "resident_missing",
                    "居民",
                    "找不到这位重点人员对应的居民，可能已被删除。请刷新后重试。",
                )
                .into());
            }
            Ok(())
        }
        "household" => {
            let grid = text("grid_id").trim();
            if grid.is_empty() || is_live(conn, "grid", grid)? {
                return Ok(());
            }
            // A grid deleted since does not block other edits of the household.
            let unchanged: bool = conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM household WHERE id = ?1 AND grid_id = ?2)",
                )?
                .query_row(rusqlite::params![id, grid], |r| r.get(0))?;
            if unchanged {
                return Ok(());
            }
            Err(ValidationError::new(
                "grid_missing",
                "所在网格",
                "所选网格不存在或已被删除，请重新选择网格（也可以选“未分网格”）。",
            )
            .into())
        }
        _ => Ok(()),
    }
}

fn is_live(conn: &rusqlite::Connection, table: &str, id: &str) -> crate::Result<bool> {
    if id.trim().is_empty() {
        return Ok(false);
    }
    Ok(conn
        .prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1 AND deleted = 0)"
        ))?
        .query_row([id], |r| r.get(0))?)
}

/// An ID number belongs to one person in the village: every save of a resident (`store::Writer`)
/// refuses a second live resident with the same number. The message names nobody and quotes no
/// number.
fn check_unique_id_number(
    conn: &rusqlite::Connection,
    resident_id: &str,
    id_number: &str,
) -> crate::Result<()> {
    let number = id_number.trim();
    if number.is_empty() {
        return Ok(());
    }
    // A number the resident already has stays saveable, even if an undo or a sync has since
    // brought back a second person with it: only a new or changed number is checked, so two
    // such records can still be edited (and one of them corrected).
    let unchanged: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM resident
               WHERE id = ?1 AND deleted = 0 AND upper(trim(id_number)) = upper(?2))",
        )?
        .query_row(rusqlite::params![resident_id, number], |r| r.get(0))?;
    if unchanged {
        return Ok(());
    }
    let taken: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM resident
               WHERE deleted = 0 AND id <> ?1 AND upper(trim(id_number)) = upper(?2))",
        )?
        .query_row(rusqlite::params![resident_id, number], |r| r.get(0))?;
    if taken {
        return Err(ValidationError::new(
            "id_number_taken",
            "身份证号",
            "这个身份证号已经登记在本村另一位居民名下。请核对号码；同一个人不要重复登记，可在花名册中搜索找到已有的记录。",
        )
        .into());
    }
    Ok(())
}

/// The kinds of 重点人群.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum VulnerableKind {
    #[default]
    ElderlyAlone,
    Disabled,
    Bedridden,
    Pregnant,
    LeftBehindChild,
    Other,
}

impl VulnerableKind {
    pub fn label(self) -> &'static str {
        match self {
            VulnerableKind::ElderlyAlone => "独居老人",
            VulnerableKind::Disabled => "残疾人",
            VulnerableKind::Bedridden => "卧床病人",
            VulnerableKind::Pregnant => "孕妇",
            VulnerableKind::LeftBehindChild => "留守儿童",
            VulnerableKind::Other => "其他",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VulnerablePerson {
    pub id: String,
    pub resident_id: String,
    pub kind: VulnerableKind,
    pub kind_note: String,
    pub helper_name: String,
    pub helper_phone: String,
    pub helper_resident_id: Option<String>,
    pub note: String,
}
// A vulnerable person is saved even before a helper is named: the helper is then pending
// (帮扶人待落实) and shows as a gap on the roster, the self-check and the grid sheets. A phone that
// is filled in must still be a phone.
record!(VulnerablePerson, "vulnerable_person", validate(v) {
    validate::optional_phone("帮扶责任人电话", &v.helper_phone)
});

impl VulnerablePerson {
    /// True while no helper is in place: the helper's name or phone is still missing
    /// (帮扶人待落实). Such a person is kept, and counted as a gap until a helper is named.
    pub fn helper_pending(&self) -> bool {
        self.helper_name.trim().is_empty() || self.helper_phone.trim().is_empty()
    }
}

/// How the roster, the self-check and the printouts say that a helper is still to be found.
pub const HELPER_PENDING: &str = "待落实";

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Team {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub note: String,
}
record!(Team, "team", validate(t) { validate::required("队伍名称", &t.name) });

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TeamMember {
    pub id: String,
    pub team_id: String,
    pub name: String,
    pub phone: String,
    pub role: String,
    pub skills: String,
    pub resident_id: Option<String>,
}
record!(TeamMember, "team_member", validate(m) {
    validate::required("队员姓名", &m.name)?;
    validate::optional_phone("队员电话", &m.phone)
});

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Contact {
    pub id: String,
    pub name: String,
    pub organization: String,
    pub role: String,
    /// village | township | county | emergency
    pub level: String,
    pub phone: String,
    pub phone_backup: String,
    pub is_duty_line: bool,
    pub backup_of: Option<String>,
    /// village | county; county-owned contacts are read-only in the village.
    pub owner: String,
    pub note: String,
}
record!(Contact, "contact", validate(c) {
    validate::required("联系人名称", &c.name)?;
    validate::phone("联系电话", &c.phone)?;
    validate::optional_phone("备用电话", &c.phone_backup)
});

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Shelter {
    pub id: String,
    pub name: String,
    pub address: String,
    pub capacity: Option<i64>,
    pub keeper_name: String,
    pub keeper_phone: String,
    pub hazard_kinds: Vec<HazardKind>,
    pub note: String,
}
record!(Shelter, "shelter", validate(s) {
    validate::required("安置点名称", &s.name)?;
    validate::optional_count("容纳人数", s.capacity)?;
    validate::optional_phone("管理员电话", &s.keeper_phone)
});

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvacuationRoute {
    pub id: String,
    pub name: String,
    pub from_place: String,
    pub shelter_id: Option<String>,
    pub description: String,
    pub distance_m: Option<i64>,
    pub note: String,
}
record!(EvacuationRoute, "evacuation_route", validate(r) {
    validate::required("路线名称", &r.name)?;
    validate::optional_count("路线长度", r.distance_m)
});

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Plan {
    pub id: String,
    pub hazard: Option<HazardKind>,
    pub title: String,
    pub warning_signal: String,
    pub warning_giver: String,
    pub responsible: String,
    pub responsible_ref: Option<String>,
    pub monitor: String,
    pub monitor_ref: Option<String>,
    pub reporter: String,
    pub reporter_ref: Option<String>,
    pub route: String,
    pub route_ref: Option<String>,
    pub safe_place: String,
    pub safe_place_ref: Option<String>,
    pub approved_by: String,
    pub approved_on: Option<NaiveDate>,
    pub note: String,
}
record!(Plan, "plan", validate(p) {
    if p.hazard.is_none() {
        return Err(ValidationError::new("required", "灾种", "请选择预案针对的灾种。"));
    }
    Ok(())
});

/// The phases of a plan, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum PlanPhase {
    #[default]
    Warning,
    FirstResponse,
    Evacuation,
    Reporting,
    Recovery,
}

impl PlanPhase {
    pub const ALL: [PlanPhase; 5] = [
        PlanPhase::Warning,
        PlanPhase::FirstResponse,
        PlanPhase::Evacuation,
        PlanPhase::Reporting,
        PlanPhase::Recovery,
    ];

    pub fn label(self) -> &'static str {
        match self {
            PlanPhase::Warning => "预警发布",
            PlanPhase::FirstResponse => "先期处置",
            PlanPhase::Evacuation => "转移避险",
            PlanPhase::Reporting => "信息报告",
            PlanPhase::Recovery => "灾后恢复",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanStep {
    pub id: String,
    pub plan_id: String,
    pub phase: PlanPhase,
    pub position: i64,
    pub warning_level: Option<String>,
    pub who: String,
    pub what: String,
    pub how: String,
}
record!(PlanStep, "plan_step", validate(s) {
    validate::required("谁来做", &s.who)?;
    validate::required("做什么", &s.what)
});

/// The state an item of kit is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum KitCondition {
    #[default]
    Good,
    NeedsRepair,
    Broken,
}

impl KitCondition {
    pub fn label(self) -> &'static str {
        match self {
            KitCondition::Good => "完好",
            KitCondition::NeedsRepair => "待维修",
            KitCondition::Broken => "损坏",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KitItem {
    pub id: String,
    /// The 5+X catalogue code for a standard item; `None` for the village's own X items.
    pub catalog_code: Option<String>,
    pub name: String,
    pub quantity: i64,
    pub unit: String,
    pub location: String,
    pub custodian: String,
    pub custodian_phone: String,
    pub condition: KitCondition,
    pub inspect_every_days: i64,
    pub note: String,
}
record!(KitItem, "kit_item", validate(k) {
    validate::required("器材名称", &k.name)?;
    validate::optional_count("数量", Some(k.quantity))?;
    if !(1..=730).contains(&k.inspect_every_days) {
        return Err(ValidationError::new(
            "out_of_range",
            "检查周期",
            "检查周期应在 1 到 730 天之间，请重新填写。",
        ));
    }
    validate::optional_phone("保管人电话", &k.custodian_phone)
});

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KitInspection {
    pub id: String,
    pub kit_item_id: String,
    pub date: NaiveDate,
    pub inspector: String,
    pub result: KitCondition,
    pub note: String,
}
record!(KitInspection, "kit_inspection", validate(i) {
    validate::required("检查人", &i.inspector)
});

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FloodResponsible {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub duty_area: String,
    pub resident_id: Option<String>,
    pub has_helmet: bool,
    pub has_flashlight: bool,
    pub has_rain_gear: bool,
    pub has_life_jacket: bool,
}
record!(FloodResponsible, "flood_responsible", validate(f) {
    validate::required("防汛责任人姓名", &f.name)?;
    validate::optional_phone("防汛责任人电话", &f.phone)
});

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HazardReport {
    pub id: String,
    pub hazard_site_id: Option<String>,
    pub found_on: NaiveDate,
    pub found_by: String,
    pub source: String,
    pub description: String,
    pub due_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub fix_note: String,
}
record!(HazardReport, "hazard_report", validate(h) {
    validate::required("隐患描述", &h.description)?;
    if h.due_on.is_some_and(|due| due < h.found_on) {
        return Err(ValidationError::new(
            "date_order",
            "办结期限",
            "办结期限不能早于发现日期，请检查（不填则按发现后 15 天计）。",
        ));
    }
    if let Some(closed) = h.closed_on {
        if closed < h.found_on {
            return Err(ValidationError::new(
                "date_order",
                "办结日期",
                "办结日期不能早于发现日期，请检查。",
            ));
        }
        // A closed loop needs how it was closed (闭环整改): no report is closed without it.
        if h.fix_note.trim().is_empty() {
            return Err(ValidationError::new(
                "required",
                "整改情况",
                "整改情况：请写明隐患是怎样整改的，例如“已清淤并加固沟壁”，再办结。",
            ));
        }
    }
    Ok(())
});

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Drill {
    pub id: String,
    pub date: NaiveDate,
    pub kind: String,
    pub hazard: Option<HazardKind>,
    pub participants: Option<i64>,
    pub problems: String,
    pub note: String,
}
record!(Drill, "drill", validate(d) { validate::optional_count("参加人数", d.participants) });

/// 预案宣传教育: one session of teaching the plan (宣讲会、培训、入户宣传). A session dated after
/// today is planned and counts for nobody until it has been held.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EducationSession {
    pub id: String,
    pub date: NaiveDate,
    pub topic: String,
    /// The hazard the session was about; `None` for the whole plan / every hazard.
    pub hazard: Option<HazardKind>,
    pub taught_by: String,
    pub place: String,
    pub note: String,
}
record!(EducationSession, "education_session", validate(s) {
    validate::required("宣传主题", &s.topic)?;
    validate::max_chars("宣传主题", &s.topic, 60)?;
    validate::required("宣讲人", &s.taught_by)?;
    validate::max_chars("宣讲人", &s.taught_by, 60)?;
    validate::max_chars("地点", &s.place, 60)
});

/// One signature on a session's sign-in sheet (签到表): a resident, or a whole household signed
/// in by one person (`resident_id` empty, `household_id` set). Exactly one of the two is set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EducationAttendance {
    pub id: String,
    pub session_id: String,
    pub resident_id: Option<String>,
    pub household_id: Option<String>,
    pub note: String,
}
record!(EducationAttendance, "education_attendance", validate(a) {
    let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    if a.session_id.trim().is_empty() {
        return Err(ValidationError::new(
            "required",
            "宣传教育",
            "签到记录没有对应的宣传教育活动。请先保存这次活动，再登记签到。",
        ));
    }
    match (set(&a.resident_id), set(&a.household_id)) {
        (true, false) | (false, true) => Ok(()),
        (false, false) => Err(ValidationError::new(
            "required",
            "签到人",
            "请从花名册中选择签到的村民或住户。",
        )),
        (true, true) => Err(ValidationError::new(
            "attendee_ambiguous",
            "签到人",
            "一条签到只能是一位村民或一整户，请分开登记。",
        )),
    }
});

/// 突发事件: an incident being reported up (emergency mode). See `incident.rs` for its rules.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Incident {
    pub id: String,
    pub hazard: Option<HazardKind>,
    /// When it happened (RFC 3339): the report deadlines run from here.
    pub occurred_at: String,
    pub place: String,
    /// `I` … `IV`, I the gravest; `None` until known.
    pub severity: Option<String>,
    /// When the officer started it in the app (RFC 3339).
    pub started_at: String,
    /// When the telephone report was made, if it was.
    pub phoned_at: Option<String>,
    /// When the final report closed it.
    pub closed_at: Option<String>,
    pub note: String,
}
record!(Incident, "incident", validate(i) {
    validate::required("事发地点", &i.place)?;
    validate::required("事发时间", &i.occurred_at)?;
    if let Some(s) = &i.severity {
        if crate::incident::Severity::parse(s).is_none() {
            return Err(ValidationError::new("out_of_range", "事件等级", "事件等级应为 I、II、III 或 IV 级。"));
        }
    }
    Ok(())
});

/// One report of an incident (首报, 续报 or 终报), kept exactly as sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IncidentReport {
    pub id: String,
    pub first_report_id: Option<String>,
    pub occurred_at: String,
    pub reported_at: String,
    pub place: String,
    pub hazard: Option<HazardKind>,
    pub severity: Option<String>,
    pub deaths: i64,
    pub injured: i64,
    pub missing: i64,
    pub evacuated: i64,
    pub description: String,
    pub actions_taken: String,
    pub reporter: String,
    pub incident_id: Option<String>,
    /// 首报, 续报 or 终报.
    pub kind: crate::incident::ReportKind,
    pub trapped: i64,
    /// What is needed (rescue, supplies, …).
    pub needs: String,
    pub reporter_phone: String,
}
record!(IncidentReport, "incident_report", validate(r) {
    validate::required("事发地点", &r.place)?;
    for (field, n) in [("死亡人数", r.deaths), ("受伤人数", r.injured), ("失联人数", r.missing), ("被困人数", r.trapped), ("转移人数", r.evacuated)] {
        validate::optional_count(field, Some(n))?;
    }
    for (field, text) in [("情况简述", &r.description), ("已采取措施", &r.actions_taken), ("需要支援", &r.needs)] {
        validate::no_id_number(field, text)?;
    }
    validate::optional_phone("报告人电话", &r.reporter_phone)
});

/// 转移: a transfer order and its roll call (see `rollcall.rs` for its rules).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvacuationEvent {
    pub id: String,
    pub hazard: Option<HazardKind>,
    pub started_at: String,
    /// When it was called off (解除), if it was.
    pub ended_at: Option<String>,
    pub reason: String,
    pub note: String,
    /// The incident the transfer is part of, if any: its reports count the people moved.
    pub incident_id: Option<String>,
    /// The warning level behind the order (red | orange | yellow | blue), or empty.
    pub level: String,
    /// The grids ordered to move; empty for the whole village.
    pub grid_ids: Vec<String>,
    /// Only households in a hazard area (the ones with household evacuation cards).
    pub threatened_only: bool,
    pub started_by: String,
}
record!(EvacuationEvent, "evacuation_event", validate(e) {
    validate::required("开始时间", &e.started_at)?;
    if !["", "red", "orange", "yellow", "blue"].contains(&e.level.trim()) {
        return Err(ValidationError::new("out_of_range", "预警级别", "预警级别应为红色、橙色、黄色或蓝色，不是预警引起的转移可以不填。"));
    }
    Ok(())
});

/// Where one person on a roll call is: one row per (event, resident), the latest mark.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvacuationStatus {
    pub id: String,
    pub event_id: String,
    pub resident_id: String,
    pub status: crate::rollcall::Mark,
    pub shelter_id: Option<String>,
    /// When the mark was made (RFC 3339); the start of the roll call for a person not marked yet.
    pub updated_at: String,
    pub note: String,
    pub household_id: Option<String>,
    pub grid_id: Option<String>,
    /// The household is in a hazard area (as it was when the roll call started).
    pub threatened: bool,
    /// The person is one of the 重点人群 (as when the roll call started).
    pub vulnerable: bool,
    /// 投亲靠友: with whom, or where.
    pub staying_with: String,
    /// Who made the mark.
    pub marked_by: String,
}
record!(EvacuationStatus, "evacuation_status", validate(s) {
    validate::required("转移", &s.event_id)?;
    validate::required("居民", &s.resident_id)?;
    if s.status == crate::rollcall::Mark::WithRelatives {
        validate::required("投靠的亲友", &s.staying_with)?;
    }
    Ok(())
});

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Setting {
    pub id: String,
    pub key: String,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub value: serde_json::Value,
    pub owner: String,
}
record!(Setting, "setting", validate(s) { validate::required("设置项", &s.key) });

/// A synced table: its name in `schema.sql` and what the officer calls its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SyncedTable {
    pub name: &'static str,
    /// The Chinese name shown to the officer, e.g. 住户 for `household`.
    pub label: &'static str,
}

const fn synced<R: Record>(label: &'static str) -> SyncedTable {
    SyncedTable {
        name: R::TABLE,
        label,
    }
}

/// Every synced table, in an order in which foreign keys are satisfied: the one list the store,
/// sync, the county server and the shell go by.
pub const SYNCED: [SyncedTable; 27] = [
    synced::<Village>("村庄信息"),
    synced::<Grid>("网格"),
    synced::<GridMember>("网格员"),
    synced::<HazardSite>("隐患点"),
    synced::<Household>("住户"),
    synced::<HouseholdHazard>("住户风险"),
    synced::<Resident>("居民"),
    synced::<VulnerablePerson>("重点人员"),
    synced::<Team>("应急队伍"),
    synced::<TeamMember>("队员"),
    synced::<Contact>("联系人"),
    synced::<Shelter>("避险场所"),
    synced::<EvacuationRoute>("转移路线"),
    synced::<Plan>("预案"),
    synced::<PlanStep>("预案步骤"),
    synced::<KitItem>("应急器材"),
    synced::<KitInspection>("器材检查记录"),
    synced::<FloodResponsible>("防汛责任人"),
    synced::<HazardReport>("隐患报告"),
    synced::<Drill>("演练"),
    synced::<EducationSession>("宣传教育"),
    synced::<EducationAttendance>("宣传教育签到"),
    synced::<Incident>("突发事件"),
    synced::<IncidentReport>("灾情报告"),
    synced::<EvacuationEvent>("转移"),
    synced::<EvacuationStatus>("转移情况"),
    synced::<Setting>("设置"),
];

/// The names of [`SYNCED`], in the same order.
pub const SYNCED_TABLES: [&str; SYNCED.len()] = names(&SYNCED);

const fn names<const N: usize>(tables: &[SyncedTable; N]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = tables[i].name;
        i += 1;
    }
    out
}

/// The synced table called `name`, or `None` if there is none (a name from outside is put into
/// SQL only as the `'static` name found here).
pub fn synced_table(name: &str) -> Option<&'static SyncedTable> {
    let all: &'static [SyncedTable] = &SYNCED;
    all.iter().find(|t| t.name == name)
}

/// The Chinese name of the synced table `table`, e.g. 住户 for `household`.
pub fn table_label(table: &str) -> Option<&'static str> {
    synced_table(table).map(|t| t.label)
}
