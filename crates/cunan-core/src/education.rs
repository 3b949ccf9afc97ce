//! 预案宣传教育: who has been taught the plan, and when. The rule (预案受教育率100%): within
//! [`CYCLE_YEARS`] years every villager has been taught the plan.
//!
//! A session (宣讲会、培训、入户宣传) has a sign-in sheet: each signature is a resident, or a whole
//! household signed in by one person. A live resident counts as taught on `today` when a session
//! held on a day from `today − 3 years` (that day included) through `today` has them on its sheet,
//! in person or through their household. Sessions dated after `today` are planned, not held, and
//! count for nobody; deleted sessions, and sign-ins of a deleted session, count for nobody;
//! deleted residents are not counted at all.
//!
//! The rule is a pure function of ([`EducationData`], `today`): [`last_taught`] and [`share`].

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Months, NaiveDate};
use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::error::Result;
use crate::records::{EducationAttendance, EducationSession, Household, Record, Resident};
use crate::roster;
use crate::store::Store;
use crate::validate::ValidationError;

/// Every villager should have been taught the plan within this many years.
pub const CYCLE_YEARS: u32 = 3;

/// The earliest session date that still counts on `today`: the same day [`CYCLE_YEARS`] years
/// earlier (29 February goes back to 28 February when that year has none).
pub fn cycle_start(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_months(Months::new(12 * CYCLE_YEARS))
        .unwrap_or(NaiveDate::MIN)
}

/// What the rule reads: the live sessions, their live sign-ins and the live residents.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EducationData {
    pub sessions: Vec<EducationSession>,
    pub attendance: Vec<EducationAttendance>,
    /// `(resident id, household id)` of every live resident.
    pub residents: Vec<(String, String)>,
}

impl EducationData {
    /// The live rows from the store.
    pub fn load(store: &Store) -> Result<EducationData> {
        let residents = store
            .conn()
            .prepare_cached(
                "SELECT r.id, r.household_id FROM resident r \
                 WHERE r.deleted = 0 ORDER BY r.rowid",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(EducationData {
            sessions: store.list::<EducationSession>()?,
            attendance: store.list::<EducationAttendance>()?,
            residents,
        })
    }
}

/// Per live resident taught by a session held on or before `today` (at any time, not only within
/// the cycle): the date of the latest such session. Residents never taught are absent.
pub fn last_taught(data: &EducationData, today: NaiveDate) -> HashMap<String, NaiveDate> {
    let held: HashMap<&str, NaiveDate> = data
        .sessions
        .iter()
        .filter(|s| s.date <= today)
        .map(|s| (s.id.as_str(), s.date))
        .collect();
    let mut by_resident: HashMap<&str, NaiveDate> = HashMap::new();
    let mut by_household: HashMap<&str, NaiveDate> = HashMap::new();
    for a in &data.attendance {
        let Some(&date) = held.get(a.session_id.as_str()) else {
            continue;
        };
        let (map, key) = match (a.resident_id.as_deref(), a.household_id.as_deref()) {
            (Some(r), _) if !r.is_empty() => (&mut by_resident, r),
            (_, Some(h)) if !h.is_empty() => (&mut by_household, h),
            _ => continue,
        };
        let slot = map.entry(key).or_insert(date);
        *slot = (*slot).max(date);
    }
    let mut out = HashMap::new();
    for (resident, household) in &data.residents {
        let latest = [
            by_resident.get(resident.as_str()),
            by_household.get(household.as_str()),
        ]
        .into_iter()
        .flatten()
        .max();
        if let Some(&date) = latest {
            out.insert(resident.clone(), date);
        }
    }
    out
}

/// How many of the village's people have been taught the plan within the cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EducationShare {
    /// Live residents.
    pub residents: i64,
    /// Of them, taught within the cycle.
    pub taught: i64,
    /// The earliest session date that counts ([`cycle_start`]).
    pub since: NaiveDate,
    /// The share in ‰ (tenths of a per cent), see [`per_mille`]: 1000 only when everybody is.
    pub per_mille: i64,
    /// As printed and shown: "1,234 / 5,970 人（20.7%）".
    pub text: String,
}

/// The share of live residents taught within [`CYCLE_YEARS`] years of `today`.
pub fn share(data: &EducationData, today: NaiveDate) -> EducationShare {
    let since = cycle_start(today);
    let taught = last_taught(data, today)
        .values()
        .filter(|d| **d >= since)
        .count() as i64;
    share_of(taught, data.residents.len() as i64, since)
}

fn share_of(taught: i64, residents: i64, since: NaiveDate) -> EducationShare {
    EducationShare {
        residents,
        taught,
        since,
        per_mille: per_mille(taught, residents),
        text: format!(
            "{} / {} 人（{}）",
            thousands(taught),
            thousands(residents),
            percent_text(taught, residents)
        ),
    }
}

