//! A running drill's script, shared by the simulator (which injects what is
//! due) and the facilitator (who injects or clears a fault now, pauses the
//! drill clock and reads what is coming). The participants' screen never
//! reads it.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::domain::drill::scenario::{FaultKind, Injection, Scenario, Start};
use crate::domain::{Span, Timestamp};

mod summary;
pub use summary::summary;

/// Where an injection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InjectionState {
    /// Not begun; `due` in drill time when its start is known.
    Pending {
        due: Option<Span>,
    },
    Active,
    /// Over: its duration passed or the facilitator cleared it.
    Ended,
}

/// One injection as the facilitator sees it, and as the debrief reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct InjectionRun {
    pub id: String,
    /// What it does, in a line: "error rate +6 % in us-east-1 (canary)".
    pub summary: String,
    pub state: InjectionState,
    /// Wall-clock time it began and ended, when it has.
    pub started: Option<Timestamp>,
    pub ended: Option<Timestamp>,
    /// Simulated requests that failed because of it so far.
    pub failed_requests: u64,
}

/// The script as it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptView {
    pub scenario: String,
    /// Drill time: wall time since the drill began, less the time paused.
    pub clock: Span,
    pub paused: bool,
    pub injections: Vec<InjectionRun>,
}

/// An injection in force, as the simulator applies it.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveFault {
    /// Its place in the scenario's injections (for [`DrillHandle::count_failed`]).
    pub index: usize,
    pub injection: Injection,
    /// Drill time since it began: how far up its ramp it is.
    pub into: Span,
}

impl LiveFault {
    /// How far up its ramp the fault is, 0..=1 (1 for faults without one).
    pub fn intensity(&self) -> f64 {
        let ramp = match &self.injection.fault {
            FaultKind::ErrorRate { ramp, .. } | FaultKind::Latency { ramp, .. } => *ramp,
            _ => Span::zero(),
        };
        if ramp <= Span::zero() {
            return 1.0;
        }
        let into = self.into.num_milliseconds().max(0) as f64;
        (into / ramp.num_milliseconds() as f64).min(1.0)
    }
}

/// The shared hold on a running drill. Cloning shares it.
#[derive(Debug, Clone)]
pub struct DrillHandle {
    board: Arc<Mutex<Board>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Run {
    Pending,
    /// Began at this drill time and this wall time.
    Active {
        at: Span,
        wall: Timestamp,
    },
    Ended {
        at: Span,
        wall: Timestamp,
        ended: Timestamp,
    },
}

#[derive(Debug)]
struct Board {
    scenario: Scenario,
    began: Timestamp,
    /// Time paused before the current pause, if any.
    paused_total: Span,
    paused_since: Option<Timestamp>,
    runs: Vec<Run>,
    /// Failed requests of each injection, unrounded.
    failed: Vec<f64>,
}

impl Board {
    fn clock(&self, now: Timestamp) -> Span {
        let paused = self.paused_total + self.paused_since.map_or(Span::zero(), |p| now - p);
        (now - self.began - paused).max(Span::zero())
    }

    fn index(&self, id: &str) -> Result<usize, String> {
        self.scenario
            .injections
            .iter()
            .position(|i| i.id == id)
            .ok_or_else(|| {
                let ids: Vec<&str> = self
                    .scenario
                    .injections
                    .iter()
                    .map(|i| i.id.as_str())
                    .collect();
                format!(
                    "no injection `{id}` in {}; it has {}",
                    self.scenario.name,
                    ids.join(", ")
                )
            })
    }

    /// Drill time at which injection `i` began, if it has.
    fn began_at(&self, i: usize) -> Option<Span> {
        match self.runs.get(i)? {
            Run::Pending => None,
            Run::Active { at, .. } | Run::Ended { at, .. } => Some(*at),
        }
    }

    /// When injection `i` is due in drill time, when that is known.
    fn due(&self, i: usize) -> Option<Span> {
        match &self.scenario.injections.get(i)?.start {
            Start::At(at) => Some(*at),
            Start::After { injection, delay } => {
                let j = self.index(injection).ok()?;
                self.began_at(j).map(|b| b + *delay)
            }
        }
    }

    /// The wall time drill time `at` fell on, for a moment not after `now`
    /// and with no pause between (the board is stepped every poll).
    fn wall_of(&self, at: Span, now: Timestamp) -> Timestamp {
        now - (self.clock(now) - at).max(Span::zero())
    }

