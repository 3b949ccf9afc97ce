//! The grid rosters as the officer reads them: grids with their members, households with their
//! residents and vulnerable people, teams; and finding a person by name, pinyin initials or phone.

use std::collections::HashMap;

use chrono::NaiveDate;
use pinyin::ToPinyinMulti;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::error::Result;
use crate::records::{
    Grid, GridMember, HazardSite, Household, HouseholdHazard, Record, Resident, Team, TeamMember,
    VulnerableKind, VulnerablePerson,
};
use crate::store::Store;
use crate::validate::ValidationError;

/// The whole roster screen in one read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RosterView {
    pub grids: Vec<GridSummary>,
    /// Every live household, by grid then head's name.
    pub households: Vec<HouseholdRow>,
    pub totals: RosterTotals,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RosterTotals {
    pub households: i64,
    pub residents: i64,
    pub vulnerable: i64,
    /// Vulnerable people whose helper has no name or phone.
    pub vulnerable_without_helper: i64,
    pub households_in_danger: i64,
    /// Households not in any grid.
    pub households_without_grid: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GridSummary {
    pub grid: Grid,
    pub members: Vec<GridMember>,
    pub households: i64,
    pub residents: i64,
    pub vulnerable: i64,
}

/// One line of the household list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseholdRow {
    pub id: String,
    pub head_name: String,
    pub address: String,
    pub phone: String,
    pub grid_id: Option<String>,
    /// Empty when the household is in no grid.
    pub grid_name: String,
    pub house_type: String,
    pub in_danger_zone: bool,
    pub residents: i64,
    pub vulnerable: i64,
    /// Names of the hazard sites that threaten the household.
    pub hazard_sites: Vec<String>,
}

/// A household with everything under it, for the household form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseholdDetail {
    pub household: Household,
    pub residents: Vec<ResidentEntry>,
    /// The hazard sites that threaten this household (`household_hazard`).
    pub hazard_site_ids: Vec<String>,
}

/// A resident and, if they are vulnerable, their 重点人群 record (kind and helper).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResidentEntry {
    pub resident: Resident,
    pub vulnerable: Option<VulnerablePerson>,
    /// The ID number as lists and printouts show it: the one masking rule
    /// (`validate::mask_resident_id`), so that the screens and the paper agree.
    pub id_masked: String,
}

impl ResidentEntry {
    pub fn new(resident: Resident, vulnerable: Option<VulnerablePerson>) -> ResidentEntry {
        ResidentEntry {
            id_masked: crate::validate::mask_resident_id(resident.id_number.trim()),
            resident,
            vulnerable,
        }
    }
}

/// One line of the vulnerable-people ledger (重点人员台账): who, which household, the record with
/// the helper. Carries no ID number and no phone of the person: the ledger does not show them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VulnerableRow {
    pub vulnerable: VulnerablePerson,
    pub resident_id: String,
    pub household_id: String,
    pub name: String,
    pub gender: String,
    pub birth_date: Option<NaiveDate>,
}

/// The ledger of vulnerable people: every live record whose resident is live, in the order the
/// records were made.
pub fn vulnerable_ledger(store: &Store) -> Result<Vec<VulnerableRow>> {
    let residents: HashMap<String, Resident> = store
        .list::<Resident>()?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    Ok(store
        .list::<VulnerablePerson>()?
        .into_iter()
        .filter_map(|v| {
            let r = residents.get(&v.resident_id)?;
            Some(VulnerableRow {
                resident_id: r.id.clone(),
                household_id: r.household_id.clone(),
                name: r.name.clone(),
                gender: r.gender.clone(),
                birth_date: r.birth_date,
                vulnerable: v,
            })
        })
        .collect())
}

/// Where a person found by search is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum PersonSource {
    Resident,
    GridMember,
    TeamMember,
    Contact,
}

