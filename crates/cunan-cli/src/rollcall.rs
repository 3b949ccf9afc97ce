//! `cunan rollcall …`: the evacuation roll call (转移点名) from the command line — start a
//! transfer over the village or some grids, mark people or whole households, show the list and
//! the totals, print the not-yet-safe sheets (未转移人员名单), call it off. The rules are the
//! core's `rollcall`; printing is the application layer's, as in the app.

use std::path::PathBuf;

use clap::Subcommand;
use cunan_app_api::core::rollcall::{self, Mark, MarkInput, RollCallTotals, TransferOrder};
use cunan_app_api::core::{Grid, Shelter, Store};
use cunan_app_api::print::{self, PrintRequest};
use cunan_app_api::{today, ApiError, ApiResult, ErrorCode};

#[derive(Subcommand)]
pub enum RollCallCommand {
    /// Start a transfer: the list is everyone of the households in scope, fixed now.
    Start {
        /// flood | geological | forest-fire | fire | earthquake | other
        #[arg(long, default_value = "flood")]
        hazard: String,
        /// The warning level behind the order: red | orange | yellow | blue.
        #[arg(long, default_value = "")]
        level: String,
        /// A grid ordered to move (name or id); repeat for several; none for the whole village.
        #[arg(long = "grid")]
        grids: Vec<String>,
        /// Only the households in a hazard area (those with household evacuation cards).
        #[arg(long)]
        threatened: bool,
        /// The incident the transfer belongs to: its reports count the people moved.
        #[arg(long)]
        incident: Option<String>,
        #[arg(long, default_value = "")]
        by: String,
    },
    /// Mark people (by resident id) or whole households: moved | with-relatives | refused |
    /// away | unreachable | returned (or the Chinese words). Prints 已标记 once saved.
    Mark {
        event: String,
        #[arg(long)]
        status: String,
        #[arg(long = "person")]
        people: Vec<String>,
        #[arg(long = "household")]
        households: Vec<String>,
        /// The shelter (name or id), for moved.
        #[arg(long)]
        shelter: Option<String>,
        /// With whom or where, for with-relatives.
        #[arg(long = "with", default_value = "")]
        staying_with: String,
        #[arg(long, default_value = "")]
        by: String,
    },
    /// The list and the totals; --not-safe for those still to be moved only.
    Show {
        event: String,
        #[arg(long)]
        not_safe: bool,
    },
    /// Print who is not yet safe (未转移人员名单) to a PDF: one page per grid member, for the
    /// grids with anyone still to move.
    Print {
        event: String,
        /// The PDF file to write (overwritten if it exists).
        #[arg(long)]
        out: PathBuf,
        /// Only this grid (name or id, or 未分网格).
        #[arg(long)]
        grid: Option<String>,
    },
    /// Every roll call with its totals, open ones first.
    List,
    /// Call the transfer off (解除).
    End { event: String },
}

fn by_name_or_id<'a, T>(
    items: &'a [T],
    wanted: &str,
    id: impl Fn(&T) -> &str,
    name: impl Fn(&T) -> &str,
) -> Option<&'a T> {
    let wanted = wanted.trim();
    items
        .iter()
        .find(|x| id(x) == wanted || name(x).trim() == wanted)
}

fn print_totals(t: &RollCallTotals) {
    let v = &t.village;
    println!(
        "应转移 {} 人（重点人员 {}），已转移 {} 人（重点人员 {}），未转移 {} 人（重点人员 {}）",
        v.expected.people,
        v.expected.vulnerable,
        v.moved.people,
        v.moved.vulnerable,
        v.not_moved.people,
        v.not_moved.vulnerable
    );
    let marks: Vec<String> = v
        .by_mark
        .iter()
        .filter(|m| m.count.people > 0)
        .map(|m| format!("{} {}", m.label, m.count.people))
        .collect();
    println!("  {}", marks.join("，"));
    for g in &t.grids {
        println!(
            "  {}：应转移 {}，已转移 {}，未转移 {}",
            g.grid_name, g.totals.expected.people, g.totals.moved.people, g.totals.not_moved.people
        );
    }
    for s in t
        .shelters
        .iter()
        .filter(|s| s.people > 0 || s.capacity.is_some())
    {
        let capacity = s.capacity.map(|c| format!("/{c}")).unwrap_or_default();
        let over = if s.over { "（超出容量）" } else { "" };
        println!("  安置点 {}：{}{capacity} 人{over}", s.name, s.people);
    }
}

