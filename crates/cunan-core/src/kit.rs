//! The 5+X kit: the standard catalogue (data in `assets/catalog/kit-5x.json`) and the
//! checklist that says what is missing, short, broken or overdue for inspection.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::records::{KitCondition, KitInspection, KitItem, Village};
use crate::store::Store;

const CATALOG_JSON: &str = include_str!("../../../assets/catalog/kit-5x.json");

/// The standard the county sets: which items every village must have.
#[derive(Debug, Clone, Deserialize)]
pub struct KitCatalog {
    pub standard: String,
    pub version: i64,
    pub items: Vec<CatalogItem>,
    pub x_suggestions: Vec<String>,
    pub four_small_items: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CatalogItem {
    pub code: String,
    pub name: String,
    pub quantity: i64,
    pub unit: String,
    /// `always`, or `comms-not-guaranteed` (only villages whose communications cannot be
    /// guaranteed after a disaster need it).
    pub required_when: String,
    pub inspect_every_days: i64,
    pub note: String,
}

impl CatalogItem {
    /// How many of this item the village must have.
    pub fn required_for(&self, village: &Village) -> i64 {
        match self.required_when.as_str() {
            "comms-not-guaranteed" if village.comms_guaranteed => 0,
            _ => self.quantity,
        }
    }
}

impl KitCatalog {
    /// The catalogue bundled with the app.
    pub fn bundled() -> Result<KitCatalog> {
        serde_json::from_str(CATALOG_JSON)
            .map_err(|e| CoreError::Format(format!("kit-5x.json: {e}")))
    }

    pub fn item(&self, code: &str) -> Option<&CatalogItem> {
        self.items.iter().find(|i| i.code == code)
    }

    /// Where an item sorts on lists: standard items in catalogue order, the X items after them.
    pub fn rank(&self, item: &KitItem) -> usize {
        item.catalog_code
            .as_deref()
            .and_then(|c| self.items.iter().position(|i| i.code == c))
            .unwrap_or(usize::MAX)
    }
}

/// What is wrong with a line of the checklist, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum KitProblem {
    /// Required, but none at all.
    Missing,
    /// Fewer than required.
    Short,
    Broken,
    NeedsRepair,
    /// Never inspected, or the next inspection is past due.
    InspectionOverdue,
}

impl KitProblem {
    pub fn label(self) -> &'static str {
        match self {
            KitProblem::Missing => "缺少",
            KitProblem::Short => "数量不足",
            KitProblem::Broken => "损坏",
            KitProblem::NeedsRepair => "待维修",
            KitProblem::InspectionOverdue => "检查逾期",
        }
    }
}

/// One line of the kit checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KitLine {
    pub item: KitItem,
    /// 0 for the village's own X items.
    pub required: i64,
    pub standard: bool,
    pub last_inspected: Option<NaiveDate>,
    pub next_due: Option<NaiveDate>,
    pub problems: Vec<KitProblem>,
}

/// The checklist, standard items first in catalogue order, then the X items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KitChecklist {
    pub standard_name: String,
    pub lines: Vec<KitLine>,
    /// Lines with at least one problem.
    pub problem_count: i64,
}

/// Adds the standard items the village does not have a row for yet, with quantity 0, so the
/// officer sees them as missing and fills them in. Safe to call again.
pub fn seed_standard_items(store: &mut Store) -> Result<usize> {
    let catalog = KitCatalog::bundled()?;
    let existing = store.list::<KitItem>()?;
    let missing: Vec<_> = catalog
        .items
        .iter()
        .filter(|c| {
            !existing
                .iter()
                .any(|k| k.catalog_code.as_deref() == Some(c.code.as_str()))
        })
        .collect();
    store.write(|w| {
        for c in &missing {
            w.save(&KitItem {
                catalog_code: Some(c.code.clone()),
                name: c.name.clone(),
                unit: c.unit.clone(),
                inspect_every_days: c.inspect_every_days,
                ..KitItem::default()
            })?;
        }
        Ok(missing.len())
    })
}

/// Records an inspection and sets the item's condition to what the inspector found.
pub fn record_inspection(store: &mut Store, inspection: &KitInspection) -> Result<KitInspection> {
    let mut item = store
        .get::<KitItem>(&inspection.kit_item_id)?
        .ok_or(CoreError::NotFound { what: "器材" })?;
    store.write(|w| {
        let saved = w.save(inspection)?;
        item.condition = inspection.result;
        w.save(&item)?;
        Ok(saved)
    })
}

