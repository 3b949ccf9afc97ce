//! `cunan card` and `cunan print …`: the printouts as PDF files, made as the app makes them
//! (the application layer's `print`: the same titles, rules and glyph check).

use std::path::Path;

use clap::ValueEnum;
use cunan_app_api::print::{self, PrintRequest};
use cunan_app_api::{today, ApiError, ApiResult, ErrorCode, Session};

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

/// The request for `product`; `--grid` only where a printout is per grid.
pub fn request(product: Product, grid: Option<String>) -> ApiResult<PrintRequest> {
    if grid.is_some() && !matches!(product, Product::GridSheets | Product::SignInSheet) {
        return Err(ApiError::new(
            ErrorCode::GridNotApplicable,
            "--grid 只用于 grid-sheets（网格入户名单）和 sign-in-sheet（签到表）。请去掉 --grid 后重试。",
        ));
    }
    Ok(match product {
        Product::HouseholdCards => PrintRequest::HouseholdCards,
        Product::GridSheets => PrintRequest::GridSheets { grid },
        Product::Kit => PrintRequest::KitSheet,
        Product::Contacts => PrintRequest::ContactsSheet,
        Product::SignInSheet => PrintRequest::SignInSheets {
            grid,
            session: None,
        },
    })
}

/// Builds, checks, renders and writes the printout to `out`; returns the line for the officer.
pub fn run(session: &Session, request: &PrintRequest, out: &Path) -> ApiResult<String> {
    let prepared = {
        let store = session.store()?;
        print::prepare(&store, request, today(&store))?
    };
    let pdf = print::render(&prepared)?;
    std::fs::write(out, pdf)?;
    Ok(format!("已生成{}：{}", prepared.title, out.display()))
}
