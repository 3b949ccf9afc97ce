//! `cunan incident …`: emergency mode's reporting from the command line, scriptable — start an
//! incident, record the telephone report, file 首报 / 续报 / 终报, list incidents with their
//! deadlines, and print a report's SMS or WeChat text. The rules are the core's `incident`.

use clap::{Args, Subcommand};
use cunan_app_api::core::incident::{self, DeadlineSource, Severity};
use cunan_app_api::core::{HazardKind, IncidentReport, Store};
use cunan_app_api::{ApiError, ApiResult, ErrorCode};

#[derive(Subcommand)]
pub enum IncidentCommand {
    /// Start an incident; the report deadlines run from the time it happened.
    Start {
        /// flood | geological | forest-fire | fire | earthquake | other
        #[arg(long)]
        hazard: String,
        #[arg(long)]
        place: String,
        /// When it happened, e.g. 2026-06-15T09:30:00+08:00 (default: now).
        #[arg(long)]
        occurred_at: Option<String>,
        /// I | II | III | IV (I the gravest); leave out while unknown.
        #[arg(long)]
        severity: Option<String>,
    },
    /// Record that the telephone report was made (now).
    Phoned { id: String },
    /// File a report (the first one is the 首报, later ones 续报; --final for the 终报), and
    /// print its SMS text.
    Report {
        id: String,
        #[command(flatten)]
        facts: ReportArgs,
        /// A new severity, if it changed.
        #[arg(long)]
        severity: Option<String>,
        /// The final report: closes the incident.
        #[arg(long = "final")]
        final_report: bool,
    },
    /// Every incident with its deadlines now, open ones first.
    List,
    /// The text of a report: for an SMS (at most 3 segments), or with --wechat the long one.
    Text {
        report_id: String,
        #[arg(long)]
        wechat: bool,
    },
}

/// What a report says, as given on the command line.
#[derive(Args)]
pub struct ReportArgs {
    #[arg(long, default_value_t = 0)]
    deaths: i64,
    #[arg(long, default_value_t = 0)]
    injured: i64,
    #[arg(long, default_value_t = 0)]
    missing: i64,
    #[arg(long, default_value_t = 0)]
    trapped: i64,
    /// People evacuated; left out, the count moved in the incident's roll calls.
    #[arg(long)]
    evacuated: Option<i64>,
    #[arg(long, default_value = "")]
    description: String,
    #[arg(long, default_value = "")]
    actions: String,
    #[arg(long, default_value = "")]
    needs: String,
    #[arg(long, default_value = "")]
    reporter: String,
    #[arg(long, default_value = "")]
    phone: String,
}

impl From<ReportArgs> for IncidentReport {
    fn from(a: ReportArgs) -> Self {
        IncidentReport {
            deaths: a.deaths,
            injured: a.injured,
            missing: a.missing,
            trapped: a.trapped,
            evacuated: a.evacuated.unwrap_or(0),
            description: a.description,
            actions_taken: a.actions,
            needs: a.needs,
            reporter: a.reporter,
            reporter_phone: a.phone,
            ..IncidentReport::default()
        }
    }
}

/// A hazard kind as typed on the command line (its code).
pub fn hazard_kind(code: &str) -> ApiResult<HazardKind> {
    HazardKind::from_code(code).ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnknownHazard,
            format!("不认识的灾种“{code}”。可选：flood、geological、forest-fire、fire、earthquake、other。"),
        )
    })
}

fn severity(text: Option<&str>) -> ApiResult<Option<Severity>> {
    match text {
        None => Ok(None),
        Some(t) => Severity::parse(t).map(Some).ok_or_else(|| {
            ApiError::new(
                ErrorCode::OutOfRange,
                "事件等级应为 I、II、III 或 IV（I 为特别重大）。",
            )
        }),
    }
}

fn village_name(store: &Store) -> ApiResult<String> {
    Ok(store
        .village()?
        .map(|v| v.name)
        .unwrap_or_else(|| "本村".to_string()))
}

fn print_text(text: &incident::ReportText, sms: bool) {
    println!("{}", text.text);
    if sms {
        println!(
            "—— {} 字，{} 条短信（每条 {} 字）",
            text.chars,
            text.segments,
            incident::SMS_SEGMENT_CHARS
        );
    } else {
        println!("—— {} 字", text.chars);
    }
}

pub fn run(store: &mut Store, command: IncidentCommand) -> ApiResult<()> {
    match command {
        IncidentCommand::Start {
            hazard,
            place,
            occurred_at,
            severity: level,
        } => {
            let kind = hazard_kind(&hazard)?;
            let at = occurred_at.unwrap_or_else(|| {
                store
                    .clock()
                    .now()
                    .with_timezone(&chrono::Local)
                    .to_rfc3339()
            });
            let i = incident::start(store, kind, &at, &place, severity(level.as_deref())?)?;
            println!("已开始报告：{}（{}）", i.place, kind.label());
            println!("事件编号：{}", i.id);
            list(store)?;
        }
        IncidentCommand::Phoned { id } => {
            incident::mark_phoned(store, &id)?;
            println!("已记录电话报告。");
            list(store)?;
        }
        IncidentCommand::Report {
            id,
            facts,
            severity: level,
            final_report,
        } => {
            let evacuated = match facts.evacuated {
                Some(n) => n,
                None => cunan_app_api::core::rollcall::evacuated_for_incident(store, &id)?,
            };
            let report = IncidentReport {
                severity: severity(level.as_deref())?.map(|s| s.code().to_string()),
                evacuated,
                ..IncidentReport::from(facts)
            };
            let filed = incident::file_report(store, &id, &report, final_report)?;
            println!(
                "已{}（报告编号 {}），短信文本：",
                filed.kind.label(),
                filed.id
            );
            print_text(&incident::sms_text(&village_name(store)?, &filed), true);
        }
        IncidentCommand::List => list(store)?,
        IncidentCommand::Text { report_id, wechat } => {
            let report = store.get::<IncidentReport>(&report_id)?.ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    "找不到这份报告。请用 `cunan incident list` 查看报告编号。",
                )
            })?;
            let village = village_name(store)?;
            if wechat {
                print_text(&incident::wechat_text(&village, &report), false);
            } else {
                print_text(&incident::sms_text(&village, &report), true);
            }
        }
    }
    Ok(())
}

fn list(store: &Store) -> ApiResult<()> {
    let (board, source) = incident::board(store, store.clock().now())?;
    let source = match source {
        DeadlineSource::County => "县里下发的时限",
        DeadlineSource::BuiltIn => "默认时限（县里尚未下发）",
    };
    if board.is_empty() {
        println!("没有正在报告的突发事件。");
        return Ok(());
    }
    for view in &board {
        let i = &view.incident;
        println!(
            "{} {} {} {} {} {}",
            if view.open { "●" } else { "○ 已终报" },
            i.occurred_at,
            i.place,
            view.hazard_label,
            view.severity_label.as_deref().unwrap_or("等级待定"),
            i.id
        );
        if view.open {
            for d in &view.deadlines {
                println!(
                    "    {}（{} 分钟内）：{}",
                    d.what,
                    d.minutes,
                    d.state.words()
                );
            }
        }
        for r in &view.reports {
            println!("    {} {} 报告编号 {}", r.reported_at, r.kind.label(), r.id);
        }
    }
    println!("（{source}）");
    Ok(())
}