    /// Begin what is due and end what has run its course, until nothing
    /// changes (an `after` chain with no delay begins in the same step).
    fn step(&mut self, now: Timestamp) {
        if self.paused_since.is_some() {
            return;
        }
        let clock = self.clock(now);
        loop {
            let mut changed = false;
            for i in 0..self.runs.len() {
                let run = self.runs[i];
                let next = match run {
                    Run::Pending => match self.due(i) {
                        Some(due) if due <= clock => Some(Run::Active {
                            at: due,
                            wall: self.wall_of(due, now),
                        }),
                        _ => None,
                    },
                    Run::Active { at, wall } => {
                        let duration = self.scenario.injections[i].duration;
                        match duration {
                            Some(d) if at + d <= clock => Some(Run::Ended {
                                at,
                                wall,
                                ended: self.wall_of(at + d, now),
                            }),
                            _ => None,
                        }
                    }
                    Run::Ended { .. } => None,
                };
                if let Some(next) = next {
                    self.runs[i] = next;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
}

impl DrillHandle {
    /// A drill of `scenario` beginning at `began`.
    pub fn new(scenario: Scenario, began: Timestamp) -> DrillHandle {
        let n = scenario.injections.len();
        DrillHandle {
            board: Arc::new(Mutex::new(Board {
                scenario,
                began,
                paused_total: Span::zero(),
                paused_since: None,
                runs: vec![Run::Pending; n],
                failed: vec![0.0; n],
            })),
        }
    }

    fn board(&self) -> MutexGuard<'_, Board> {
        // A holder that panicked left the board as consistent as any step
        // does: every change is one assignment.
        self.board.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The scenario the drill runs, its regions as placed on the fleet.
    pub fn scenario(&self) -> Scenario {
        self.board().scenario.clone()
    }

    /// When the drill began, in wall time.
    pub fn began(&self) -> Timestamp {
        self.board().began
    }

    /// Begin injection `id` now, whatever its schedule said.
    pub fn inject_now(&self, id: &str, now: Timestamp) -> Result<(), String> {
        let mut board = self.board();
        board.step(now);
        let i = board.index(id)?;
        match board.runs[i] {
            Run::Pending => {
                let at = board.clock(now);
                board.runs[i] = Run::Active { at, wall: now };
                board.step(now);
                Ok(())
            }
            Run::Active { .. } => Err(format!("{id} is already in force")),
            Run::Ended { .. } => Err(format!("{id} is over: an injection runs once")),
        }
    }

    /// End injection `id` now.
    pub fn clear(&self, id: &str, now: Timestamp) -> Result<(), String> {
        let mut board = self.board();
        board.step(now);
        let i = board.index(id)?;
        match board.runs[i] {
            Run::Active { at, wall } => {
                board.runs[i] = Run::Ended {
                    at,
                    wall,
                    ended: now,
                };
                Ok(())
            }
            Run::Pending => Err(format!("{id} has not begun: there is nothing to clear")),
            Run::Ended { .. } => Err(format!("{id} is already over")),
        }
    }

    /// Stop or restart the drill clock: while it is stopped nothing new
    /// begins or ends and the rollout's holds wait.
    pub fn pause_clock(&self, paused: bool, now: Timestamp) {
        let mut board = self.board();
        match (paused, board.paused_since) {
            (true, None) => {
                board.step(now);
                board.paused_since = Some(now);
            }
            (false, Some(since)) => {
                board.paused_total += (now - since).max(Span::zero());
                board.paused_since = None;
                board.step(now);
            }
            _ => {}
        }
    }

    /// Drill time at `now`: wall time since the start, less the time paused.
    pub fn clock(&self, now: Timestamp) -> Span {
        self.board().clock(now)
    }

    /// The injections in force at `now`, the script stepped to it first.
    pub fn live(&self, now: Timestamp) -> Vec<LiveFault> {
        let mut board = self.board();
        board.step(now);
        let clock = board.clock(now);
        board
            .runs
            .iter()
            .enumerate()
            .filter_map(|(index, run)| match run {
                Run::Active { at, .. } => Some(LiveFault {
                    index,
                    injection: board.scenario.injections[index].clone(),
                    into: clock - *at,
                }),
                _ => None,
            })
            .collect()
    }

    /// Add `requests` failed because of injection `index`.
    pub fn count_failed(&self, index: usize, requests: f64) {
        if let Some(f) = self.board().failed.get_mut(index) {
            *f += requests.max(0.0);
        }
    }

    /// The script as it stands at `now`.
    pub fn view(&self, now: Timestamp) -> ScriptView {
        let mut board = self.board();
        board.step(now);
        let injections = board
            .scenario
            .injections
            .iter()
            .enumerate()
            .map(|(i, inj)| {
                let (state, started, ended) = match board.runs[i] {
                    Run::Pending => (InjectionState::Pending { due: board.due(i) }, None, None),
                    Run::Active { wall, .. } => (InjectionState::Active, Some(wall), None),
                    Run::Ended { wall, ended, .. } => {
                        (InjectionState::Ended, Some(wall), Some(ended))
                    }
                };
                InjectionRun {
                    id: inj.id.clone(),
                    summary: summary(inj),
                    state,
                    started,
                    ended,
                    failed_requests: board.failed[i].round() as u64,
                }
            })
            .collect();
        ScriptView {
            scenario: board.scenario.name.clone(),
            clock: board.clock(now),
            paused: board.paused_since.is_some(),
            injections,
        }
    }
}

#[cfg(test)]
mod tests;