/// How the query matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    Name,
    /// Pinyin: initials (`zs`), or whole syllables (`zhangsan`, `zhangs`).
    Initials,
    Phone,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonHit {
    pub source: PersonSource,
    /// The id of the row in its table (resident, grid_member, team_member, contact).
    pub id: String,
    pub name: String,
    pub phone: String,
    /// For residents: their household, to open it.
    pub household_id: Option<String>,
    /// One line saying who this is, e.g. "户主 张三 · 第一网格 · 溪口路 12 号".
    pub detail: String,
    pub vulnerable: Option<VulnerableKind>,
    pub matched: MatchKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TeamView {
    pub team: Team,
    pub members: Vec<TeamMember>,
}

// ---------------------------------------------------------------------------------------------
// Pinyin: initials for search, and a sensible Chinese order for lists.
// ---------------------------------------------------------------------------------------------

/// Full-width ASCII (as typed with a Chinese input method) to ASCII; the ideographic space to a
/// space.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Characters that are not part of a name for search: spaces, the middle dot of minority
/// names (阿依古丽·买买提), other punctuation.
fn is_ignored(c: char) -> bool {
    !c.is_alphanumeric()
}

fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// The bit of an ASCII letter or digit in a [`Letters`] mask.
fn letter_bit(c: char) -> u64 {
    match c {
        'a'..='z' => 1 << (c as u32 - 'a' as u32),
        'A'..='Z' => 1 << (c as u32 - 'A' as u32),
        '0'..='9' => 1 << (26 + c as u32 - '0' as u32),
        _ => 0,
    }
}

/// One character of a name as search sees it: the set of letters it may be typed as (every
/// reading's first letter for a 多音字: 单 → d, c, s), the letter of its usual reading, and the
/// character itself (normalised: half-width, lower-case).
#[derive(Debug, Clone, Copy)]
struct Letters {
    mask: u64,
    usual: char,
    ch: char,
}

fn letters(c: char) -> Option<Letters> {
    let c = half_width(c);
    if is_ignored(c) {
        return None;
    }
    if c.is_ascii_alphanumeric() {
        let ch = c.to_ascii_lowercase();
        return Some(Letters {
            mask: letter_bit(ch),
            usual: ch,
            ch,
        });
    }
    let ch = lower(c);
    let Some(readings) = c.to_pinyin_multi() else {
        return Some(Letters {
            mask: 0,
            usual: ch,
            ch,
        });
    };
    let mut mask = 0;
    let mut usual = None;
    for reading in readings {
        if let Some(first) = reading.first_letter().chars().next() {
            let first = first.to_ascii_lowercase();
            mask |= letter_bit(first);
            if usual.is_none() && first.is_ascii_lowercase() {
                usual = Some(first);
            }
        }
    }
    Some(Letters {
        mask,
        usual: usual.unwrap_or(ch),
        ch,
    })
}

/// "张三" -> "zs": the first letter of each character's pinyin; other characters kept lower-cased.
///
/// A 多音字 gives the letter of its usual reading (单 → "d"); search also accepts the other
/// readings (see [`PeopleIndex`]). Full-width letters and digits count as their ASCII selves;
/// spaces and punctuation, including the middle dot of minority names, are left out.
pub fn pinyin_initials(name: &str) -> String {
    name.chars().filter_map(letters).map(|l| l.usual).collect()
}

/// A key that sorts names in pinyin order (张三 "zhang san" before 周一 "zhou yi"); ties between
/// characters with the same reading fall back to the text itself.
fn pinyin_sort_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        let c = half_width(c);
        if is_ignored(c) {
            continue;
        }
        if !key.is_empty() {
            key.push(' ');
        }
        match c.to_pinyin_multi() {
            Some(readings) => {
                if let Some(reading) = readings.into_iter().next() {
                    key.push_str(reading.plain());
                }
            }
            None => key.extend(c.to_lowercase()),
        }
    }
    key
}

/// A part of a name for natural ordering: numbers (digits or Chinese numerals) by value, the rest
/// by pinyin, so that 第2网格 sorts before 第10网格 and 第二网格 before 第十网格.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum NamePart {
    Number(u64),
    Text(String),
}