/// The checklist as of `today`.
pub fn checklist(store: &Store, today: NaiveDate) -> Result<KitChecklist> {
    let catalog = KitCatalog::bundled()?;
    let village = store.village()?.ok_or(CoreError::NoVillage)?;
    let mut items = store.list::<KitItem>()?;
    items.sort_by_key(|k| catalog.rank(k));
    let mut last_stmt = store.conn().prepare_cached(
        "SELECT max(date) FROM kit_inspection WHERE kit_item_id = ?1 AND deleted = 0",
    )?;
    let mut lines = Vec::new();
    for item in items {
        let catalog_item = item.catalog_code.as_deref().and_then(|c| catalog.item(c));
        let required = catalog_item.map(|c| c.required_for(&village)).unwrap_or(0);
        let last: Option<String> = last_stmt.query_row([&item.id], |r| r.get(0))?;
        let last_inspected = last.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
        let next_due = last_inspected
            .and_then(|d| d.checked_add_days(Days::new(item.inspect_every_days.max(1) as u64)));
        let problems = problems(&item, required, next_due, today);
        lines.push(KitLine {
            standard: catalog_item.is_some(),
            item,
            required,
            last_inspected,
            next_due,
            problems,
        });
    }
    let problem_count = lines.iter().filter(|l| !l.problems.is_empty()).count() as i64;
    Ok(KitChecklist {
        standard_name: catalog.standard,
        lines,
        problem_count,
    })
}

fn problems(
    item: &KitItem,
    required: i64,
    next_due: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<KitProblem> {
    let mut out = Vec::new();
    if item.quantity == 0 && required > 0 {
        out.push(KitProblem::Missing);
        return out;
    }
    if item.quantity < required {
        out.push(KitProblem::Short);
    }
    match item.condition {
        KitCondition::Broken => out.push(KitProblem::Broken),
        KitCondition::NeedsRepair => out.push(KitProblem::NeedsRepair),
        KitCondition::Good => {}
    }
    if item.quantity > 0 && next_due.is_none_or(|d| d < today) {
        out.push(KitProblem::InspectionOverdue);
    }
    out
}

/// The four small items (四小件) each flood responsible person should carry.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResponsibleKitRow {
    pub person: crate::records::FloodResponsible,
    /// The names (from the catalogue's `four_small_items`) of the items this person lacks.
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResponsibleKit {
    pub item_names: Vec<String>,
    pub people: Vec<ResponsibleKitRow>,
    /// People with all four items.
    pub complete: i64,
}

/// Each flood responsible person and which of the four small items (头盔、电筒、防雨护具、救生衣,
/// named as in the catalogue's `four_small_items`) they lack; the people missing most come first,
/// then by name. The catalogue lists the four in the order of the `has_helmet`, `has_flashlight`,
/// `has_rain_gear`, `has_life_jacket` columns, and is read in that order.
pub fn responsible_kit(store: &Store) -> Result<ResponsibleKit> {
    let item_names = four_small_item_names()?;
    let mut people: Vec<ResponsibleKitRow> = store
        .list::<crate::records::FloodResponsible>()?
        .into_iter()
        .map(|person| {
            let missing = item_names
                .iter()
                .zip(four_small_items_held(&person))
                .filter(|(_, has)| !has)
                .map(|(name, _)| name.clone())
                .collect();
            ResponsibleKitRow { person, missing }
        })
        .collect();
    people.sort_by(|a, b| {
        b.missing
            .len()
            .cmp(&a.missing.len())
            .then_with(|| a.person.name.cmp(&b.person.name))
    });
    let complete = people.iter().filter(|p| p.missing.is_empty()).count() as i64;
    Ok(ResponsibleKit {
        item_names,
        people,
        complete,
    })
}

/// The names of the four small items, in the order of [`four_small_items_held`]: the catalogue's
/// `four_small_items`, or 头盔、电筒、防雨护具、救生衣 if a catalogue does not list exactly four
/// (so that no item is silently left out of the check).
pub fn four_small_item_names() -> Result<Vec<String>> {
    let names = KitCatalog::bundled()?.four_small_items;
    if names.len() == 4 {
        Ok(names)
    } else {
        Ok(["头盔", "电筒", "防雨护具", "救生衣"]
            .map(String::from)
            .to_vec())
    }
}

/// Which of the four small items a flood responsible person has: helmet, flashlight, rain gear,
/// life jacket.
pub fn four_small_items_held(person: &crate::records::FloodResponsible) -> [bool; 4] {
    [
        person.has_helmet,
        person.has_flashlight,
        person.has_rain_gear,
        person.has_life_jacket,
    ]
}
