//! The dashboard in a terminal: the seat (themes, operator, read-only), the
//! audit log, logging, the terminal itself, and the event loop on a session.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use super::args::{DashboardArgs, Look};
use super::{identity, logging, paths};
use crate::app::Msg;
use crate::app::state::{AppState, Seat};
use crate::audit::reader::{self, Follower};
use crate::audit::recall::{recall, recall_file};
use crate::audit::{AuditLog, Mode};
use crate::domain::action::NoControl;
use crate::domain::clock::Clock;
use crate::domain::scorecard::Recalled;
use crate::domain::timeline::EventKind;
use crate::runtime::event_loop::{self, Wiring};
use crate::runtime::executor::Executor;
use crate::runtime::session::Session;
use crate::runtime::sources::forward_recalled;
use crate::ui::theme::{self, Theme};

/// A two-thread runtime: the machine this runs on may have two cores, and
/// the dashboard needs little.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The themes `t` cycles through, and the one to start with.
pub fn themes(look: &Look) -> Result<(Vec<Theme>, usize)> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    Ok(theme::resolve(look.theme.as_deref(), no_color)?)
}

/// What the scorecard remembers of `service` from the audit log at `path`,
/// or why it cannot be read.
pub fn remembered(path: &Path, service: &str) -> Result<Recalled, String> {
    recall_file(path, service).map_err(|e| format!("scorecard: {e}"))
}

/// The receivers the demo or a drill was asked to notify (`--notify`):
/// those of `FILE`, or of the drilled `plan`; none when not asked.
pub fn asked_receivers(
    args: &DashboardArgs,
    plan: Option<&crate::config::plan::PlanFile>,
) -> Result<Vec<crate::config::plan::NotifyReceiver>> {
    match &args.notify {
        None => Ok(Vec::new()),
        Some(Some(file)) => Ok(crate::config::plan::PlanFile::load(file)?.notify),
        Some(None) => match plan {
            Some(p) => Ok(p.notify.clone()),
            None => bail!(
                "--notify: the demo has no plan to take receivers from; give one, --notify FILE (a plan with [[notify]])"
            ),
        },
    }
}

/// Everything a dashboard needs before its session starts.
pub struct Screen {
    pub themes: Vec<Theme>,
    /// Where `S` writes the screen.
    pub snapshots: std::path::PathBuf,
    pub seat: Seat,
    pub audit: Arc<AuditLog>,
    /// Why the audit log could not be read back, if it could not.
    pub unreadable: Option<String>,
    /// Follows the log on from where the start-up reading ended.
    pub follower: Follower,
    /// Where the session is journaled, if it is (`--record`, drills).
    pub record: Option<crate::runtime::journal::Recording>,
}

impl Screen {
    /// Check for a terminal, start logging, open the audit log and read
    /// back what it remembers of `service` for a screen in `mode` (`None`:
    /// a real rollout, which counts no demo or drill record; see `recall`).
    pub fn prepare(
        args: &DashboardArgs,
        look: &Look,
        service: &str,
        mode: Option<Mode>,
    ) -> Result<Screen> {
        if !std::io::stdout().is_terminal() {
            bail!(
                "the dashboard needs a terminal; for plain output use `warroom status` or `warroom snapshot --format text`"
            );
        }
        let (themes, start) = themes(look)?;
        let operator = identity::operator(args.operator.as_deref())?;
        logging::init(&paths::log_file(args.log_file.as_deref())?, args.log_level)?;
        let path = paths::audit_log(args.audit_log.as_deref())?;
        // A read-only seat neither creates, appends to nor repairs the log.
        let audit = Arc::new(if args.read_only {
            AuditLog::open_read_only(&path)?
        } else {
            AuditLog::open(&path)?
        });
        // One reading for the scorecard's memory and the tail's start, so
        // that a record appended in between is neither missed nor shown twice.
        let reading = reader::read(audit.path());
        let follower = Follower::after(audit.path(), &reading);
        let recalled = reading
            .and_then(|r| r.verified(audit.path()))
            .map(|entries| recall(&entries, service, mode));
        let (remembered, unreadable) = match recalled {
            Ok(r) => (r, None),
            Err(e) => (Recalled::default(), Some(format!("scorecard: {e}"))),
        };
        let seat = Seat {
            operator,
            read_only: args.read_only,
            theme_names: themes.iter().map(|t| t.name.clone()).collect(),
            theme: start,
            history_loading: false,
            remembered,
            presenter: args.presenter,
            share: args.share,
            utc_offset: chrono::Local::now().offset().local_minus_utc(),
        };
        Ok(Screen {
            themes,
            snapshots: paths::snapshots(args.snapshots.as_deref())?,
            seat,
            audit,
            unreadable,
            follower,
            record: None,
        })
    }
}

