//! Wave gates: the current wave may give way to the next when its hold has
//! passed, its stop conditions are ok and every canary in it passes its
//! judgment. What still blocks it is said in words.

use std::collections::HashMap;
use std::fmt;

use super::Span;
use super::guardrail::{ConditionStatus, GuardrailState, StopCondition};
use super::judgment::{Judgment, Outcome};
use super::rollout::{Phase, RolloutStatus, WavePlan};

/// One reason the current wave may not give way yet.
#[derive(Debug, Clone, PartialEq)]
pub enum Blocker {
    /// The hold has this long to run.
    Hold(Span),
    Paused,
    /// A stop condition is tripping, breached or has no data.
    Condition {
        condition: String,
        region: Option<String>,
        state: &'static str,
    },
    /// A canary's judgment does not pass (or has no score yet).
    Score {
        region: String,
        score: Option<f64>,
        outcome: Outcome,
    },
    /// The metrics are stale: nothing can be judged.
    Stale,
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Blocker::Hold(left) => write!(f, "hold {}s left", left.num_seconds().max(0)),
            Blocker::Paused => f.write_str("paused"),
            Blocker::Condition {
                condition,
                region,
                state,
            } => match region {
                Some(r) => write!(f, "{condition}: {state} in {r}"),
                None => write!(f, "{condition}: {state}"),
            },
            Blocker::Score {
                region,
                score: Some(s),
                outcome,
            } => write!(f, "score {s:.0} {} in {region}", outcome.word()),
            Blocker::Score { region, .. } => write!(f, "no score yet in {region}"),
            Blocker::Stale => f.write_str("metrics stale"),
        }
    }
}

/// The gate of the wave in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    pub wave: usize,
    pub blockers: Vec<Blocker>,
}

impl Gate {
    pub fn is_open(&self) -> bool {
        self.blockers.is_empty()
    }
}

/// Past this many regions, regions with the same reason are counted
/// rather than named.
const NAMED_REGIONS: usize = 3;

impl Gate {
    /// The blockers in few words: stop conditions in the same state and
    /// region are named together, and canaries without a score (or with a
    /// failing one) are named together, or counted past a few regions.
    pub fn summary(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut groups: Vec<(&'static str, Option<&str>, Vec<&str>)> = Vec::new();
        let mut unscored: Vec<&str> = Vec::new();
        let mut scored: Vec<String> = Vec::new();
        for b in &self.blockers {
            match b {
                Blocker::Condition {
                    condition,
                    region,
                    state,
                } => match groups
                    .iter_mut()
                    .find(|(s, r, _)| s == state && *r == region.as_deref())
                {
                    Some((_, _, names)) => names.push(condition),
                    None => groups.push((state, region.as_deref(), vec![condition])),
                },
                Blocker::Score {
                    region,
                    score: None,
                    ..
                } => unscored.push(region),
                Blocker::Score { .. } => scored.push(b.to_string()),
                other => out.push(other.to_string()),
            }
        }
        // Conditions go after the hold, pause and staleness, then scores.
        out.extend(
            groups
                .into_iter()
                .map(|(state, region, names)| match region {
                    Some(r) => format!("{state} in {r}: {}", names.join(", ")),
                    None => format!("{state}: {}", names.join(", ")),
                }),
        );
        if scored.len() > NAMED_REGIONS {
            out.push(format!("score below pass in {} regions", scored.len()));
        } else {
            out.extend(scored);
        }
        match unscored.len() {
            0 => {}
            n if n > NAMED_REGIONS => out.push(format!("no score yet in {n} regions")),
            _ => out.push(format!("no score yet in {}", unscored.join(", "))),
        }
        out
    }
}

/// What a gate does when it is blocked (the plan's `[gates]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GatePolicy {
    /// A blocked gate holds the wave (`true`, the default); `false` keeps
    /// gates advisory: shown, never acted on.
    pub enforce: bool,
    /// Once a gate that held the wave opens, warroom promotes by itself;
    /// by default it waits for a person.
    pub auto_promote: bool,
}

impl Default for GatePolicy {
    fn default() -> Self {
        GatePolicy {
            enforce: true,
            auto_promote: false,
        }
    }
}

impl Blocker {
    /// Whether this blocker is news about the rollout, which holds the wave
    /// past its hold. The hold itself and a pause only make it wait.
    pub fn holds(&self) -> bool {
        !matches!(self, Blocker::Hold(_) | Blocker::Paused)
    }
}