fn chinese_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn chinese_unit(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

/// 二十三 → 23, 十 → 10, 一百零五 → 105.
fn chinese_number(s: &str) -> u64 {
    let (mut total, mut digit) = (0u64, 0u64);
    for c in s.chars() {
        if let Some(d) = chinese_digit(c) {
            digit = d;
        } else if let Some(unit) = chinese_unit(c) {
            total = total.saturating_add(digit.max(1).saturating_mul(unit));
            digit = 0;
        }
    }
    total.saturating_add(digit)
}

fn natural_key(name: &str) -> Vec<NamePart> {
    #[derive(PartialEq, Clone, Copy)]
    enum Run {
        Digits,
        Chinese,
        Text,
    }
    let kind = |c: char| {
        let c = half_width(c);
        if c.is_ascii_digit() {
            Run::Digits
        } else if chinese_digit(c).is_some() || chinese_unit(c).is_some() {
            Run::Chinese
        } else {
            Run::Text
        }
    };
    let mut parts = Vec::new();
    let mut run = String::new();
    let mut run_kind = Run::Text;
    let mut flush = |run: &mut String, kind: Run| {
        if run.is_empty() {
            return;
        }
        parts.push(match kind {
            Run::Digits => NamePart::Number(
                run.chars()
                    .map(half_width)
                    .collect::<String>()
                    .parse()
                    .unwrap_or(u64::MAX),
            ),
            Run::Chinese => NamePart::Number(chinese_number(run)),
            Run::Text => NamePart::Text(pinyin_sort_key(run)),
        });
        run.clear();
    };
    for c in name.chars() {
        let k = kind(c);
        if k != run_kind {
            flush(&mut run, run_kind);
            run_kind = k;
        }
        run.push(c);
    }
    flush(&mut run, run_kind);
    parts
}

// ---------------------------------------------------------------------------------------------
// Small SQL helpers
// ---------------------------------------------------------------------------------------------

fn vulnerable_kind(code: &str) -> VulnerableKind {
    serde_json::from_value(serde_json::Value::String(code.to_string()))
        .unwrap_or(VulnerableKind::Other)
}

/// The names of the live grids, by id.
fn live_grid_names(conn: &Connection) -> Result<HashMap<String, String>> {
    let mut stmt = conn.prepare_cached("SELECT id, name FROM grid WHERE deleted = 0")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Whether a row is live: `None` when it does not exist at all.
fn is_live(conn: &Connection, table: &'static str, id: &str) -> Result<Option<bool>> {
    Ok(conn
        .prepare_cached(&format!("SELECT deleted = 0 FROM {table} WHERE id = ?1"))?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

// ---------------------------------------------------------------------------------------------
// The roster screen
// ---------------------------------------------------------------------------------------------

/// The roster screen in a handful of set-based queries.
///
/// Grids are listed in natural name order (第2网格 before 第10网格, 第二 before 第十; equal
/// names in the order they were entered). Households are listed by their grid in that order, then
/// by the head's name in pinyin order (equal names in the order they were entered); households in
/// no grid, or whose grid has been deleted, come last with `grid_id: None` and an empty
/// `grid_name` (the screen shows 未分网格).
pub fn roster(store: &Store) -> Result<RosterView> {
    let conn = store.conn();

    let mut grids: Vec<(Vec<NamePart>, Grid)> = store
        .list::<Grid>()?
        .into_iter()
        .map(|g| (natural_key(&g.name), g))
        .collect();
    grids.sort_by(|a, b| a.0.cmp(&b.0));
    let grid_position: HashMap<&str, usize> = grids
        .iter()
        .enumerate()
        .map(|(i, (_, g))| (g.id.as_str(), i))
        .collect();

    let mut members: Vec<Vec<GridMember>> = vec![Vec::new(); grids.len()];
    for m in store.list::<GridMember>()? {
        if let Some(&i) = grid_position.get(m.grid_id.as_str()) {
            members[i].push(m);
        }
    }

    let mut hazard_sites: HashMap<String, Vec<String>> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT hh.household_id, s.name FROM household_hazard hh \
             JOIN hazard_site s ON s.id = hh.hazard_site_id AND s.deleted = 0 \
             WHERE hh.deleted = 0 ORDER BY hh.rowid",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let names = hazard_sites.entry(row.get(0)?).or_default();
            let name: String = row.get(1)?;
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }

    // (grid position, head-name key, entry order) for sorting.
    let mut households: Vec<((usize, String, usize), HouseholdRow)> = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT h.id, h.head_name, h.address, h.phone, h.grid_id, h.house_type, h.in_danger_zone, \
                    COALESCE(rc.n, 0), COALESCE(vc.n, 0) \
             FROM household h \
             LEFT JOIN (SELECT household_id, count(*) AS n FROM resident \
                        WHERE deleted = 0 GROUP BY household_id) rc ON rc.household_id = h.id \
             LEFT JOIN (SELECT r.household_id, count(DISTINCT v.resident_id) AS n \
                        FROM vulnerable_person v \
                        JOIN resident r ON r.id = v.resident_id AND r.deleted = 0 \
                        WHERE v.deleted = 0 GROUP BY r.household_id) vc ON vc.household_id = h.id \
             WHERE h.deleted = 0 ORDER BY h.rowid",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let head_name: String = row.get(1)?;
            let grid_id: Option<String> = row.get(4)?;
            let position = grid_id
                .as_deref()
                .and_then(|g| grid_position.get(g).copied());
            let (grid_id, grid_name) = match position {
                Some(i) => (Some(grids[i].1.id.clone()), grids[i].1.name.clone()),
                None => (None, String::new()),
            };
            let key = (
                position.unwrap_or(usize::MAX),
                pinyin_sort_key(&head_name),
                households.len(),
            );
            households.push((
                key,
                HouseholdRow {
                    hazard_sites: hazard_sites.remove(&id).unwrap_or_default(),
                    id,
                    head_name,
                    address: row.get(2)?,
                    phone: row.get(3)?,
                    grid_id,
                    grid_name,
                    house_type: row.get(5)?,
                    in_danger_zone: row.get(6)?,
                    residents: row.get(7)?,
                    vulnerable: row.get(8)?,
                },
            ));
        }
    }
    households.sort_by(|a, b| {
        (a.0 .0, &a.0 .1, &a.1.head_name, a.0 .2).cmp(&(b.0 .0, &b.0 .1, &b.1.head_name, b.0 .2))
    });

    let mut summaries: Vec<GridSummary> = grids
        .into_iter()
        .zip(members)
        .map(|((_, grid), members)| GridSummary {
            grid,
            members,
            households: 0,
            residents: 0,
            vulnerable: 0,
        })
        .collect();
    let mut totals = RosterTotals::default();
    for (key, h) in &households {
        if let Some(g) = summaries.get_mut(key.0) {
            g.households += 1;
            g.residents += h.residents;
            g.vulnerable += h.vulnerable;
        } else {
            totals.households_without_grid += 1;
        }
        totals.households += 1;
        totals.residents += h.residents;
        totals.vulnerable += h.vulnerable;
        totals.households_in_danger += i64::from(h.in_danger_zone);
    }
    totals.vulnerable_without_helper = conn.query_row(
        "SELECT count(DISTINCT v.resident_id) FROM vulnerable_person v \
         JOIN resident r ON r.id = v.resident_id AND r.deleted = 0 \
         JOIN household h ON h.id = r.household_id AND h.deleted = 0 \
         WHERE v.deleted = 0 AND (trim(v.helper_name) = '' OR trim(v.helper_phone) = '')",
        [],
        |r| r.get(0),
    )?;

    Ok(RosterView {
        grids: summaries,
        households: households.into_iter().map(|(_, h)| h).collect(),
        totals,
    })
}

/// A household with its live residents (in the order they were entered, each with their
/// vulnerable record if any) and the live hazard sites linked to it. `None` if there is no live
/// household with this id.
pub fn household_detail(store: &Store, id: &str) -> Result<Option<HouseholdDetail>> {
    let Some(household) = store.get::<Household>(id)? else {
        return Ok(None);
    };
    let residents = store.query::<Resident>("household_id = ?1 AND deleted = 0", &[&id])?;
    let mut vulnerable: HashMap<String, VulnerablePerson> = HashMap::new();
    for v in store.query::<VulnerablePerson>(
        "deleted = 0 AND resident_id IN \
         (SELECT id FROM resident WHERE household_id = ?1 AND deleted = 0)",
        &[&id],
    )? {
        vulnerable.entry(v.resident_id.clone()).or_insert(v);
    }
    let hazard_site_ids = store
        .conn()
        .prepare_cached(
            "SELECT DISTINCT hh.hazard_site_id FROM household_hazard hh \
             JOIN hazard_site s ON s.id = hh.hazard_site_id AND s.deleted = 0 \
             WHERE hh.household_id = ?1 AND hh.deleted = 0 ORDER BY hh.rowid",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<std::result::Result<Vec<String>, _>>()?;
    Ok(Some(HouseholdDetail {
        household,
        residents: residents
            .into_iter()
            .map(|resident| {
                let v = vulnerable.remove(&resident.id);
                ResidentEntry::new(resident, v)
            })
            .collect(),
        hazard_site_ids,
    }))
}

/// Saves a household and exactly these hazard-site links, in one transaction.
///
/// Links to sites already linked are kept as they are; missing ones are added; links to sites
/// not in the list are tombstoned. Every listed site must be a live hazard site. A household
/// may keep a deleted grid it already had, but cannot be moved into one.
pub fn save_household(
    store: &mut Store,
    household: &Household,
    hazard_site_ids: &[String],
) -> Result<Household> {
    let mut wanted: Vec<&str> = Vec::new();
    for site in hazard_site_ids.iter().map(|s| s.trim()) {
        if !site.is_empty() && !wanted.contains(&site) {
            wanted.push(site);
        }
    }
    let mut household = household.clone();
    if household
        .grid_id
        .as_deref()
        .is_some_and(|g| g.trim().is_empty())
    {
        household.grid_id = None;
    }
    // The grid rule (a live grid, or the one the household had) is `Writer::save`'s, as for
    // every save.
    store.write(|w| {
        for site in &wanted {
            if is_live(w.conn(), HazardSite::TABLE, site)? != Some(true) {
                return Err(ValidationError::new(
                    "hazard_site_missing",
                    "威胁本户的隐患点",
                    "所选隐患点不存在或已被删除，请刷新后重新选择。",
                )
                .into());
            }
        }
        let saved = w.save(&household)?;
        let existing: Vec<(String, String)> = w
            .conn()
            .prepare_cached(
                "SELECT id, hazard_site_id FROM household_hazard \
                 WHERE household_id = ?1 AND deleted = 0 ORDER BY rowid",
            )?
            .query_map([&saved.id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        let mut kept: Vec<&str> = Vec::new();
        for (link_id, site) in &existing {
            match wanted.iter().find(|w| **w == site.as_str()) {
                Some(&w) if !kept.contains(&w) => kept.push(w),
                _ => w.delete::<HouseholdHazard>(link_id)?,
            }
        }
        for site in wanted.iter().filter(|s| !kept.contains(s)) {
            w.save(&HouseholdHazard {
                household_id: saved.id.clone(),
                hazard_site_id: site.to_string(),
                ..HouseholdHazard::default()
            })?;
        }
        Ok(saved)
    })
}

/// Saves a resident and their vulnerable record in one transaction; `None` removes (tombstones)
/// an existing vulnerable record.
///
/// The vulnerable record is tied to the saved resident (its `resident_id` is set here). A record
/// given without an id replaces the resident's existing one (same id), so a resident has at most
/// one live vulnerable record after a save.
pub fn save_resident(
    store: &mut Store,
    resident: &Resident,
    vulnerable: Option<&VulnerablePerson>,
) -> Result<ResidentEntry> {
    // A live household and an ID number used once are `Writer::save`'s rules, as for every save.
    store.write(|w| {
        let saved = w.save(resident)?;
        let existing: Vec<String> = w
            .conn()
            .prepare_cached(
                "SELECT id FROM vulnerable_person WHERE resident_id = ?1 AND deleted = 0 ORDER BY rowid",
            )?
            .query_map([&saved.id], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        let vulnerable = match vulnerable {
            Some(v) => {
                let mut v = v.clone();
                v.resident_id = saved.id.clone();
                if !v.id.trim().is_empty() {
                    // An id that belongs to someone else's record is not taken over.
                    let owner: Option<String> = w
                        .conn()
                        .prepare_cached("SELECT resident_id FROM vulnerable_person WHERE id = ?1")?
                        .query_row([&v.id], |r| r.get(0))
                        .optional()?;
                    if owner.is_some_and(|o| o != saved.id) {
                        v.id.clear();
                    }
                }
                if v.id.trim().is_empty() {
                    v.id = existing.first().cloned().unwrap_or_default();
                }
                let v = w.save(&v)?;
                for id in existing.iter().filter(|id| **id != v.id) {
                    w.delete::<VulnerablePerson>(id)?;
                }
                Some(v)
            }
            None => {
                for id in &existing {
                    w.delete::<VulnerablePerson>(id)?;
                }
                None
            }
        };
        Ok(ResidentEntry::new(saved, vulnerable))
    })
}

/// The live teams with their live members, both in the order they were entered.
pub fn teams(store: &Store) -> Result<Vec<TeamView>> {
    let mut out: Vec<TeamView> = store
        .list::<Team>()?
        .into_iter()
        .map(|team| TeamView {
            team,
            members: Vec::new(),
        })
        .collect();
    let position: HashMap<String, usize> = out
        .iter()
        .enumerate()
        .map(|(i, t)| (t.team.id.clone(), i))
        .collect();
    for m in store.list::<TeamMember>()? {
        if let Some(&i) = position.get(&m.team_id) {
            out[i].members.push(m);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

/// How well a person matched; lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    ExactName,
    NamePrefix,
    NameContains,
    /// Initials of each character's usual reading (`zs` for 张三).
    InitialsExact,
    InitialsPrefix,
    /// Initials where some character matched only by another reading (单 as s in 单小明, or a
    /// rare reading that makes 张俊杰 answer `zs`): after every usual-reading match.
    OtherInitialsExact,
    OtherInitialsPrefix,
    PinyinExact,
    PinyinPrefix,
    Phone,
}

impl Rank {
    fn kind(self) -> MatchKind {
        match self {
            Rank::ExactName | Rank::NamePrefix | Rank::NameContains => MatchKind::Name,
            Rank::InitialsExact
            | Rank::InitialsPrefix
            | Rank::OtherInitialsExact
            | Rank::OtherInitialsPrefix
            | Rank::PinyinExact
            | Rank::PinyinPrefix => MatchKind::Initials,
            Rank::Phone => MatchKind::Phone,
        }
    }
}

/// One searchable person.
struct Entry {
    hit: PersonHit,
    /// The name as compared: half-width, lower-case, without spaces and punctuation.
    name: String,
    /// Per character of `name`: the letters it may be typed as.
    letters: Vec<Letters>,
    /// Per character of `name`: its pinyin readings, without tones (empty for other characters).
    readings: Vec<Vec<&'static str>>,
    /// Phone numbers, digits only.
    phones: Vec<String>,
    /// Position in the tie-break order: residents first, then grid members, team members,
    /// contacts; within each, by name in pinyin order, then in the order they were entered.
    order: u32,
}

/// What the officer typed, read once per search.
enum Query {
    /// Digits only (spaces and dashes allowed): a phone number or part of one.
    Phone(String),
    /// A name, pinyin initials, or both mixed (张s): compared per character.
    Name {
        text: String,
        letters: Vec<Letters>,
        has_initials: bool,
    },
}

impl Query {
    fn parse(query: &str) -> Option<Query> {
        let query: String = query.trim().chars().map(half_width).collect();
        if query.is_empty() {
            return None;
        }
        if query.chars().any(|c| c.is_ascii_digit())
            && query
                .chars()
                .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
        {
            let digits: String = query.chars().filter(char::is_ascii_digit).collect();
            return Some(Query::Phone(digits));
        }
        let letters: Vec<Letters> = query.chars().filter_map(letters).collect();
        if letters.is_empty() {
            return None;
        }
        Some(Query::Name {
            text: letters.iter().map(|l| l.ch).collect(),
            has_initials: letters.iter().any(|l| l.ch.is_ascii_alphanumeric()),
            letters,
        })
    }
}

/// Everyone searchable, read once; search it as the officer types.
///
/// Holds the live residents (of live households), the grid members of live grids, the members
/// of live teams and the contacts. Build it again after the roster changes.
pub struct PeopleIndex {
    entries: Vec<Entry>,
}

/// The shortest phone query that is searched: fewer digits would match nearly everyone.
pub const MIN_PHONE_DIGITS: usize = 3;

impl PeopleIndex {
    pub fn build(store: &Store) -> Result<PeopleIndex> {
        let conn = store.conn();
        let grids = live_grid_names(conn)?;
        let mut entries: Vec<Entry> = Vec::new();

        // Residents, with their household and vulnerable kind.
        struct Home {
            head: String,
            address: String,
            grid: Option<String>,
        }
        let mut homes: HashMap<String, Home> = HashMap::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT id, head_name, address, grid_id FROM household WHERE deleted = 0",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let grid: Option<String> = row.get(3)?;
                homes.insert(
                    row.get(0)?,
                    Home {
                        head: row.get(1)?,
                        address: row.get(2)?,
                        grid: grid.and_then(|g| grids.get(&g).cloned()),
                    },
                );
            }
        }
        let mut kinds: HashMap<String, VulnerableKind> = HashMap::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT resident_id, kind FROM vulnerable_person WHERE deleted = 0 ORDER BY rowid",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let kind: String = row.get(1)?;
                kinds
                    .entry(row.get(0)?)
                    .or_insert_with(|| vulnerable_kind(&kind));
            }
        }
        {
            let mut stmt = conn.prepare_cached(
                "SELECT id, household_id, name, phone FROM resident WHERE deleted = 0 ORDER BY rowid",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let household_id: String = row.get(1)?;
                let Some(home) = homes.get(&household_id) else {
                    continue;
                };
                let id: String = row.get(0)?;
                let phone: String = row.get(3)?;
                let mut detail = format!("户主 {}", home.head);
                detail.push_str(" · ");
                detail.push_str(home.grid.as_deref().unwrap_or("未分网格"));
                if !home.address.trim().is_empty() {
                    detail.push_str(" · ");
                    detail.push_str(home.address.trim());
                }
                entries.push(Entry::new(
                    PersonHit {
                        source: PersonSource::Resident,
                        vulnerable: kinds.get(&id).copied(),
                        id,
                        name: row.get(2)?,
                        household_id: Some(household_id),
                        detail,
                        phone,
                        matched: MatchKind::Name,
                    },
                    None,
                ));
            }
        }

        // Grid members of live grids.
        {
            let mut stmt = conn.prepare_cached(
                "SELECT id, grid_id, name, phone, role FROM grid_member WHERE deleted = 0 ORDER BY rowid",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let grid_id: String = row.get(1)?;
                let Some(grid) = grids.get(&grid_id) else {
                    continue;
                };
                let role: String = row.get(4)?;
                let role = if role.trim().is_empty() {
                    "网格员"
                } else {
                    role.trim()
                };
                entries.push(Entry::new(
                    PersonHit {
                        source: PersonSource::GridMember,
                        id: row.get(0)?,
                        name: row.get(2)?,
                        household_id: None,
                        detail: format!("{role} · {grid}"),
                        vulnerable: None,
                        phone: row.get(3)?,
                        matched: MatchKind::Name,
                    },
                    None,
                ));
            }
        }

        // Members of live teams.
        {
            let mut stmt = conn.prepare_cached(
                "SELECT m.id, m.name, m.phone, m.role, t.name FROM team_member m \
                 JOIN team t ON t.id = m.team_id AND t.deleted = 0 \
                 WHERE m.deleted = 0 ORDER BY m.rowid",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let role: String = row.get(3)?;
                let team: String = row.get(4)?;
                let detail = join_parts([team.trim(), role.trim()]);
                entries.push(Entry::new(
                    PersonHit {
                        source: PersonSource::TeamMember,
                        id: row.get(0)?,
                        name: row.get(1)?,
                        household_id: None,
                        detail: if detail.is_empty() {
                            "应急队伍".into()
                        } else {
                            detail
                        },
                        vulnerable: None,
                        phone: row.get(2)?,
                        matched: MatchKind::Name,
                    },
                    None,
                ));
            }
        }

        // Contacts: the village's own and the county's.
        {
            let mut stmt = conn.prepare_cached(
                "SELECT id, name, organization, role, level, phone, phone_backup, is_duty_line \
                 FROM contact WHERE deleted = 0 ORDER BY rowid",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let organization: String = row.get(2)?;
                let role: String = row.get(3)?;
                let level: String = row.get(4)?;
                let duty: bool = row.get(7)?;
                let duty = if duty && !role.contains("值班") {
                    "值班电话"
                } else {
                    ""
                };
                let mut detail = join_parts([organization.trim(), role.trim(), duty]);
                if detail.is_empty() {
                    detail = match level.as_str() {
                        "village" => "村级联系人",
                        "township" => "乡镇联系人",
                        "county" => "县级联系人",
                        "emergency" => "应急电话",
                        _ => "通讯录",
                    }
                    .into();
                }
                let hit = PersonHit {
                    source: PersonSource::Contact,
                    id: row.get(0)?,
                    name: row.get(1)?,
                    household_id: None,
                    detail,
                    vulnerable: None,
                    phone: row.get(5)?,
                    matched: MatchKind::Name,
                };
                let backup: String = row.get(6)?;
                entries.push(Entry::new(hit, Some(&backup)));
            }
        }

        // The tie-break order, computed once.
        let mut keys: Vec<(u8, String, usize)> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (source_rank(e.hit.source), pinyin_sort_key(&e.hit.name), i))
            .collect();
        keys.sort_by(|a, b| {
            (a.0, &a.1, &entries[a.2].hit.name, a.2).cmp(&(b.0, &b.1, &entries[b.2].hit.name, b.2))
        });
        for (order, (_, _, i)) in keys.into_iter().enumerate() {
            entries[i].order = u32::try_from(order).unwrap_or(u32::MAX);
        }
        Ok(PeopleIndex { entries })
    }

    /// How many people the index holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Best matches first: exact name, name prefix, name contains, pinyin initials (all of them,
    /// then a prefix), full pinyin (all of it, then a prefix), phone digits; then residents before
    /// grid members, team members and contacts; then by name in pinyin order.
    ///
    /// - Digits only (full-width digits too; spaces and dashes allowed): phone numbers containing
    ///   them, from [`MIN_PHONE_DIGITS`] digits on.
    /// - Letters: the first letters of the name's pinyin, from the start (`zs` finds 张三 and
    ///   张三丰). Every reading of a 多音字 counts (`sxm` and `dxm` both find 单小明). Letters may
    ///   be mixed with characters (`张s`). Latin letters and digits in a name count as themselves.
    ///   Whole syllables work too, alone or mixed with initials (`zhangsan`, `zhangs`, `lvf` for
    ///   吕方); these rank after initials and report [`MatchKind::Initials`].
    /// - Characters: names containing them. Spaces and the middle dot are ignored throughout.
    pub fn search(&self, query: &str, limit: usize) -> Vec<PersonHit> {
        if limit == 0 {
            return Vec::new();
        }
        let Some(query) = Query::parse(query) else {
            return Vec::new();
        };
        let mut found: Vec<(u64, usize)> = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
            if let Some(rank) = entry.rank(&query) {
                found.push((((rank as u64) << 32) | u64::from(entry.order), i));
            }
        }
        if found.len() > limit {
            found.select_nth_unstable(limit - 1);
            found.truncate(limit);
        }
        found.sort_unstable();
        found
            .into_iter()
            .map(|(key, i)| {
                let mut hit = self.entries[i].hit.clone();
                hit.matched = rank_from_key(key).kind();
                hit
            })
            .collect()
    }
}

fn rank_from_key(key: u64) -> Rank {
    match key >> 32 {
        0 => Rank::ExactName,
        1 => Rank::NamePrefix,
        2 => Rank::NameContains,
        3 => Rank::InitialsExact,
        4 => Rank::InitialsPrefix,
        5 => Rank::OtherInitialsExact,
        6 => Rank::OtherInitialsPrefix,
        7 => Rank::PinyinExact,
        8 => Rank::PinyinPrefix,
        _ => Rank::Phone,
    }
}

fn source_rank(source: PersonSource) -> u8 {
    match source {
        PersonSource::Resident => 0,
        PersonSource::GridMember => 1,
        PersonSource::TeamMember => 2,
        PersonSource::Contact => 3,
    }
}

fn join_parts<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The readings of a Chinese character without tones (`单` → dan, chan, shan); empty for
/// other characters.
fn han_readings(c: char) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    if c.is_ascii() {
        return out;
    }
    if let Some(readings) = c.to_pinyin_multi() {
        for reading in readings {
            let plain = reading.plain();
            if !out.contains(&plain) {
                out.push(plain);
            }
        }
    }
    out
}