pub fn run(store: &mut Store, command: RollCallCommand) -> ApiResult<()> {
    match command {
        RollCallCommand::Start {
            hazard,
            level,
            grids,
            threatened,
            incident,
            by,
        } => {
            let kind = crate::incident::hazard_kind(&hazard)?;
            let known = store.list::<Grid>()?;
            let grid_ids = grids
                .iter()
                .map(|g| {
                    by_name_or_id(&known, g, |x| &x.id, |x| &x.name)
                        .map(|x| x.id.clone())
                        .ok_or_else(|| {
                            ApiError::new(
                                ErrorCode::GridMissing,
                                format!("没有叫“{g}”的网格。请核对网格名称。"),
                            )
                        })
                })
                .collect::<ApiResult<Vec<_>>>()?;
            let e = rollcall::start(
                store,
                &TransferOrder {
                    hazard: Some(kind),
                    level,
                    grid_ids,
                    threatened_only: threatened,
                    incident_id: incident,
                    started_by: by,
                    ..TransferOrder::default()
                },
            )?;
            println!("已开始转移点名（{}）", kind.label());
            println!("转移编号：{}", e.id);
            print_totals(&rollcall::totals(store, &e.id)?);
        }
        RollCallCommand::Mark {
            event,
            status,
            people,
            households,
            shelter,
            staying_with,
            by,
        } => {
            let mark = Mark::parse(&status).filter(|m| *m != Mark::Pending).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Input,
                    format!("不认识的转移情况“{status}”。可选：moved（已转移）、with-relatives（投亲靠友）、refused（拒绝转移）、away（不在村）、unreachable（未联系上）、returned（已返回）。"),
                )
            })?;
            let shelter_id = match shelter {
                None => None,
                Some(s) => {
                    let known = store.list::<Shelter>()?;
                    Some(
                        by_name_or_id(&known, &s, |x| &x.id, |x| &x.name)
                            .map(|x| x.id.clone())
                            .unwrap_or(s),
                    )
                }
            };
            let input = MarkInput {
                status: mark,
                shelter_id,
                staying_with,
                marked_by: by,
                note: String::new(),
            };
            let mut n = 0;
            if !people.is_empty() {
                n += rollcall::mark(store, &event, &people, &input)?.len();
            }
            for h in &households {
                n += rollcall::mark_household(store, &event, h, &input)?.len();
            }
            println!("已标记 {n} 人：{}", mark.label());
        }
        RollCallCommand::Show { event, not_safe } => {
            let call = rollcall::roll_call(store, &event)?;
            for p in &call.people {
                if not_safe && !p.status.is_not_safe() {
                    continue;
                }
                let place = match p.status {
                    Mark::Moved => p.shelter_name.clone(),
                    Mark::WithRelatives => p.staying_with.clone(),
                    _ => String::new(),
                };
                println!(
                    "{} {} {} {}{} {} {}",
                    p.grid_name,
                    p.head_name,
                    p.name,
                    p.status_label,
                    if place.is_empty() {
                        String::new()
                    } else {
                        format!("（{place}）")
                    },
                    p.vulnerable.as_deref().unwrap_or(""),
                    p.resident_id
                );
            }
            print_totals(&call.totals);
        }
        RollCallCommand::Print { event, out, grid } => {
            let request = PrintRequest::NotSafeSheets { event, grid };
            let prepared = print::prepare(store, &request, today(store))?;
            std::fs::write(&out, print::render(&prepared)?)?;
            println!("已生成{}：{}", prepared.title, out.display());
        }
        RollCallCommand::List => {
            let calls = rollcall::roll_calls(store)?;
            if calls.is_empty() {
                println!("还没有转移点名。");
            }
            for c in calls {
                println!(
                    "{} {} {} 应转移 {} 已转移 {} 未转移 {} {}",
                    if c.open { "●" } else { "○ 已解除" },
                    c.event.started_at,
                    c.hazard_label,
                    c.totals.expected.people,
                    c.totals.moved.people,
                    c.totals.not_moved.people,
                    c.event.id
                );
            }
        }
        RollCallCommand::End { event } => {
            rollcall::end(store, &event)?;
            println!("已解除转移。");
            print_totals(&rollcall::totals(store, &event)?);
        }
    }
    Ok(())
}
