//! 转移点名: the evacuation roll call (到户到人), the hours of a flood when the officer must know,
//! person by person, who has been moved to safety and who has not.
//!
//! A roll call starts from a transfer order (an [`EvacuationEvent`]: hazard, warning level, the
//! grids ordered to move, from an incident or a warning). Its list is fixed then, from the roster:
//! one [`EvacuationStatus`] row per person, written in the same transaction as the event. The row's
//! id is derived from (event, resident) ([`status_id`]), so a mark made on the officer's laptop and
//! one made on a grid member's land in the same row and merge by the sync rule like any other edit:
//! the later one wins, the other is kept among the conflicts. Marks of different people never meet.
//!
//! The totals are counted from the status rows alone ([`tally`]), which carry the grid and whether
//! the person is vulnerable as they were at the start, so the county counts them the same way from
//! the rows it receives.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};

use crate::records::{
    EvacuationEvent, EvacuationStatus, Grid, GridMember, HazardKind, Household, HouseholdHazard,
    Incident, Resident, Shelter, VulnerablePerson,
};
use crate::validate::ValidationError;
use crate::{CoreError, Result, Store};

/// Where a person on the list is, as last marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    /// Not marked yet; also what a status this build does not know reads as.
    #[default]
    Pending,
    /// 已转移 to a shelter.
    Moved,
    /// 已转移, staying with relatives or friends (投亲靠友).
    WithRelatives,
    /// 拒绝转移.
    Refused,
    /// 不在村: away from the village, not in danger.
    Away,
    /// 未联系上.
    Unreachable,
    /// 已返回: went back home before the all-clear — a known danger.
    Returned,
}

impl Mark {
    pub const ALL: [Mark; 7] = [
        Mark::Pending,
        Mark::Moved,
        Mark::WithRelatives,
        Mark::Refused,
        Mark::Away,
        Mark::Unreachable,
        Mark::Returned,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Mark::Pending => "未标记",
            Mark::Moved => "已转移",
            Mark::WithRelatives => "投亲靠友",
            Mark::Refused => "拒绝转移",
            Mark::Away => "不在村",
            Mark::Unreachable => "未联系上",
            Mark::Returned => "已返回",
        }
    }

    /// The code stored in `evacuation_status.status`.
    pub fn code(self) -> &'static str {
        match self {
            Mark::Pending => "pending",
            Mark::Moved => "moved",
            Mark::WithRelatives => "with-relatives",
            Mark::Refused => "refused",
            Mark::Away => "away",
            Mark::Unreachable => "unreachable",
            Mark::Returned => "returned",
        }
    }

    /// A code or a Chinese label, as typed on the command line.
    pub fn parse(text: &str) -> Option<Mark> {
        let t = text.trim();
        Mark::ALL
            .into_iter()
            .find(|m| m.code() == t || m.label() == t)
    }

    /// Moved to safety: to a shelter or to relatives (已转移).
    pub fn is_safe(self) -> bool {
        matches!(self, Mark::Moved | Mark::WithRelatives)
    }

    /// Still to be moved (未转移): everyone on the list neither safe nor away from the village.
    pub fn is_not_safe(self) -> bool {
        !self.is_safe() && self != Mark::Away
    }
}

// A status this build does not know (written by a newer one) reads as not marked, so the list
// still opens and the person is still counted as not yet safe.
impl<'de> Deserialize<'de> for Mark {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Mark, D::Error> {
        let code = String::deserialize(d)?;
        Ok(Mark::ALL
            .into_iter()
            .find(|m| m.code() == code)
            .unwrap_or(Mark::Pending))
    }
}

/// What the officer orders when a transfer starts.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TransferOrder {
    pub hazard: Option<HazardKind>,
    /// red | orange | yellow | blue, or empty when not from a warning.
    pub level: String,
    /// The grids ordered to move; empty for the whole village.
    pub grid_ids: Vec<String>,
    /// Only the households in a hazard area (those with household evacuation cards).
    pub threatened_only: bool,
    pub incident_id: Option<String>,
    pub reason: String,
    pub started_by: String,
}

