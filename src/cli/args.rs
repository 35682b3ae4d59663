//! The command line: every command and option, as `--help` shows them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::sim::FleetSpec;

/// A terminal war room for progressive rollouts.
///
/// With no command, opens the dashboard on the embedded simulated rollout:
/// checkout-api going from v2.3.1 to v2.4.0 across four regions in four
/// waves (5% → 25% → 50% → 100%, holds of 30–45 s). About 50 s in, the
/// canary's error rate and latency start to climb in us-east-1: catch it, then
/// pause (p p) or roll back (r y). Nothing real is touched.
#[derive(Parser, Debug)]
#[command(version, about, long_about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub look: Look,
    #[command(flatten)]
    pub sim: SimChoice,
    #[command(flatten)]
    pub scale: Scale,
    #[command(flatten)]
    pub dashboard: DashboardArgs,
    #[command(flatten)]
    pub record: Record,
}

#[derive(Args, Debug, Clone, Default)]
pub struct Record {
    /// Record the session in FILE (a journal, JSON lines): every screen can
    /// be replayed with `warroom replay FILE`. Never over an existing file.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct Scale {
    /// Simulate this many regions (1 to 5000) instead of the demo's four:
    /// named eu-1-1, us-1-2, …; the first wave takes one, the second a tenth,
    /// and the fault (with --scenario fault) strikes the last region of the
    /// second wave.
    #[arg(long, value_name = "N", value_parser = region_count)]
    pub regions: Option<usize>,
}

/// The most regions the simulator makes: beyond it a screen, a poll and a
/// Prometheus are no longer what is being tried.
pub const MAX_REGIONS: usize = 5000;

/// `--regions N`: a whole number from 1 to [`MAX_REGIONS`].
pub fn region_count(s: &str) -> Result<usize, String> {
    let n: usize = s.trim().parse().map_err(|_| {
        format!("`{s}` is not a number of regions: give a whole number from 1 to {MAX_REGIONS}")
    })?;
    if (1..=MAX_REGIONS).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "{n} regions: give a whole number from 1 to {MAX_REGIONS}"
        ))
    }
}

