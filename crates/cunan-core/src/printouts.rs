//! The printouts besides the response card, as plain data filled from the store:
//! household evacuation cards (避险明白卡), grid sheets (网格入户名单), the kit checklist
//! sheet (应急物资清单), the contacts sheet (应急通讯录), the education sign-in sheets
//! (预案宣传教育签到表) and, during an evacuation, the not-yet-safe sheets of a roll call
//! (未转移人员名单).
//!
//! Everything here is already in the words that get printed; `cunan-print` only lays it
//! out. Resident ID numbers never leave this module unmasked (see
//! [`validate::mask_resident_id`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};

use crate::card::ResponseCard;
use crate::error::{CoreError, Result};
use crate::kit;
use crate::records::*;
use crate::rollcall::{self, Mark, RollCallPerson, Totals};
use crate::store::Store;
use crate::validate;

/// Any printout, for one `render` entry point in `cunan-print`.
#[derive(Debug, Clone, PartialEq)]
pub enum Printout {
    ResponseCard(ResponseCard),
    HouseholdCards(HouseholdCards),
    GridSheets(GridSheets),
    KitSheet(KitSheet),
    ContactsSheet(ContactsSheet),
    SignInSheets(SignInSheets),
    NotSafeSheets(NotSafeSheets),
}

/// What every printout says about where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Masthead {
    pub village_name: String,
    pub village_code: String,
    /// e.g. "浙江省湖州市 临溪县 溪口镇".
    pub place_line: String,
    pub printed_on: NaiveDate,
}

/// The three copies of a household card, in print order: who keeps each.
pub const HOUSEHOLD_CARD_COPIES: [&str; 3] = ["户主留存", "村委会留存", "发放单位留存"];

/// Household evacuation cards for every household in a hazard area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdCards {
    pub masthead: Masthead,
    /// The issuing unit (发放单位), e.g. "溪口镇人民政府".
    pub issuer: String,
    pub cards: Vec<HouseholdCard>,
}

/// One household's evacuation card (避险明白卡).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HouseholdCard {
    /// The household's id in the store.
    pub household_id: String,
    /// Card number, e.g. "0007" (position among the village's cards).
    pub serial: String,
    pub head_name: String,
    pub address: String,
    pub phone: String,
    pub house_type: String,
    pub grid_name: String,
    /// Hazard kinds threatening the household, e.g. "防汛防台、地质灾害".
    pub hazard_label: String,
    pub members: Vec<HouseholdMember>,
    /// "溪边片低洼易涝点（低洼易涝点，青石溪沿岸 1–3 组）", one per threatening site;
    /// "位于危险区" when the household is only marked as being in the danger zone.
    pub threats: Vec<String>,
    /// Who watches the threat, with phone.
    pub monitor: String,
    pub warning_signal: String,
    pub warning_giver: String,
    pub route: String,
    pub shelter: String,
    /// The shelter's keeper and phone.
    pub shelter_contact: String,
    /// The grid members to call, with phones.
    pub grid_contact: String,
    /// Vulnerable members and who helps them, e.g. "王秀英（独居老人）：帮扶人 李四 138…".
    pub helpers: Vec<String>,
}

/// A member of a household as the card shows them (no ID number).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HouseholdMember {
    pub name: String,
    pub relation: String,
    pub gender: String,
    pub age: Option<i32>,
    pub phone: String,
    /// e.g. "独居老人"; `None` when not a vulnerable person.
    pub vulnerable: Option<String>,
}

/// Grid sheets: one per grid member, listing their grid's households.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridSheets {
    pub masthead: Masthead,
    pub sheets: Vec<GridSheet>,
}

/// The list one grid member carries in an evacuation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GridSheet {
    pub grid_id: String,
    pub grid_name: String,
    pub grid_area: String,
    /// The member this sheet is for: "网格长 王某 138…".
    pub carrier: String,
    /// The grid's other members, same form.
    pub others: Vec<String>,
    pub households: Vec<GridHousehold>,
    pub resident_count: usize,
    pub vulnerable_count: usize,
    pub danger_household_count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GridHousehold {
    pub head_name: String,
    pub address: String,
    pub phone: String,
    pub in_danger_zone: bool,
    /// Names of the hazard sites threatening the household, "、"-joined.
    pub threats: String,
    pub residents: Vec<GridResident>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GridResident {
    pub name: String,
    pub relation: String,
    pub gender: String,
    pub age: Option<i32>,
    /// Masked: first 6 and last 2 characters only.
    pub id_masked: String,
    pub phone: String,
    /// e.g. "独居老人（长期卧床）".
    pub vulnerable: Option<String>,
    /// "李四 138…" for a vulnerable person.
    pub helper: Option<String>,
}

/// The kit checklist sheet (5+X 应急物资清单) with tick boxes for the inspection round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitSheet {
    pub masthead: Masthead,
    pub standard_name: String,
    pub lines: Vec<KitSheetLine>,
    pub problem_count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KitSheetLine {
    pub name: String,
    /// Part of the 5+X standard (not one of the village's own X items).
    pub standard: bool,
    /// "1台", or "—" for X items.
    pub required: String,
    /// "2台".
    pub actual: String,
    pub location: String,
    /// "张三 138…".
    pub custodian: String,
    pub condition: String,
    /// "2026-05-02" or "从未检查".
    pub last_inspected: String,
    /// "2026-08-01", or "尽快" when never inspected.
    pub next_due: String,
    /// "数量不足、检查逾期" or "".
    pub problems: String,
}

/// The contacts sheet (应急通讯录).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactsSheet {
    pub masthead: Masthead,
    pub groups: Vec<ContactGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactGroup {
    /// e.g. "县级", "乡镇（街道）", "村级", "紧急求助".
    pub title: String,
    pub entries: Vec<ContactEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactEntry {
    pub name: String,
    /// Organisation and role, e.g. "溪口镇人民政府 · 值班电话".
    pub role: String,
    pub phone: String,
    /// Backup phone, and the B post for this A post, e.g. "B岗 王某 139…".
    pub backup: String,
    pub duty_line: bool,
}

/// Education sign-in sheets (预案宣传教育签到表): one per grid, listing its residents household by
/// household, with a column to sign. No ID numbers and no phones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInSheets {
    pub masthead: Masthead,
    /// The session's facts when printed for one session; blank lines to fill in otherwise.
    pub session: Option<SignInSession>,
    /// The earliest session date that still counts (today − 3 years), for the sheet's note.
    pub cycle_since: NaiveDate,
    pub sheets: Vec<SignInSheet>,
}

/// A session's facts as printed at the top of its sheets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignInSession {
    pub date: NaiveDate,
    pub topic: String,
    pub taught_by: String,
    pub place: String,
}

