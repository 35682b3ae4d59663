//! Replay of a journaled session: the state rebuilt from the header, then
//! the recorded messages fed through the same `update` the session ran.
//! Whatever `update` asks of the world is dropped: a replay polls no
//! source and reaches no target.

pub mod cast;
pub mod keys;
pub mod live;
pub mod markdown;
pub mod sample;
pub mod screen;

use crate::app::state::AppState;
use crate::app::update;
use crate::domain::Timestamp;
use crate::domain::timeline::{Event, EventKind};
use crate::runtime::journal::{Entry, Header, Read};

/// A state is kept every this many messages, so that seeking back replays
/// at most this many.
const CHECKPOINT_EVERY: usize = 512;

/// Moments worth jumping to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    Breach,
    Action,
    Annotation,
}

impl MarkKind {
    fn of(kind: EventKind) -> Option<MarkKind> {
        match kind {
            EventKind::Breach => Some(MarkKind::Breach),
            EventKind::ActionAttempt
            | EventKind::ActionOk
            | EventKind::ActionFailed
            | EventKind::ActionUnknown => Some(MarkKind::Action),
            EventKind::Annotation => Some(MarkKind::Annotation),
            _ => None,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            MarkKind::Breach => "breach",
            MarkKind::Action => "action",
            MarkKind::Annotation => "annotation",
        }
    }
}

/// A journal being replayed, at some position in it.
pub struct Player {
    pub header: Header,
    entries: Vec<Entry>,
    /// States after the first `n` messages, `n` a multiple of
    /// [`CHECKPOINT_EVERY`] (the first: the state before any).
    checkpoints: Vec<AppState>,
    state: AppState,
    pos: usize,
    /// Positions after which a breach, an action or an annotation was on
    /// the timeline, in order.
    marks: Vec<(usize, MarkKind)>,
    /// Every timeline event and the position after which it appeared.
    events: Vec<(usize, Event)>,
    /// The journal ended in a line cut short, which was left out.
    pub torn: bool,
}

impl Player {
    /// Rebuild the session's first state and go through it once, keeping
    /// checkpoints and the moments worth jumping to. Starts at the start.
    pub fn new(read: Read) -> Result<Player, String> {
        let Read {
            header,
            mut entries,
            torn,
        } = read;
        let plan = header.origin.plan()?;
        let opening_len = header.opening.min(entries.len());
        let loop_entries = entries.split_off(opening_len);
        let opening = header.opening(entries.into_iter().map(|e| e.msg).collect());
        let first = opening.state(plan);
        let events = first.timeline.since(0).map(|e| (0, e.clone())).collect();
        let mut player = Player {
            header,
            entries: loop_entries,
            checkpoints: vec![first.clone()],
            state: first,
            pos: 0,
            marks: Vec::new(),
            events,
            torn,
        };
        while player.pos < player.entries.len() {
            let mark = player.state.timeline.pushed();
            player.apply_next();
            let at = player.pos;
            for event in player.state.timeline.since(mark) {
                if let Some(kind) = MarkKind::of(event.kind)
                    && player.marks.last() != Some(&(at, kind))
                {
                    player.marks.push((at, kind));
                }
                player.events.push((at, event.clone()));
            }
            if at.is_multiple_of(CHECKPOINT_EVERY) {
                player.checkpoints.push(player.state.clone());
            }
        }
        player.seek(0);
        Ok(player)
    }

    /// The next message through `update`; what it asks for is dropped.
    fn apply_next(&mut self) {
        if let Some(entry) = self.entries.get(self.pos) {
            let _ = update(&mut self.state, entry.msg.clone());
            self.pos += 1;
        }
    }

    /// How many messages the journal holds (after the opening ones).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many messages have been applied.
    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The recorded time at the current position.
    pub fn time(&self) -> Timestamp {
        self.time_at(self.pos)
    }

    /// The recorded time after the first `pos` messages.
    pub fn time_at(&self, pos: usize) -> Timestamp {
        match pos.checked_sub(1).and_then(|i| self.entries.get(i)) {
            Some(entry) => entry.t,
            None => self.header.started,
        }
    }

    /// The recorded terminal size after the first `pos` messages.
    pub fn size_at(&self, pos: usize) -> (u16, u16) {
        self.entries[..pos.min(self.entries.len())]
            .iter()
            .rev()
            .find_map(|e| e.size)
            .unwrap_or(self.header.size)
    }

    /// Go to the state after the first `target` messages: forward from
    /// here, or back from the checkpoint before it.
    pub fn seek(&mut self, target: usize) {
        let target = target.min(self.entries.len());
        if target < self.pos || target - self.pos > CHECKPOINT_EVERY {
            let k = (target / CHECKPOINT_EVERY).min(self.checkpoints.len().saturating_sub(1));
            if let Some(state) = self.checkpoints.get(k) {
                self.state = state.clone();
                self.pos = k * CHECKPOINT_EVERY;
            }
        }
        while self.pos < target {
            self.apply_next();
        }
    }

    /// One message on; `false` at the end.
    pub fn step(&mut self) -> bool {
        if self.pos >= self.entries.len() {
            return false;
        }
        self.apply_next();
        true
    }

    /// The position of the last message recorded at or before `t`.
    pub fn pos_at(&self, t: Timestamp) -> usize {
        self.entries.partition_point(|e| e.t <= t)
    }

    /// The next (or previous) moment of `kind` from here.
    pub fn mark(&self, kind: MarkKind, forward: bool) -> Option<usize> {
        let mut of_kind = self
            .marks
            .iter()
            .filter(|(_, k)| *k == kind)
            .map(|(p, _)| *p);
        if forward {
            of_kind.find(|p| *p > self.pos)
        } else {
            of_kind.rfind(|p| *p < self.pos)
        }
    }

    /// Every timeline event of the session, in order, each with the
    /// position after which it appeared.
    pub fn events(&self) -> &[(usize, Event)] {
        &self.events
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
