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
use crate::runtime::baselines::{Baselines, unanswerable};
use crate::runtime::drafts;
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
    /// Where baseline questions go; `None` when no source answers them.
    pub baselines: Option<Baselines>,
    /// Where `S` writes the screen.
    pub snapshots: super::snapshots::Snapshots,
    /// Where notifications go; `None` when nothing is sent.
    pub notifier: Option<crate::runtime::notify::Notifier>,
    /// The terminal is a real one: how to open its input again after it
    /// was handed to `$EDITOR`. `None` (a test's scripted input): no
    /// editor and no clipboard.
    pub reopen_input: Option<fn() -> S>,
    /// A drill's script (for its debrief at the end); `None` outside drills.
    pub drill: Option<crate::sim::drill::DrillHandle>,
    /// Where drafts are written (`drafts/` in the state dir).
    pub drafts_dir: Option<std::path::PathBuf>,
    /// Where every message that reaches `update` is recorded; `None` when
    /// the session is not recorded.
    pub journal: Option<super::journal::Journal>,
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
        input,
        mut messages,
        executor,
        clock,
        themes,
        baselines,
        snapshots,
        notifier,
        reopen_input,
        drill,
        drafts_dir,
        journal,
    } = wiring;
    let mut rec = Recorder {
        journal,
        clock: clock.clone(),
    };
    let mut input = drafts::Reopenable::new(input, reopen_input);
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut stop = StopSignals::new();
    // How the last burst ended, what it carried itself, and when the loop
    // was next ready to read: a gap is measured from there, so that time
    // spent drawing is not taken for a pause in the input.
    let mut last_cut: Option<(Cut, Carry, Option<tokio::time::Instant>)> = None;
    // `$EDITOR` on a draft, while it has the terminal: the loop goes on
    // judging, acting and hearing sources meanwhile, but neither reads the
    // keys nor draws until it quits.
    let mut editing: Option<drafts::Editing> = None;
    loop {
        if state.dirty && editing.is_none() {
            let Some(theme) = themes.get(state.theme).or(themes.first()) else {
                return Err(LoopError::Draw("no theme loaded".to_string()));
            };
            terminal
                .draw(|frame| ui::draw(frame, &state, theme))
                .map_err(|e| LoopError::Draw(e.to_string()))?;
            state.dirty = false;
        }
        if let Some((_, _, ready @ None)) = &mut last_cut {
            *ready = Some(tokio::time::Instant::now());
        }
        let mut ended = false;
        let batch = tokio::select! {
            first = input.next(), if editing.is_none() => match first {
                Some(Ok(first)) => {
                    let carry = match last_cut {
                        Some((cut, carried, Some(ready))) => {
                            Carry::after(cut, carried, ready.elapsed())
                        }
                        _ => Carry::default(),
                    };
                    let burst = rest_of_burst(first, &mut input).await.map_err(LoopError::Input)?;
                    ended = !burst.more;
                    // A flood is paste from its first part to the end of its last.
                    let as_paste = carry.flood || burst.cut == Cut::Flood;
                    last_cut = Some((burst.cut, carry, None));
                    input_messages(burst.events, as_paste, carry.continued)
                }
                Some(Err(e)) => return Err(LoopError::Input(e)),
                None => return Ok(state),
            },
            _ = tick.tick() => vec![Msg::Tick(clock.now())],
            edited = drafts::edited(&mut editing), if editing.is_some() => {
                // Everything is drawn again over what the editor left.
                let _ = terminal.clear();
                state.dirty = true;
                vec![edited]
            }
            Some(msg) = messages.recv() => vec![msg],
            name = stop.recv() => vec![Msg::Terminate(name)],
        };
        let mut effects = Vec::new();
        for msg in batch {
            let size = match msg {
                Msg::Resize => terminal.size().ok().map(|s| (s.width, s.height)),
                _ => None,
            };
            effects.extend(rec.feed(&mut state, msg, size));
        }
        // Drain what the sources queued meanwhile, so one draw covers it all.
        while let Ok(msg) = messages.try_recv() {
            effects.extend(rec.feed(&mut state, msg, None));
        }
        // Effects in order; what a follow-up message asks for joins the end.
        let mut effects = std::collections::VecDeque::from(effects);
        while let Some(effect) = effects.pop_front() {
            match effect {
                Effect::Quit => return Ok(state),
                Effect::EndDrill => {
                    let script = super::debrief::script(drill.as_ref(), clock.now());
                    effects.extend(update(&mut state, Msg::DrillEnded(script)));
                }
                Effect::Execute(request) => executor.execute(request),
                Effect::HoldAtGate { wave, hold } => {
                    if !executor.hold_at_gate(wave, hold) {
                        let note = Msg::Note {
                            kind: crate::domain::timeline::EventKind::ActionFailed,
                            text: format!(
                                "the simulator did not take the hold of wave {}",
                                wave + 1
                            ),
                        };
                        effects.extend(rec.feed(&mut state, note, None));
                    }
                }
                Effect::Baseline(request) => match &baselines {
                    Some(b) => b.ask(request),
                    None => {
                        effects.extend(rec.feed(
                            &mut state,
                            unanswerable(&request, clock.now()),
                            None,
                        ));
                    }
                },
                Effect::Snapshot => {
                    let taken = match (terminal.size(), themes.get(state.theme).or(themes.first()))
                    {
                        (Ok(size), Some(theme)) => snapshots
                            .take(&state, theme, size.width, size.height)
                            .map(|p| p.display().to_string()),
                        (Err(e), _) => Err(format!("the terminal's size is unknown: {e}")),
                        (_, None) => Err("no theme loaded".to_string()),
                    };
                    effects.extend(rec.feed(&mut state, Msg::Snapshotted(taken), None));
                }
                // Only queued: the receivers' own tasks deliver it.
                Effect::Notify(n) => {
                    if let Some(notifier) = &notifier {
                        notifier.send(&n);
                    }
                }
                Effect::RecordScorecard(setting) => {
                    let record = AuditRecord::scorecard(&setting, &state.plan);
                    executor.record(record, setting);
                }
                Effect::Annotate(text) => {
                    executor.annotate(&state.plan.service, &state.operator, &text);
                }
                Effect::Edit { audience, text } => {
                    match drafts::start_editing(&mut input, audience, &text) {
                        Ok(started) => editing = Some(started),
                        Err(why) => {
                            let answer = Msg::Edited {
                                audience,
                                result: Err(why),
                            };
                            effects.extend(rec.feed(&mut state, answer, None));
                        }
                    }
                }
                effect @ (Effect::Copy(_) | Effect::WriteDraft { .. }) => {
                    let desk = drafts::Desk {
                        terminal: &mut *terminal,
                        input: &mut input,
                        dir: drafts_dir.as_deref(),
                    };
                    if let Some(msg) = desk.carry_out(effect) {
                        effects.extend(rec.feed(&mut state, msg, None));
                    }
                }
            }
        }
        if ended {
            return Ok(state);
        }
    }
}

