//! `cunan-county`: the county server and its admin commands.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use cunan_county::{import_bundle, AuditEntry, CountyStorage, SqliteStorage};

#[derive(Parser)]
#[command(name = "cunan-county", version, about = "村安 · 县级同步服务器")]
struct Cli {
    /// The county database file (SQLite; made if missing).
    #[arg(
        long,
        global = true,
        env = "CUNAN_COUNTY_DB",
        default_value = "cunan-county.db"
    )]
    db: PathBuf,
    /// Who is running the command, for the audit trail (imports, publishes, enrollment codes,
    /// revocations). Defaults to the operating system's user name.
    #[arg(long, global = true, env = "CUNAN_COUNTY_OPERATOR")]
    by: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sync API.
    /// Serves HTTPS with --tls-cert and --tls-key (PEM files), plain HTTP without them (for
    /// loopback, or behind a reverse proxy that does TLS: village laptops refuse plain HTTP to
    /// any other address unless told explicitly).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8730")]
        listen: String,
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Dashboard accounts of county and township staff.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Villages and their enrollment codes.
    Village {
        #[command(subcommand)]
        command: VillageCommand,
    },
    /// Import a USB bundle exported by `cunan bundle export` (same path as a network push).
    /// With --reply, also writes the county's bundle for that village (with the receipt of what
    /// the county now has) to take back on the same stick.
    ImportBundle {
        file: PathBuf,
        #[arg(long)]
        reply: Option<PathBuf>,
    },
    /// Write the county's bundle for one village (county contacts, settings, templates, the
    /// village's rows from all its devices, receipts), to read in the village app from USB.
    BundleForVillage {
        #[arg(long)]
        village: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Push county-owned rows (a JSON array) down to every village, read-only there.
    Publish {
        #[arg(long)]
        table: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// Every village's incidents (emergency mode) with their report deadlines now; open ones
    /// only unless --all.
    Incidents {
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Every village's readiness as the county sees it (the village app's own rules on the rows
    /// the county holds): last sync, households, residents, vulnerable people without a helper,
    /// 备战自查 score and gaps, 5+X kit problems, hazards past the 15-day rule, drills this year.
    Villages {
        #[arg(long)]
        json: bool,
    },
    /// The audit trail, newest first: imports, publishes, enrollments, revocations, refused
    /// attempts.
    Audit {
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Live row counts per table per village.
    Stats {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        village: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account. The password comes from CUNAN_COUNTY_PASSWORD or the first line of
    /// standard input (never the command line, which other users of the computer can see).
    Add {
        #[arg(long)]
        username: String,
        /// The name shown on the dashboard (e.g. 王干事).
        #[arg(long)]
        name: String,
        /// A township account: the township's 9-digit division code (the first 9 digits of its
        /// villages' codes). Without it the account sees the whole county.
        #[arg(long)]
        township: Option<String>,
    },
    List,
    /// Disable an account and end its sessions.
    Disable {
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum VillageCommand {
    /// Register a village (or an existing one again) and print a one-time enrollment code,
    /// valid for --expires-days days (7 unless told). The village's codes not yet used stop
    /// working; run it again for a village whose code was lost, expired or issued before
    /// codes expired.
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value_t = cunan_county::storage::ENROLLMENT_CODE_DAYS,
              value_parser = clap::value_parser!(u32).range(1..=i64::from(cunan_county::storage::MAX_ENROLLMENT_CODE_DAYS)))]
        expires_days: u32,
    },
    /// Revoke device tokens of a village (a lost laptop): every device's, or with --device one
    /// device's. Revoked devices must enroll again with a new code.
    Revoke {
        #[arg(long)]
        code: String,
        #[arg(long)]
        device: Option<String>,
    },
    /// The village's enrolled devices: when enrolled, last used, revoked.
    Devices {
        #[arg(long)]
        code: String,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, message)) => {
            eprintln!("错误[{code}]：{message}");
            ExitCode::FAILURE
        }
    }
}

type Failure = (&'static str, String);

fn storage_failure(e: cunan_county::StorageError) -> Failure {
    ("storage", e.to_string())
}

fn write_county_bundle(storage: &SqliteStorage, village: &str, out: &Path) -> Result<(), Failure> {
    let now = chrono::Utc::now().to_rfc3339();
    let body = cunan_county::county_bundle(storage, village, &now).map_err(storage_failure)?;
    let bytes = cunan_county::encode_county_bundle(storage, &body)
        .map_err(|e| (e.code(), e.to_string()))?;
    cunan_sync::bundle::write_file(out, &bytes).map_err(|e| (e.code(), e.to_string()))?;
    println!(
        "已写入县里发回 {village} 的数据包 {}：{} 条记录，附 {} 台设备的回执。",
        out.display(),
        body.changes.len(),
        body.receipts.len()
    );
    Ok(())
}

/// The operator for the audit trail: `--by`, else the system's user name.
fn operator(by: Option<String>) -> String {
    by.or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .map(|name| name.trim().chars().take(64).collect::<String>())
        .filter(|name| !name.is_empty())
        .map(|name| format!("operator {name}"))
        .unwrap_or_else(|| "operator (unknown)".into())
}

/// Writes an admin command's audit line.
fn audit(
    storage: &SqliteStorage,
    actor: &str,
    action: &str,
    outcome: &str,
    village_code: Option<&str>,
    detail: String,
) -> Result<(), Failure> {
    storage
        .record(&AuditEntry {
            actor: actor.to_string(),
            action: action.to_string(),
            outcome: outcome.to_string(),
            village_code: village_code.map(str::to_string),
            device_id: None,
            detail,
        })
        .map_err(storage_failure)
}

fn user(storage: &SqliteStorage, actor: &str, command: UserCommand) -> Result<(), Failure> {
    match command {
        UserCommand::Add {
            username,
            name,
            township,
        } => {
            let username = username.trim().to_string();
            if username.is_empty()
                || username.len() > 64
                || !username
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            {
                return Err((
                    "invalid",
                    "账号名应为不超过 64 个英文字母、数字、点、横线或下划线。".into(),
                ));
            }
            let prefix = township.unwrap_or_default();
            if !prefix.is_empty()
                && (prefix.len() != 9 || !prefix.chars().all(|c| c.is_ascii_digit()))
            {
                return Err((
                    "invalid",
                    "乡镇代码应为 9 位数字（该乡镇各村区划代码的前 9 位）。".into(),
                ));
            }
            let password = match std::env::var("CUNAN_COUNTY_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .map_err(|e| ("io", e.to_string()))?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let hash =
                cunan_county::dashboard::hash_password(&password).map_err(|m| ("invalid", m))?;
            storage
                .add_user(&username, name.trim(), &hash, &prefix)
                .map_err(storage_failure)?;
            audit(
                storage,
                actor,
                "user_add",
                "ok",
                None,
                format!(
                    "account {username}; scope {}",
                    if prefix.is_empty() { "county" } else { &prefix }
                ),
            )?;
            println!(
                "已开设账号 {username}（{}），可查看{}。",
                name.trim(),
                if prefix.is_empty() {
                    "全县各村".to_string()
                } else {
                    format!("乡镇 {prefix} 的村")
                }
            );
        }
        UserCommand::List => {
            for u in storage.users().map_err(storage_failure)? {
                println!(
                    "{}  {}  {}  {}",
                    u.username,
                    u.display_name,
                    if u.scope_prefix.is_empty() {
                        "全县".to_string()
                    } else {
                        format!("乡镇 {}", u.scope_prefix)
                    },
                    if u.disabled { "已停用" } else { "有效" }
                );
            }
        }
        UserCommand::Disable { username } => {
            let n = storage.disable_user(&username).map_err(storage_failure)?;
            audit(
                storage,
                actor,
                "user_disable",
                "ok",
                None,
                format!("account {username}"),
            )?;
            if n == 0 {
                return Err(("not_found", format!("没有有效的账号 {username}。")));
            }
            println!("已停用账号 {username}，它的登录都已退出。");
        }
    }
    Ok(())
}

fn run(cli: Cli) -> Result<(), Failure> {
    let storage = SqliteStorage::open(&cli.db).map_err(storage_failure)?;
    let actor = operator(cli.by);
    match cli.command {
        Command::Serve {
            listen,
            tls_cert,
            tls_key,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => {
                    let read = |path: &Path| {
                        std::fs::read(path)
                            .map_err(|e| ("tls", format!("读不到 {}：{e}", path.display())))
                    };
                    let config = cunan_county::tls_config(&read(&cert)?, &read(&key)?)
                        .map_err(|m| ("tls", m))?;
                    Some(config)
                }
                _ => None,
            };
            let scheme = if tls.is_some() { "https" } else { "http" };
            let limits = cunan_county::ServeLimits {
                tls,
                ..Default::default()
            };
            let runtime = tokio::runtime::Runtime::new().map_err(|e| ("io", e.to_string()))?;
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen)
                    .await
                    .map_err(|e| ("listen", format!("无法在 {listen} 上监听：{e}")))?;
                eprintln!(
                    "cunan-county: serving on {scheme}://{}",
                    listener.local_addr().map_err(|e| ("io", e.to_string()))?
                );
                let shutdown = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                cunan_county::serve_with(listener, Arc::new(storage), limits, shutdown)
                    .await
                    .map_err(|e| ("io", e.to_string()))
            })?;
        }
        Command::Village {
            command:
                VillageCommand::Add {
                    code,
                    name,
                    expires_days,
                },
        } => {
            let enrollment = storage
                .add_village_with_expiry(&code, &name, expires_days)
                .map_err(storage_failure)?;
            audit(
                &storage,
                &actor,
                "village_add",
                "ok",
                Some(&code),
                format!("new enrollment code, valid {expires_days} days"),
            )?;
            println!("{enrollment}");
            eprintln!(
                "已登记村“{name}”（{code}）。上面是一次性登记码，{expires_days} 天内有效，请交给该村应急管理员；该村以前发出、还没用过的登记码已作废。"
            );
        }
        Command::Village {
            command: VillageCommand::Revoke { code, device },
        } => {
            let n = match &device {
                Some(device) => storage.revoke_device(&code, device),
                None => storage.revoke_village(&code),
            }
            .map_err(storage_failure)?;
            audit(
                &storage,
                &actor,
                "revoke",
                "ok",
                Some(&code),
                format!(
                    "device {}; {n} tokens",
                    device.as_deref().unwrap_or("(all)")
                ),
            )?;
            match device {
                Some(device) if n == 0 => {
                    return Err((
                        "not_found",
                        format!("{code} 没有设备 {device} 的有效凭证（编号不对，或已经停用）。用 village devices --code {code} 查看设备编号。"),
                    ))
                }
                Some(device) => println!("已停用 {code} 设备 {device} 的凭证。"),
                None => println!("已停用 {code} 的 {n} 个设备凭证。"),
            }
        }
        Command::Village {
            command: VillageCommand::Devices { code },
        } => {
            let devices = storage.devices(&code).map_err(storage_failure)?;
            if devices.is_empty() {
                println!("{code} 还没有设备登记。");
            }
            for d in devices {
                let state = match &d.revoked_at {
                    Some(at) => format!("已停用（{at}）"),
                    None => "有效".to_string(),
                };
                println!(
                    "{}  登记于 {}  最近使用 {}  已收到变更至第 {} 条  {state}",
                    d.device_id,
                    d.enrolled_at,
                    d.last_used_at,
                    d.last_seq.unwrap_or(0)
                );
            }
        }
        Command::ImportBundle { file, reply } => {
            let bytes = std::fs::read(&file).map_err(|e| {
                eprintln!("详情（供技术人员）：{e}");
                (
                    "io",
                    format!(
                        "读不到数据包文件 {}，请检查文件路径和 U 盘。",
                        file.display()
                    ),
                )
            })?;
            let report =
                import_bundle(&storage, &bytes, &actor).map_err(|e| (e.code(), e.to_string()))?;
            if report.enrolled {
                println!("已按数据包里的登记码登记了写这个数据包的设备。");
            }
            println!(
                "已导入数据包：共 {} 条变更，新接收 {} 条，已有 {} 条。",
                report.changes, report.stored, report.duplicates
            );
            if let Some(out) = reply {
                let village = cunan_sync::bundle::decode(&bytes)
                    .map_err(|e| (e.code(), e.to_string()))?
                    .village_code;
                write_county_bundle(&storage, &village, &out)?;
            }
        }
        Command::BundleForVillage { village, out } => {
            write_county_bundle(&storage, &village, &out)?;
        }
        Command::Publish { table, file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| ("io", e.to_string()))?;
            let rows: Vec<serde_json::Value> =
                serde_json::from_str(&text).map_err(|e| ("bad_json", e.to_string()))?;
            let published = storage.publish(&table, &rows);
            let outcome = match &published {
                Ok(_) => "ok",
                Err(_) => "refused",
            };
            audit(
                &storage,
                &actor,
                "publish",
                outcome,
                None,
                format!("table {table}; {} rows", rows.len()),
            )?;
            let n = published.map_err(storage_failure)?;
            println!("已下发 {table} {n} 条。");
        }
        Command::Incidents { all, json } => {
            let list = cunan_county::incidents::incidents(&storage, chrono::Utc::now(), !all)
                .map_err(storage_failure)?;
            if json {
                let text =
                    serde_json::to_string_pretty(&list).map_err(|e| ("format", e.to_string()))?;
                println!("{text}");
            } else if list.is_empty() {
                println!("没有正在报告的突发事件。");
            } else {
                for c in &list {
                    let i = &c.incident;
                    let hazard = i.hazard.map(|h| h.label()).unwrap_or("其他灾害");
                    let state = if c.open { "进行中" } else { "已终报" };
                    println!(
                        "{}（{}） {} {} {} {} · 已收报告 {} 份",
                        c.village_name,
                        c.village_code,
                        i.occurred_at,
                        i.place,
                        hazard,
                        state,
                        c.reports.len()
                    );
                    if let Some(t) = &c.roll_call {
                        println!(
                            "    转移：应转移 {} 人，已转移 {} 人，未转移 {} 人（其中重点人员 {} 人）",
                            t.expected.people,
                            t.moved.people,
                            t.not_moved.people,
                            t.not_moved.vulnerable
                        );
                    }
                    if c.open {
                        for d in &c.deadlines {
                            println!(
                                "    {}（{} 分钟内）：{}",
                                d.what,
                                d.minutes,
                                d.state.words()
                            );
                        }
                    }
                }
            }
        }
        Command::User { command } => user(&storage, &actor, command)?,
        Command::Villages { json } => {
            let list = cunan_county::summary::summaries(&storage).map_err(storage_failure)?;
            if json {
                let text =
                    serde_json::to_string_pretty(&list).map_err(|e| ("format", e.to_string()))?;
                println!("{text}");
            } else if list.is_empty() {
                println!("还没有登记任何村。用 village add 登记。");
            }
            if !json {
                for v in &list {
                    let synced = match &v.last_sync {
                        Some(at) => format!("最近同步 {}", &at[..at.len().min(16)]),
                        None => "从未同步".to_string(),
                    };
                    println!(
                        "{} {}（{}）  {synced}  自查 {} 分  {} 户 {} 人  重点人员 {} 人（无帮扶人 {}）  物资问题 {} 项  隐患未办结 {}（逾期 {}）  今年演练 {} 次",
                        if v.township.is_empty() { "（未填乡镇）" } else { v.township.as_str() },
                        v.village_name,
                        v.village_code,
                        v.readiness_score,
                        v.households,
                        v.residents,
                        v.vulnerable,
                        v.vulnerable_without_helper,
                        v.kit_problems.len(),
                        v.hazards_open,
                        v.hazards_overdue,
                        v.drills_this_year
                    );
                }
            }
        }
        Command::Audit { limit, json } => {
            let log = storage.audit_log(limit).map_err(storage_failure)?;
            if json {
                let text =
                    serde_json::to_string_pretty(&log).map_err(|e| ("format", e.to_string()))?;
                println!("{text}");
            } else if log.is_empty() {
                println!("审计记录为空。");
            }
            if !json {
                for line in log {
                    let e = line.entry;
                    println!(
                        "{}  {}  {}  {}  {}{}  {}",
                        line.at,
                        e.actor,
                        e.action,
                        e.outcome,
                        e.village_code.as_deref().unwrap_or("-"),
                        e.device_id.map(|d| format!(" / {d}")).unwrap_or_default(),
                        e.detail
                    );
                }
            }
        }
        Command::Stats { json, village } => {
            let stats = storage.stats(village.as_deref()).map_err(storage_failure)?;
            if json {
                let text =
                    serde_json::to_string_pretty(&stats).map_err(|e| ("format", e.to_string()))?;
                println!("{text}");
            } else {
                for (village, tables) in stats {
                    println!("{village}");
                    for (table, n) in tables {
                        println!("  {table:<20} {n}");
                    }
                }
            }
        }
    }
    Ok(())
}
