//! The `warroom` command: the dashboard, and a renderer for screenshots.

#![forbid(unsafe_code)]

use std::fs::OpenOptions;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use tokio::sync::mpsc;

use warroom::app::event_loop::{self, Wiring};
use warroom::app::state::{AppState, RunMode};
use warroom::clock::{Clock, SystemClock};
use warroom::control::Executor;
use warroom::control::audit::AuditLog;
use warroom::domain::timeline::EventKind;
use warroom::sim::{Fleet, FleetSpec};
use warroom::sources::simulator::{self, SimWiring};
use warroom::theme::{self, Theme};
use warroom::{demo, ui};

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

    /// What the simulated rollout does: `fault` scripts the regression in
    /// us-east-1, `calm` goes well to the end.
    #[arg(long, value_enum, default_value_t = Scenario::Fault, global = true)]
    scenario: Scenario,

    /// Seed of the simulator's noise; the same seed gives the same run.
    #[arg(long, default_value_t = 42, global = true)]
    seed: u64,

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

    /// How much to log.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    log_level: tracing::Level,
}

#[derive(clap::Args, Debug)]
struct Look {
    /// Colour theme: dark, light, high-contrast, colorblind, or a path to a
    /// theme file (.toml). `t` cycles themes while running. NO_COLOR in the
    /// environment gives a monochrome screen.
    #[arg(long, value_name = "NAME|PATH", global = true)]
    theme: Option<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render the demo dashboard at a moment of its run, without a terminal:
    /// as SVG (for screenshots and incident notes) or as plain text.
    Snapshot(SnapshotArgs),
}

#[derive(clap::Args, Debug)]
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

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("warroom: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (themes, start) = theme::resolve(cli.look.theme.as_deref(), no_color)?;
    let spec = |regions: Option<usize>| match (cli.scenario, regions) {
        (_, Some(n)) => FleetSpec::large(n.max(1), cli.seed),
        (Scenario::Fault, None) => FleetSpec::demo(cli.seed),
        (Scenario::Calm, None) => FleetSpec::calm(cli.seed),
    };
    match &cli.command {
        Some(Command::Snapshot(args)) => snapshot(args, spec(args.regions), &themes, start),
        None => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            runtime.block_on(dashboard(&cli, spec(None), themes, start))
        }
    }
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
fn operator(cli: &Cli) -> String {
    let env = |name| std::env::var(name).ok().filter(|s: &String| !s.is_empty());
    cli.operator
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

async fn dashboard(cli: &Cli, spec: FleetSpec, themes: Vec<Theme>, start: usize) -> Result<()> {
    if !std::io::stdout().is_terminal() {
        bail!(
            "the dashboard needs a terminal; for plain output use `warroom snapshot --format text`"
        );
    }
    let log_file = match &cli.log_file {
        Some(p) => p.clone(),
        None => state_dir()?.join("warroom.log"),
    };
    init_logging(&log_file, cli.log_level)?;
    let audit_path = match &cli.audit_log {
        Some(p) => p.clone(),
        None => state_dir()?.join("audit.jsonl"),
    };
    let audit = Arc::new(AuditLog::open(&audit_path)?);
    tracing::info!(audit = %audit.path().display(), "starting the demo dashboard");

    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let now = clock.now();
    let (tx, rx) = mpsc::channel(256);
    let names = themes.iter().map(|t| t.name.clone()).collect();
    let mut state = AppState::new(
        spec.plan.clone(),
        RunMode::Demo,
        simulator::source_infos(),
        names,
        now,
    );
    state.theme = start;
    state.read_only = cli.read_only;
    state.operator = operator(cli);
    let intro = format!(
        "watching {} on the embedded simulator; actions are recorded in {}",
        spec.plan.service,
        audit.path().display()
    );
    state.timeline.push(now, EventKind::Progress, intro);

    let wiring = SimWiring {
        tx: tx.clone(),
        deploy_source: 0,
        metrics_source: 1,
    };
    let control = simulator::spawn(
        Fleet::new(spec, now),
        clock.clone(),
        Duration::from_secs(1),
        wiring,
    );
    let executor = Executor::new(
        Arc::new(control),
        audit,
        clock.clone(),
        tx,
        Duration::from_secs(10),
    );

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
        messages: rx,
        executor,
        clock,
        themes,
    };
    let result = event_loop::run(&mut terminal, state, wiring).await;
    ratatui::try_restore().context("cannot restore the terminal")?;
    tracing::info!(ok = result.is_ok(), "dashboard closed");
    result?;
    Ok(())
}

fn snapshot(args: &SnapshotArgs, spec: FleetSpec, themes: &[Theme], start: usize) -> Result<()> {
    let theme = themes.get(start).context("no theme loaded")?;
    let mut state = demo::state_at(spec, args.at);
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