/// `update`, with every message journaled first when the session is
/// recorded.
struct Recorder {
    journal: Option<super::journal::Journal>,
    clock: Arc<dyn Clock>,
}

impl Recorder {
    fn feed(&mut self, state: &mut AppState, msg: Msg, size: Option<(u16, u16)>) -> Vec<Effect> {
        let failed = self
            .journal
            .as_mut()
            .and_then(|j| j.record(self.clock.now(), size, &msg));
        let mut effects = update(state, msg);
        if let Some(why) = failed {
            tracing::warn!("{why}");
            let note = Msg::Note {
                kind: crate::domain::timeline::EventKind::Source,
                text: why,
            };
            effects.extend(update(state, note));
        }
        effects
    }
}

/// The most events taken as one burst; a flood past it is read in parts,
/// every part of it taken as paste.
const MAX_BURST: usize = 10_000;

/// The longest one burst is gathered for, so that a steady stream of input
/// (a throttled paste, a key held down) never keeps the screen from being
/// drawn or a signal from being heard; what follows goes on as the same burst.
const BURST_SPAN: Duration = Duration::from_millis(100);

/// Reads this close together are one burst: a paste that the terminal hands
/// over in several reads (a pty passes 4 KiB at a time) stays one, while keys
/// typed by hand, tens of milliseconds apart at the fastest, stay apart.
const BURST_GAP: Duration = Duration::from_millis(15);

