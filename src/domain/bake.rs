//! The bake: after the last wave, the rollout is watched for a while with
//! every stop condition still armed, and called complete only when that
//! while passed clean (AWS AppConfig's final bake time, Kargo's soak time).

use super::rollout::{Phase, RolloutStatus, WavePlan, WeightKnown};
use super::{Span, Timestamp};

/// The plan's `[bake]`: how long the rollout at its end is watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bake {
    /// `for` in the plan: the time at the end with no breach that makes
    /// the rollout complete.
    pub period: Span,
}

/// Where the bake stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BakeState {
    /// Watching since `since`: when warroom saw the rollout reach its
    /// end, moved on by every while the metrics were stale (time not
    /// watched does not bake). `checked` is when it was last looked at.
    Baking {
        since: Timestamp,
        checked: Timestamp,
    },
    /// The whole period passed with no breach.
    Passed { since: Timestamp, at: Timestamp },
    /// A breach (or a rollback) came before the period was over. A failed
    /// bake stays failed: a breach seen at 100 % is not forgotten when the
    /// numbers recover.
    Failed {
        since: Timestamp,
        at: Timestamp,
        why: String,
    },
}

impl BakeState {
    /// When the bake started.
    pub fn since(&self) -> Timestamp {
        match self {
            BakeState::Baking { since, .. }
            | BakeState::Passed { since, .. }
            | BakeState::Failed { since, .. } => *since,
        }
    }

    /// The time still to bake at `now`: zero once it is over, or passed.
    pub fn left(&self, bake: &Bake, now: Timestamp) -> Span {
        match self {
            BakeState::Baking { since, .. } => (*since + bake.period - now).max(Span::zero()),
            BakeState::Passed { .. } | BakeState::Failed { .. } => Span::zero(),
        }
    }

    /// The one word for the bake's stand, as `status --json` says it.
    pub fn word(&self) -> &'static str {
        match self {
            BakeState::Baking { .. } => "baking",
            BakeState::Passed { .. } => "passed",
            BakeState::Failed { .. } => "failed",
        }
    }
}

/// A span in few words for the timeline: `45s`, `2m`, `1m30s`, `1h30m`.
pub fn words(span: Span) -> String {
    let s = span.num_seconds().max(0);
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    match (h, m, sec) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, sec) => format!("{m}m{sec:02}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

/// Whether the rollout has reached its end: the source says it is complete,
/// or the last wave is under way (or paused) with all of every region's
/// traffic on the new version.
pub fn at_the_end(waves: &WavePlan, status: &RolloutStatus) -> bool {
    match status.phase {
        Phase::Complete => return true,
        Phase::RolledBack | Phase::Aborted => return false,
        Phase::Progressing | Phase::Paused => {}
    }
    let Some(last) = waves.waves.last() else {
        return false;
    };
    if status.wave + 1 != waves.len() || last.weight < 100 {
        return false;
    }
    // A source that names no region is taken at the plan's word.
    if status.regions.is_empty() {
        return last.scope == super::rollout::Scope::All;
    }
    status.regions.iter().all(|r| {
        r.canary_weight >= 100
            && r.weight_known != WeightKnown::Unknown
            && !r.phase_in(status.phase).is_terminal()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rollout::{RegionRollout, Scope, Wave};

    fn waves() -> WavePlan {
        let wave = |name: &str, weight, scope| Wave {
            name: name.into(),
            weight,
            scope,
            hold: Span::seconds(30),
        };
        WavePlan {
            waves: vec![
                wave("canary", 5, Scope::Regions(vec!["eu".into()])),
                wave("full", 100, Scope::All),
            ],
        }
    }

    fn status(phase: Phase, wave: usize, weights: &[u8]) -> RolloutStatus {
        RolloutStatus {
            phase,
            wave,
            held: Span::seconds(20),
            message: None,
            regions: ["eu", "us"]
                .iter()
                .zip(weights)
                .map(|(r, w)| RegionRollout::following(*r, *w))
                .collect(),
            observed_at: Timestamp::default() + Span::minutes(10),
        }
    }

    #[test]
    fn the_end_is_the_last_wave_at_full_weight_everywhere_or_complete() {
        let w = waves();
        assert!(at_the_end(&w, &status(Phase::Complete, 1, &[100, 100])));
        assert!(at_the_end(&w, &status(Phase::Progressing, 1, &[100, 100])));
        assert!(at_the_end(&w, &status(Phase::Paused, 1, &[100, 100])));
        assert!(!at_the_end(&w, &status(Phase::Progressing, 0, &[5, 0])));
        // A region held back (paused on its own at less) is not at the end.
        assert!(!at_the_end(&w, &status(Phase::Progressing, 1, &[100, 25])));
        assert!(!at_the_end(&w, &status(Phase::RolledBack, 1, &[0, 0])));
        // A weight there is no telling of is not 100 %.
        let mut s = status(Phase::Progressing, 1, &[100, 100]);
        s.regions[1].weight_known = WeightKnown::Unknown;
        assert!(!at_the_end(&w, &s));
        // No region reported: the plan's last wave says it.
        assert!(at_the_end(&w, &status(Phase::Progressing, 1, &[])));
        // A plan that never goes to 100 % ends only when the source says so.
        let mut half = waves();
        half.waves[1].weight = 50;
        assert!(!at_the_end(
            &half,
            &status(Phase::Progressing, 1, &[50, 50])
        ));
        assert!(at_the_end(&half, &status(Phase::Complete, 1, &[50, 50])));
    }

    #[test]
    fn spans_in_few_words() {
        let cases = [
            (Span::seconds(45), "45s"),
            (Span::minutes(2), "2m"),
            (Span::seconds(90), "1m30s"),
            (Span::hours(1), "1h"),
            (Span::minutes(90), "1h30m"),
            (Span::seconds(-3), "0s"),
        ];
        for (span, said) in cases {
            assert_eq!(words(span), said);
        }
    }

    #[test]
    fn time_left_runs_down_to_zero() {
        let bake = Bake {
            period: Span::minutes(30),
        };
        let t0 = Timestamp::default();
        let baking = BakeState::Baking {
            since: t0,
            checked: t0,
        };
        assert_eq!(baking.left(&bake, t0), Span::minutes(30));
        assert_eq!(
            baking.left(&bake, t0 + Span::minutes(18)),
            Span::minutes(12)
        );
        assert_eq!(baking.left(&bake, t0 + Span::hours(2)), Span::zero());
        let passed = BakeState::Passed {
            since: t0,
            at: t0 + Span::minutes(30),
        };
        assert_eq!(passed.left(&bake, t0), Span::zero());
        assert_eq!(passed.since(), t0);
        assert_eq!(passed.word(), "passed");
    }
}