impl Gate {
    /// What holds the wave past its hold: every blocker but the hold and a pause.
    pub fn holding(&self) -> impl Iterator<Item = &Blocker> {
        self.blockers.iter().filter(|b| b.holds())
    }

    /// The hold still to run, zero once it has passed.
    pub fn hold_left(&self) -> Span {
        self.blockers
            .iter()
            .find_map(|b| match b {
                Blocker::Hold(left) => Some(*left),
                _ => None,
            })
            .unwrap_or_else(Span::zero)
    }
}

/// Each region's canary judgment, by region name: looked up once per region
/// on every frame, so a lookup must not grow with the number of regions.
pub type Judgments = HashMap<String, Judgment>;

/// What the gate is judged from.
pub struct GateInputs<'a> {
    pub waves: &'a WavePlan,
    pub status: &'a RolloutStatus,
    pub conditions: &'a [StopCondition],
    pub condition_status: &'a [ConditionStatus],
    /// The judgment of each region's canary, by region name.
    pub judgments: &'a Judgments,
    pub stale: bool,
}

/// The gate of the current wave, or `None` once the rollout has finished.
pub fn current_gate(i: &GateInputs) -> Option<Gate> {
    let status = i.status;
    if status.phase.is_terminal() {
        return None;
    }
    let wave = i.waves.waves.get(status.wave)?;
    let mut blockers = Vec::new();
    if status.phase == Phase::Paused {
        blockers.push(Blocker::Paused);
    }
    let left = wave.hold - status.held;
    if left > Span::zero() {
        blockers.push(Blocker::Hold(left));
    }
    if i.stale {
        blockers.push(Blocker::Stale);
    }
    for (c, s) in i.conditions.iter().zip(i.condition_status) {
        let state = match s.state {
            GuardrailState::Ok | GuardrailState::Warning => continue,
            GuardrailState::Tripping { .. } => "tripping",
            GuardrailState::Breach { .. } => "breach",
            GuardrailState::NoData => "no data",
        };
        blockers.push(Blocker::Condition {
            condition: c.signal.label().to_string(),
            region: s.region.clone(),
            state,
        });
    }
    // Every region where the canary takes traffic in this wave must pass;
    // where it takes all of it there is no stable left to score against.
    // A weight there is no telling of must be judged as if it took traffic.
    for region in status.regions.iter().filter(|r| {
        let unknown = r.weight_known == super::rollout::WeightKnown::Unknown;
        (unknown || (r.canary_weight > 0 && r.canary_weight < 100))
            && !r.phase_in(status.phase).is_terminal()
    }) {
        let judgment = i.judgments.get(&region.region);
        match judgment {
            Some(j) if j.outcome == Outcome::Pass => {}
            Some(j) => blockers.push(Blocker::Score {
                region: region.region.clone(),
                score: j.score,
                outcome: j.outcome,
            }),
            None => blockers.push(Blocker::Score {
                region: region.region.clone(),
                score: None,
                outcome: Outcome::NoData,
            }),
        }
    }
    Some(Gate {
        wave: status.wave,
        blockers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Timestamp;
    use crate::domain::guardrail::{Consequence, Direction};
    use crate::domain::judgment::Judgment;
    use crate::domain::rollout::{RegionRollout, Scope, Wave};

    fn waves() -> WavePlan {
        WavePlan {
            waves: vec![
                Wave {
                    name: "canary".into(),
                    weight: 5,
                    scope: Scope::Regions(vec!["eu".into()]),
                    hold: Span::seconds(30),
                },
                Wave {
                    name: "full".into(),
                    weight: 100,
                    scope: Scope::All,
                    hold: Span::seconds(30),
                },
            ],
        }
    }

    fn status(phase: Phase, held: i64) -> RolloutStatus {
        RolloutStatus {
            phase,
            wave: 0,
            held: Span::seconds(held),
            message: None,
            regions: vec![
                RegionRollout::following("eu", 5),
                RegionRollout::following("us", 0),
            ],
            observed_at: Timestamp::default(),
        }
    }

    fn judged(score: Option<f64>, outcome: Outcome) -> Judgment {
        Judgment {
            metrics: vec![],
            score,
            outcome,
        }
    }

    fn condition() -> StopCondition {
        StopCondition::absolute(
            crate::domain::signal::standard("error_rate"),
            Direction::Above,
            0.01,
            0.02,
            Span::seconds(15),
            Consequence::Alert,
        )
    }

    fn gate_of(
        status: &RolloutStatus,
        state: GuardrailState,
        judgments: &[(&str, Judgment)],
        stale: bool,
    ) -> Option<Gate> {
        let conditions = [condition()];
        let condition_status = [ConditionStatus {
            state,
            region: Some("eu".into()),
            value: Some(0.03),
        }];
        current_gate(&GateInputs {
            waves: &waves(),
            status,
            conditions: &conditions,
            condition_status: &condition_status,
            judgments: &judgments
                .iter()
                .map(|(r, j)| (r.to_string(), j.clone()))
                .collect(),
            stale,
        })
    }

    #[test]
    fn open_when_held_ok_and_passing() {
        let j = [("eu", judged(Some(100.0), Outcome::Pass))];
        let gate = gate_of(
            &status(Phase::Progressing, 30),
            GuardrailState::Ok,
            &j,
            false,
        );
        assert_eq!(gate.map(|g| g.is_open()), Some(true));
    }

    #[test]
    fn a_warning_does_not_block_but_a_breach_does() {
        let j = [("eu", judged(Some(100.0), Outcome::Pass))];
        let s = status(Phase::Progressing, 30);
        assert!(gate_of(&s, GuardrailState::Warning, &j, false).is_some_and(|g| g.is_open()));
        let gate = gate_of(
            &s,
            GuardrailState::Breach {
                since: Timestamp::default(),
            },
            &j,
            false,
        );
        let words: Vec<String> = gate
            .map(|g| g.blockers.iter().map(ToString::to_string).collect())
            .unwrap_or_default();
        assert_eq!(words, ["error rate: breach in eu"]);
    }

    #[test]
    fn every_blocker_is_named() {
        let j = [("eu", judged(Some(50.0), Outcome::Marginal))];
        let gate = gate_of(&status(Phase::Paused, 12), GuardrailState::NoData, &j, true);
        let words: Vec<String> = gate
            .map(|g| g.blockers.iter().map(ToString::to_string).collect())
            .unwrap_or_default();
        assert_eq!(
            words,
            [
                "paused",
                "hold 18s left",
                "metrics stale",
                "error rate: no data in eu",
                "score 50 marginal in eu",
            ]
        );
    }

    #[test]
    fn a_canary_with_no_judgment_blocks_and_a_region_without_canary_does_not() {
        let gate = gate_of(
            &status(Phase::Progressing, 30),
            GuardrailState::Ok,
            &[],
            false,
        );
        let words: Vec<String> = gate
            .map(|g| g.blockers.iter().map(ToString::to_string).collect())
            .unwrap_or_default();
        assert_eq!(words, ["no score yet in eu"]);
    }

    #[test]
    fn the_summary_names_conditions_together_per_region() {
        let gate = Gate {
            wave: 0,
            blockers: vec![
                Blocker::Hold(Span::seconds(5)),
                Blocker::Condition {
                    condition: "error rate".into(),
                    region: Some("us".into()),
                    state: "breach",
                },
                Blocker::Score {
                    region: "us".into(),
                    score: Some(0.0),
                    outcome: Outcome::Fail,
                },
                Blocker::Condition {
                    condition: "latency p99".into(),
                    region: Some("us".into()),
                    state: "breach",
                },
                Blocker::Condition {
                    condition: "latency p99".into(),
                    region: Some("eu".into()),
                    state: "no data",
                },
            ],
        };
        assert_eq!(
            gate.summary(),
            [
                "hold 5s left",
                "breach in us: error rate, latency p99",
                "no data in eu: latency p99",
                "score 0 fail in us",
            ]
        );
    }

    #[test]
    fn the_summary_counts_regions_past_a_few() {
        let unscored = |n: usize| Gate {
            wave: 0,
            blockers: (0..n)
                .map(|i| Blocker::Score {
                    region: format!("r{i}"),
                    score: None,
                    outcome: Outcome::NoData,
                })
                .collect(),
        };
        assert_eq!(unscored(2).summary(), ["no score yet in r0, r1"]);
        assert_eq!(unscored(47).summary(), ["no score yet in 47 regions"]);
        let failing = Gate {
            wave: 0,
            blockers: (0..5)
                .map(|i| Blocker::Score {
                    region: format!("r{i}"),
                    score: Some(10.0),
                    outcome: Outcome::Fail,
                })
                .collect(),
        };
        assert_eq!(failing.summary(), ["score below pass in 5 regions"]);
    }

    #[test]
    fn no_gate_once_finished() {
        for phase in [Phase::Complete, Phase::RolledBack, Phase::Aborted] {
            assert_eq!(
                gate_of(&status(phase, 30), GuardrailState::Ok, &[], false),
                None
            );
        }
    }
}
