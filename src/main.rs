//! The `warroom` command.

#![forbid(unsafe_code)]

use std::fs::OpenOptions;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use warroom::app::event_loop::{self, Wiring};
use warroom::clock::{Clock, SystemClock};
use warroom::config::plan::PlanFile;
use warroom::control::Executor;
use warroom::control::audit::AuditLog;
use warroom::domain::timeline::EventKind;
use warroom::session::Session;
use warroom::sim::FleetSpec;
use warroom::theme::{self, Theme};
use warroom::{app, demo, report, ui};

/// A terminal war room for progressive rollouts.
///
/// With no command, opens the dashboard on the embedded simulated rollout:
/// checkout-api going from v2.3.1 to v2.4.0 across four regions in four
/// waves (5% → 25% → 50% → 100%, holds of 30–45 s). About 50 s in, the
/// canary's error rate and latency start to climb in us-east-1: catch it, then
/// pause (p p) or roll back (r y). Nothing real is touched.
#[derive(Parser, Debug)]
#[command(version, about, long_about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    look: Look,
    #[command(flatten)]
    sim: SimChoice,
    #[command(flatten)]
    dashboard: DashboardArgs,
}

#[derive(Args, Debug, Clone)]
struct Look {
    /// Colour theme: dark, light, high-contrast, colorblind, or a path to a
    /// theme file (.toml). `t` cycles themes while running. NO_COLOR in the
    /// environment gives a monochrome screen.
    #[arg(long, value_name = "NAME|PATH")]
    theme: Option<String>,
}