/// A letter of a reading against a typed letter: ü is typed as v (or u).
fn same_letter(reading: char, typed: char) -> bool {
    reading == typed || (reading == 'ü' && (typed == 'v' || typed == 'u'))
}

fn digits_of(phone: &str) -> String {
    phone
        .chars()
        .map(half_width)
        .filter(char::is_ascii_digit)
        .collect()
}

impl Entry {
    /// `backup_phone`: a second number that also finds this person (a contact's B line).
    fn new(hit: PersonHit, backup_phone: Option<&str>) -> Entry {
        let letters: Vec<Letters> = hit.name.chars().filter_map(letters).collect();
        Entry {
            name: letters.iter().map(|l| l.ch).collect(),
            phones: std::iter::once(hit.phone.as_str())
                .chain(backup_phone)
                .map(digits_of)
                .filter(|p| !p.is_empty())
                .collect(),
            readings: letters.iter().map(|l| han_readings(l.ch)).collect(),
            letters,
            hit,
            order: 0,
        }
    }

    /// Whether `query[q..]` spells the name from character `c` on in pinyin, each character
    /// typed as the start of one of its readings (at least its first letter, at most all of
    /// it: `zhangs`, `zhsan`), other characters as themselves. `Some(true)` when the query
    /// spells the whole name, `Some(false)` when only its start.
    fn spells(&self, query: &[Letters], q: usize, c: usize) -> Option<bool> {
        if q == query.len() {
            return Some(c == self.letters.len());
        }
        let (name_char, readings) = (self.letters.get(c)?, self.readings.get(c)?);
        let typed = query[q].ch;
        if !typed.is_ascii_lowercase() || readings.is_empty() {
            return if name_char.ch == typed {
                self.spells(query, q + 1, c + 1)
            } else {
                None
            };
        }
        let mut found = None;
        for reading in readings {
            let common = reading
                .chars()
                .zip(&query[q..])
                .take_while(|(r, t)| same_letter(*r, t.ch))
                .count();
            for used in (1..=common).rev() {
                match self.spells(query, q + used, c + 1) {
                    Some(true) => return Some(true),
                    Some(false) => found = Some(false),
                    None => {}
                }
            }
        }
        found
    }