/// A burst of terminal input: the events, whether the input goes on, and
/// where gathering stopped.
#[derive(Debug)]
struct Burst {
    events: Vec<Event>,
    more: bool,
    cut: Cut,
}

/// Why a burst stopped being gathered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// The input paused, or ended.
    Quiet,
    /// It went on past [`BURST_SPAN`]: what follows may be the same burst.
    Span,
    /// It went on past [`MAX_BURST`] events: a flood, which only a paste is.
    Flood,
}

/// `first` and every event that follows it with no gap of [`BURST_GAP`].
/// Called after `first` was read, outside any `select!`, so that nothing
/// gathered here can be dropped by another branch winning.
async fn rest_of_burst<S>(first: Event, input: &mut S) -> io::Result<Burst>
where
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    let mut events = vec![first];
    let started = tokio::time::Instant::now();
    while events.len() < MAX_BURST {
        if started.elapsed() >= BURST_SPAN {
            return Ok(Burst {
                events,
                more: true,
                cut: Cut::Span,
            });
        }
        // Polled with this task's own waker, so a stream that is not ready
        // wakes the loop when it is (crossterm's stream keeps one waker).
        let ready = std::future::poll_fn(|cx| Poll::Ready(input.poll_next_unpin(cx))).await;
        let next = match ready {
            Poll::Ready(next) => next,
            Poll::Pending => match tokio::time::timeout(BURST_GAP, input.next()).await {
                Ok(next) => next,
                Err(_) => {
                    return Ok(Burst {
                        events,
                        more: true,
                        cut: Cut::Quiet,
                    });
                }
            },
        };
        match next {
            Some(Ok(event)) => events.push(event),
            Some(Err(e)) => return Err(e),
            None => {
                return Ok(Burst {
                    events,
                    more: false,
                    cut: Cut::Quiet,
                });
            }
        }
    }
    Ok(Burst {
        events,
        more: true,
        cut: Cut::Flood,
    })
}

/// How the burst in front of the loop is taken, from how the one before it
/// ended: what it goes on from, and whether it is paste.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Carry {
    /// The burst before was cut, and this one came within [`BURST_GAP`] of it.
    continued: bool,
    /// ... and it was a flood: this part is paste too.
    flood: bool,
}

impl Carry {
    /// What the next burst carries, from `burst`'s cut and how long after
    /// its end the next one began.
    fn after(cut: Cut, carried: Carry, gap: Duration) -> Carry {
        if gap > BURST_GAP {
            return Carry::default();
        }
        match cut {
            Cut::Quiet => Carry::default(),
            Cut::Span => Carry {
                continued: true,
                flood: carried.flood,
            },
            Cut::Flood => Carry {
                continued: true,
                flood: true,
            },
        }
    }
}

