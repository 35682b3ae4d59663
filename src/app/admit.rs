//! The one answer to "may this action go now?", for a key, a confirmation,
//! an automatic consequence of a stop condition and a NO-GO override alike.

use super::state::AppState;
use crate::domain::rollout::{self, Action, ActionScope, check_action};

/// Why an action may not go now. The checks run in this order, so the first
/// that holds is the one the operator reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// This screen only watches.
    #[error("read-only: actions are disabled on this screen")]
    ReadOnly,
    /// One action per target: an action on the same target, or on the whole
    /// rollout, has not been answered yet.
    #[error("{action} ({scope}) is still in flight")]
    InFlight { action: Action, scope: String },
    /// The deployment source has not reported, so nothing can be judged.
    #[error("no state from the deployment source yet")]
    NoState,
    /// The rollout's phase makes the action pointless.
    #[error(transparent)]
    Phase(#[from] rollout::Refusal),
    /// Promote while the war room says NO-GO: it goes only with a typed
    /// reason. Checked last, so this refusal means every other check passed.
    #[error("NO-GO ({}): going on takes a typed reason", .0.join(", "))]
    NoGo(Vec<String>),
}

/// Whether `action` on `scope` may go now: read-only, an action in flight
/// on the same target, no state yet, the rollout's phase, and (for promote)
/// NO-GO. An override holds a typed reason and so takes `Err(NoGo)` as a yes.
pub fn admit(state: &AppState, action: Action, scope: &ActionScope) -> Result<(), Refusal> {
    if state.read_only {
        return Err(Refusal::ReadOnly);
    }
    if let Some(f) = state.in_flight_on(scope) {
        return Err(Refusal::InFlight {
            action: f.action,
            scope: f.scope.label(),
        });
    }
    let Some(rollout) = &state.rollout else {
        return Err(Refusal::NoState);
    };
    check_action(action, scope, rollout)?;
    if action == Action::Promote {
        let reasons = state.no_go_reasons();
        if !reasons.is_empty() {
            return Err(Refusal::NoGo(reasons));
        }
    }
    Ok(())
}

