//! The rollout: its plan of waves, the state a deployment source reports, and
//! the actions an operator may take on it.

use std::fmt;

use super::{Span, Timestamp};

/// Where a rollout stands, as its deployment source reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// How a region's canary weight is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum WeightKnown {
    /// The target said it: a traffic router's weight, the deploy API, the simulator.
    #[default]
    Reported,
    /// Reckoned, not said: the share of pods on the new version when no
    /// router splits the traffic.
    Estimated,
    /// There is no telling; `canary_weight` is then no figure to show.
    Unknown,
}

/// What a deployment source reports about one region.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RegionRollout {
    pub region: String,
    /// Percent of the region's traffic on the canary.
    pub canary_weight: u8,
    /// Whether `canary_weight` was reported, estimated or cannot be known.
    pub weight_known: WeightKnown,
    /// The region's own phase when it differs from the rollout's: a region
    /// paused or rolled back on its own, or a target that keeps one state per
    /// region (one Argo Rollout per region). `None`: as the rollout.
    pub phase: Option<Phase>,
    /// What the region's deployment target says beyond weight and phase.
    pub target: Option<TargetDetail>,
}

impl RegionRollout {
    /// A region that simply follows the rollout.
    pub fn following(region: impl Into<String>, canary_weight: u8) -> Self {
        RegionRollout {
            region: region.into(),
            canary_weight,
            weight_known: WeightKnown::Reported,
            phase: None,
            target: None,
        }
    }

    /// The canary's weight as it may be shown: `27%`, `~27%` when it is
    /// estimated, `?` when it cannot be known.
    pub fn weight_label(&self) -> String {
        match self.weight_known {
            WeightKnown::Reported => format!("{}%", self.canary_weight),
            WeightKnown::Estimated => format!("~{}%", self.canary_weight),
            WeightKnown::Unknown => "?".to_string(),
        }
    }

    /// Whether the region has a deployment target of its own (one Argo
    /// Rollout per region): its phase is then its own, whatever the others'.
    pub fn keeps_own_state(&self) -> bool {
        self.target.is_some()
    }

    /// The region's phase, given the rollout's.
    pub fn phase_in(&self, rollout: Phase) -> Phase {
        match (rollout, self.phase) {
            (_, Some(own)) if self.keeps_own_state() => own,
            // A rollout rolled back or aborted as a whole takes every region with it.
            (Phase::RolledBack | Phase::Aborted, _) => rollout,
            (_, Some(own)) => own,
            (_, None) => rollout,
        }
    }
}

/// Replica counts of a region's deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Replicas {
    pub desired: u32,
    pub ready: u32,
    pub updated: u32,
    pub available: u32,
}

/// A deployment target's own account of a region: an Argo Rollout's step,
/// weights, revisions, images, replicas, pause conditions and analysis.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct TargetDetail {
    /// Where the region's deployment lives, e.g. `prod-eu/checkout/checkout-api`.
    pub name: String,
    /// The target's own phase word (`Healthy`, `Paused`, `Degraded`, …).
    pub status: Option<String>,
    /// The target's message; for an aborted rollout, the abort reason.
    pub message: Option<String>,
    /// Current step (1-based) and number of steps.
    pub step: Option<(u32, u32)>,
    /// The canary weight the target is asked for; `canary_weight` is what it has.
    pub desired_weight: Option<u8>,
    pub stable_revision: Option<String>,
    pub canary_revision: Option<String>,
    pub stable_images: Vec<String>,
    pub canary_images: Vec<String>,
    pub replicas: Option<Replicas>,
    /// Why the target is paused, in its own words (`CanaryPauseStep`, …).
    pub pause_reasons: Vec<String>,
    /// The phase of the analysis run in progress, if any.
    pub analysis: Option<String>,
}

/// What an action applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ActionScope {
    /// Every region of the rollout.
    Rollout,
    /// One region.
    Region(String),
}

impl ActionScope {
    pub fn label(&self) -> String {
        match self {
            ActionScope::Rollout => "all regions".to_string(),
            ActionScope::Region(r) => r.clone(),
        }
    }

    /// The deploy API's word for the scope.
    pub fn wire(&self) -> &str {
        match self {
            ActionScope::Rollout => "all",
            ActionScope::Region(r) => r,
        }
    }