#[derive(Args, Debug, Clone)]
pub struct Look {
    /// Colour theme: dark, light, high-contrast, colorblind, or a path to a
    /// theme file (.toml). `t` cycles themes while running. NO_COLOR in the
    /// environment gives a monochrome screen.
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct SimChoice {
    /// What the simulated rollout does: `fault` scripts the regression in
    /// us-east-1 about 50 s in, `calm` goes well to the end.
    #[arg(long, value_enum, default_value_t = Scenario::Fault)]
    pub scenario: Scenario,
    /// Seed of the simulator's noise; the same seed gives the same run.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Args, Debug, Clone)]
pub struct DashboardArgs {
    /// Show everything, allow no action: for observers on a shared screen.
    #[arg(long)]
    pub read_only: bool,
    /// Start in the presenter view (`b` switches): the verdict in big
    /// letters, one row per region, the last events; for an incident bridge.
    /// Always safe to share.
    #[arg(long)]
    pub presenter: bool,
    /// Safe to share: hide host names, URLs, tokens and the plan's
    /// `[share] private` words on screen.
    #[arg(long)]
    pub share: bool,
    /// The name recorded in the audit log for actions [default: $USER]
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// Append-only record of every action and its outcome (JSON lines)
    /// [default: $XDG_STATE_HOME/warroom/audit.jsonl]
    #[arg(long, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
    /// Where logs go; never to the screen
    /// [default: $XDG_STATE_HOME/warroom/warroom.log]
    #[arg(long, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// How much to log: error, warn, info, debug or trace.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    pub log_level: tracing::Level,
    /// Where `S` writes snapshots of the screen (SVG and text, named by time)
    /// [default: $XDG_STATE_HOME/warroom/snapshots]
    #[arg(long, value_name = "DIR")]
    pub snapshots: Option<PathBuf>,
    /// The demo and drills notify only when asked: send to the `[[notify]]`
    /// receivers of the drilled plan (or of FILE), every message marked as
    /// a drill. `watch` always notifies its plan's receivers.
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    pub notify: Option<Option<PathBuf>>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
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
        #[command(flatten)]
        record: Record,
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
        #[command(flatten)]
        scale: Scale,
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
    /// A tabletop drill: a scenario (built in, see --list, or a file;
    /// docs/drills.md) played on the rollout of a plan (or the demo's) on
    /// the embedded simulator at drill pace: its faults injected on time.
    /// Same screen and keys as live; nothing real is reached. On quit, a debrief (time to detect, time to mitigate,
    /// the actions) is printed and recorded in the audit log, where the
    /// scorecard counts it as a rehearsal if the fault was detected and
    /// paused or rolled back.
    Drill(DrillArgs),
    /// The go / no-go scorecard of a plan: show it, or set an item that
    /// people answer (baseline, pilot, support, communications) with a note.
    /// Settings go to the audit log, where the dashboard finds them.
    Scorecard {
        #[command(subcommand)]
        command: ScorecardCommand,
    },
    /// Render the dashboard without a terminal, as SVG (for screenshots and
    /// incident notes) or as plain text: the demo at a moment of its run, or
    /// with --plan a real rollout after one poll of its sources. In a running
    /// dashboard, `S` writes the screen as it is into the snapshots folder.
    Snapshot(SnapshotArgs),
    /// The timeline of a plan's service for the incident document, from the
    /// verified audit log: actions asked and their outcomes, scorecard
    /// settings, drills and annotations, in order, in UTC, with authors
    /// (docs/timeline.md). Exit 2, printing nothing, when the log does not
    /// verify.
    Timeline(TimelineArgs),
    /// Replay a recorded session (`--record`, or a drill's journal) screen
    /// by screen: play, pause, speed, step, seek, jump to breaches, actions
    /// and annotations. Nothing is polled or sent. Or export it: an
    /// asciicast (`--export cast`) or its timeline (`--export md`).
    Replay(ReplayArgs),
}

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The journal to replay.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Write the session instead of showing it: `cast` an asciicast v2 file
    /// (for `asciinema play`), `md` its timeline in Markdown.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub export: Option<ReplayExport>,
    /// Where the export goes [default: standard output].
    #[arg(short = 'o', long, value_name = "FILE", requires = "export")]
    pub out: Option<PathBuf>,
    /// Colour theme of the replay (default: the one recorded).
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayExport {
    Cast,
    Md,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DrillArgs {
    #[command(subcommand)]
    pub then: Option<DrillCommand>,
    /// List the built-in scenarios, name and title, and exit.
    #[arg(long)]
    pub list: bool,
    /// The scenario: a built-in's name (see --list) or a scenario file.
    #[arg(long, value_name = "NAME|FILE", default_value = "canary-regression")]
    pub scenario: String,
    /// The rollout plan to rehearse (TOML); without it, the demo's. Its
    /// healthy baseline is fitted inside the plan's stop conditions.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Seconds into the drill when the scenario's first timed fault begins
    /// [default: the scenario's].
    #[arg(long, value_name = "SECONDS")]
    pub fault_at: Option<u32>,
    /// Seed of the simulator's noise; the same seed gives the same run
    /// [default: the scenario's].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Drill on a demo fleet of this many regions (with no --plan).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=500))]
    pub regions: Option<u16>,
    /// Where the drill's journal goes (a drill is always recorded)
    /// [default: $XDG_STATE_HOME/warroom/journals/<service>-<UTC>.jsonl]
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    #[command(flatten)]
    pub look: Look,
    #[command(flatten)]
    pub dashboard: DashboardArgs,
}

#[derive(Subcommand, Debug)]
pub enum DrillCommand {
    /// The facilitator's seat, in a second terminal: see the running drill's
    /// script and what is coming, inject a fault now, clear one, pause the
    /// drill clock. The participants' screen never shows any of it.
    Facilitate(FacilitateArgs),
}

#[derive(Args, Debug)]
pub struct FacilitateArgs {
    /// The running drill's control socket (default: the one in the state dir).
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct TimelineArgs {
    /// The rollout plan (TOML): the timeline of its service.
    #[arg(long, value_name = "FILE")]
    pub plan: PathBuf,
    /// The audit log to read [default: $XDG_STATE_HOME/warroom/audit.jsonl]
    #[arg(long, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
    /// Only what was recorded since: an RFC 3339 time
    /// (2026-03-01T14:00:00Z) or a duration back from now (2h, 30m, 1d).
    #[arg(long, value_name = "TIME|DURATION")]
    pub since: Option<String>,
    /// md: a table for the incident document; json: an array of objects.
    #[arg(long, value_enum, default_value_t = TimelineFormat::Md)]
    pub format: TimelineFormat,
    /// Also the records made in the demo and in drills, each marked as
    /// such; without it, only real ones.
    #[arg(long)]
    pub include_play: bool,
    /// Also each message delivered to a notification receiver, or given
    /// up on.
    #[arg(long)]
    pub notifications: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimelineFormat {
    Md,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum ScorecardCommand {
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
pub enum AuditCommand {
    /// Check the log's hash chain; exit 0 when intact, 2 naming the first
    /// record that was changed, removed or inserted.
    Verify {
        /// The audit log (JSON lines).
        file: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct DoraArgs {
    /// An NDJSON event file (docs/dora-events.md).
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// warroom's audit log: each rollback it carried out marks a failed deployment.
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// With --audit-log: only this service's rollbacks (the plan's `service`).
    #[arg(long, value_name = "NAME", requires = "audit_log")]
    pub service: Option<String>,
    /// Read deployments from the GitHub Deployments API of this repository.
    #[arg(long, value_name = "OWNER/REPO")]
    pub github: Option<String>,
    /// The GitHub API to use (GitHub Enterprise: https://HOST/api/v3). Checked
    /// as a plan's sources are: no credentials in it, and a token goes over
    /// plain http only to this machine.
    #[arg(long, value_name = "URL", default_value = "https://api.github.com")]
    pub github_api: String,
    /// The deployment environment to read from GitHub.
    #[arg(long, value_name = "NAME", default_value = "production")]
    pub environment: String,
    /// A file holding the GitHub token.
    #[arg(long, value_name = "FILE", conflicts_with = "github_token_env")]
    pub github_token_file: Option<PathBuf>,
    /// An environment variable holding the GitHub token.
    #[arg(long, value_name = "VAR")]
    pub github_token_env: Option<String>,
    /// The window, in days: 7, 30 or 90.
    #[arg(long, value_name = "DAYS", default_value_t = 30, value_parser = window_days)]
    pub window: i64,
    /// Judge as of this moment (RFC 3339) instead of now, e.g. for a
    /// recorded history.
    #[arg(long, value_name = "TIME")]
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

fn window_days(s: &str) -> Result<i64, String> {
    match s {
        "7" | "30" | "90" => s.parse().map_err(|e| format!("{e}")),
        _ => Err("the window is 7, 30 or 90 days".to_string()),
    }
}

#[derive(Args, Debug)]
pub struct SnapshotArgs {
    /// Draw this plan's rollout after one poll of its sources (as `status`
    /// sees it) instead of the simulated demo.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["at", "regions"])]
    pub plan: Option<PathBuf>,
    /// Where the scorecard's settings are read from, with --plan
    /// [default: $XDG_STATE_HOME/warroom/audit.jsonl]
    #[arg(long, value_name = "PATH", requires = "plan")]
    pub audit_log: Option<PathBuf>,
    /// Seconds into the simulated rollout.
    #[arg(long, default_value_t = 85)]
    pub at: i64,
    /// Screen width in columns.
    #[arg(long, default_value_t = 160)]
    pub width: u16,
    /// Screen height in rows.
    #[arg(long, default_value_t = 48)]
    pub height: u16,
    /// Simulate this many regions (1 to 5000) instead of the demo's four.
    #[arg(long, value_name = "N", value_parser = region_count)]
    pub regions: Option<usize>,
    /// Draw the presenter view (`b`) instead of the dashboard.
    #[arg(long)]
    pub presenter: bool,
    /// Safe to share: hide host names, URLs, tokens and private words.
    #[arg(long)]
    pub share: bool,
    /// SVG keeps colours and styles; text is the characters only.
    #[arg(long, value_enum, default_value_t = Format::Svg)]
    pub format: Format,
    /// Write here instead of standard output.
    #[arg(long, short, value_name = "PATH")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub look: Look,
    #[command(flatten)]
    pub sim: SimChoice,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    Fault,
    Calm,
}

impl Scenario {
    /// Its name on the command line (and in a journal's header).
    pub fn word(self) -> &'static str {
        match self {
            Scenario::Fault => "fault",
            Scenario::Calm => "calm",
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Svg,
    Text,
}

impl SimChoice {
    pub fn spec(&self, regions: Option<usize>) -> FleetSpec {
        match (self.scenario, regions) {
            (Scenario::Fault, Some(n)) => FleetSpec::large(n.max(1), self.seed),
            (Scenario::Calm, Some(n)) => FleetSpec {
                faults: vec![],
                ..FleetSpec::large(n.max(1), self.seed)
            },
            (Scenario::Fault, None) => FleetSpec::demo(self.seed),
            (Scenario::Calm, None) => FleetSpec::calm(self.seed),
        }
    }
}