/// One grid's sign-in sheet (it runs to as many pages as the grid needs).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignInSheet {
    /// `None` for the households in no grid.
    pub grid_id: Option<String>,
    /// "第1网格", or "未分网格".
    pub grid_name: String,
    pub grid_area: String,
    pub households: Vec<SignInHousehold>,
    pub resident_count: usize,
    /// Residents taught within the cycle already.
    pub taught_count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignInHousehold {
    pub head_name: String,
    pub address: String,
    pub residents: Vec<SignInResident>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignInResident {
    pub name: String,
    pub relation: String,
    /// The last session that taught them (in person or with their household), if any.
    pub last_taught: Option<NaiveDate>,
}

/// The not-yet-safe sheets of an evacuation roll call (转移点名 未转移人员名单): one per grid with
/// anyone still to be moved, for the grid member who answers for it to call and fetch them.
/// No ID numbers. A roll call where everyone is safe has no sheets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotSafeSheets {
    pub masthead: Masthead,
    pub transfer: TransferFacts,
    /// The village's totals.
    pub village: Totals,
    /// In the order of the grids; households in no grid (未分网格) last.
    pub sheets: Vec<NotSafeSheet>,
}

/// The transfer a roll call follows, as its sheets print it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TransferFacts {
    pub event_id: String,
    /// e.g. "防汛防台".
    pub hazard_label: String,
    /// e.g. "红色预警"; empty when the transfer is not from a warning.
    pub level_label: String,
    pub reason: String,
    /// When the transfer started: "2026-07-01 09:00".
    pub started_at: String,
    /// When the sheets were made (截至): "2026-07-01 10:30".
    pub as_of: String,
    /// When the transfer was called off (解除), if it was.
    pub ended_at: Option<String>,
}

/// One grid's people not yet safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotSafeSheet {
    /// `None` for the households in no grid.
    pub grid_id: Option<String>,
    /// "第1网格", or "未分网格".
    pub grid_name: String,
    /// Who answers for the grid, to be called: its grid member ("网格长 王某 138…"), or for
    /// households in no grid (and a grid without members) the village's emergency officer
    /// ("村应急管理员 潘某 139…"); empty when neither is registered.
    pub grid_member: String,
    /// The grid's 应转移 / 已转移 / 未转移, each with the vulnerable among them.
    pub totals: Totals,
    /// Threatened households first, in the roll call's order.
    pub households: Vec<NotSafeHousehold>,
}

impl NotSafeSheet {
    /// Everyone on the sheet.
    pub fn people(&self) -> impl Iterator<Item = &NotSafePerson> {
        self.households.iter().flat_map(|h| &h.people)
    }
}

/// A household with people not yet safe (only those are listed).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotSafeHousehold {
    pub household_id: String,
    pub head_name: String,
    pub address: String,
    /// The phones to call: the household's, else its people's own ("、"-joined).
    pub phone: String,
    /// In a hazard area (danger zone, or under a hazard site).
    pub threatened: bool,
    pub people: Vec<NotSafePerson>,
}

/// A person not yet safe.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotSafePerson {
    pub resident_id: String,
    pub name: String,
    pub relation: String,
    pub status: Mark,
    /// 待转移 / 拒绝转移 / 未联系上 / 已返回.
    pub status_label: String,
    /// e.g. "独居老人（长期卧床）" for a vulnerable person.
    pub vulnerable: Option<String>,
    /// Who helps them evacuate: "李四 138…", or 帮扶人待落实.
    pub helper: Option<String>,
    /// The latest mark, "07-01 10:20 李四"; empty while not marked.
    pub marked: String,
    pub note: String,
}

