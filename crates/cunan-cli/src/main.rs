//! `cunan`: the command line face of the Cun'an core, for county IT, scripts and tests.
//!
//! Every subcommand is a thin call into the application layer (`cunan-app-api`), the same calls
//! the desktop app makes; errors print the same Chinese message the app shows, plus the machine
//! code, and exit non-zero.

mod excel;
mod incident;
mod print;
mod rollcall;
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Local;
use clap::{Parser, Subcommand};
use cunan_app_api::core::demo::{self, DemoOptions};
use cunan_app_api::core::{paths, HazardKind, Store};
use cunan_app_api::print::PrintRequest;
use cunan_app_api::session::open_existing;
use cunan_app_api::{ApiError, ApiResult, ErrorCode, Session};

#[derive(Parser)]
#[command(name = "cunan", version, about = "村安 · 村级应急管理（命令行）")]
struct Cli {
    /// The store file (SQLite). Defaults to the desktop app's store.
    #[arg(long, global = true, env = "CUNAN_DB")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make a new store holding the demo village (refuses to overwrite a file).
    Demo {
        #[arg(long, default_value_t = 300)]
        households: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Print the one-page response card for a hazard to a PDF.
    Card {
        /// flood | geological | forest-fire | fire | earthquake
        #[arg(long)]
        hazard: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Print household evacuation cards, grid sheets, the kit sheet, the contacts sheet or the
    /// education sign-in sheets to a PDF.
    Print {
        /// household-cards | grid-sheets | kit | contacts | sign-in-sheet
        #[arg(value_enum)]
        product: print::Product,
        #[arg(long)]
        out: PathBuf,
        /// Only this grid (id or name), for grid-sheets and sign-in-sheet.
        #[arg(long)]
        grid: Option<String>,
    },
    /// Live row counts per table (tombstones not counted).
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Register this device with the county server using a one-time code.
    Enroll {
        #[arg(long)]
        server: String,
        #[arg(long)]
        code: String,
        /// Allow plain http to a server that is not on this computer (a county intranet): the
        /// data then crosses the network unencrypted. Without it such an address is refused.
        #[arg(long)]
        allow_http: bool,
    },
    /// Sync with the county: push what is waiting, pull what is new.
    Sync {
        /// Defaults to the server enrolled most recently. Another address of the same server
        /// (an IP instead of a host name, a proxy) works too; an address that answers as another
        /// county server is refused before anything is sent.
        #[arg(long)]
        server: Option<String>,
        /// Rounds in all while the county cannot be reached, waiting 2 s, 4 s, 8 s … in between
        /// (the desktop app's backoff); 1 tries once.
        #[arg(long, default_value_t = 3)]
        attempts: u32,
    },
    /// Emergency mode: report an incident up (首报/续报/终报) against the deadlines, SMS text.
    Incident {
        #[command(subcommand)]
        command: incident::IncidentCommand,
    },
    /// Emergency mode: the evacuation roll call (转移点名) — start, mark, totals, call off.
    Rollcall {
        #[command(subcommand)]
        command: rollcall::RollCallCommand,
    },
    /// USB bundles, for when there is no network.
    Bundle {
        #[command(subcommand)]
        command: sync::BundleCommand,
    },
    /// Import from Excel: `import roster FILE.xlsx [--dry-run] [--strict]`. Bad rows are listed
    /// and skipped; the good rows are imported in one transaction (--strict: nothing if any row
    /// is bad).
    Import {
        #[command(subcommand)]
        command: excel::ImportCommand,
    },
    /// Export to Excel: `export roster|kit|contacts FILE.xlsx`.
    Export {
        #[arg(value_enum)]
        product: excel::ExportProduct,
        /// The .xlsx file to write (overwritten if it exists).
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误[{}]：{}", e.code, e.message);
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> ApiResult<()> {
    let db = match cli.db {
        Some(p) => p,
        None => paths::default_store_path().ok_or_else(|| {
            ApiError::new(
                ErrorCode::NoDataDir,
                "找不到本机的应用数据目录。请用 --db 指定数据文件。",
            )
        })?,
    };
    let today = Local::now().date_naive();
    match cli.command {
        Command::Demo { households, seed } => {
            let (_, summary) = demo::create(
                &db,
                DemoOptions {
                    households,
                    seed,
                    today,
                },
            )?;
            println!(
                "已创建演示村“{}”：{} 户，{} 人，重点人群 {} 人 → {}",
                summary.village,
                summary.households,
                summary.residents,
                summary.vulnerable,
                db.display()
            );
        }
        Command::Card { hazard, out } => {
            let hazard = HazardKind::from_code(&hazard).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::UnknownHazard,
                    format!(
                        "不认识的灾种“{hazard}”。可选：flood（防汛防台）、geological（地质灾害）、forest-fire（森林火灾）、fire（消防安全）、earthquake（地震）。"
                    ),
                )
            })?;
            let done = print::run(
                &Session::existing(&db)?,
                &PrintRequest::ResponseCard { hazard },
                &out,
            )?;
            println!("{done}");
        }
        Command::Print { product, out, grid } => {
            let request = print::request(product, grid)?;
            println!("{}", print::run(&Session::existing(&db)?, &request, &out)?);
        }
        Command::Stats { json } => {
            let store = open_existing(&db)?;
            let stats = store.stats()?;
            if json {
                let text = serde_json::to_string_pretty(&stats).map_err(|e| {
                    ApiError::from(cunan_app_api::core::CoreError::Format(e.to_string()))
                })?;
                println!("{text}");
            } else {
                for (table, n) in stats {
                    println!("{table:<20} {n}");
                }
            }
        }
        // A new laptop enrolls into an empty store, then pulls the village down.
        Command::Enroll {
            server,
            code,
            allow_http,
        } => sync::enroll(&mut Store::open(&db)?, &server, &code, allow_http)?,
        Command::Sync { server, attempts } => {
            sync::sync(&mut open_existing(&db)?, server.as_deref(), attempts)?
        }
        Command::Incident { command } => incident::run(&mut open_existing(&db)?, command)?,
        Command::Rollcall { command } => rollcall::run(&mut open_existing(&db)?, command)?,
        Command::Bundle { command } => sync::bundle(&mut open_existing(&db)?, command)?,
        Command::Import { command } => excel::import(&mut open_existing(&db)?, command)?,
        Command::Export { product, file } => {
            excel::export(&open_existing(&db)?, product, &file, today)?
        }
    }
    Ok(())
}
