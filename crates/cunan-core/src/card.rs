//! The one-page response card (一页纸预案 / 应急处置明白卡) as plain data.
//!
//! The core fills a [`ResponseCard`] from the store; `cunan-print` lays it out on A4.
//! Nothing here knows about PDF or fonts.

use chrono::NaiveDate;

/// Everything one response card shows, already in the words that get printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseCard {
    /// e.g. "青石村"
    pub village_name: String,
    /// 12-digit 统计用区划代码
    pub village_code: String,
    /// e.g. "浙江省湖州市吴兴区 八里店镇" — the line under the title.
    pub place_line: String,
    /// e.g. "防汛防台"
    pub hazard_label: String,
    /// How the warning is given, e.g. "鸣锣 + 村应急广播 + 手摇报警器".
    pub warning_signal: String,
    /// Who gives the warning, e.g. "李建国（预警员）138****1234".
    pub warning_giver: String,
    /// The phases of the plan in order, each a who / what / how table.
    pub phases: Vec<CardPhase>,
    /// The six items of 六落实, always six lines, in the fixed order
    /// 责任人, 监测人, 信息员, 预警信号, 转移路线, 安置点.
    pub six_items: Vec<CardLine>,
    /// Shelters, one line each, e.g. "村文化礼堂（容纳300人，管理员 王芳 139****0000）".
    pub shelters: Vec<String>,
    /// Evacuation routes, one line each.
    pub routes: Vec<String>,
    /// Where the kit is, one line per item, e.g. "发电机 ×1：村委会仓库，保管人 张三".
    pub kit_lines: Vec<String>,
    /// Key phone numbers: label and number, e.g. ("县应急管理局值班", "0572-1234567"), ("火警", "119").
    pub phones: Vec<CardLine>,
    /// Printed on (the card shows it so an old card can be told from a new one).
    pub printed_on: NaiveDate,
}

/// One phase of the response, e.g. "预警" with its steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardPhase {
    /// e.g. "预警发布", "先期处置", "转移避险", "信息报告", "灾后恢复"
    pub name: String,
    pub steps: Vec<CardStep>,
}

/// One row of the who / what / how table (谁来做、做什么、怎么做).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardStep {
    pub who: String,
    pub what: String,
    pub how: String,
}

/// A label and its answer, e.g. ("责任人", "张三（村党组织书记）138****1234").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardLine {
    pub label: String,
    pub value: String,
}

use crate::error::{CoreError, Result};
use crate::kit::KitCatalog;
use crate::records::{
    Contact, EvacuationRoute, HazardKind, KitItem, Plan, PlanPhase, PlanStep, Shelter,
};
use crate::store::Store;

/// Fills the response card for `hazard` from the store. `today` is the printed-on date.
pub fn build(store: &Store, hazard: HazardKind, today: NaiveDate) -> Result<ResponseCard> {
    let village = store.village()?.ok_or(CoreError::NoVillage)?;
    let plan = store
        .query::<Plan>("deleted = 0 AND hazard = ?1", &[&hazard.code()])?
        .into_iter()
        .next()
        .ok_or(CoreError::NoPlan {
            hazard: hazard.label(),
        })?;
    let mut steps = store.query::<PlanStep>("deleted = 0 AND plan_id = ?1", &[&plan.id])?;
    steps.sort_by_key(|s| (s.phase, s.position));
    let phases = PlanPhase::ALL
        .into_iter()
        .filter_map(|phase| {
            let rows: Vec<CardStep> = steps
                .iter()
                .filter(|s| s.phase == phase)
                .map(|s| CardStep {
                    who: s.who.clone(),
                    what: match &s.warning_level {
                        Some(level) if !level.is_empty() => {
                            format!("【{}】{}", level_label(level), s.what)
                        }
                        _ => s.what.clone(),
                    },
                    how: s.how.clone(),
                })
                .collect();
            (!rows.is_empty()).then(|| CardPhase {
                name: phase.label().to_string(),
                steps: rows,
            })
        })
        .collect();
    let six = |label: &str, value: &str| CardLine {
        label: label.to_string(),
        value: if value.trim().is_empty() {
            "（未落实）".to_string()
        } else {
            value.to_string()
        },
    };
    let six_items = vec![
        six("责任人", &plan.responsible),
        six("监测人", &plan.monitor),
        six("信息员", &plan.reporter),
        six("预警信号", &plan.warning_signal),
        six("转移路线", &plan.route),
        six("安置点", &plan.safe_place),
    ];
    let shelters = store
        .list::<Shelter>()?
        .into_iter()
        .filter(|s| s.hazard_kinds.is_empty() || s.hazard_kinds.contains(&hazard))
        .map(|s| {
            let mut line = s.name.clone();
            let mut details = Vec::new();
            if !s.address.is_empty() {
                details.push(s.address.clone());
            }
            if let Some(c) = s.capacity {
                details.push(format!("可容纳{c}人"));
            }
            if !s.keeper_name.is_empty() {
                details.push(
                    format!("管理员 {} {}", s.keeper_name, s.keeper_phone)
                        .trim_end()
                        .to_string(),
                );
            }
            if !details.is_empty() {
                line.push_str(&format!("（{}）", details.join("，")));
            }
            line
        })
        .collect();
    let routes = store
        .list::<EvacuationRoute>()?
        .into_iter()
        .map(|r| {
            let mut line = r.name.clone();
            if !r.description.is_empty() {
                line.push('：');
                line.push_str(&r.description);
            }
            line
        })
        .collect();
    let catalog = KitCatalog::bundled()?;
    let mut kit = store.list::<KitItem>()?;
    kit.sort_by_key(|k| catalog.rank(k));
    let kit_lines = kit
        .into_iter()
        .filter(|k| k.quantity > 0)
        .map(|k| {
            let mut line = format!("{} ×{}{}", k.name, k.quantity, k.unit);
            if !k.location.is_empty() {
                line.push_str(&format!("：{}", k.location));
            }
            if !k.custodian.is_empty() {
                line.push_str(&format!("，保管人 {}", k.custodian));
            }
            line
        })
        .collect();
    let mut phones: Vec<CardLine> = Vec::new();
    if !village.officer_phone.is_empty() {
        phones.push(CardLine {
            label: format!("村应急管理员 {}", village.officer_name),
            value: village.officer_phone.clone(),
        });
    }
    let mut contacts = store.list::<Contact>()?;
    let level_rank = |l: &str| match l {
        "village" => 0,
        "township" => 1,
        "county" => 2,
        _ => 3,
    };
    contacts.sort_by_key(|c| (level_rank(&c.level), !c.is_duty_line));
    for c in contacts
        .into_iter()
        .filter(|c| c.is_duty_line || c.level != "village")
    {
        phones.push(CardLine {
            label: c.name,
            value: c.phone,
        });
    }
    for (label, number) in [("报警", "110"), ("火警", "119"), ("急救", "120")] {
        if !phones.iter().any(|p| p.value == number) {
            phones.push(CardLine {
                label: label.to_string(),
                value: number.to_string(),
            });
        }
    }
    let place_line = village.place_line();
    Ok(ResponseCard {
        village_name: village.name,
        village_code: village.code,
        place_line,
        hazard_label: hazard.label().to_string(),
        warning_signal: plan.warning_signal,
        warning_giver: plan.warning_giver,
        phases,
        six_items,
        shelters,
        routes,
        kit_lines,
        phones,
        printed_on: today,
    })
}

fn level_label(level: &str) -> &str {
    match level {
        "red" => "红色预警",
        "orange" => "橙色预警",
        "yellow" => "黄色预警",
        "blue" => "蓝色预警",
        other => other,
    }
}