#[derive(Args, Debug, Clone)]
struct SimChoice {
    /// What the simulated rollout does: `fault` scripts the regression in
    /// us-east-1 about 50 s in, `calm` goes well to the end.
    #[arg(long, value_enum, default_value_t = Scenario::Fault)]
    scenario: Scenario,
    /// Seed of the simulator's noise; the same seed gives the same run.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

#[derive(Args, Debug, Clone)]
struct DashboardArgs {
    /// Show everything, allow no action: for observers on a shared screen.
    #[arg(long)]
    read_only: bool,
    /// The name recorded in the audit log for actions [default: $USER]
    #[arg(long, value_name = "NAME")]
    operator: Option<String>,
    /// Append-only record of every action and its outcome (JSON lines)
    /// [default: $XDG_STATE_HOME/warroom/audit.jsonl]
    #[arg(long, value_name = "PATH")]
    audit_log: Option<PathBuf>,
    /// Where logs go; never to the screen
    /// [default: $XDG_STATE_HOME/warroom/warroom.log]
    #[arg(long, value_name = "PATH")]
    log_file: Option<PathBuf>,
    /// How much to log: error, warn, info, debug or trace.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    log_level: tracing::Level,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The dashboard on a real rollout described by a plan file: its
    /// Prometheus for the numbers, its Argo Rollouts or deploy API for state
    /// and actions.
    Watch {
        /// The rollout plan (TOML); see examples/.
        #[arg(long, value_name = "FILE")]
        plan: PathBuf,
        #[command(flatten)]
        look: Look,
        #[command(flatten)]
        dashboard: DashboardArgs,
    },
    /// Poll once, print the health matrix, the stop conditions and the
    /// go / no-go scorecard, and exit with 0 healthy and GO, 2 a stop
    /// condition past its threshold, 3 a source unreachable, 4 no data to
    /// judge, 5 healthy but NO-GO (1: the plan or the command is wrong).
    Status {
        /// The rollout plan (TOML); see examples/.
        #[arg(long, value_name = "FILE")]
        plan: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Where the scorecard's settings and rollbacks are read from
        /// [default: $XDG_STATE_HOME/warroom/audit.jsonl]
        #[arg(long, value_name = "PATH")]
        audit_log: Option<PathBuf>,
    },
    /// Serve the simulated fleet over HTTP: Prometheus metrics at /metrics,
    /// the deploy API at /api/v1/rollout (docs/deploy-api.md), fault
    /// injection at POST /sim/faults and the truth at GET /sim/truth.
    Sim {
        /// Address to listen on; port 0 picks a free one (printed on start).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464")]
        listen: String,
        /// Instead of serving, write the simulated service's last 90 days of
        /// delivery history as NDJSON (docs/dora-events.md) and exit.
        #[arg(long, value_name = "FILE")]
        write_history: Option<PathBuf>,
        #[command(flatten)]
        sim: SimChoice,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// DORA's keys for a service, without the screen: deployment frequency,
    /// lead time for changes, change failure rate, failed-deployment recovery
    /// time and rework rate, each with its 2024 performance tier and a weekly
    /// trend. Give at least one history source.
    Dora(DoraArgs),
    /// A tabletop drill: the rollout of a plan (or the demo's) rehearsed on
    /// the embedded simulator at drill pace, with the canary failing in the
    /// region the second wave adds. Same screen and keys as live; nothing
    /// real is reached. On quit, a debrief (time to detect, time to mitigate,
    /// the actions) is printed and recorded in the audit log, where the
    /// scorecard counts it as a rehearsal.
    Drill {
        /// The rollout plan to rehearse (TOML); without it, the demo's.
        #[arg(long, value_name = "FILE")]
        plan: Option<PathBuf>,
        /// Seconds into the drill when the fault begins.
        #[arg(long, value_name = "SECONDS", default_value_t = 50)]
        fault_at: u32,
        /// Seed of the simulator's noise; the same seed gives the same run.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[command(flatten)]
        look: Look,
        #[command(flatten)]
        dashboard: DashboardArgs,
    },
    /// The go / no-go scorecard of a plan: show it, or set an item that
    /// people answer (baseline, pilot, support, communications) with a note.
    /// Settings go to the audit log, where the dashboard finds them.
    Scorecard {
        #[command(subcommand)]
        command: ScorecardCommand,
    },
    /// Render the demo dashboard at a moment of its run, without a terminal:
    /// as SVG (for screenshots and incident notes) or as plain text.
    Snapshot(SnapshotArgs),
}

#[derive(Subcommand, Debug)]
enum ScorecardCommand {
    /// Print the scorecard; exit 0 for GO, 2 for NO-GO. Sources are not
    /// polled here, so "dashboards and alerts validated" shows as unknown.
    Show {
        /// The rollout plan (TOML): its service, approver and owners.
        #[arg(long, value_name = "FILE")]
        plan: PathBuf,
        /// The audit log the settings and rollbacks are read from
        /// [default: $XDG_STATE_HOME/warroom/audit.jsonl]
        #[arg(long, value_name = "PATH")]
        audit_log: Option<PathBuf>,
    },
    /// Set an item: baseline, pilot, support or communications, to green,
    /// amber, red or unknown, with a note saying what it rests on.
    Set {
        /// The rollout plan (TOML): the setting is recorded for its service.
        #[arg(long, value_name = "FILE")]
        plan: PathBuf,
        /// baseline, pilot, support or communications (the other three are
        /// judged from data).
        item: String,
        /// green, amber, red or unknown.
        status: String,
        /// What the status rests on: plain text, at most 200 characters.
        #[arg(long)]
        note: String,
        /// Who is recorded as having set it [default: $USER]
        #[arg(long, value_name = "NAME")]
        operator: Option<String>,
        /// The audit log the setting goes to, where dashboards read it
        /// [default: $XDG_STATE_HOME/warroom/audit.jsonl]
        #[arg(long, value_name = "PATH")]
        audit_log: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Check the log's hash chain; exit 0 when intact, 2 naming the first
    /// record that was changed, removed or inserted.
    Verify {
        /// The audit log (JSON lines).
        file: PathBuf,
    },
}

#[derive(Args, Debug)]
struct DoraArgs {
    /// An NDJSON event file (docs/dora-events.md).
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// warroom's audit log: each rollback it carried out marks a failed deployment.
    #[arg(long, value_name = "FILE")]
    audit_log: Option<PathBuf>,
    /// With --audit-log: only this service's rollbacks (the plan's `service`).
    #[arg(long, value_name = "NAME", requires = "audit_log")]
    service: Option<String>,
    /// Read deployments from the GitHub Deployments API of this repository.
    #[arg(long, value_name = "OWNER/REPO")]
    github: Option<String>,
    /// The GitHub API to use (GitHub Enterprise: https://HOST/api/v3).
    #[arg(long, value_name = "URL", default_value = "https://api.github.com")]
    github_api: String,
    /// The deployment environment to read from GitHub.
    #[arg(long, value_name = "NAME", default_value = "production")]
    environment: String,
    /// A file holding the GitHub token.
    #[arg(long, value_name = "FILE", conflicts_with = "github_token_env")]
    github_token_file: Option<PathBuf>,
    /// An environment variable holding the GitHub token.
    #[arg(long, value_name = "VAR")]
    github_token_env: Option<String>,
    /// The window, in days: 7, 30 or 90.
    #[arg(long, value_name = "DAYS", default_value_t = 30, value_parser = window_days)]
    window: i64,
    /// Judge as of this moment (RFC 3339) instead of now, e.g. for a
    /// recorded history.
    #[arg(long, value_name = "TIME")]
    at: Option<chrono::DateTime<chrono::Utc>>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn window_days(s: &str) -> Result<i64, String> {
    match s {
        "7" | "30" | "90" => s.parse().map_err(|e| format!("{e}")),
        _ => Err("the window is 7, 30 or 90 days".to_string()),
    }
}

#[derive(Args, Debug)]
struct SnapshotArgs {
    /// Seconds into the simulated rollout.
    #[arg(long, default_value_t = 85)]
    at: i64,
    /// Screen width in columns.
    #[arg(long, default_value_t = 160)]
    width: u16,
    /// Screen height in rows.
    #[arg(long, default_value_t = 48)]
    height: u16,
    /// Simulate this many regions instead of the demo's four.
    #[arg(long, value_name = "N")]
    regions: Option<usize>,
    /// SVG keeps colours and styles; text is the characters only.
    #[arg(long, value_enum, default_value_t = Format::Svg)]
    format: Format,
    /// Write here instead of standard output.
    #[arg(long, short, value_name = "PATH")]
    out: Option<PathBuf>,
    #[command(flatten)]
    look: Look,
    #[command(flatten)]
    sim: SimChoice,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    Fault,
    Calm,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Svg,
    Text,
}

impl SimChoice {
    fn spec(&self, regions: Option<usize>) -> FleetSpec {
        match (self.scenario, regions) {
            (_, Some(n)) => FleetSpec::large(n.max(1), self.seed),
            (Scenario::Fault, None) => FleetSpec::demo(self.seed),
            (Scenario::Calm, None) => FleetSpec::calm(self.seed),
        }
    }
}

fn main() {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("warroom: {e:#}");
            std::process::exit(1);
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn themes(look: &Look) -> Result<(Vec<Theme>, usize)> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    Ok(theme::resolve(look.theme.as_deref(), no_color)?)
}

/// Run a command; the result is the exit code.
fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        None => {
            let (themes, start) = themes(&cli.look)?;
            let spec = cli.sim.spec(None);
            runtime()?.block_on(async {
                let clock: Arc<dyn Clock> = Arc::new(SystemClock);
                let names = themes.iter().map(|t| t.name.clone()).collect();
                let session = Session::demo(spec, clock.clone(), names);
                dashboard(
                    &cli.dashboard,
                    session,
                    clock,
                    themes,
                    start,
                    "the embedded simulator",
                )
                .await
                .map(drop)
            })?;
            Ok(0)
        }
        Some(Command::Watch {
            plan,
            look,
            dashboard: args,
        }) => {
            let (themes, start) = themes(&look)?;
            let plan = PlanFile::load(&plan)?;
            runtime()?.block_on(async {
                let clock: Arc<dyn Clock> = Arc::new(SystemClock);
                let names = themes.iter().map(|t| t.name.clone()).collect();
                let session = Session::from_plan(&plan, clock.clone(), names)?;
                let origin = plan.path.display().to_string();
                dashboard(&args, session, clock, themes, start, &origin)
                    .await
                    .map(drop)
            })?;
            Ok(0)
        }
        Some(Command::Status {
            plan,
            json,
            audit_log,
        }) => {
            let plan = PlanFile::load(&plan)?;
            // Without a state directory there is no audit log to read: the
            // scorecard's items set by people are then unknown.
            let audit = audit_log.or_else(|| state_dir().ok().map(|d| d.join("audit.jsonl")));
            runtime()?.block_on(status(&plan, json, audit.as_deref()))
        }
        Some(Command::Sim {
            write_history: Some(path),
            sim,
            ..
        }) => {
            let events = warroom::sim::history::history(sim.seed, chrono::Utc::now(), 91, 2.0);
            let mut text = String::new();
            for e in &events {
                text.push_str(&serde_json::to_string(e)?);
                text.push('\n');
            }
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "warroom sim: {} events written to {}",
                events.len(),
                path.display()
            );
            Ok(0)
        }
        Some(Command::Sim { listen, sim, .. }) => {
            runtime()?.block_on(serve_sim(&listen, sim.spec(None)))?;
            Ok(0)
        }
        Some(Command::Dora(args)) => runtime()?.block_on(dora(&args)),
        Some(Command::Audit {
            command: AuditCommand::Verify { file },
        }) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            match warroom::control::audit::verify(&text) {
                warroom::control::audit::Verdict::Intact { records } => {
                    println!("{}: intact, {records} records", file.display());
                    Ok(0)
                }
                warroom::control::audit::Verdict::Broken { line, problem } => {
                    println!(
                        "{}:{line}: BROKEN: record on line {line}: {problem}",
                        file.display()
                    );
                    Ok(2)
                }
            }
        }
        Some(Command::Snapshot(args)) => {
            snapshot(&args)?;
            Ok(0)
        }
        Some(Command::Scorecard { command }) => scorecard(command),
        Some(Command::Drill {
            plan,
            fault_at,
            seed,
            look,
            dashboard: args,
        }) => drill(plan.as_deref(), fault_at, seed, &look, &args),
    }
}

