//! A drill without a terminal or a runtime: a scenario's script played on
//! the simulated fleet and fed through `update` second by second, as the
//! live loop would feed it, on a simulated clock. Tests of drills (fitted
//! baselines, scripted operators, debriefs) run on this.

use std::time::Duration;

use crate::app::state::{AppState, RunMode, Seat};
use crate::app::{Effect, Msg, update};
use crate::domain::Timestamp;
use crate::domain::action::ActionOutcome;
use crate::domain::drill::scenario::Scenario;
use crate::domain::rollout::{Action, ActionScope};
use crate::domain::source::{Polled, Report, SourceId};
use crate::runtime::demo::{built_in_theme_names, epoch};
use crate::sim::adapter::{act, metrics_poll, source_infos};
use crate::sim::drill::DrillHandle;
use crate::sim::{Fleet, FleetSpec};

/// A drill stepped by hand.
pub struct Rehearsal {
    pub fleet: Fleet,
    pub state: AppState,
    pub drill: DrillHandle,
    pub now: Timestamp,
}

impl Rehearsal {
    /// `scenario` (its regions placed, see [`crate::sim::place`]) on
    /// `spec`, starting at [`epoch`].
    pub fn new(spec: FleetSpec, scenario: Scenario) -> Rehearsal {
        let start = epoch();
        let drill = DrillHandle::new(scenario, start);
        let seat = Seat::new("drill", built_in_theme_names());
        let state = AppState::new(
            spec.plan.clone(),
            RunMode::Drill,
            source_infos(),
            seat,
            start,
        );
        Rehearsal {
            fleet: Fleet::new(spec, start).with_drill(drill.clone()),
            state,
            drill,
            now: start,
        }
    }

    /// One second of the live loop: a tick, a rollout report and a poll of
    /// the metrics (no answer while the script has them dark).
    pub fn step(&mut self) {
        self.now += chrono::TimeDelta::seconds(1);
        let now = self.now;
        self.fleet.advance(now);
        update(&mut self.state, Msg::Tick(now));
        let rollout = Polled::instant(now, Report::Rollout(self.fleet.status()));
        let metrics = metrics_poll(&mut self.fleet, now, Duration::from_secs(1));
        for (i, polled) in [rollout, metrics].into_iter().enumerate() {
            let msg = Msg::Source {
                source: SourceId(i),
                polled,
            };
            for effect in update(&mut self.state, msg) {
                if let Effect::HoldAtGate { wave, hold } = effect {
                    self.fleet.hold_at_gate(wave, hold, now);
                }
            }
        }
    }

    /// Run until `seconds` after the start.
    pub fn run_to(&mut self, seconds: i64) -> &mut Self {
        while self.now < epoch() + chrono::TimeDelta::seconds(seconds) {
            self.step();
        }
        self
    }

    /// Have the simulated deploy API carry out `action` on `scope` now, and
    /// give its outcome to the app as it would arrive: refused, failed or,
    /// when the script has the API hang, unknown after the executor's wait.
    pub fn act(&mut self, action: Action, scope: ActionScope) -> &mut Self {
        let answer = act(&mut self.fleet, action, &scope, self.now).unwrap_or(Err(
            crate::domain::action::ControlError::Timeout(Duration::from_secs(10)),
        ));
        let outcome = ActionOutcome::of(&answer.map(|()| format!("simulator: {action} applied")));
        update(
            &mut self.state,
            Msg::ActionDone {
                id: 0,
                action,
                at: self.now,
                outcome,
            },
        );
        self
    }
}
