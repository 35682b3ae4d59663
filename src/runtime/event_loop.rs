//! The event loop: `tokio::select!` over terminal input, a clock tick and the
//! sources' messages. It drains whatever is queued, then draws once, and only
//! when something changed. Terminal input is read a burst at a time: what
//! one read handed over goes to `update` together, so that keys which came
//! together (a paste on a terminal without bracketed paste) can be told from
//! keys typed one by one.

use std::io;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEventKind};
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
        let mut ended = false;
        let batch = tokio::select! {
            burst = next_burst(&mut input) => match burst {
                Some(Ok((events, more))) => {
                    ended = !more;
                    input_messages(events)
                }
                Some(Err(e)) => return Err(LoopError::Input(e)),
                None => return Ok(state),
            },
            _ = tick.tick() => vec![Msg::Tick(clock.now())],
            Some(msg) = messages.recv() => vec![msg],
            name = stop.recv() => vec![Msg::Terminate(name)],
        };
        let mut effects = Vec::new();
        for msg in batch {
            effects.extend(update(&mut state, msg));
        }
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
        if ended {
            return Ok(state);
        }
    }
}

/// The most events taken as one burst; a flood past it is read in parts.
const MAX_BURST: usize = 10_000;

/// The next input event and every one that is ready with it (what the
/// terminal handed over in the same read), and whether the input goes on.
/// `None` once the input has ended.
async fn next_burst<S>(input: &mut S) -> Option<io::Result<(Vec<Event>, bool)>>
where
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    let first = match input.next().await? {
        Ok(event) => event,
        Err(e) => return Some(Err(e)),
    };
    let mut events = vec![first];
    while events.len() < MAX_BURST {
        // Polled with this task's own waker, so a stream that is not ready
        // wakes the loop when it is (crossterm's stream keeps one waker).
        let ready = std::future::poll_fn(|cx| Poll::Ready(input.poll_next_unpin(cx))).await;
        match ready {
            Poll::Ready(Some(Ok(event))) => events.push(event),
            Poll::Ready(Some(Err(e))) => return Some(Err(e)),
            Poll::Ready(None) => return Some(Ok((events, false))),
            Poll::Pending => break,
        }
    }
    Some(Ok((events, true)))
}

/// The messages for one burst of terminal input. A burst that holds a
/// bracketed paste is all paste: keys around it in the same read (a paste
/// that smuggles its own end marker, say) are its text, never keys. Other
/// bursts of two or more keys go as `Msg::Keys`, so that none of them
/// confirms what another opened.
fn input_messages(events: Vec<Event>) -> Vec<Msg> {
    let resized = events.iter().any(|e| matches!(e, Event::Resize(..)));
    let pasted = events.iter().any(|e| matches!(e, Event::Paste(_)));
    let mut out = Vec::new();
    if pasted {
        let mut text = String::new();
        for event in events {
            match event {
                Event::Paste(p) => text.push_str(&p),
                Event::Key(k) if k.kind != KeyEventKind::Release => match k.code {
                    KeyCode::Char(c) => text.push(c),
                    KeyCode::Enter => text.push('\n'),
                    KeyCode::Tab => text.push('\t'),
                    _ => {}
                },
                _ => {}
            }
        }
        out.push(Msg::Paste(text));
    } else {
        let mut keys: Vec<_> = events
            .into_iter()
            .filter_map(|e| match e {
                Event::Key(k) if k.kind != KeyEventKind::Release => Some(k),
                _ => None,
            })
            .collect();
        match keys.len() {
            0 => {}
            1 => out.extend(keys.pop().map(Msg::Key)),
            _ => out.push(Msg::Keys(keys)),
        }
    }
    if resized {
        out.push(Msg::Resize);
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyEvent, KeyModifiers};

    fn key(c: char) -> Event {
        Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    #[test]
    fn one_key_alone_many_together_and_a_paste_as_text() {
        assert!(matches!(input_messages(vec![key('p')])[..], [Msg::Key(_)]));
        let burst = input_messages("ready".chars().map(key).collect());
        assert!(
            matches!(&burst[..], [Msg::Keys(k)] if k.len() == 5),
            "{burst:?}"
        );
        let mixed = input_messages(vec![
            Event::Paste("a".into()),
            key('r'),
            Event::Paste("b".into()),
            key('y'),
        ]);
        assert!(
            matches!(&mixed[..], [Msg::Paste(t)] if t == "arby"),
            "{mixed:?}"
        );
        let resized = input_messages(vec![Event::Resize(80, 24), key('q')]);
        assert!(
            matches!(&resized[..], [Msg::Key(_), Msg::Resize]),
            "{resized:?}"
        );
        let mut release = KeyEvent::new(KeyCode::Char('p'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert!(input_messages(vec![Event::Key(release)]).is_empty());
    }

    /// Events ready together come as one burst; what comes after the stream
    /// was not ready is the next one.
    #[tokio::test]
    async fn a_burst_is_what_was_ready_at_once() {
        let mut script = vec![Some(key('r')), Some(key('y')), None, Some(key('y'))].into_iter();
        let mut input = futures_util::stream::poll_fn(move |cx| match script.next() {
            Some(Some(event)) => Poll::Ready(Some(Ok(event))),
            Some(None) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            None => Poll::Ready(None),
        });
        let first = next_burst(&mut input).await;
        assert!(
            matches!(&first, Some(Ok((e, true))) if e.len() == 2),
            "{first:?}"
        );
        let second = next_burst(&mut input).await;
        assert!(
            matches!(&second, Some(Ok((e, false))) if e.len() == 1),
            "{second:?}"
        );
        assert!(next_burst(&mut input).await.is_none());
    }
}