/// Whether an override may promote: everything `admit` asks but NO-GO,
/// which the typed reason answers.
pub fn admit_override(state: &AppState, scope: &ActionScope) -> Result<(), Refusal> {
    match admit(state, Action::Promote, scope) {
        Err(Refusal::NoGo(_)) => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::state::{InFlight, RunMode, Seat};
    use crate::domain::rollout::{Phase, RegionRollout, RolloutStatus};
    use crate::domain::scorecard::{Item, Setting, Status};
    use crate::runtime::demo::epoch;
    use crate::sim::FleetSpec;
    use crate::sim::adapter::source_infos;

    /// The demo's plan at wave `wave` in `phase`, the scorecard GO.
    fn state(phase: Phase, wave: usize) -> AppState {
        let plan = FleetSpec::demo(1).plan;
        let seat = Seat {
            remembered: crate::runtime::session::demo_scorecard(epoch()),
            ..Seat::new("alice", vec!["dark".into()])
        };
        let mut s = AppState::new(plan, RunMode::Demo, source_infos(), seat, epoch());
        s.rollout = Some(RolloutStatus {
            phase,
            wave,
            held: crate::domain::Span::seconds(3),
            message: None,
            regions: s
                .plan
                .regions
                .iter()
                .map(|r| RegionRollout::following(r.clone(), 25))
                .collect(),
            observed_at: epoch(),
        });
        for i in 0..s.sources.len() {
            s.sources[i].last_ok = Some(epoch());
        }
        s
    }

    fn region(s: &AppState, i: usize) -> ActionScope {
        ActionScope::Region(s.plan.regions[i].clone())
    }

    fn flying(s: &mut AppState, action: Action, scope: ActionScope) {
        s.in_flight.push(InFlight {
            id: 7,
            action,
            scope,
            since: epoch(),
            automatic: false,
        });
    }

    #[test]
    fn a_rollout_in_progress_admits_what_means_something() {
        let s = state(Phase::Progressing, 1);
        for action in [Action::Pause, Action::Rollback] {
            assert_eq!(admit(&s, action, &ActionScope::Rollout), Ok(()), "{action}");
        }
        assert_eq!(admit(&s, Action::Pause, &region(&s, 0)), Ok(()));
        // No metrics yet: nothing to judge is never GO, promote takes a reason.
        assert!(matches!(
            admit(&s, Action::Promote, &ActionScope::Rollout),
            Err(Refusal::NoGo(r)) if r.iter().any(|r| r == "no data to judge")
        ));
    }

    #[test]
    fn read_only_refuses_everything_first() {
        let mut s = state(Phase::Progressing, 1);
        s.read_only = true;
        flying(&mut s, Action::Pause, ActionScope::Rollout);
        for action in [
            Action::Pause,
            Action::Resume,
            Action::Promote,
            Action::Rollback,
        ] {
            assert_eq!(
                admit(&s, action, &ActionScope::Rollout),
                Err(Refusal::ReadOnly)
            );
        }
        assert_eq!(
            admit_override(&s, &ActionScope::Rollout),
            Err(Refusal::ReadOnly)
        );
    }

    #[test]
    fn no_state_refuses_before_the_phase_is_known() {
        let mut s = state(Phase::Progressing, 1);
        s.rollout = None;
        assert_eq!(
            admit(&s, Action::Rollback, &ActionScope::Rollout),
            Err(Refusal::NoState)
        );
    }

    #[test]
    fn the_phase_refuses_through_the_domain_rule() {
        let s = state(Phase::Paused, 1);
        assert_eq!(
            admit(&s, Action::Pause, &ActionScope::Rollout),
            Err(Refusal::Phase(rollout::Refusal::AlreadyPaused))
        );
        let s = state(Phase::Complete, 3);
        assert!(matches!(
            admit(&s, Action::Promote, &ActionScope::Rollout),
            Err(Refusal::Phase(rollout::Refusal::Finished(..)))
        ));
        let s = state(Phase::RolledBack, 2);
        assert!(matches!(
            admit(&s, Action::Pause, &ActionScope::Rollout),
            Err(Refusal::Phase(rollout::Refusal::Finished(..)))
        ));
    }

    #[test]
    fn one_action_per_target_in_flight() {
        let mut s = state(Phase::Progressing, 1);
        let (first, second) = (region(&s, 0), region(&s, 1));
        flying(&mut s, Action::Rollback, first.clone());
        let busy = Err(Refusal::InFlight {
            action: Action::Rollback,
            scope: s.plan.regions[0].clone(),
        });
        assert_eq!(admit(&s, Action::Pause, &first), busy);
        assert_eq!(admit(&s, Action::Pause, &ActionScope::Rollout), busy);
        assert_eq!(admit(&s, Action::Pause, &second), Ok(()));
        // One on the whole rollout blocks every region.
        let mut s = state(Phase::Progressing, 1);
        flying(&mut s, Action::Pause, ActionScope::Rollout);
        let text = admit(&s, Action::Rollback, &second).map_err(|e| e.to_string());
        assert_eq!(
            text,
            Err("pause (all regions) is still in flight".to_string())
        );
    }

    #[test]
    fn no_go_refuses_promote_alone_and_the_override_answers_it() {
        let mut s = state(Phase::Progressing, 1);
        for item in [Item::Support, Item::Pilot] {
            s.scorecard_settings.push(Setting {
                item,
                status: Status::Red,
                note: "gap".into(),
                operator: "pat".into(),
                at: epoch(),
            });
        }
        let refused = admit(&s, Action::Promote, &ActionScope::Rollout);
        assert!(
            matches!(&refused, Err(Refusal::NoGo(r)) if !r.is_empty()),
            "{refused:?}"
        );
        assert!(
            refused
                .map_err(|e| e.to_string())
                .is_err_and(|t| t.contains("typed reason"))
        );
        assert_eq!(admit(&s, Action::Pause, &ActionScope::Rollout), Ok(()));
        assert_eq!(admit(&s, Action::Rollback, &ActionScope::Rollout), Ok(()));
        assert_eq!(admit_override(&s, &ActionScope::Rollout), Ok(()));
        // The override still answers to everything else.
        flying(&mut s, Action::Pause, ActionScope::Rollout);
        assert!(matches!(
            admit_override(&s, &ActionScope::Rollout),
            Err(Refusal::InFlight { .. })
        ));
    }
}