/// `warroom drill`: the dashboard on a rehearsal, then the debrief.
fn drill(
    plan: Option<&Path>,
    fault_at: u32,
    seed: u64,
    look: &Look,
    args: &DashboardArgs,
) -> Result<i32> {
    use warroom::control::audit::AuditRecord;
    let (themes, start) = themes(look)?;
    let fault_at = chrono::TimeDelta::seconds(i64::from(fault_at));
    let (spec, origin) = match plan {
        Some(path) => {
            let plan = PlanFile::load(path)?;
            let origin = format!("a drill of {}", path.display());
            (FleetSpec::rehearsal(&plan.plan, seed, fault_at), origin)
        }
        None => {
            let mut spec = FleetSpec::demo(seed);
            for f in &mut spec.faults {
                f.starts_after = fault_at;
            }
            (spec, "a drill of the demo rollout".to_string())
        }
    };
    let rollout = spec.plan.clone();
    let (state, began) = runtime()?.block_on(async {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let began = clock.now();
        let names = themes.iter().map(|t| t.name.clone()).collect();
        let session = Session::drill(spec, clock.clone(), names);
        dashboard(args, session, clock, themes, start, &origin)
            .await
            .map(|state| (state, began))
    })?;
    let ended = chrono::Utc::now();
    let debrief = warroom::domain::drill::debrief(&state.timeline, began + fault_at, ended);
    if !debrief.fault_began() {
        println!("the drill ended before its fault began: nothing was rehearsed or recorded");
        return Ok(0);
    }
    print!("{debrief}");
    let summary = format!(
        "time to detect {}, time to mitigate {}",
        debrief
            .time_to_detect()
            .map_or("—".to_string(), |d| format!("{}s", d.num_seconds())),
        debrief
            .time_to_mitigate()
            .map_or("—".to_string(), |d| format!("{}s", d.num_seconds())),
    );
    let path = match &args.audit_log {
        Some(p) => p.clone(),
        None => state_dir()?.join("audit.jsonl"),
    };
    let audit = AuditLog::open(&path)?;
    audit.append(&AuditRecord::drill(
        &rollout,
        &state.operator,
        ended,
        summary,
    ))?;
    println!("recorded in {}", path.display());
    Ok(0)
}