    fn rank(&self, query: &Query) -> Option<Rank> {
        match query {
            Query::Phone(digits) => (digits.len() >= MIN_PHONE_DIGITS
                && self.phones.iter().any(|p| p.contains(digits.as_str())))
            .then_some(Rank::Phone),
            Query::Name {
                text,
                letters,
                has_initials,
            } => {
                if self.name == *text {
                    return Some(Rank::ExactName);
                }
                if self.name.starts_with(text.as_str()) {
                    return Some(Rank::NamePrefix);
                }
                if self.name.contains(text.as_str()) {
                    return Some(Rank::NameContains);
                }
                if !*has_initials {
                    return None;
                }
                if letters.len() <= self.letters.len() {
                    let all = letters.iter().zip(&self.letters).all(|(q, n)| {
                        if q.ch.is_ascii_alphanumeric() {
                            n.mask & q.mask != 0
                        } else {
                            n.ch == q.ch
                        }
                    });
                    if all {
                        let usual = letters
                            .iter()
                            .zip(&self.letters)
                            .all(|(q, n)| !q.ch.is_ascii_lowercase() || n.usual == q.ch);
                        let exact = letters.len() == self.letters.len();
                        return Some(match (usual, exact) {
                            (true, true) => Rank::InitialsExact,
                            (true, false) => Rank::InitialsPrefix,
                            (false, true) => Rank::OtherInitialsExact,
                            (false, false) => Rank::OtherInitialsPrefix,
                        });
                    }
                }
                self.spells(letters, 0, 0).map(|exact| {
                    if exact {
                        Rank::PinyinExact
                    } else {
                        Rank::PinyinPrefix
                    }
                })
            }
        }
    }
}