/// The messages for one burst of terminal input. A burst that holds a
/// bracketed paste, or is part of a flood (`as_paste`), is all paste: keys
/// around it (a paste that smuggles its own end marker, say) are its text,
/// never keys. Other bursts of two or more keys, or that go on from another
/// (`continued`), go as `Msg::Keys`, whose keys never commit anything; one
/// key on its own is `Msg::Key`.
fn input_messages(events: Vec<Event>, as_paste: bool, continued: bool) -> Vec<Msg> {
    let resized = events.iter().any(|e| matches!(e, Event::Resize(..)));
    let pasted = as_paste || events.iter().any(|e| matches!(e, Event::Paste(_)));
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
            1 if !continued => out.extend(keys.pop().map(Msg::Key)),
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
        assert!(matches!(
            input_messages(vec![key('p')], false, false)[..],
            [Msg::Key(_)]
        ));
        let burst = input_messages("ready".chars().map(key).collect(), false, false);
        assert!(
            matches!(&burst[..], [Msg::Keys(k)] if k.len() == 5),
            "{burst:?}"
        );
        let mixed = input_messages(
            vec![
                Event::Paste("a".into()),
                key('r'),
                Event::Paste("b".into()),
                key('y'),
            ],
            false,
            false,
        );
        assert!(
            matches!(&mixed[..], [Msg::Paste(t)] if t == "arby"),
            "{mixed:?}"
        );
        let resized = input_messages(vec![Event::Resize(80, 24), key('q')], false, false);
        assert!(
            matches!(&resized[..], [Msg::Key(_), Msg::Resize]),
            "{resized:?}"
        );
        let mut release = KeyEvent::new(KeyCode::Char('p'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert!(input_messages(vec![Event::Key(release)], false, false).is_empty());
        // One key that goes on from a cut burst is not a key typed alone.
        let continued = input_messages(vec![key('y')], false, true);
        assert!(
            matches!(&continued[..], [Msg::Keys(k)] if k.len() == 1),
            "{continued:?}"
        );
    }

    /// A stream of `script`: events sent at their offsets, in milliseconds
    /// of the test's clock (paused, so the gaps are exact).
    fn timed(script: Vec<(u64, Event)>) -> impl Stream<Item = io::Result<Event>> + Unpin {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let start = tokio::time::Instant::now();
            for (at, event) in script {
                tokio::time::sleep_until(start + Duration::from_millis(at)).await;
                if tx.send(event).is_err() {
                    return;
                }
            }
        });
        Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|e| (Ok(e), rx))
        }))
    }

    async fn burst_of<S>(input: &mut S) -> io::Result<Burst>
    where
        S: Stream<Item = io::Result<Event>> + Unpin,
    {
        let Some(first) = input.next().await.transpose()? else {
            return Err(io::Error::other("no input"));
        };
        rest_of_burst(first, input).await
    }

    /// Reads close together are one burst (a paste handed over in parts);
    /// a key after a pause, as a person types, is the next one.
    #[tokio::test(start_paused = true)]
    async fn a_burst_is_what_comes_without_a_gap() -> io::Result<()> {
        let mut input = timed(vec![(0, key('r')), (3, key('y')), (200, key('y'))]);
        let first = burst_of(&mut input).await?;
        assert_eq!(
            (first.events.len(), first.more, first.cut),
            (2, true, Cut::Quiet)
        );
        let second = burst_of(&mut input).await?;
        assert_eq!((second.events.len(), second.more), (1, false));
        Ok(())
    }

    /// Input that never pauses is cut after BURST_SPAN, and goes on as the
    /// same burst.
    #[tokio::test(start_paused = true)]
    async fn a_steady_stream_is_cut_in_spans() -> io::Result<()> {
        let script = (0..60).map(|i| (i * 5, key('j'))).collect();
        let mut input = timed(script);
        let first = burst_of(&mut input).await?;
        assert_eq!(first.cut, Cut::Span);
        assert!(
            (19..=22).contains(&first.events.len()),
            "{}",
            first.events.len()
        );
        Ok(())
    }

    /// A flood past MAX_BURST is cut, and every part of it is paste.
    #[tokio::test]
    async fn a_flood_is_cut_and_taken_as_paste() -> io::Result<()> {
        let flood: Vec<_> = (0..MAX_BURST + 5)
            .map(|i| Ok(key(if i % 2 == 0 { 'r' } else { 'y' })))
            .collect();
        let mut input = futures_util::stream::iter(flood);
        let burst = burst_of(&mut input).await?;
        assert!(burst.cut == Cut::Flood && burst.events.len() == MAX_BURST);
        Ok(())
    }

    /// What a burst carries to the next: nothing after a pause; "goes on"
    /// after a cut; "paste" from a flood through every span that follows it.
    #[test]
    fn a_cut_carries_to_the_burst_right_after_it() {
        let soon = Duration::from_millis(2);
        let later = BURST_GAP + Duration::from_millis(1);
        let none = Carry::default();
        assert_eq!(Carry::after(Cut::Quiet, none, soon), none);
        let span = Carry::after(Cut::Span, none, soon);
        assert!(span.continued && !span.flood);
        let flood = Carry::after(Cut::Flood, none, soon);
        assert!(flood.continued && flood.flood);
        let still = Carry::after(Cut::Span, flood, soon);
        assert!(
            still.continued && still.flood,
            "a flood stays paste across spans"
        );
        assert_eq!(
            Carry::after(Cut::Flood, flood, later),
            none,
            "a pause ends it"
        );
    }
}