/// `warroom scorecard show | set`.
fn scorecard(command: ScorecardCommand) -> Result<i32> {
    use warroom::control::audit::AuditRecord;
    use warroom::control::recall::recall_file;
    use warroom::domain::scorecard::{self, Evidence, Item, Setting, Status};
    let audit_path = |given: &Option<PathBuf>| match given {
        Some(p) => Ok(p.clone()),
        None => state_dir().map(|d| d.join("audit.jsonl")),
    };
    match command {
        ScorecardCommand::Show { plan, audit_log } => {
            let plan = PlanFile::load(&plan)?.plan;
            let path = audit_path(&audit_log)?;
            let recalled = recall_file(&path, &plan.service)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let evidence = Evidence {
                stop_conditions: plan.stop_conditions.len(),
                feeds: vec![],
                last_rollback: recalled.last_rollback,
                audit_readable: true,
                now: chrono::Utc::now(),
            };
            let card = scorecard::evaluate(&plan.scorecard, &evidence, &recalled.settings);
            print!("{}", report::scorecard_text(&plan.service, &card));
            Ok(if card.is_no_go() { 2 } else { 0 })
        }
        ScorecardCommand::Set {
            plan,
            item,
            status,
            note,
            operator: who,
            audit_log,
        } => {
            let plan = PlanFile::load(&plan)?.plan;
            let keys: Vec<&str> = Item::ALL
                .iter()
                .filter(|i| !i.is_judged())
                .map(|i| i.key())
                .collect();
            let item = match Item::from_key(&item) {
                Some(i) if i.is_judged() => bail!(
                    "`{item}` is judged from data and cannot be set; set one of {}",
                    keys.join(", ")
                ),
                Some(i) => i,
                None => bail!(
                    "`{item}` is not a scorecard item; set one of {}",
                    keys.join(", ")
                ),
            };
            let Some(status) = Status::from_word(&status) else {
                bail!("`{status}` is not a status; use green, amber, red or unknown");
            };
            let note = match scorecard::check_note(&note) {
                Ok(n) => n,
                Err(problem) => bail!("--note: {problem}"),
            };
            let operator = who.unwrap_or_else(|| {
                operator(&DashboardArgs {
                    read_only: false,
                    operator: None,
                    audit_log: None,
                    log_file: None,
                    log_level: tracing::Level::INFO,
                })
            });
            check_operator(&operator)?;
            let setting = Setting {
                item,
                status,
                note,
                operator,
                at: chrono::Utc::now(),
            };
            let path = audit_path(&audit_log)?;
            let audit = AuditLog::open(&path)?;
            audit.append(&AuditRecord::scorecard(&setting, &plan))?;
            println!(
                "{}: {} set to {} in {}",
                plan.service,
                item,
                status,
                path.display()
            );
            Ok(0)
        }
    }
}