fn masthead(village: &Village, today: NaiveDate) -> Masthead {
    Masthead {
        village_name: village.name.clone(),
        village_code: village.code.clone(),
        place_line: village.place_line(),
        printed_on: today,
    }
}

/// "name phone", trimmed, skipping empty parts.
/// The helper of a vulnerable person as printed: name and phone, or what is still pending
/// (帮扶人待落实), so that the gap shows on paper too.
pub(crate) fn helper_of(v: &VulnerablePerson) -> String {
    let (name, phone) = (v.helper_name.trim(), v.helper_phone.trim());
    match (name.is_empty(), phone.is_empty()) {
        (false, false) => person(name, phone),
        (false, true) => format!("{name}（电话{HELPER_PENDING}）"),
        _ => HELPER_PENDING.to_string(),
    }
}

/// A grid member as sheets name them: "网格长 王某 138…".
pub(crate) fn member_line(m: &GridMember) -> String {
    format!("{} {}", m.role.trim(), person(&m.name, &m.phone))
}

fn person(name: &str, phone: &str) -> String {
    format!("{} {}", name.trim(), phone.trim())
        .trim()
        .to_string()
}

fn age_on(birth: Option<NaiveDate>, today: NaiveDate) -> Option<i32> {
    let b = birth?;
    let mut age = today.year() - b.year();
    if (today.month(), today.day()) < (b.month(), b.day()) {
        age -= 1;
    }
    (0..=130).contains(&age).then_some(age)
}

pub(crate) fn vulnerable_label(v: &VulnerablePerson) -> String {
    if v.kind_note.trim().is_empty() {
        v.kind.label().to_string()
    } else {
        format!("{}（{}）", v.kind.label(), v.kind_note.trim())
    }
}

/// Everything about the village's people the printouts need, loaded once.
struct People {
    households: Vec<Household>,
    residents_by_household: HashMap<String, Vec<Resident>>,
    vulnerable_by_resident: HashMap<String, VulnerablePerson>,
    sites_by_household: HashMap<String, Vec<HazardSite>>,
}

impl People {
    fn load(store: &Store) -> Result<People> {
        let households = store.list::<Household>()?;
        let mut residents_by_household: HashMap<String, Vec<Resident>> = HashMap::new();
        for r in store.list::<Resident>()? {
            residents_by_household
                .entry(r.household_id.clone())
                .or_default()
                .push(r);
        }
        // The householder first, then in the order entered.
        for list in residents_by_household.values_mut() {
            list.sort_by_key(|r| r.relation != "户主");
        }
        let vulnerable_by_resident = store
            .list::<VulnerablePerson>()?
            .into_iter()
            .map(|v| (v.resident_id.clone(), v))
            .collect();
        let sites: HashMap<String, HazardSite> = store
            .list::<HazardSite>()?
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        let mut sites_by_household: HashMap<String, Vec<HazardSite>> = HashMap::new();
        for link in store.list::<HouseholdHazard>()? {
            if let Some(site) = sites.get(&link.hazard_site_id) {
                let list = sites_by_household.entry(link.household_id).or_default();
                if !list.iter().any(|s| s.id == site.id) {
                    list.push(site.clone());
                }
            }
        }
        Ok(People {
            households,
            residents_by_household,
            vulnerable_by_resident,
            sites_by_household,
        })
    }

    fn residents(&self, household_id: &str) -> &[Resident] {
        self.residents_by_household
            .get(household_id)
            .map_or(&[], Vec::as_slice)
    }

    fn sites(&self, household_id: &str) -> &[HazardSite] {
        self.sites_by_household
            .get(household_id)
            .map_or(&[], Vec::as_slice)
    }
}

/// Teams' key people, grid members, hazard monitors and shelter keepers, as contact
/// groups (phones only; people without a phone are left out).
fn village_people(store: &Store) -> Result<Vec<(String, Vec<ContactEntry>)>> {
    let entry = |name: &str, role: String, phone: &str| ContactEntry {
        name: name.to_string(),
        role,
        phone: phone.to_string(),
        ..ContactEntry::default()
    };
    let teams: HashMap<String, Team> = store
        .list::<Team>()?
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect();
    let team_people: Vec<ContactEntry> = store
        .list::<TeamMember>()?
        .into_iter()
        .filter(|m| !m.phone.trim().is_empty() && !m.role.contains("队员") && m.role != "组员")
        .map(|m| {
            let team = teams.get(&m.team_id).map_or("", |t| t.name.as_str());
            entry(&m.name, format!("{team} · {}", m.role), &m.phone)
        })
        .collect();
    let grids: HashMap<String, Grid> = store
        .list::<Grid>()?
        .into_iter()
        .map(|g| (g.id.clone(), g))
        .collect();
    let grid_people: Vec<ContactEntry> = store
        .list::<GridMember>()?
        .into_iter()
        .filter(|m| !m.phone.trim().is_empty())
        .map(|m| {
            let grid = grids.get(&m.grid_id).map_or("", |g| g.name.as_str());
            entry(&m.name, format!("{grid} · {}", m.role), &m.phone)
        })
        .collect();
    let mut watchers: Vec<ContactEntry> = Vec::new();
    for s in store.list::<HazardSite>()? {
        if !s.monitor_phone.trim().is_empty() {
            watchers.push(entry(
                &s.monitor_name,
                format!("监测：{}", s.name),
                &s.monitor_phone,
            ));
        }
    }
    for s in store.list::<Shelter>()? {
        if !s.keeper_phone.trim().is_empty() {
            watchers.push(entry(
                &s.keeper_name,
                format!("安置点：{}", s.name),
                &s.keeper_phone,
            ));
        }
    }
    Ok(vec![
        ("应急队伍".to_string(), team_people),
        ("网格员".to_string(), grid_people),
        ("隐患点监测人 · 安置点管理员".to_string(), watchers),
    ])
}