/// `part / whole` in tenths of a per cent, rounded half up, except that only everybody makes
/// 1000 and only nobody makes 0 (5,969 of 5,970 is 999, 1 of 50,000 is 1).
pub fn per_mille(part: i64, whole: i64) -> i64 {
    if whole <= 0 || part <= 0 {
        return 0;
    }
    if part >= whole {
        return 1000;
    }
    ((part * 2000 + whole) / (2 * whole)).clamp(1, 999)
}

/// "20.7%" (see [`per_mille`]); "不足 0.1%" for a few people out of very many; "0%" for nobody,
/// "100%" for everybody.
pub fn percent_text(part: i64, whole: i64) -> String {
    match per_mille(part, whole) {
        0 => "0%".to_string(),
        1000 => "100%".to_string(),
        _ if part * 2000 < whole => "不足 0.1%".to_string(),
        t => format!("{}.{}%", t / 10, t % 10),
    }
}

/// 1234567 → "1,234,567".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The screen
// ---------------------------------------------------------------------------------------------

/// One signature of a session as the screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Attendee {
    pub attendance: EducationAttendance,
    /// "王秀英", or "张建国户" for a whole household.
    pub name: String,
    /// "户主 张建国 · 第1网格 · 青石村1组1号", or "全户 4 人 · 第1网格 · 青石村1组1号";
    /// "（已从花名册删除）" for a person or household no longer on the roster.
    pub detail: String,
    pub whole_household: bool,
    /// Live residents it stands for (a whole household: its live members; deleted: 0).
    pub people: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionRow {
    pub session: EducationSession,
    /// In the order they were signed in.
    pub attendees: Vec<Attendee>,
    /// Live residents the session reached (each once).
    pub people: i64,
    /// Held (dated on or before today); a later date is planned.
    pub held: bool,
    /// Held within the cycle: it counts towards the share.
    pub counts: bool,
}

/// One grid's share, for planning who is left.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GridEducation {
    /// `None` for households in no (live) grid.
    pub grid_id: Option<String>,
    /// "第1网格", or "未分网格".
    pub name: String,
    pub residents: i64,
    pub taught: i64,
}

/// The 宣传教育 screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EducationLog {
    /// Newest first.
    pub sessions: Vec<SessionRow>,
    /// Taught within the cycle, of all live residents.
    pub share: EducationShare,
    pub year: i32,
    /// Sessions held this calendar year (up to today).
    pub sessions_this_year: i64,
    /// Live residents taught this calendar year.
    pub taught_this_year: i64,
    pub last_session: Option<NaiveDate>,
    /// Per grid, in the roster's order; "未分网格" last when there are such households.
    pub grids: Vec<GridEducation>,
}

/// What the roster says about a household, for naming sign-ins.
struct HouseholdLine {
    head_name: String,
    address: String,
    grid_id: Option<String>,
    grid_name: String,
}

/// The roster's households and residents, for naming sign-ins and counting per grid.
struct RosterFacts {
    households: HashMap<String, HouseholdLine>,
    /// Household ids in the roster's order (grid, then head's name).
    order: Vec<String>,
    residents: HashMap<String, Resident>,
    members: HashMap<String, Vec<String>>,
    grids: Vec<(String, String)>,
}

impl RosterFacts {
    fn load(store: &Store) -> Result<RosterFacts> {
        let view = roster::roster(store)?;
        let mut households = HashMap::new();
        let mut order = Vec::new();
        for h in view.households {
            order.push(h.id.clone());
            households.insert(
                h.id,
                HouseholdLine {
                    head_name: h.head_name,
                    address: h.address,
                    grid_id: h.grid_id,
                    grid_name: h.grid_name,
                },
            );
        }
        let mut members: HashMap<String, Vec<String>> = HashMap::new();
        let mut residents = HashMap::new();
        for r in store.list::<Resident>()? {
            if households.contains_key(&r.household_id) {
                members
                    .entry(r.household_id.clone())
                    .or_default()
                    .push(r.id.clone());
                residents.insert(r.id.clone(), r);
            }
        }
        Ok(RosterFacts {
            households,
            order,
            residents,
            members,
            grids: view
                .grids
                .into_iter()
                .map(|g| (g.grid.id, g.grid.name))
                .collect(),
        })
    }