/// The scorecard remembers through the audit log: items set and rollbacks done.
fn recall_scorecard(state: &mut app::state::AppState, audit: &Path) {
    match warroom::control::recall::recall_file(audit, &state.plan.service) {
        Ok(recalled) => {
            state.scorecard_settings.extend(recalled.settings);
            state.last_rollback = state.last_rollback.max(recalled.last_rollback);
        }
        Err(e) => {
            state.audit_readable = false;
            let text = format!("scorecard: cannot read {}: {e}", audit.display());
            state.timeline.push(state.now, EventKind::Source, text);
        }
    }
}

/// An operator's name goes to the screen and the audit log: plain and short.
fn check_operator(name: &str) -> Result<()> {
    if name.chars().any(char::is_control) || name.chars().count() > 100 {
        bail!("--operator must be a plain name of at most 100 characters");
    }
    Ok(())
}

/// `$XDG_STATE_HOME/warroom`, else `~/.local/state/warroom`.
fn state_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_STATE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("warroom"));
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".local/state/warroom")),
        None => bail!("neither XDG_STATE_HOME nor HOME is set: pass --audit-log and --log-file"),
    }
}

fn init_logging(path: &Path, level: tracing::Level) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open log file {}", path.display()))?;
    tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_max_level(level)
        .init();
    Ok(())
}

