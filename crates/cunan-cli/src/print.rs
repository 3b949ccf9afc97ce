//! `cunan print …`: the village's printouts besides the response card, as PDF files.
//!
//! A thin call into `cunan_core::printouts` (the data) and `cunan_print` (the PDF).

use std::path::Path;

use chrono::NaiveDate;
use clap::ValueEnum;
use cunan_core::printouts::{self, Printout};
use cunan_core::{CoreError, Store};

/// Which printout to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Product {
    /// 避险明白卡: one sheet per threatened household, three labelled copies.
    HouseholdCards,
    /// 网格入户名单: one list per grid member.
    GridSheets,
    /// 应急物资清单 (5+X) with tick boxes.
    Kit,
    /// 应急通讯录.
    Contacts,
    /// 预案宣传教育签到表: one per grid, every resident with a place to sign.
    SignInSheet,
}

impl Product {
    fn label(self) -> &'static str {
        match self {
            Product::HouseholdCards => "避险明白卡",
            Product::GridSheets => "网格入户名单",
            Product::Kit => "应急物资清单",
            Product::Contacts => "应急通讯录",
            Product::SignInSheet => "预案宣传教育签到表",
        }
    }
}

/// An error for the terminal: the machine code and the Chinese message.
pub struct PrintFailure {
    pub code: &'static str,
    pub message: String,
}

impl From<CoreError> for PrintFailure {
    fn from(e: CoreError) -> Self {
        PrintFailure {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

impl From<cunan_print::PrintError> for PrintFailure {
    fn from(e: cunan_print::PrintError) -> Self {
        PrintFailure {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// Builds the printout from the store (without rendering it).
pub fn build(
    store: &Store,
    product: Product,
    grid: Option<&str>,
    today: NaiveDate,
) -> Result<Printout, PrintFailure> {
    if grid.is_some() && !matches!(product, Product::GridSheets | Product::SignInSheet) {
        return Err(PrintFailure {
            code: "grid_not_applicable",
            message: "--grid 只用于 grid-sheets（网格入户名单）和 sign-in-sheet（签到表）。请去掉 --grid 后重试。".into(),
        });
    }
    Ok(match product {
        Product::HouseholdCards => {
            Printout::HouseholdCards(printouts::household_cards(store, today)?)
        }
        Product::GridSheets => Printout::GridSheets(printouts::grid_sheets(store, grid, today)?),
        Product::Kit => Printout::KitSheet(printouts::kit_sheet(store, today)?),
        Product::Contacts => Printout::ContactsSheet(printouts::contacts_sheet(store, today)?),
        Product::SignInSheet => {
            let sheets = printouts::sign_in_sheets(store, grid, None, today)?;
            if sheets.sheets.iter().all(|s| s.resident_count == 0) {
                return Err(PrintFailure {
                    code: "nothing_to_print",
                    message: "本村还没有录入居民，签到表上没有人可列。请先导入户籍名册（cunan import roster）后再打印。".into(),
                });
            }
            Printout::SignInSheets(sheets)
        }
    })
}

/// Builds, renders and writes the printout; returns the line to show the officer.
pub fn run(
    store: &Store,
    product: Product,
    grid: Option<&str>,
    out: &Path,
    today: NaiveDate,
) -> Result<String, PrintFailure> {
    let printout = build(store, product, grid, today)?;
    let pdf = cunan_print::render(&printout)?;
    std::fs::write(out, pdf).map_err(CoreError::from)?;
    let detail = match &printout {
        Printout::HouseholdCards(c) => format!("（{} 户，每户一式三联）", c.cards.len()),
        Printout::GridSheets(g) => format!("（{} 份）", g.sheets.len()),
        Printout::SignInSheets(s) => format!("（{} 个网格）", s.sheets.len()),
        _ => String::new(),
    };
    Ok(format!(
        "已生成{}{detail}：{}",
        product.label(),
        out.display()
    ))
}