fn site_line(site: &HazardSite) -> String {
    let details: Vec<&str> = [site.site_type.trim(), site.location.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if details.is_empty() {
        site.name.clone()
    } else {
        format!("{}（{}）", site.name, details.join("，"))
    }
}

fn route_line(route: &EvacuationRoute) -> String {
    let mut line = route.name.clone();
    if !route.description.trim().is_empty() {
        line.push('：');
        line.push_str(route.description.trim());
    }
    line
}

fn shelter_line(shelter: &Shelter) -> String {
    if shelter.address.trim().is_empty() {
        shelter.name.clone()
    } else {
        format!("{}（{}）", shelter.name, shelter.address.trim())
    }
}

/// Household evacuation cards for every household in a hazard area: marked as in the
/// danger zone, or linked to a hazard site. In the order the households were entered.
pub fn household_cards(store: &Store, today: NaiveDate) -> Result<HouseholdCards> {
    let village = store.village()?.ok_or(CoreError::NoVillage)?;
    let people = People::load(store)?;
    let plans: HashMap<HazardKind, Plan> = store
        .list::<Plan>()?
        .into_iter()
        .filter_map(|p| p.hazard.map(|h| (h, p)))
        .collect();
    let routes = store.list::<EvacuationRoute>()?;
    let shelters: HashMap<String, Shelter> = store
        .list::<Shelter>()?
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    let grids: HashMap<String, Grid> = store
        .list::<Grid>()?
        .into_iter()
        .map(|g| (g.id.clone(), g))
        .collect();
    let mut members_by_grid: HashMap<String, Vec<GridMember>> = HashMap::new();
    for m in store.list::<GridMember>()? {
        members_by_grid
            .entry(m.grid_id.clone())
            .or_default()
            .push(m);
    }
    // The hazard a household "in the danger zone" without a linked site is under: the
    // village's first hazard with a plan.
    let default_kind = village
        .hazard_kinds
        .iter()
        .copied()
        .find(|k| plans.contains_key(k))
        .or_else(|| plans.keys().min().copied())
        .unwrap_or(HazardKind::Flood);

    let mut cards = Vec::new();
    for h in &people.households {
        let sites = people.sites(&h.id);
        if !h.in_danger_zone && sites.is_empty() {
            continue;
        }
        let mut kinds: Vec<HazardKind> = sites.iter().filter_map(|s| s.hazard).collect();
        kinds.dedup();
        if kinds.is_empty() {
            kinds.push(default_kind);
        }
        let mut seen = HashSet::new();
        kinds.retain(|k| seen.insert(*k));
        let primary = kinds[0];
        let plan = plans.get(&primary);
        let site = sites.first();

        let mut threats: Vec<String> = sites.iter().map(site_line).collect();
        if threats.is_empty() {
            threats.push(format!("位于{}危险区", primary.label()));
        }
        let monitor = match site {
            Some(s) if !s.monitor_name.trim().is_empty() => {
                person(&s.monitor_name, &s.monitor_phone)
            }
            _ => plan.map(|p| p.monitor.clone()).unwrap_or_default(),
        };
        // The route leaving from where the threat is, else the plan's route.
        let route = site
            .and_then(|s| {
                routes.iter().find(|r| {
                    !r.from_place.trim().is_empty() && r.from_place.trim() == s.location.trim()
                })
            })
            .or_else(|| {
                plan.and_then(|p| p.route_ref.as_ref())
                    .and_then(|id| routes.iter().find(|r| &r.id == id))
            });
        let shelter = route
            .and_then(|r| r.shelter_id.as_ref())
            .or_else(|| plan.and_then(|p| p.safe_place_ref.as_ref()))
            .and_then(|id| shelters.get(id));
        let (warning_signal, warning_giver) = if kinds.len() > 1 {
            let signals: Vec<String> = kinds
                .iter()
                .filter_map(|k| plans.get(k).map(|p| (k, p)))
                .filter(|(_, p)| !p.warning_signal.trim().is_empty())
                .map(|(k, p)| format!("{}：{}", k.label(), p.warning_signal.trim()))
                .collect();
            let givers: Vec<String> = kinds
                .iter()
                .filter_map(|k| plans.get(k))
                .map(|p| p.warning_giver.trim().to_string())
                .filter(|g| !g.is_empty())
                .fold(Vec::new(), |mut acc, g| {
                    if !acc.contains(&g) {
                        acc.push(g);
                    }
                    acc
                });
            (signals.join("；"), givers.join("；"))
        } else {
            plan.map(|p| (p.warning_signal.clone(), p.warning_giver.clone()))
                .unwrap_or_default()
        };

        let residents = people.residents(&h.id);
        let mut members = Vec::new();
        let mut helpers = Vec::new();
        for r in residents {
            let v = people.vulnerable_by_resident.get(&r.id);
            if let Some(v) = v {
                helpers.push(format!(
                    "{}（{}）：帮扶人 {}",
                    r.name,
                    vulnerable_label(v),
                    helper_of(v)
                ));
            }
            members.push(HouseholdMember {
                name: r.name.clone(),
                relation: r.relation.clone(),
                gender: r.gender.clone(),
                age: age_on(r.birth_date, today),
                phone: r.phone.clone(),
                vulnerable: v.map(|v| v.kind.label().to_string()),
            });
        }
        let grid = h.grid_id.as_ref().and_then(|g| grids.get(g));
        let grid_contact = h
            .grid_id
            .as_ref()
            .and_then(|g| members_by_grid.get(g))
            .map(|ms| {
                ms.iter()
                    .map(|m| format!("{} {}", m.role.trim(), person(&m.name, &m.phone)))
                    .collect::<Vec<_>>()
                    .join("；")
            })
            .unwrap_or_default();
        cards.push(HouseholdCard {
            household_id: h.id.clone(),
            serial: String::new(),
            head_name: h.head_name.clone(),
            address: h.address.clone(),
            phone: h.phone.clone(),
            house_type: h.house_type.clone(),
            grid_name: grid.map(|g| g.name.clone()).unwrap_or_default(),
            hazard_label: kinds
                .iter()
                .map(|k| k.label())
                .collect::<Vec<_>>()
                .join("、"),
            members,
            threats,
            monitor,
            warning_signal,
            warning_giver,
            route: route
                .map(route_line)
                .or_else(|| plan.map(|p| p.route.clone()))
                .unwrap_or_default(),
            shelter: shelter
                .map(shelter_line)
                .or_else(|| plan.map(|p| p.safe_place.clone()))
                .unwrap_or_default(),
            shelter_contact: shelter
                .map(|s| person(&s.keeper_name, &s.keeper_phone))
                .unwrap_or_default(),
            grid_contact,
            helpers,
        });
    }
    let width = cards.len().to_string().len().max(4);
    for (i, card) in cards.iter_mut().enumerate() {
        card.serial = format!("{:0width$}", i + 1);
    }
    let issuer = if village.township.trim().is_empty() {
        format!("{}村民委员会", village.name)
    } else {
        village.township.trim().to_string()
    };
    Ok(HouseholdCards {
        masthead: masthead(&village, today),
        issuer,
        cards,
    })
}

/// Grid sheets, one per grid member (a grid with no members gets one sheet of its own).
/// `grid` picks one grid by id or by name; `None` prints every grid.
pub fn grid_sheets(store: &Store, grid: Option<&str>, today: NaiveDate) -> Result<GridSheets> {
    let village = store.village()?.ok_or(CoreError::NoVillage)?;
    let mut grids = store.list::<Grid>()?;
    if let Some(wanted) = grid.map(str::trim) {
        grids.retain(|g| g.id == wanted || g.name.trim() == wanted);
        if grids.is_empty() {
            return Err(CoreError::NotFound { what: "网格" });
        }
    }
    let people = People::load(store)?;
    let mut members_by_grid: BTreeMap<String, Vec<GridMember>> = BTreeMap::new();
    for m in store.list::<GridMember>()? {
        members_by_grid
            .entry(m.grid_id.clone())
            .or_default()
            .push(m);
    }
    let mut sheets = Vec::new();
    for g in &grids {
        let households: Vec<GridHousehold> = people
            .households
            .iter()
            .filter(|h| h.grid_id.as_deref() == Some(g.id.as_str()))
            .map(|h| GridHousehold {
                head_name: h.head_name.clone(),
                address: h.address.clone(),
                phone: h.phone.clone(),
                in_danger_zone: h.in_danger_zone || !people.sites(&h.id).is_empty(),
                threats: people
                    .sites(&h.id)
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
                residents: people
                    .residents(&h.id)
                    .iter()
                    .map(|r| {
                        let v = people.vulnerable_by_resident.get(&r.id);
                        GridResident {
                            name: r.name.clone(),
                            relation: r.relation.clone(),
                            gender: r.gender.clone(),
                            age: age_on(r.birth_date, today),
                            id_masked: validate::mask_resident_id(&r.id_number),
                            phone: r.phone.clone(),
                            vulnerable: v.map(vulnerable_label),
                            helper: v.map(helper_of),
                        }
                    })
                    .collect(),
            })
            .collect();
        let resident_count = households.iter().map(|h| h.residents.len()).sum();
        let vulnerable_count = households
            .iter()
            .flat_map(|h| &h.residents)
            .filter(|r| r.vulnerable.is_some())
            .count();
        let danger_household_count = households.iter().filter(|h| h.in_danger_zone).count();
        let members = members_by_grid.get(&g.id).cloned().unwrap_or_default();
        let line = member_line;
        let carriers: Vec<Option<&GridMember>> = if members.is_empty() {
            vec![None]
        } else {
            members.iter().map(Some).collect()
        };
        for carrier in carriers {
            sheets.push(GridSheet {
                grid_id: g.id.clone(),
                grid_name: g.name.clone(),
                grid_area: g.area.clone(),
                carrier: carrier.map(line).unwrap_or_default(),
                others: members
                    .iter()
                    .filter(|m| Some(m.id.as_str()) != carrier.map(|c| c.id.as_str()))
                    .map(line)
                    .collect(),
                households: households.clone(),
                resident_count,
                vulnerable_count,
                danger_household_count,
            });
        }
    }
    Ok(GridSheets {
        masthead: masthead(&village, today),
        sheets,
    })
}

/// The kit checklist sheet as of `today` (the same lines and problems as
/// [`kit::checklist`]).
pub fn kit_sheet(store: &Store, today: NaiveDate) -> Result<KitSheet> {
    let village = store.village()?.ok_or(CoreError::NoVillage)?;
    let checklist = kit::checklist(store, today)?;
    let date = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    let lines: Vec<KitSheetLine> = checklist
        .lines
        .iter()
        .map(|l| KitSheetLine {
            name: l.item.name.clone(),
            standard: l.standard,
            required: if l.standard {
                format!("{}{}", l.required, l.item.unit)
            } else {
                "—".to_string()
            },
            actual: format!("{}{}", l.item.quantity, l.item.unit),
            location: l.item.location.clone(),
            custodian: person(&l.item.custodian, &l.item.custodian_phone),
            condition: l.item.condition.label().to_string(),
            last_inspected: date(l.last_inspected).unwrap_or_else(|| "从未检查".to_string()),
            next_due: date(l.next_due).unwrap_or_else(|| "尽快".to_string()),
            problems: l
                .problems
                .iter()
                .map(|p| p.label())
                .collect::<Vec<_>>()
                .join("、"),
        })
        .collect();
    let problem_count = lines.iter().filter(|l| !l.problems.is_empty()).count();
    Ok(KitSheet {
        masthead: masthead(&village, today),
        standard_name: checklist.standard_name,
        lines,
        problem_count,
    })
}

/// The contacts sheet: the emergency numbers (110/119/120), county, township and village
/// contacts (duty lines first, B posts with their A posts), then the village's teams, grid
/// members, hazard monitors and shelter keepers.
pub fn contacts_sheet(store: &Store, today: NaiveDate) -> Result<ContactsSheet> {
    let village = store.village()?.ok_or(CoreError::NoVillage)?;
    let contacts = store.list::<Contact>()?;
    let by_id: HashMap<&str, &Contact> = contacts.iter().map(|c| (c.id.as_str(), c)).collect();
    let entry = |c: &Contact| {
        let mut backup = Vec::new();
        if !c.phone_backup.trim().is_empty() {
            backup.push(format!("备用 {}", c.phone_backup.trim()));
        }
        for b in contacts
            .iter()
            .filter(|b| b.backup_of.as_deref() == Some(c.id.as_str()))
        {
            let who = person(&b.name, &b.phone);
            backup.push(if who.contains("B岗") {
                who
            } else {
                format!("B岗 {who}")
            });
        }
        let mut role: Vec<&str> = [c.organization.trim(), c.role.trim()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        role.dedup();
        ContactEntry {
            name: c.name.clone(),
            role: role.join(" · "),
            phone: c.phone.clone(),
            backup: backup.join("；"),
            duty_line: c.is_duty_line,
        }
    };
    let mut groups = Vec::new();
    let township_title = if village.township.trim().is_empty() {
        "乡镇（街道）".to_string()
    } else {
        format!("乡镇（街道）· {}", village.township.trim())
    };
    let county_title = if village.county.trim().is_empty() {
        "县（区）".to_string()
    } else {
        format!("县（区）· {}", village.county.trim())
    };
    let village_title = format!("村级 · {}", village.name);
    for (level, title) in [
        ("emergency", "紧急求助".to_string()),
        ("county", county_title),
        ("township", township_title),
        ("village", village_title),
    ] {
        let mut rows: Vec<&Contact> = contacts
            .iter()
            .filter(|c| c.level == level)
            // A B post whose A post is listed appears with it.
            .filter(|c| {
                c.backup_of
                    .as_deref()
                    .is_none_or(|a| !by_id.contains_key(a))
            })
            .collect();
        rows.sort_by_key(|c| !c.is_duty_line);
        let mut entries: Vec<ContactEntry> = rows.into_iter().map(entry).collect();
        if level == "village" {
            let known = |phone: &str| entries.iter().any(|e| e.phone == phone);
            let mut extra = Vec::new();
            for (name, role, phone) in [
                (
                    &village.party_secretary,
                    "村党组织书记",
                    &village.party_secretary_phone,
                ),
                (
                    &village.officer_name,
                    "村应急管理员",
                    &village.officer_phone,
                ),
            ] {
                if !phone.trim().is_empty() && !known(phone) {
                    extra.push(ContactEntry {
                        name: name.clone(),
                        role: role.to_string(),
                        phone: phone.clone(),
                        ..ContactEntry::default()
                    });
                }
            }
            extra.extend(entries);
            entries = extra;
        }

        if level == "emergency" {
            for (name, role, phone) in [
                ("报警", "公安", "110"),
                ("火警", "消防救援", "119"),
                ("急救", "医疗急救", "120"),
            ] {
                if !entries.iter().any(|e| e.phone == phone) {
                    entries.push(ContactEntry {
                        name: name.to_string(),
                        role: role.to_string(),
                        phone: phone.to_string(),
                        ..ContactEntry::default()
                    });
                }
            }
        }
        if !entries.is_empty() {
            groups.push(ContactGroup { title, entries });
        }
    }
    // The village's own people on duty in an emergency.
    for (title, people) in village_people(store)? {
        if !people.is_empty() {
            groups.push(ContactGroup {
                title,
                entries: people,
            });
        }
    }
    // Contacts of a level the app does not know go last, so none is lost.
    let other: Vec<ContactEntry> = contacts
        .iter()
        .filter(|c| !["county", "township", "village", "emergency"].contains(&c.level.as_str()))
        .map(entry)
        .collect();
    if !other.is_empty() {
        groups.push(ContactGroup {
            title: "其他".to_string(),
            entries: other,
        });
    }
    Ok(ContactsSheet {
        masthead: masthead(&village, today),
        groups,
    })
}

/// The education sign-in sheets: one per grid in the roster's order (then the households in no
/// grid), households in the roster's order, their live residents in the order entered, each with
/// the date they were last taught. `grid` picks one grid by id or by name; `session` (an id)
/// prints that session's date, topic, teacher and place instead of blank lines.
pub fn sign_in_sheets(
    store: &Store,
    grid: Option<&str>,
    session: Option<&str>,
    today: NaiveDate,
) -> Result<SignInSheets> {
    let village = store.village()?.ok_or(CoreError::NoVillage)?;
    let session = match session.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(id) => {
            let s = store
                .get::<EducationSession>(id)?
                .ok_or(CoreError::NotFound {
                    what: "宣传教育活动",
                })?;
            Some(SignInSession {
                date: s.date,
                topic: s.topic,
                taught_by: s.taught_by,
                place: s.place,
            })
        }
    };
    let view = crate::roster::roster(store)?;
    let mut grids: Vec<(Option<Grid>, SignInSheet)> = view
        .grids
        .iter()
        .map(|g| {
            (
                Some(g.grid.clone()),
                SignInSheet {
                    grid_id: Some(g.grid.id.clone()),
                    grid_name: g.grid.name.clone(),
                    grid_area: g.grid.area.clone(),
                    ..SignInSheet::default()
                },
            )
        })
        .collect();
    if let Some(wanted) = grid.map(str::trim) {
        grids.retain(|(g, _)| {
            g.as_ref()
                .is_some_and(|g| g.id == wanted || g.name.trim() == wanted)
        });
        if grids.is_empty() {
            return Err(CoreError::NotFound { what: "网格" });
        }
    } else if view.households.iter().any(|h| h.grid_id.is_none()) {
        grids.push((
            None,
            SignInSheet {
                grid_name: "未分网格".into(),
                ..SignInSheet::default()
            },
        ));
    }
    let data = crate::education::EducationData::load(store)?;
    let last = crate::education::last_taught(&data, today);
    let since = crate::education::cycle_start(today);
    let mut residents: HashMap<String, Vec<Resident>> = HashMap::new();
    for r in store.list::<Resident>()? {
        residents.entry(r.household_id.clone()).or_default().push(r);
    }
    for h in &view.households {
        let Some((_, sheet)) = grids
            .iter_mut()
            .find(|(_, s)| s.grid_id.as_deref() == h.grid_id.as_deref())
        else {
            continue;
        };
        let members: Vec<SignInResident> = residents
            .get(&h.id)
            .into_iter()
            .flatten()
            .map(|r| SignInResident {
                name: r.name.clone(),
                relation: r.relation.clone(),
                last_taught: last.get(&r.id).copied(),
            })
            .collect();
        sheet.resident_count += members.len();
        sheet.taught_count += members
            .iter()
            .filter(|r| r.last_taught.is_some_and(|d| d >= since))
            .count();
        sheet.households.push(SignInHousehold {
            head_name: h.head_name.clone(),
            address: h.address.clone(),
            residents: members,
        });
    }
    Ok(SignInSheets {
        masthead: masthead(&village, today),
        session,
        cycle_since: since,
        sheets: grids.into_iter().map(|(_, s)| s).collect(),
    })
}

/// What households in no grid are listed under.
const UNGRIDDED: &str = "未分网格";

/// The not-yet-safe sheets of a roll call as of `now` (the officer's local time): one per grid
/// with anyone not yet safe ([`Mark::is_not_safe`]: not marked, refused, not reached, gone back;
/// those away from the village are not expected to move), households in no grid last under
/// 未分网格. `grid` picks one grid by id or by name (or 未分网格); `None` prints every grid.
pub fn not_safe_sheets(
    store: &Store,
    event_id: &str,
    grid: Option<&str>,
    now: DateTime<FixedOffset>,
) -> Result<NotSafeSheets> {
    let village = store.village()?.ok_or(CoreError::NoVillage)?;
    let scope = match grid.map(str::trim).filter(|g| !g.is_empty()) {
        Some(wanted) => Some(grid_named(store, wanted)?),
        None => None,
    };
    let call = rollcall::roll_call(store, event_id)?;
    let officer = match person(&village.officer_name, &village.officer_phone) {
        who if who.is_empty() => who,
        who => format!("村应急管理员 {who}"),
    };
    let listed: HashSet<&str> = call
        .totals
        .grids
        .iter()
        .filter_map(|g| g.grid_id.as_deref())
        .collect();
    let sheets = call
        .totals
        .grids
        .iter()
        .filter(|g| scope.as_ref().is_none_or(|s| *s == g.grid_id))
        .filter_map(|g| {
            let people: Vec<&RollCallPerson> = call
                .people
                .iter()
                // Rows of a grid deleted since count under 未分网格, as in the totals.
                .filter(|p| {
                    p.status.is_not_safe()
                        && p.grid_id.as_deref().filter(|id| listed.contains(id))
                            == g.grid_id.as_deref()
                })
                .collect();
            let first = people.first()?;
            Some(NotSafeSheet {
                grid_id: g.grid_id.clone(),
                grid_name: g.grid_name.clone(),
                grid_member: if first.grid_member.is_empty() {
                    officer.clone()
                } else {
                    first.grid_member.clone()
                },
                totals: g.totals.clone(),
                households: not_safe_households(&people, now.offset()),
            })
        })
        .collect();
    Ok(NotSafeSheets {
        masthead: masthead(&village, now.date_naive()),
        transfer: transfer_facts(&call.event, &call.hazard_label, now),
        village: call.totals.village,
        sheets,
    })
}

/// A grid by id or name, or the households in no grid (`None`).
fn grid_named(store: &Store, wanted: &str) -> Result<Option<String>> {
    if wanted == UNGRIDDED {
        return Ok(None);
    }
    store
        .list::<Grid>()?
        .into_iter()
        .find(|g| g.id == wanted || g.name.trim() == wanted)
        .map(|g| Some(g.id))
        .ok_or(CoreError::NotFound { what: "网格" })
}

/// People grouped by household, in the roll call's order (threatened households first).
fn not_safe_households(people: &[&RollCallPerson], offset: &FixedOffset) -> Vec<NotSafeHousehold> {
    let mut households: Vec<NotSafeHousehold> = Vec::new();
    for p in people {
        let i = match households
            .iter()
            .position(|h| h.household_id == p.household_id)
        {
            Some(i) => i,
            None => {
                households.push(NotSafeHousehold {
                    household_id: p.household_id.clone(),
                    head_name: p.head_name.clone(),
                    address: p.address.clone(),
                    threatened: p.threatened,
                    ..NotSafeHousehold::default()
                });
                households.len() - 1
            }
        };
        let h = &mut households[i];
        let phone = p.phone.trim();
        if !phone.is_empty() && !h.phone.split('、').any(|x| x == phone) {
            if !h.phone.is_empty() {
                h.phone.push('、');
            }
            h.phone.push_str(phone);
        }
        h.threatened |= p.threatened;
        h.people.push(not_safe_person(p, offset));
    }
    households
}

fn not_safe_person(p: &RollCallPerson, offset: &FixedOffset) -> NotSafePerson {
    let marked = p
        .marked_at
        .as_deref()
        .map(|at| {
            let when = local_time(at, offset, "%m-%d %H:%M");
            format!("{when} {}", p.marked_by.trim()).trim().to_string()
        })
        .unwrap_or_default();
    NotSafePerson {
        resident_id: p.resident_id.clone(),
        name: p.name.clone(),
        relation: p.relation.clone(),
        status: p.status,
        status_label: not_safe_label(p.status).to_string(),
        vulnerable: p.vulnerable.clone(),
        helper: p.helper.clone(),
        marked,
        note: p.note.trim().to_string(),
    }
}

/// How a person not yet safe stands: not marked yet reads 待转移 on paper.
fn not_safe_label(mark: Mark) -> &'static str {
    match mark {
        Mark::Pending => "待转移",
        other => other.label(),
    }
}

fn transfer_facts(
    event: &EvacuationEvent,
    hazard_label: &str,
    now: DateTime<FixedOffset>,
) -> TransferFacts {
    const MINUTES: &str = "%Y-%m-%d %H:%M";
    let level = event.level.trim();
    TransferFacts {
        event_id: event.id.clone(),
        hazard_label: hazard_label.to_string(),
        level_label: crate::plan::WARNING_LEVELS
            .iter()
            .find(|(code, _)| *code == level)
            .map_or(level, |(_, label)| label)
            .to_string(),
        reason: event.reason.trim().to_string(),
        started_at: local_time(&event.started_at, now.offset(), MINUTES),
        as_of: now.format(MINUTES).to_string(),
        ended_at: event
            .ended_at
            .as_deref()
            .map(|t| local_time(t, now.offset(), MINUTES)),
    }
}

/// A time kept in the store (RFC 3339) on the officer's clock; one that does not parse is printed
/// as kept.
fn local_time(stamp: &str, offset: &FixedOffset, format: &str) -> String {
    DateTime::parse_from_rfc3339(stamp.trim()).map_or_else(
        |_| stamp.trim().to_string(),
        |t| t.with_timezone(offset).format(format).to_string(),
    )
}