    fn place(&self, h: &HouseholdLine) -> String {
        let grid = if h.grid_name.is_empty() {
            "未分网格"
        } else {
            h.grid_name.as_str()
        };
        [grid, h.address.trim()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// (name, detail, whole household, live people it stands for)
    fn describe(&self, a: &EducationAttendance) -> (String, String, bool, i64) {
        const GONE: &str = "（已从花名册删除）";
        if let Some(id) = a.resident_id.as_deref().filter(|s| !s.is_empty()) {
            return match self.residents.get(id) {
                Some(r) => {
                    let detail = self
                        .households
                        .get(&r.household_id)
                        .map(|h| format!("户主 {} · {}", h.head_name, self.place(h)))
                        .unwrap_or_default();
                    (r.name.clone(), detail, false, 1)
                }
                None => ("（已删除的村民）".into(), GONE.into(), false, 0),
            };
        }
        let id = a.household_id.as_deref().unwrap_or_default();
        match self.households.get(id) {
            Some(h) => {
                let n = self.members.get(id).map_or(0, Vec::len) as i64;
                (
                    format!("{}户", h.head_name),
                    format!("全户 {n} 人 · {}", self.place(h)),
                    true,
                    n,
                )
            }
            None => ("（已删除的住户）".into(), GONE.into(), true, 0),
        }
    }

    /// The live residents a sign-in stands for.
    fn people_of<'a>(&'a self, a: &'a EducationAttendance) -> Vec<&'a str> {
        if let Some(id) = a.resident_id.as_deref().filter(|s| !s.is_empty()) {
            return if self.residents.contains_key(id) {
                vec![id]
            } else {
                vec![]
            };
        }
        a.household_id
            .as_deref()
            .and_then(|h| self.members.get(h))
            .map(|m| m.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }
}

/// The 宣传教育 screen on `today`: sessions newest first with who signed in, the share taught
/// within the cycle, this year's figures and each grid's share.
pub fn education_log(store: &Store, today: NaiveDate) -> Result<EducationLog> {
    let data = EducationData::load(store)?;
    let facts = RosterFacts::load(store)?;
    let since = cycle_start(today);
    let last = last_taught(&data, today);

    let mut by_session: HashMap<&str, Vec<&EducationAttendance>> = HashMap::new();
    for a in &data.attendance {
        by_session.entry(a.session_id.as_str()).or_default().push(a);
    }
    let mut sessions: Vec<SessionRow> = data
        .sessions
        .iter()
        .map(|s| {
            let signed = by_session.remove(s.id.as_str()).unwrap_or_default();
            let mut reached: HashSet<&str> = HashSet::new();
            for a in &signed {
                reached.extend(facts.people_of(a));
            }
            let attendees = signed
                .iter()
                .map(|a| {
                    let (name, detail, whole_household, people) = facts.describe(a);
                    Attendee {
                        attendance: (*a).clone(),
                        name,
                        detail,
                        whole_household,
                        people,
                    }
                })
                .collect();
            let held = s.date <= today;
            SessionRow {
                people: reached.len() as i64,
                attendees,
                held,
                counts: held && s.date >= since,
                session: s.clone(),
            }
        })
        .collect();
    sessions.sort_by(|a, b| {
        b.session
            .date
            .cmp(&a.session.date)
            .then_with(|| b.session.id.cmp(&a.session.id))
    });

    let year = today.year();
    let held_this_year = |d: NaiveDate| d.year() == year && d <= today;
    let sessions_this_year = data
        .sessions
        .iter()
        .filter(|s| held_this_year(s.date))
        .count() as i64;
    // Taught this year: the latest session of a resident is this year's exactly when some
    // session of this year taught them.
    let taught_this_year = last.values().filter(|d| held_this_year(**d)).count() as i64;
    let last_session = data
        .sessions
        .iter()
        .map(|s| s.date)
        .filter(|d| *d <= today)
        .max();

    // Per grid: the roster's grids in order, then the households in none.
    let mut per_grid: BTreeMap<usize, (i64, i64)> = BTreeMap::new();
    let position: HashMap<&str, usize> = facts
        .grids
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.as_str(), i))
        .collect();
    let ungrouped = facts.grids.len();
    for h in &facts.order {
        let line = &facts.households[h];
        let slot = line
            .grid_id
            .as_deref()
            .and_then(|g| position.get(g).copied())
            .unwrap_or(ungrouped);
        let entry = per_grid.entry(slot).or_default();
        for r in facts.members.get(h).into_iter().flatten() {
            entry.0 += 1;
            entry.1 += i64::from(last.get(r).is_some_and(|d| *d >= since));
        }
    }
    let mut grids: Vec<GridEducation> = facts
        .grids
        .iter()
        .enumerate()
        .map(|(i, (id, name))| {
            let (residents, taught) = per_grid.get(&i).copied().unwrap_or_default();
            GridEducation {
                grid_id: Some(id.clone()),
                name: name.clone(),
                residents,
                taught,
            }
        })
        .collect();
    if let Some(&(residents, taught)) = per_grid.get(&ungrouped) {
        grids.push(GridEducation {
            grid_id: None,
            name: "未分网格".into(),
            residents,
            taught,
        });
    }

    Ok(EducationLog {
        sessions,
        share: share(&data, today),
        year,
        sessions_this_year,
        taught_this_year,
        last_session,
        grids,
    })
}

/// Saves a session and exactly these sign-ins, in one transaction.
///
/// A sign-in is kept as it is when the sheet already has one for the same person (or the same
/// whole household); new ones are added, and those no longer listed are tombstoned. Listing the
/// same person or household twice keeps one. Newly listed people and households must be live;
/// a sign-in already on the sheet stays even if its person has since been deleted.
pub fn save_session(
    store: &mut Store,
    session: &EducationSession,
    attendees: &[EducationAttendance],
) -> Result<EducationSession> {
    /// Who a sign-in is for: (resident, whole household).
    type Key = (Option<String>, Option<String>);
    fn key(a: &EducationAttendance) -> Key {
        let clean = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let resident = clean(&a.resident_id);
        // A person's sign-in names the person only; their household is the roster's business.
        let household = if resident.is_some() {
            None
        } else {
            clean(&a.household_id)
        };
        (resident, household)
    }
    let mut wanted: Vec<(Key, &EducationAttendance)> = Vec::new();
    for a in attendees {
        let k = key(a);
        if !wanted.iter().any(|(w, _)| *w == k) {
            wanted.push((k, a));
        }
    }
    store.write(|w| {
        let saved = w.save(session)?;
        let existing: Vec<EducationAttendance> = {
            let mut stmt = w.conn().prepare_cached(
                "SELECT id, resident_id, household_id, note FROM education_attendance \
                 WHERE session_id = ?1 AND deleted = 0 ORDER BY rowid",
            )?;
            let rows = stmt.query_map([&saved.id], |r| {
                Ok(EducationAttendance {
                    id: r.get(0)?,
                    session_id: saved.id.clone(),
                    resident_id: r.get(1)?,
                    household_id: r.get(2)?,
                    note: r.get(3)?,
                })
            })?;
            rows.collect::<std::result::Result<_, _>>()?
        };
        let mut kept: Vec<Key> = Vec::new();
        for old in &existing {
            let k = key(old);
            match wanted.iter().find(|(w, _)| *w == k) {
                Some((k, given)) if !kept.contains(k) => {
                    kept.push(k.clone());
                    if given.note.trim() != old.note.trim() {
                        w.save(&EducationAttendance {
                            note: given.note.trim().to_string(),
                            ..old.clone()
                        })?;
                    }
                }
                _ => w.delete::<EducationAttendance>(&old.id)?,
            }
        }
        for ((resident, household), given) in wanted.iter().filter(|(k, _)| !kept.contains(k)) {
            let (table, id, field, message) = match (resident, household) {
                (Some(r), _) => (
                    Resident::TABLE,
                    r,
                    "签到人",
                    "所选村民不在花名册上（可能已被删除），请刷新后重新选择。",
                ),
                (None, Some(h)) => (
                    Household::TABLE,
                    h,
                    "签到人",
                    "所选住户不在花名册上（可能已被删除），请刷新后重新选择。",
                ),
                (None, None) => {
                    return Err(ValidationError::new(
                        "required",
                        "签到人",
                        "请从花名册中选择签到的村民或住户。",
                    )
                    .into())
                }
            };
            let live: Option<bool> = w
                .conn()
                .prepare_cached(&format!("SELECT deleted = 0 FROM {table} WHERE id = ?1"))?
                .query_row([id], |r| r.get(0))
                .optional()?;
            if live != Some(true) {
                return Err(ValidationError::new("attendee_missing", field, message).into());
            }
            w.save(&EducationAttendance {
                id: String::new(),
                session_id: saved.id.clone(),
                resident_id: resident.clone(),
                household_id: household.clone(),
                note: given.note.trim().to_string(),
            })?;
        }
        Ok(saved)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_to_a_tenth_but_only_everybody_is_100() {
        for (part, whole, tenths, text) in [
            (0, 0, 0, "0%"),
            (0, 10, 0, "0%"),
            (1, 50_000, 1, "不足 0.1%"),
            (3, 5970, 1, "0.1%"), // 0.0503 % → 0.1 %
            (1234, 5970, 207, "20.7%"),
            (1, 3, 333, "33.3%"),
            (2, 3, 667, "66.7%"),
            (1, 2, 500, "50.0%"),
            (5969, 5970, 999, "99.9%"),
            (5970, 5970, 1000, "100%"),
        ] {
            assert_eq!(per_mille(part, whole), tenths, "{part}/{whole}");
            assert_eq!(percent_text(part, whole), text, "{part}/{whole}");
        }
    }

    #[test]
    fn thousands_are_grouped() {
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (5970, "5,970"),
            (1234567, "1,234,567"),
            (-1234, "-1,234"),
        ] {
            assert_eq!(thousands(n), text);
        }
    }
}