    /// Whether the scope covers `region`.
    pub fn covers(&self, region: &str) -> bool {
        match self {
            ActionScope::Rollout => true,
            ActionScope::Region(r) => r == region,
        }
    }
}

/// A deployment source's report on the whole rollout.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Action {
    Pause,
    Resume,
    Promote,
    Rollback,
    /// Start an aborted rollout again (Argo Rollouts' retry).
    Retry,
}

impl Action {
    pub fn verb(self) -> &'static str {
        match self {
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Promote => "promote",
            Action::Rollback => "roll back",
            Action::Retry => "retry",
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
    #[error("{0} is {1}: there is nothing to {2}")]
    RegionFinished(String, &'static str, Action),
    #[error("{0} is already paused")]
    RegionAlreadyPaused(String),
    #[error("{0} is not paused")]
    RegionNotPaused(String),
    #[error("no region {0} in the rollout")]
    UnknownRegion(String),
    #[error("{0} moves the whole rollout to its next wave: choose all regions")]
    WholeRolloutOnly(Action),
    #[error("{0}: not aborted, there is nothing to retry")]
    NotAborted(String),
    #[error("{0} is paused with the whole rollout: resume all regions")]
    PausedWithTheRollout(String),
}

/// Whether `action` on `scope` means something for a rollout in `status`
/// under `plan`. Whether a target can promote a single region is the
/// target's call (an Argo Rollout can; the simulator's waves cannot).
pub fn check_action(
    action: Action,
    scope: &ActionScope,
    status: &RolloutStatus,
) -> Result<(), Refusal> {
    let find = |name: &String| {
        status
            .regions
            .iter()
            .find(|r| &r.region == name)
            .ok_or_else(|| Refusal::UnknownRegion(name.clone()))
    };
    // Retry is the one action for an aborted rollout, and only for one.
    if action == Action::Retry {
        let aborted = match scope {
            ActionScope::Rollout => {
                status.phase == Phase::Aborted
                    || status
                        .regions
                        .iter()
                        .any(|r| r.phase_in(status.phase) == Phase::Aborted)
            }
            ActionScope::Region(name) => find(name)?.phase_in(status.phase) == Phase::Aborted,
        };
        return if aborted {
            Ok(())
        } else {
            Err(Refusal::NotAborted(scope.label()))
        };
    }
    // A release that went all the way can still be rolled back to the
    // version before it (Argo: undo to the previous revision).
    let undo = action == Action::Rollback && status.phase == Phase::Complete;
    if status.phase.is_terminal() && !undo {
        // Regions with targets of their own may still be live when one is
        // aborted: they can still be paused or rolled back.
        let live = |r: &RegionRollout| !r.phase_in(status.phase).is_terminal();
        let carry_on = match scope {
            ActionScope::Rollout => {
                matches!(action, Action::Pause | Action::Rollback)
                    && status.regions.iter().any(live)
            }
            ActionScope::Region(name) => status
                .regions
                .iter()
                .any(|r| &r.region == name && r.keeps_own_state() && live(r)),
        };
        if !carry_on {
            return Err(Refusal::Finished(status.phase.label(), action));
        }
    }
    let ActionScope::Region(name) = scope else {
        let any_paused = status
            .regions
            .iter()
            .any(|r| r.phase_in(status.phase) == Phase::Paused);
        return match action {
            Action::Pause if status.phase == Phase::Paused => Err(Refusal::AlreadyPaused),
            Action::Resume if !any_paused => Err(Refusal::NotPaused),
            _ => Ok(()),
        };
    };
    let region = find(name)?;
    let phase = region.phase_in(status.phase);
    if phase.is_terminal() && !(action == Action::Rollback && phase == Phase::Complete) {
        return Err(Refusal::RegionFinished(name.clone(), phase.label(), action));
    }
    match action {
        Action::Pause if phase == Phase::Paused => Err(Refusal::RegionAlreadyPaused(name.clone())),
        Action::Resume if phase != Phase::Paused => Err(Refusal::RegionNotPaused(name.clone())),
        // Paused with the whole rollout, not on its own: only the rollout resumes it.
        Action::Resume if region.phase != Some(Phase::Paused) && !region.keeps_own_state() => {
            Err(Refusal::PausedWithTheRollout(name.clone()))
        }
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
        assert_eq!(
            check_action(
                Action::Pause,
                &ActionScope::Rollout,
                &status(Phase::Progressing, 0)
            ),
            Ok(())
        );
        assert_eq!(
            check_action(
                Action::Pause,
                &ActionScope::Rollout,
                &status(Phase::Paused, 0)
            ),
            Err(Refusal::AlreadyPaused)
        );
        assert_eq!(
            check_action(
                Action::Resume,
                &ActionScope::Rollout,
                &status(Phase::Progressing, 0)
            ),
            Err(Refusal::NotPaused)
        );
        assert_eq!(
            check_action(
                Action::Promote,
                &ActionScope::Rollout,
                &status(Phase::Progressing, 2)
            ),
            Ok(())
        );
        assert!(matches!(
            check_action(
                Action::Rollback,
                &ActionScope::Rollout,
                &status(Phase::RolledBack, 1)
            ),
            Err(Refusal::Finished("ROLLED BACK", Action::Rollback))
        ));
        assert_eq!(
            check_action(
                Action::Promote,
                &ActionScope::Rollout,
                &status(Phase::Paused, 1)
            ),
            Ok(())
        );
    }

    #[test]
    fn retry_only_for_what_is_aborted_and_rollback_also_after_completion() {
        let all = ActionScope::Rollout;
        for phase in [
            Phase::Progressing,
            Phase::Paused,
            Phase::Complete,
            Phase::RolledBack,
        ] {
            assert_eq!(
                check_action(Action::Retry, &all, &status(phase, 1)),
                Err(Refusal::NotAborted("all regions".into())),
                "{phase:?}"
            );
        }
        assert_eq!(
            check_action(Action::Retry, &all, &status(Phase::Aborted, 1)),
            Ok(())
        );
        assert_eq!(
            check_action(Action::Rollback, &all, &status(Phase::Complete, 2)),
            Ok(())
        );
        assert_eq!(
            check_action(Action::Pause, &all, &status(Phase::Complete, 2)),
            Err(Refusal::Finished("COMPLETE", Action::Pause))
        );
        // One region aborted on its own target, the others going on.
        let mut s = status(Phase::Progressing, 1);
        s.regions = vec![
            RegionRollout {
                phase: Some(Phase::Aborted),
                target: Some(TargetDetail::default()),
                ..RegionRollout::following("eu", 5)
            },
            RegionRollout {
                phase: Some(Phase::Progressing),
                target: Some(TargetDetail::default()),
                ..RegionRollout::following("us", 5)
            },
        ];
        assert_eq!(check_action(Action::Retry, &all, &s), Ok(()));
        let eu = ActionScope::Region("eu".into());
        assert_eq!(check_action(Action::Retry, &eu, &s), Ok(()));
        let us = ActionScope::Region("us".into());
        assert_eq!(
            check_action(Action::Retry, &us, &s),
            Err(Refusal::NotAborted("us".into()))
        );
    }

    #[test]
    fn regions_with_their_own_targets_stay_live_when_another_aborts() {
        let own = |region: &str, phase| RegionRollout {
            phase: Some(phase),
            target: Some(TargetDetail::default()),
            ..RegionRollout::following(region, 0)
        };
        let mut s = status(Phase::Aborted, 0);
        s.regions = vec![own("eu", Phase::Aborted), own("us", Phase::Progressing)];
        let rollout = ActionScope::Rollout;
        assert_eq!(check_action(Action::Rollback, &rollout, &s), Ok(()));
        assert_eq!(check_action(Action::Pause, &rollout, &s), Ok(()));
        assert_eq!(
            check_action(Action::Promote, &rollout, &s),
            Err(Refusal::Finished("ABORTED", Action::Promote))
        );
        let us = ActionScope::Region("us".into());
        assert_eq!(check_action(Action::Pause, &us, &s), Ok(()));
        let eu = ActionScope::Region("eu".into());
        assert_eq!(
            check_action(Action::Rollback, &eu, &s),
            Err(Refusal::Finished("ABORTED", Action::Rollback))
        );
        // Without targets of their own, an aborted rollout takes every region with it.
        for r in &mut s.regions {
            r.target = None;
        }
        assert_eq!(
            check_action(Action::Rollback, &rollout, &s),
            Err(Refusal::Finished("ABORTED", Action::Rollback))
        );
        assert_eq!(
            check_action(Action::Pause, &us, &s),
            Err(Refusal::Finished("ABORTED", Action::Pause))
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