/// One mark, for one person or a whole household.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MarkInput {
    pub status: Mark,
    /// The shelter, for [`Mark::Moved`].
    pub shelter_id: Option<String>,
    /// With whom or where, for [`Mark::WithRelatives`].
    pub staying_with: String,
    pub marked_by: String,
    pub note: String,
}

/// The id of a person's row on a roll call: the same on every device.
pub fn status_id(event_id: &str, resident_id: &str) -> String {
    let name = format!("cunan/evacuation_status/{event_id}/{resident_id}");
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()).to_string()
}

fn now_stamp(store: &Store) -> String {
    store
        .clock()
        .now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset"))
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn live_ids<R: crate::Record>(store: &Store) -> Result<HashSet<String>> {
    Ok(store
        .list::<R>()?
        .into_iter()
        .map(|r| r.id().to_string())
        .collect())
}

/// The households in a hazard area: marked in the danger zone, or linked to a hazard site.
fn threatened_households(store: &Store, households: &[Household]) -> Result<HashSet<String>> {
    let mut out: HashSet<String> = store
        .list::<HouseholdHazard>()?
        .into_iter()
        .map(|l| l.household_id)
        .collect();
    out.extend(
        households
            .iter()
            .filter(|h| h.in_danger_zone)
            .map(|h| h.id.clone()),
    );
    Ok(out)
}

/// Starts a roll call: saves the transfer order and, in the same transaction, one row per person
/// to move, not marked yet.
pub fn start(store: &mut Store, order: &TransferOrder) -> Result<EvacuationEvent> {
    store.village()?.ok_or(CoreError::NoVillage)?;
    if let Some(id) = order.incident_id.as_deref() {
        store.get::<Incident>(id)?.ok_or(CoreError::NotFound {
            what: "突发事件"
        })?;
    }
    let grids = live_ids::<Grid>(store)?;
    if let Some(missing) = order.grid_ids.iter().find(|g| !grids.contains(*g)) {
        return Err(ValidationError::new(
            "grid_missing",
            "转移范围",
            format!(
                "所选网格（{}）不存在或已被删除。请刷新后重新选择网格。",
                missing.chars().take(12).collect::<String>()
            ),
        )
        .into());
    }
    let households = store.list::<Household>()?;
    let threatened = threatened_households(store, &households)?;
    let wanted: HashSet<&str> = order.grid_ids.iter().map(String::as_str).collect();
    let in_scope: HashMap<&str, &Household> = households
        .iter()
        .filter(|h| wanted.is_empty() || h.grid_id.as_deref().is_some_and(|g| wanted.contains(g)))
        .filter(|h| !order.threatened_only || threatened.contains(&h.id))
        .map(|h| (h.id.as_str(), h))
        .collect();
    let vulnerable: HashSet<String> = store
        .list::<VulnerablePerson>()?
        .into_iter()
        .map(|v| v.resident_id)
        .collect();
    let residents: Vec<Resident> = store
        .list::<Resident>()?
        .into_iter()
        .filter(|r| in_scope.contains_key(r.household_id.as_str()))
        .collect();
    if residents.is_empty() {
        return Err(ValidationError::new(
            "nobody_to_move",
            "转移范围",
            "所选范围内没有登记的居民。请换一个范围（例如整村），或先在花名册中登记住户和居民。",
        )
        .into());
    }
    let started_at = now_stamp(store);
    let event = EvacuationEvent {
        hazard: order.hazard,
        started_at: started_at.clone(),
        reason: order.reason.trim().to_string(),
        incident_id: order.incident_id.clone(),
        level: order.level.trim().to_string(),
        grid_ids: order.grid_ids.clone(),
        threatened_only: order.threatened_only,
        started_by: order.started_by.trim().to_string(),
        ..EvacuationEvent::default()
    };
    store.write(|w| {
        let event = w.save(&event)?;
        for r in &residents {
            let household = in_scope.get(r.household_id.as_str());
            w.save(&EvacuationStatus {
                id: status_id(&event.id, &r.id),
                event_id: event.id.clone(),
                resident_id: r.id.clone(),
                status: Mark::Pending,
                updated_at: started_at.clone(),
                household_id: Some(r.household_id.clone()),
                grid_id: household.and_then(|h| h.grid_id.clone()),
                threatened: threatened.contains(&r.household_id),
                vulnerable: vulnerable.contains(&r.id),
                ..EvacuationStatus::default()
            })?;
        }
        Ok(event)
    })
}

fn event(store: &Store, id: &str) -> Result<EvacuationEvent> {
    store
        .get::<EvacuationEvent>(id)?
        .ok_or(CoreError::NotFound { what: "转移" })
}

fn open_event(store: &Store, id: &str) -> Result<EvacuationEvent> {
    let e = event(store, id)?;
    if e.ended_at.is_some() {
        return Err(ValidationError::new(
            "roll_call_ended",
            "转移",
            "这次转移已经解除，不能再标记。如需再次转移，请重新开始一次转移点名。",
        )
        .into());
    }
    Ok(e)
}

/// Marks people on a roll call, all in one transaction: every mark is saved or none is. A live
/// resident not yet on the list (registered after the start) joins it with the mark.
pub fn mark(
    store: &mut Store,
    event_id: &str,
    resident_ids: &[String],
    input: &MarkInput,
) -> Result<Vec<EvacuationStatus>> {
    open_event(store, event_id)?;
    let shelter_id = match (input.status, input.shelter_id.as_deref().map(str::trim)) {
        (Mark::Moved, Some(id)) if !id.is_empty() => {
            store.get::<Shelter>(id)?.ok_or_else(|| {
                CoreError::from(ValidationError::new(
                    "shelter_missing",
                    "安置点",
                    "所选安置点不存在或已被删除。请重新选择安置点，或先在“场所与路线”中登记。",
                ))
            })?;
            Some(id.to_string())
        }
        _ => None,
    };
    let staying_with = match input.status {
        Mark::WithRelatives => input.staying_with.trim().to_string(),
        _ => String::new(),
    };
    let marked_at = now_stamp(store);
    let mut marks = Vec::with_capacity(resident_ids.len());
    for resident_id in resident_ids {
        let id = status_id(event_id, resident_id);
        let row = match store.get::<EvacuationStatus>(&id)? {
            Some(row) => row,
            None => joining(store, event_id, resident_id)?,
        };
        marks.push(EvacuationStatus {
            status: input.status,
            shelter_id: shelter_id.clone(),
            staying_with: staying_with.clone(),
            updated_at: marked_at.clone(),
            marked_by: input.marked_by.trim().to_string(),
            note: input.note.trim().to_string(),
            ..row
        });
    }
    store.write(|w| marks.iter().map(|m| w.save(m)).collect::<Result<Vec<_>>>())
}

/// The row of a resident who joins the list after the start.
fn joining(store: &Store, event_id: &str, resident_id: &str) -> Result<EvacuationStatus> {
    let resident = store.get::<Resident>(resident_id)?.ok_or_else(|| {
        CoreError::from(ValidationError::new(
            "resident_missing",
            "居民",
            "找不到这位居民，可能已被删除。请刷新名单后重试。",
        ))
    })?;
    let household = store.get::<Household>(&resident.household_id)?;
    let threatened = household.as_ref().is_some_and(|h| h.in_danger_zone)
        || !store
            .query::<HouseholdHazard>("household_id = ?1", &[&resident.household_id])?
            .is_empty();
    let vulnerable = !store
        .query::<VulnerablePerson>("resident_id = ?1", &[&resident_id])?
        .is_empty();
    Ok(EvacuationStatus {
        id: status_id(event_id, resident_id),
        event_id: event_id.to_string(),
        resident_id: resident_id.to_string(),
        household_id: Some(resident.household_id.clone()),
        grid_id: household.and_then(|h| h.grid_id),
        threatened,
        vulnerable,
        ..EvacuationStatus::default()
    })
}

/// Marks everyone of a household on the list with one tap.
pub fn mark_household(
    store: &mut Store,
    event_id: &str,
    household_id: &str,
    input: &MarkInput,
) -> Result<Vec<EvacuationStatus>> {
    let ids: Vec<String> = store
        .query::<EvacuationStatus>(
            "event_id = ?1 AND household_id = ?2",
            &[&event_id, &household_id],
        )?
        .into_iter()
        .map(|s| s.resident_id)
        .collect();
    if ids.is_empty() {
        return Err(CoreError::NotFound {
            what: "名单上的这一户",
        });
    }
    mark(store, event_id, &ids, input)
}

/// Calls the transfer off (解除): the roll call is closed for marks.
pub fn end(store: &mut Store, event_id: &str) -> Result<EvacuationEvent> {
    let mut e = open_event(store, event_id)?;
    e.ended_at = Some(now_stamp(store));
    store.save(&e)
}

// ---- totals ----

/// A number of people, and how many of them are vulnerable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Count {
    pub people: i64,
    pub vulnerable: i64,
}

