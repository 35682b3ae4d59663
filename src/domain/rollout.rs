//! The rollout: its plan of waves, the state a deployment source reports, and
//! the actions an operator may take on it.

use std::fmt;

use super::{Span, Timestamp};

/// Where a rollout stands, as its deployment source reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Progressing,
    Paused,
    Aborted,
    RolledBack,
    Complete,
}

impl Phase {
    /// The word the header shows.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Progressing => "PROGRESSING",
            Phase::Paused => "PAUSED",
            Phase::Aborted => "ABORTED",
            Phase::RolledBack => "ROLLED BACK",
            Phase::Complete => "COMPLETE",
        }
    }

    /// True once the rollout can no longer move forward.
    pub fn is_terminal(self) -> bool {
        matches!(self, Phase::Aborted | Phase::RolledBack | Phase::Complete)
    }
}

/// Which regions a wave sends canary traffic to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Regions(Vec<String>),
}

impl Scope {
    pub fn contains(&self, region: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Regions(list) => list.iter().any(|r| r == region),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::All => f.write_str("all regions"),
            Scope::Regions(list) => f.write_str(&list.join(", ")),
        }
    }
}

/// One step of the plan: the canary gets `weight` percent of traffic in the
/// regions of `scope`, then holds for `hold` before the next wave may start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wave {
    pub name: String,
    pub weight: u8,
    pub scope: Scope,
    pub hold: Span,
}

/// The ordered waves of a rollout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WavePlan {
    pub waves: Vec<Wave>,
}

impl WavePlan {
    /// The canary's traffic share in `region` once wave `index` has started:
    /// the weight of the latest wave up to `index` whose scope holds the region.
    pub fn weight_in(&self, index: usize, region: &str) -> u8 {
        self.waves
            .iter()
            .take(index.saturating_add(1))
            .filter(|w| w.scope.contains(region))
            .map(|w| w.weight)
            .next_back()
            .unwrap_or(0)
    }

    pub fn len(&self) -> usize {
        self.waves.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waves.is_empty()
    }
}

/// What a deployment source reports about one region.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionRollout {
    pub region: String,
    /// Percent of the region's traffic on the canary.
    pub canary_weight: u8,
}

/// A deployment source's report on the whole rollout.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutStatus {
    pub phase: Phase,
    /// Index into the plan's waves of the wave in progress (or last reached).
    pub wave: usize,
    /// Time the current wave has held so far (frozen while paused).
    pub held: Span,
    /// Why the rollout stopped, when it did (abort reason, rollback note).
    pub message: Option<String>,
    pub regions: Vec<RegionRollout>,
    pub observed_at: Timestamp,
}

/// Something an operator can do to a rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Pause,
    Resume,
    Promote,
    Rollback,
}

impl Action {
    pub fn verb(self) -> &'static str {
        match self {
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Promote => "promote",
            Action::Rollback => "roll back",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.verb())
    }
}

/// Why an action cannot be taken in the rollout's current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the rollout is {0}: there is nothing to {1}")]
    Finished(&'static str, Action),
    #[error("the rollout is already paused")]
    AlreadyPaused,
    #[error("the rollout is not paused")]
    NotPaused,
    #[error("wave {0} of {0} is the last: there is no next wave to promote to")]
    NoNextWave(usize),
}

/// Whether `action` means something for a rollout in `status` under `plan`.
pub fn check_action(
    action: Action,
    status: &RolloutStatus,
    plan: &WavePlan,
) -> Result<(), Refusal> {
    if status.phase.is_terminal() {
        return Err(Refusal::Finished(status.phase.label(), action));
    }
    match action {
        Action::Pause if status.phase == Phase::Paused => Err(Refusal::AlreadyPaused),
        Action::Resume if status.phase != Phase::Paused => Err(Refusal::NotPaused),
        Action::Promote if status.wave + 1 >= plan.len() => Err(Refusal::NoNextWave(plan.len())),
        _ => Ok(()),
    }
}

