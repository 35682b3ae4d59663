//! The event loop: `tokio::select!` over terminal input, a clock tick and the
//! sources' messages. It drains whatever is queued, then draws once, and only
//! when something changed.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, KeyEventKind};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

use crate::app::{AppState, Effect, Msg, update};
use crate::audit::AuditRecord;
use crate::domain::clock::Clock;
use crate::runtime::executor::Executor;
use crate::ui;
use crate::ui::theme::Theme;

/// How often the header's ages and countdowns are refreshed.
pub const TICK: Duration = Duration::from_secs(1);

/// Why the loop ended.
#[derive(Debug, thiserror::Error)]
pub enum LoopError {
    #[error("terminal input failed: {0}")]
    Input(io::Error),
    #[error("drawing failed: {0}")]
    Draw(String),
}

/// What the loop needs besides the state.
pub struct Wiring<S> {
    pub input: S,
    pub messages: mpsc::Receiver<Msg>,
    pub executor: Executor,
    pub clock: Arc<dyn Clock>,
    pub themes: Vec<Theme>,
}

/// Run until the operator quits, the input ends or a signal asks us to stop.
/// Returns the final state.
pub async fn run<B, S>(
    terminal: &mut Terminal<B>,
    mut state: AppState,
    wiring: Wiring<S>,
) -> Result<AppState, LoopError>
where
    B: Backend,
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    let Wiring {
        mut input,
        mut messages,
        executor,
        clock,
        themes,
    } = wiring;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut stop = StopSignals::new();
    loop {
        if state.dirty {
            let Some(theme) = themes.get(state.theme).or(themes.first()) else {
                return Err(LoopError::Draw("no theme loaded".to_string()));
            };
            terminal
                .draw(|frame| ui::draw(frame, &state, theme))
                .map_err(|e| LoopError::Draw(e.to_string()))?;
            state.dirty = false;
        }
        let msg = tokio::select! {
            event = input.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Msg::Key(key),
                Some(Ok(Event::Resize(..))) => Msg::Resize,
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(LoopError::Input(e)),
                None => return Ok(state),
            },
            _ = tick.tick() => Msg::Tick(clock.now()),
            Some(msg) = messages.recv() => msg,
            name = stop.recv() => Msg::Terminate(name),
        };
        let mut effects = update(&mut state, msg);
        // Drain what the sources queued meanwhile, so one draw covers it all.
        while let Ok(msg) = messages.try_recv() {
            effects.extend(update(&mut state, msg));
        }
        for effect in effects {
            match effect {
                Effect::Quit => return Ok(state),
                Effect::Execute(request) => executor.execute(request),
                Effect::RecordScorecard(setting) => {
                    let record = AuditRecord::scorecard(&setting, &state.plan);
                    executor.record(record, setting);
                }
            }
        }
    }
}

/// SIGTERM, SIGHUP and SIGINT, so the terminal is restored however we are stopped.
struct StopSignals {
    #[cfg(unix)]
    signals: Vec<(tokio::signal::unix::Signal, &'static str)>,
}

impl StopSignals {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signals = [
                (SignalKind::terminate(), "SIGTERM"),
                (SignalKind::hangup(), "SIGHUP"),
                (SignalKind::interrupt(), "SIGINT"),
            ]
            .into_iter()
            .filter_map(|(kind, name)| signal(kind).ok().map(|s| (s, name)))
            .collect();
            StopSignals { signals }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            if self.signals.is_empty() {
                return std::future::pending().await;
            }
            let waits = self.signals.iter_mut().map(|(s, name)| {
                let name: &'static str = name;
                Box::pin(async move {
                    s.recv().await;
                    name
                })
            });
            futures_util::future::select_all(waits).await.0
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}