impl Count {
    fn add(&mut self, vulnerable: bool) {
        self.people += 1;
        self.vulnerable += i64::from(vulnerable);
    }
}

/// The totals of a roll call, for a grid or the village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Totals {
    /// Everyone on the list.
    pub listed: Count,
    /// 应转移: the list less those away from the village.
    pub expected: Count,
    /// 已转移: to a shelter or to relatives.
    pub moved: Count,
    /// 未转移: expected and not yet safe (not marked, refused, not reached, gone back).
    pub not_moved: Count,
    /// Each mark, in [`Mark::ALL`] order, with how many carry it.
    pub by_mark: Vec<MarkCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MarkCount {
    pub mark: Mark,
    pub label: String,
    pub count: Count,
}

/// No one yet, with every mark listed at zero.
impl Default for Totals {
    fn default() -> Totals {
        Totals {
            listed: Count::default(),
            expected: Count::default(),
            moved: Count::default(),
            not_moved: Count::default(),
            by_mark: Mark::ALL
                .into_iter()
                .map(|mark| MarkCount {
                    mark,
                    label: mark.label().to_string(),
                    count: Count::default(),
                })
                .collect(),
        }
    }
}

impl Totals {
    fn add(&mut self, s: &EvacuationStatus) {
        self.listed.add(s.vulnerable);
        if s.status != Mark::Away {
            self.expected.add(s.vulnerable);
        }
        if s.status.is_safe() {
            self.moved.add(s.vulnerable);
        } else if s.status.is_not_safe() {
            self.not_moved.add(s.vulnerable);
        }
        if let Some(m) = self.by_mark.iter_mut().find(|m| m.mark == s.status) {
            m.count.add(s.vulnerable);
        }
    }