/// Where a wave stands, for the wave plan panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaveState {
    Done,
    /// In progress, with the hold time left (zero once the hold has passed).
    Holding {
        left: Span,
    },
    /// In progress but the rollout is paused.
    Paused {
        left: Span,
    },
    Pending,
    /// Never reached because the rollout was rolled back or aborted.
    Cancelled,
}

/// The state of wave `index` given the rollout's status.
pub fn wave_state(plan: &WavePlan, status: &RolloutStatus, index: usize) -> WaveState {
    let left = |w: &Wave| (w.hold - status.held).max(Span::zero());
    match (index.cmp(&status.wave), status.phase) {
        (std::cmp::Ordering::Less, _) => WaveState::Done,
        (std::cmp::Ordering::Equal, Phase::Complete) => WaveState::Done,
        (std::cmp::Ordering::Equal, Phase::Progressing) => WaveState::Holding {
            left: plan.waves.get(index).map(left).unwrap_or_default(),
        },
        (std::cmp::Ordering::Equal, Phase::Paused) => WaveState::Paused {
            left: plan.waves.get(index).map(left).unwrap_or_default(),
        },
        (_, Phase::RolledBack | Phase::Aborted) => WaveState::Cancelled,
        _ => WaveState::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> WavePlan {
        let wave = |name: &str, weight, scope| Wave {
            name: name.into(),
            weight,
            scope,
            hold: Span::seconds(30),
        };
        WavePlan {
            waves: vec![
                wave("canary", 5, Scope::Regions(vec!["eu".into()])),
                wave("early", 25, Scope::Regions(vec!["eu".into(), "us".into()])),
                wave("full", 100, Scope::All),
            ],
        }
    }

    fn status(phase: Phase, wave: usize) -> RolloutStatus {
        RolloutStatus {
            phase,
            wave,
            held: Span::seconds(10),
            message: None,
            regions: vec![],
            observed_at: Timestamp::default(),
        }
    }

    #[test]
    fn weight_follows_the_latest_wave_that_scopes_the_region() {
        let p = plan();
        assert_eq!(p.weight_in(0, "eu"), 5);
        assert_eq!(p.weight_in(0, "us"), 0);
        assert_eq!(p.weight_in(1, "us"), 25);
        assert_eq!(p.weight_in(1, "ap"), 0);
        assert_eq!(p.weight_in(2, "ap"), 100);
        assert_eq!(p.weight_in(99, "eu"), 100);
    }

    #[test]
    fn actions_are_refused_where_they_mean_nothing() {
        let p = plan();
        assert_eq!(
            check_action(Action::Pause, &status(Phase::Progressing, 0), &p),
            Ok(())
        );
        assert_eq!(
            check_action(Action::Pause, &status(Phase::Paused, 0), &p),
            Err(Refusal::AlreadyPaused)
        );
        assert_eq!(
            check_action(Action::Resume, &status(Phase::Progressing, 0), &p),
            Err(Refusal::NotPaused)
        );
        assert_eq!(
            check_action(Action::Promote, &status(Phase::Progressing, 2), &p),
            Err(Refusal::NoNextWave(3))
        );
        assert!(matches!(
            check_action(Action::Rollback, &status(Phase::RolledBack, 1), &p),
            Err(Refusal::Finished("ROLLED BACK", Action::Rollback))
        ));
        assert_eq!(
            check_action(Action::Promote, &status(Phase::Paused, 1), &p),
            Ok(())
        );
    }

    #[test]
    fn wave_states_follow_the_status() {
        let p = plan();
        let s = status(Phase::Progressing, 1);
        assert_eq!(wave_state(&p, &s, 0), WaveState::Done);
        assert_eq!(
            wave_state(&p, &s, 1),
            WaveState::Holding {
                left: Span::seconds(20)
            }
        );
        assert_eq!(wave_state(&p, &s, 2), WaveState::Pending);
        let s = status(Phase::RolledBack, 1);
        assert_eq!(wave_state(&p, &s, 2), WaveState::Cancelled);
        let s = status(Phase::Complete, 2);
        assert_eq!(wave_state(&p, &s, 2), WaveState::Done);
    }
}