/// `--operator`, else the login name from the environment, else the account
/// that owns this process.
fn operator(args: &DashboardArgs) -> String {
    let env = |name| std::env::var(name).ok().filter(|s: &String| !s.is_empty());
    args.operator
        .clone()
        .or_else(|| env("USER"))
        .or_else(|| env("LOGNAME"))
        .or_else(account_name)
        .unwrap_or_else(|| "unknown".to_string())
}

/// The name of this process's user from /proc and /etc/passwd, without libc.
fn account_name() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid).then(|| name.to_string())
    })
}

/// Run the dashboard on `session` until the operator quits.
async fn dashboard(
    args: &DashboardArgs,
    mut session: Session,
    clock: Arc<dyn Clock>,
    themes: Vec<Theme>,
    start: usize,
    origin: &str,
) -> Result<app::state::AppState> {
    if !std::io::stdout().is_terminal() {
        bail!(
            "the dashboard needs a terminal; for plain output use `warroom status` or `warroom snapshot --format text`"
        );
    }
    let log_file = match &args.log_file {
        Some(p) => p.clone(),
        None => state_dir()?.join("warroom.log"),
    };
    init_logging(&log_file, args.log_level)?;
    let audit_path = match &args.audit_log {
        Some(p) => p.clone(),
        None => state_dir()?.join("audit.jsonl"),
    };
    let audit = Arc::new(AuditLog::open(&audit_path)?);
    tracing::info!(audit = %audit.path().display(), origin, "starting the dashboard");

    let state = &mut session.state;
    state.theme = start;
    state.read_only |= args.read_only;
    state.operator = operator(args);
    check_operator(&state.operator)?;
    let note = format!("actions are recorded in {}", audit.path().display());
    state.timeline.push(clock.now(), EventKind::Progress, note);
    recall_scorecard(state, audit.path());
    // Settings and rollbacks other processes record from now on.
    warroom::sources::audit_tail::spawn(
        audit.path().to_path_buf(),
        state.plan.service.clone(),
        Duration::from_secs(2),
        session.tx.clone(),
    );
    let control = session
        .control
        .clone()
        .unwrap_or_else(|| Arc::new(warroom::control::NoControl));
    let executor = Executor::new(
        control,
        audit,
        clock.clone(),
        session.tx.clone(),
        Duration::from_secs(10),
    )
    .marked(state.mode.audit_mode());

    let mut terminal = ratatui::try_init().context("cannot set up the terminal")?;
    // ratatui's hook restores the terminal and prints the panic; a panic on
    // any task must also end the program rather than leave it drawing on a
    // restored terminal.
    let restore_and_report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_and_report(info);
        std::process::exit(101);
    }));
    let wiring = Wiring {
        input: crossterm::event::EventStream::new(),
        messages: session.messages,
        executor,
        clock,
        themes,
    };
    let result = event_loop::run(&mut terminal, session.state, wiring).await;
    ratatui::try_restore().context("cannot restore the terminal")?;
    tracing::info!(ok = result.is_ok(), "dashboard closed");
    Ok(result?)
}