    /// How many carry `mark`.
    pub fn of(&self, mark: Mark) -> Count {
        self.by_mark
            .iter()
            .find(|m| m.mark == mark)
            .map(|m| m.count)
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GridTotals {
    /// `None` for households in no grid.
    pub grid_id: Option<String>,
    pub grid_name: String,
    pub totals: Totals,
}

/// People moved to one shelter, against its capacity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ShelterLoad {
    /// `None` for people moved without a shelter named.
    pub shelter_id: Option<String>,
    pub name: String,
    pub capacity: Option<i64>,
    pub people: i64,
    /// More people than its capacity.
    pub over: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RollCallTotals {
    pub village: Totals,
    /// By grid, in the order of the grids; households in no grid last.
    pub grids: Vec<GridTotals>,
    /// Every shelter with people in it or named in the village, by name.
    pub shelters: Vec<ShelterLoad>,
}

/// The totals of a roll call from its status rows: a pure count, the same in the village and at
/// the county. `grids` and `shelters` give the names and capacities.
pub fn tally(
    statuses: &[EvacuationStatus],
    grids: &[Grid],
    shelters: &[Shelter],
) -> RollCallTotals {
    let known: HashSet<&str> = grids.iter().map(|g| g.id.as_str()).collect();
    let mut village = Totals::default();
    // Rows of a grid deleted since, and of households in no grid, go under 未分网格 (`None`).
    let mut by_grid: HashMap<Option<&str>, Totals> = HashMap::new();
    let mut in_shelter: BTreeMap<Option<&str>, i64> = BTreeMap::new();
    for s in statuses {
        village.add(s);
        let grid = s.grid_id.as_deref().filter(|g| known.contains(g));
        by_grid.entry(grid).or_default().add(s);
        if s.status == Mark::Moved {
            *in_shelter.entry(s.shelter_id.as_deref()).or_default() += 1;
        }
    }
    let mut out_grids: Vec<GridTotals> = grids
        .iter()
        .filter_map(|g| {
            by_grid
                .remove(&Some(g.id.as_str()))
                .map(|totals| GridTotals {
                    grid_id: Some(g.id.clone()),
                    grid_name: g.name.clone(),
                    totals,
                })
        })
        .collect();
    if let Some(totals) = by_grid.remove(&None) {
        out_grids.push(GridTotals {
            grid_id: None,
            grid_name: "未分网格".to_string(),
            totals,
        });
    }
    let mut loads: Vec<ShelterLoad> = shelters
        .iter()
        .map(|sh| {
            let people = in_shelter.remove(&Some(sh.id.as_str())).unwrap_or(0);
            ShelterLoad {
                shelter_id: Some(sh.id.clone()),
                name: sh.name.clone(),
                capacity: sh.capacity,
                people,
                over: sh.capacity.is_some_and(|c| people > c),
            }
        })
        .collect();
    let unnamed: i64 = in_shelter.values().sum();
    if unnamed > 0 {
        loads.push(ShelterLoad {
            shelter_id: None,
            name: "未登记安置点".to_string(),
            capacity: None,
            people: unnamed,
            over: false,
        });
    }
    RollCallTotals {
        village,
        grids: out_grids,
        shelters: loads,
    }
}

/// The totals of one roll call, from the store.
pub fn totals(store: &Store, event_id: &str) -> Result<RollCallTotals> {
    let statuses = store.query::<EvacuationStatus>("event_id = ?1", &[&event_id])?;
    Ok(tally(
        &statuses,
        &store.list::<Grid>()?,
        &store.list::<Shelter>()?,
    ))
}

/// People moved to safety in the roll calls of an incident: what its next report says under
/// 转移人数.
pub fn evacuated_for_incident(store: &Store, incident_id: &str) -> Result<i64> {
    let mut moved = 0;
    for e in store.query::<EvacuationEvent>("incident_id = ?1", &[&incident_id])? {
        let statuses = store.query::<EvacuationStatus>("event_id = ?1", &[&e.id])?;
        moved += statuses.iter().filter(|s| s.status.is_safe()).count() as i64;
    }
    Ok(moved)
}

// ---- the list on screen ----

/// One person on the roll call, as the list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RollCallPerson {
    pub resident_id: String,
    pub name: String,
    pub relation: String,
    pub household_id: String,
    pub head_name: String,
    pub address: String,
    /// The household's phone, else the person's own.
    pub phone: String,
    pub grid_id: Option<String>,
    pub grid_name: String,
    /// The grid member who answers for the grid: "网格长 王某 138…".
    pub grid_member: String,
    pub threatened: bool,
    /// e.g. "独居老人（长期卧床）" for a vulnerable person.
    pub vulnerable: Option<String>,
    /// Who helps them evacuate: "李四 138…", or 帮扶人待落实.
    pub helper: Option<String>,
    pub status: Mark,
    pub status_label: String,
    pub shelter_id: Option<String>,
    pub shelter_name: String,
    pub staying_with: String,
    /// When and by whom the latest mark was made; `None` while not marked.
    pub marked_at: Option<String>,
    pub marked_by: String,
    pub note: String,
}

/// A roll call: the order, everyone on it, and the totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RollCall {
    pub event: EvacuationEvent,
    pub hazard_label: String,
    pub open: bool,
    /// Threatened households first, then by grid and household; in a household the householder,
    /// then the vulnerable, then by name.
    pub people: Vec<RollCallPerson>,
    pub totals: RollCallTotals,
}

