//! A running drill's script, shared by the simulator (which injects what is
//! due) and the facilitator (who injects or clears a fault now, pauses the
//! drill clock and reads what is coming). The participants' screen never
//! reads it.

use std::sync::{Arc, Mutex};

use crate::domain::drill::scenario::Scenario;
use crate::domain::{Span, Timestamp};

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

/// The shared hold on a running drill. Cloning shares it.
#[derive(Debug, Clone)]
pub struct DrillHandle {
    board: Arc<Mutex<Board>>,
}

#[derive(Debug)]
struct Board {
    scenario: Scenario,
}

impl DrillHandle {
    /// A drill of `scenario` beginning at `began`.
    pub fn new(scenario: Scenario, began: Timestamp) -> DrillHandle {
        let _ = began;
        DrillHandle {
            board: Arc::new(Mutex::new(Board { scenario })),
        }
    }

    /// Begin injection `id` now, whatever its schedule said.
    pub fn inject_now(&self, id: &str, now: Timestamp) -> Result<(), String> {
        let _ = (id, now);
        Err("not yet".to_string())
    }

    /// End injection `id` now.
    pub fn clear(&self, id: &str, now: Timestamp) -> Result<(), String> {
        let _ = (id, now);
        Err("not yet".to_string())
    }

    /// Stop or restart the drill clock: while it is stopped nothing new
    /// begins or ends and the rollout's holds wait.
    pub fn pause_clock(&self, paused: bool, now: Timestamp) {
        let _ = (paused, now);
    }

    /// The scenario the drill runs, for its debrief at the end.
    pub fn scenario(&self) -> Option<Scenario> {
        self.board.lock().ok().map(|b| b.scenario.clone())
    }

    /// The script as it stands at `now`.
    pub fn view(&self, now: Timestamp) -> ScriptView {
        let _ = now;
        let name = self
            .board
            .lock()
            .map(|b| b.scenario.name.clone())
            .unwrap_or_default();
        ScriptView {
            scenario: name,
            clock: Span::zero(),
            paused: false,
            injections: Vec::new(),
        }
    }
}
