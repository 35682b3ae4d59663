//! The demo rollout without a terminal or a runtime: the simulator's reports
//! fed through `update` second by second, exactly as the live loop would feed
//! them. Snapshots, screenshots and benchmarks draw from this.

use chrono::TimeZone;

use crate::app::state::{AppState, RunMode, Seat};
use crate::app::{Msg, update};
use crate::domain::action::{ActionOutcome, ControlError};
use crate::domain::rollout::{Action, ActionScope};
use crate::domain::source::{Polled, Report, SourceId};
use crate::domain::{Span, Timestamp};
use crate::runtime::session::demo_scorecard;
use crate::sim::adapter::source_infos;
use crate::sim::{Fleet, FleetSpec};

/// A fixed start time, so rendered moments are the same on every machine.
pub fn epoch() -> Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 3, 14, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

/// Step by step replay of a simulated rollout.
pub struct Replay {
    pub fleet: Fleet,
    pub state: AppState,
    pub now: Timestamp,
}

impl Replay {
    /// A replay at the start of `spec`'s rollout.
    pub fn new(spec: FleetSpec, theme_names: Vec<String>) -> Replay {
        let start = epoch();
        let plan = spec.plan.clone();
        let seat = Seat {
            remembered: demo_scorecard(start),
            ..Seat::new("demo", theme_names)
        };
        let mut state = AppState::new(plan, RunMode::Demo, source_infos(), seat, start);
        let history = crate::runtime::session::demo_history(&spec.plan, spec.seed, start);
        update(&mut state, Msg::History(Ok(Box::new(history))));
        Replay {
            fleet: Fleet::new(spec, start),
            state,
            now: start,
        }
    }

    /// One second of the live loop: a tick, a rollout report and a poll.
    pub fn step(&mut self) {
        self.now += Span::seconds(1);
        let now = self.now;
        self.fleet.advance(now);
        update(&mut self.state, Msg::Tick(now));
        let status = self.fleet.status();
        let samples = self.fleet.sample(now);
        // The simulator's two sources, in the order a session registers them.
        let reports = [Report::Rollout(status), Report::Metrics(samples)];
        for (i, report) in reports.into_iter().enumerate() {
            let polled = Polled::instant(now, report);
            let effects = update(
                &mut self.state,
                Msg::Source {
                    source: SourceId(i),
                    polled,
                },
            );
            // A gate that holds the wave is told to the simulator, as the
            // live loop does.
            for effect in effects {
                if let crate::app::Effect::HoldAtGate { wave, hold } = effect {
                    self.fleet.hold_at_gate(wave, hold, now);
                }
            }
        }
    }

    /// Run until `seconds` after the start.
    pub fn run_to(&mut self, seconds: i64) -> &mut Self {
        while self.now < epoch() + Span::seconds(seconds) {
            self.step();
        }
        self
    }

    /// Have the simulator carry out `action` now, as a confirmed keypress
    /// would, and record its outcome as the app would receive it.
    pub fn act(&mut self, action: Action) -> &mut Self {
        let outcome = self
            .fleet
            .apply(action, &ActionScope::Rollout, self.now)
            .map(|()| format!("simulator: {action} applied"))
            .map_err(|e| ControlError::Refused(e.to_string()));
        let outcome = ActionOutcome::of(&outcome);
        // No key sent it, so no action of the state's is in flight: the
        // outcome pairs with none.
        let id = 0;
        update(
            &mut self.state,
            Msg::ActionDone {
                id,
                action,
                at: self.now,
                outcome,
            },
        );
        self
    }
}

/// The theme names in the order `t` cycles through them.
pub fn built_in_theme_names() -> Vec<String> {
    crate::ui::theme::BUILT_IN
        .iter()
        .map(|(n, _)| n.to_string())
        .collect()
}

/// The demo state `seconds` into the default scenario.
pub fn state_at(spec: FleetSpec, seconds: i64) -> AppState {
    let mut replay = Replay::new(spec, built_in_theme_names());
    replay.run_to(seconds);
    replay.state
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::guardrail::GuardrailState;
    use crate::domain::rollout::Phase;

    #[test]
    fn the_default_fault_breaches_a_stop_condition() {
        let state = state_at(FleetSpec::demo(42), 85);
        let breached: Vec<_> = state
            .guardrails
            .status()
            .iter()
            .filter(|s| matches!(s.state, GuardrailState::Breach { .. }))
            .filter_map(|s| s.region.clone())
            .collect();
        assert!(breached.iter().any(|r| r == "us-east-1"), "{breached:?}");
    }

    #[test]
    fn the_breach_holds_the_demo_at_wave_two() {
        let state = state_at(FleetSpec::demo(42), 200);
        let rollout = state.rollout.as_ref().map(|r| (r.wave, r.phase));
        assert_eq!(rollout, Some((1, Phase::Progressing)));
        assert!(state.gate_hold.is_some());
    }

    #[test]
    fn the_calm_demo_completes_without_breach() {
        let state = state_at(FleetSpec::calm(42), 200);
        assert_eq!(
            state.rollout.as_ref().map(|r| r.phase),
            Some(Phase::Complete)
        );
        assert!(
            state
                .guardrails
                .status()
                .iter()
                .all(|s| !matches!(s.state, GuardrailState::Breach { .. }))
        );
    }
}