/// A roll call with everyone on it. Names, addresses and helpers are today's roster; the rows
/// of residents deleted since still count, under the name "（已删除的居民）".
pub fn roll_call(store: &Store, event_id: &str) -> Result<RollCall> {
    let event = event(store, event_id)?;
    let statuses = store.query::<EvacuationStatus>("event_id = ?1", &[&event_id])?;
    let places = Places::load(store)?;
    let totals = tally(&statuses, &places.grids, &places.shelters);
    let roster = Roster::all(store)?;
    let mut people: Vec<RollCallPerson> = statuses
        .into_iter()
        .map(|s| person(s, &roster, &places))
        .collect();
    let grid_order: HashMap<&str, usize> = places
        .grids
        .iter()
        .enumerate()
        .map(|(i, g)| (g.id.as_str(), i))
        .collect();
    people.sort_by(|a, b| {
        let key = |p: &RollCallPerson| {
            (
                !p.threatened,
                p.grid_id
                    .as_deref()
                    .and_then(|g| grid_order.get(g).copied())
                    .unwrap_or(usize::MAX),
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.address.cmp(&b.address))
            .then_with(|| a.household_id.cmp(&b.household_id))
            .then_with(|| (a.relation != "户主").cmp(&(b.relation != "户主")))
            .then_with(|| a.vulnerable.is_none().cmp(&b.vulnerable.is_none()))
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(RollCall {
        hazard_label: hazard_label(&event),
        open: event.ended_at.is_none(),
        event,
        people,
        totals,
    })
}

/// Some people of a roll call as the list shows them (those just marked), in the order asked,
/// read without loading the whole roster; people not on the roll call are left out.
pub fn roll_call_people(
    store: &Store,
    event_id: &str,
    resident_ids: &[String],
) -> Result<Vec<RollCallPerson>> {
    let places = Places::load(store)?;
    let mut roster = Roster::default();
    let mut out = Vec::with_capacity(resident_ids.len());
    for rid in resident_ids {
        let Some(s) = store.get::<EvacuationStatus>(&status_id(event_id, rid))? else {
            continue;
        };
        if let Some(r) = store.get::<Resident>(rid)? {
            roster.residents.insert(r.id.clone(), r);
        }
        let hid = s
            .household_id
            .clone()
            .or_else(|| roster.residents.get(rid).map(|r| r.household_id.clone()));
        if let Some(h) = hid
            .as_deref()
            .map(|h| store.get::<Household>(h))
            .transpose()?
            .flatten()
        {
            roster.households.insert(h.id.clone(), h);
        }
        for v in store.query::<VulnerablePerson>("resident_id = ?1", &[rid])? {
            roster.vulnerable.insert(v.resident_id.clone(), v);
        }
        out.push(person(s, &roster, &places));
    }
    Ok(out)
}

/// The grids, who answers for each, and the shelters: small lists, read whole.
struct Places {
    grids: Vec<Grid>,
    shelters: Vec<Shelter>,
    /// Grid id → the grid member who answers for it (the 网格长 first).
    answers_for: HashMap<String, String>,
}

impl Places {
    fn load(store: &Store) -> Result<Places> {
        let mut answers_for: HashMap<String, String> = HashMap::new();
        let mut members = store.list::<GridMember>()?;
        members.sort_by_key(|m| m.role.trim() != "网格长");
        for m in members {
            answers_for
                .entry(m.grid_id.clone())
                .or_insert_with(|| crate::printouts::member_line(&m));
        }
        Ok(Places {
            grids: store.list::<Grid>()?,
            shelters: store.list::<Shelter>()?,
            answers_for,
        })
    }
}

/// The residents, households and vulnerable people a list is drawn from, by id.
#[derive(Default)]
struct Roster {
    residents: HashMap<String, Resident>,
    households: HashMap<String, Household>,
    /// By resident id.
    vulnerable: HashMap<String, VulnerablePerson>,
}

impl Roster {
    fn all(store: &Store) -> Result<Roster> {
        Ok(Roster {
            residents: store
                .list::<Resident>()?
                .into_iter()
                .map(|r| (r.id.clone(), r))
                .collect(),
            households: store
                .list::<Household>()?
                .into_iter()
                .map(|h| (h.id.clone(), h))
                .collect(),
            vulnerable: store
                .list::<VulnerablePerson>()?
                .into_iter()
                .map(|v| (v.resident_id.clone(), v))
                .collect(),
        })
    }
}

fn person(s: EvacuationStatus, roster: &Roster, places: &Places) -> RollCallPerson {
    let r = roster.residents.get(&s.resident_id);
    let household_id = s
        .household_id
        .clone()
        .or_else(|| r.map(|r| r.household_id.clone()))
        .unwrap_or_default();
    let h = roster.households.get(&household_id);
    let v = roster.vulnerable.get(&s.resident_id);
    let phone = h
        .map(|h| h.phone.trim())
        .filter(|p| !p.is_empty())
        .or_else(|| r.map(|r| r.phone.trim()))
        .unwrap_or_default()
        .to_string();
    let marked = s.status != Mark::Pending || !s.marked_by.is_empty();
    let grid = s
        .grid_id
        .as_deref()
        .and_then(|g| places.grids.iter().find(|x| x.id == g));
    RollCallPerson {
        name: r
            .map(|r| r.name.clone())
            .unwrap_or_else(|| "（已删除的居民）".to_string()),
        relation: r.map(|r| r.relation.clone()).unwrap_or_default(),
        head_name: h.map(|h| h.head_name.clone()).unwrap_or_default(),
        address: h.map(|h| h.address.clone()).unwrap_or_default(),
        phone,
        grid_name: grid
            .map(|g| g.name.clone())
            .unwrap_or_else(|| "未分网格".to_string()),
        grid_member: grid
            .and_then(|g| places.answers_for.get(&g.id))
            .cloned()
            .unwrap_or_default(),
        threatened: s.threatened,
        vulnerable: v.map(crate::printouts::vulnerable_label),
        helper: v.map(crate::printouts::helper_of),
        status_label: s.status.label().to_string(),
        shelter_name: s
            .shelter_id
            .as_deref()
            .and_then(|id| places.shelters.iter().find(|x| x.id == id))
            .map(|x| x.name.clone())
            .unwrap_or_default(),
        marked_at: marked.then(|| s.updated_at.clone()),
        household_id,
        resident_id: s.resident_id,
        grid_id: s.grid_id,
        status: s.status,
        shelter_id: s.shelter_id,
        staying_with: s.staying_with,
        marked_by: s.marked_by,
        note: s.note,
    }
}

fn hazard_label(e: &EvacuationEvent) -> String {
    e.hazard
        .map(HazardKind::label)
        .unwrap_or("其他灾害")
        .to_string()
}

/// One roll call in the list of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RollCallSummary {
    pub event: EvacuationEvent,
    pub hazard_label: String,
    pub open: bool,
    pub totals: Totals,
}

/// Every roll call, open ones first, newest first, with the village's totals.
pub fn roll_calls(store: &Store) -> Result<Vec<RollCallSummary>> {
    let mut by_event: HashMap<String, Vec<EvacuationStatus>> = HashMap::new();
    for s in store.list::<EvacuationStatus>()? {
        by_event.entry(s.event_id.clone()).or_default().push(s);
    }
    let mut out: Vec<RollCallSummary> = store
        .list::<EvacuationEvent>()?
        .into_iter()
        .map(|e| {
            let statuses = by_event.remove(&e.id).unwrap_or_default();
            RollCallSummary {
                hazard_label: hazard_label(&e),
                open: e.ended_at.is_none(),
                totals: tally(&statuses, &[], &[]).village,
                event: e,
            }
        })
        .collect();
    out.sort_by(|a, b| (b.open, &b.event.started_at).cmp(&(a.open, &a.event.started_at)));
    Ok(out)
}