/// Run the dashboard on `session` until the operator quits; the final state.
pub async fn run(
    session: Session,
    screen: Screen,
    clock: Arc<dyn Clock>,
    origin: &str,
) -> Result<AppState> {
    let Screen {
        themes,
        snapshots,
        audit,
        unreadable,
        follower,
        record,
        ..
    } = screen;
    let journal = match &record {
        None => None,
        Some(recording) => Some(open_journal(recording, &session, &themes)?),
    };
    let recorded = journal.as_ref().map(|j| j.path().to_path_buf());
    tracing::info!(audit = %audit.path().display(), origin, "starting the dashboard");
    let note = format!("actions are recorded in {}", audit.path().display());
    let mut start = vec![Msg::Note {
        kind: EventKind::Progress,
        text: note,
    }];
    start.extend(audit.opening().torn_aside.as_ref().map(|aside| Msg::Note {
        kind: EventKind::Source,
        text: format!(
            "audit log: its last record never finished; kept in {} and cut off",
            aside.display()
        ),
    }));
    start.extend(audit.opening().replaced_head.as_ref().map(|why| Msg::Note {
        kind: EventKind::Source,
        text: format!("audit log: {why}"),
    }));
    start.extend(unreadable.map(Msg::AuditUnreadable));
    for msg in start {
        // The queue is empty this early; a full one would only lose a note.
        let _ = session.tx.try_send(msg);
    }
    // Settings, rollbacks and annotations other processes record from now
    // on. A look reads only what was appended since the last: once a
    // second, so a line written on one screen is on the others within one.
    let (recalled_tx, recalled_rx) = tokio::sync::mpsc::channel(16);
    let mode = session.state.mode.audit_mode().and_then(Mode::from_word);
    crate::audit::tail::spawn(
        follower,
        session.state.plan.service.clone(),
        mode,
        Duration::from_secs(1),
        recalled_tx,
    );
    forward_recalled(recalled_rx, session.tx.clone());
    let notifier = (!session.receivers.is_empty()).then(|| {
        let outlet = crate::runtime::notify::Outlet {
            tx: session.tx.clone(),
            audit: Some(audit.clone()),
            clock: clock.clone(),
            mode,
            backoff: Default::default(),
        };
        crate::runtime::notify::Notifier::start(session.receivers, outlet)
    });
    let control = session
        .control
        .clone()
        .unwrap_or_else(|| Arc::new(NoControl));
    let executor = Executor::new(
        control,
        audit,
        clock.clone(),
        session.tx.clone(),
        Duration::from_secs(10),
    )
    .marked(session.state.mode.audit_mode());

    let mut terminal = ratatui::try_init().context("cannot set up the terminal")?;
    // A paste arrives as one event, never as keys (see `update`): without
    // it, pasting `ready` would be `r` then `y`.
    if let Err(e) = paste_mode(true) {
        tracing::warn!(error = %e, "bracketed paste not enabled; bursts of keys are held back instead");
    }
    // ratatui's hook restores the terminal and prints the panic; ours turns
    // bracketed paste off first, and ends the program rather than leave a
    // task drawing on a restored terminal.
    let restore_and_report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = paste_mode(false);
        restore_and_report(info);
        std::process::exit(101);
    }));
    let wiring = Wiring {
        input: crossterm::event::EventStream::new(),
        reopen_input: Some(crossterm::event::EventStream::new),
        drafts_dir: paths::state_dir().ok().map(|d| d.join("drafts")),
        messages: session.messages,
        baselines: session.baselines,
        executor,
        clock,
        themes,
        snapshots: crate::runtime::snapshots::Snapshots::new(snapshots),
        notifier,
        drill: session.drill,
        journal,
    };
    let result = event_loop::run(&mut terminal, session.state, wiring).await;
    // Left on, the shell after us would see pastes wrapped in markers.
    let unpasted = paste_mode(false);
    // A terminal that grew while the dashboard was up (tmux among them) may
    // show rows of the alternate screen under the restored one: blank them.
    let _ = terminal.clear();
    ratatui::try_restore().context("cannot restore the terminal")?;
    unpasted.context("cannot turn bracketed paste off")?;
    tracing::info!(ok = result.is_ok(), "dashboard closed");
    if let Some(path) = recorded {
        println!(
            "session recorded in {} (warroom replay {0})",
            path.display()
        );
    }
    Ok(result?)
}

/// Create the journal `recording` asks for, its header written: before
/// the terminal is taken, so that a journal that cannot be made is said
/// plainly.
fn open_journal(
    recording: &crate::runtime::journal::Recording,
    session: &Session,
    themes: &[Theme],
) -> Result<crate::runtime::journal::Journal> {
    use crate::runtime::journal::{Header, Journal};
    let size = crossterm::terminal::size().unwrap_or((80, 24));
    let opening = &session.opening;
    let theme = themes
        .get(opening.seat.theme)
        .or(themes.first())
        .map(|t| t.name.as_str())
        .unwrap_or("dark");
    let header = Header::new(recording, opening, size, theme);
    Journal::create(&recording.path, &header, &opening.msgs)
        .with_context(|| "cannot record the session: choose another --record FILE".to_string())
}

/// Ask the terminal to mark pastes (`true`), or to stop (`false`).
fn paste_mode(on: bool) -> std::io::Result<()> {
    use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
    let mut out = std::io::stdout();
    if on {
        crossterm::execute!(out, EnableBracketedPaste)
    } else {
        crossterm::execute!(out, DisableBracketedPaste)
    }
}