/// One poll of every source, printed; the exit code says how it went.
async fn status(plan: &PlanFile, json: bool, audit: Option<&Path>) -> Result<i32> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut session = Session::from_plan(plan, clock, vec![])?;
    match audit {
        Some(path) => recall_scorecard(&mut session.state, path),
        None => session.state.audit_readable = false,
    }
    let mut pending: Vec<usize> = (0..session.state.sources.len()).collect();
    // Every source answers or fails within its timeout; allow for connection set-up.
    let longest = session
        .state
        .sources
        .iter()
        .map(|s| s.info.timeout)
        .max()
        .unwrap_or_default();
    let deadline = tokio::time::Instant::now() + longest + Duration::from_secs(2);
    while !pending.is_empty() {
        let Ok(Some(msg)) = tokio::time::timeout_at(deadline, session.messages.recv()).await else {
            break;
        };
        if let app::Msg::Source { source, .. } = &msg {
            pending.retain(|s| s != source);
        }
        app::update(&mut session.state, msg);
    }
    for i in pending {
        if let Some(s) = session.state.sources.get_mut(i) {
            s.error = Some("no answer in time".to_string());
        }
    }
    let report = report::build(&session.state);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report::text(&report));
    }
    Ok(report.outcome.exit_code())
}

async fn dora(args: &DoraArgs) -> Result<i32> {
    use warroom::config::plan::Auth;
    use warroom::domain::dora::History;
    use warroom::sources::history;
    if args.events.is_none() && args.audit_log.is_none() && args.github.is_none() {
        bail!("give a history source: --events FILE, --audit-log FILE or --github OWNER/REPO");
    }
    let now = args.at.unwrap_or_else(chrono::Utc::now);
    let mut h = History::default();
    if let Some(path) = &args.events {
        history::read_events(path, &mut h)?;
    }
    if let Some(repo) = &args.github {
        let auth = match (&args.github_token_file, &args.github_token_env) {
            (Some(f), _) => Auth::BearerFile(f.clone()),
            (None, Some(v)) => Auth::BearerEnv(v.clone()),
            (None, None) => Auth::None,
        };
        let github =
            history::github::GitHub::new(&args.github_api, repo, &args.environment, &auth)?;
        // The trend reaches back up to 13 weeks, whatever the window.
        let since = now - chrono::TimeDelta::days(args.window.max(91));
        for event in github.events(since).await? {
            h.add(event)?;
        }
    }
    // Last, so its rollbacks find the deployments the other sources gave.
    if let Some(path) = &args.audit_log {
        history::read_audit_rollbacks(path, args.service.as_deref(), &mut h)?;
    }
    let summary = h.summary(now, args.window);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", report::dora_text(&summary));
    }
    Ok(0)
}

async fn serve_sim(listen: &str, spec: FleetSpec) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!(
        "warroom sim: {} {} → {} on http://{addr} (metrics /metrics, deploy API /api/v1/rollout)",
        spec.plan.service, spec.plan.stable_version, spec.plan.canary_version
    );
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    tokio::select! {
        served = warroom::sim::http::serve(listener, spec, clock) => served.context("the simulator's server stopped")?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}

fn snapshot(args: &SnapshotArgs) -> Result<()> {
    let (themes, start) = themes(&args.look)?;
    let theme = themes.get(start).context("no theme loaded")?;
    let mut state = demo::state_at(args.sim.spec(args.regions), args.at);
    state.theme = start;
    let area = ratatui::layout::Rect::new(0, 0, args.width, args.height);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    ratatui::widgets::Widget::render(
        ui::Dashboard {
            state: &state,
            theme,
        },
        area,
        &mut buf,
    );
    let text = match args.format {
        Format::Svg => {
            let (fg, bg) = if theme.monochrome {
                ("#000000".to_string(), "#ffffff".to_string())
            } else {
                (
                    ui::svg::css(theme.colors.text),
                    ui::svg::css(theme.colors.background),
                )
            };
            ui::svg::to_svg(&buf, &fg, &bg)
        }
        Format::Text => buffer_text(&buf),
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let line: String = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
