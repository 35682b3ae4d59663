//! Where each stop condition stands, region by region, and for how long it
//! has been seen past its limit: the hold clocks that declare a breach.

use std::collections::{HashMap, VecDeque};

use super::{
    Baseline, ConditionStatus, Direction, GuardrailState, SERVICE_WIDE, StopCondition, Tripped,
};
use crate::domain::baseline::BaselineValues;
use crate::domain::health::{Gap, HealthMatrix, Per, Reading, Signal, Verdict, VersionRole};
use crate::domain::{Span, Timestamp};

/// How long one condition has been past its limit in one region: only the
/// time seen, from one evaluation to the next, both with a number past the
/// limit. Time without data (a gap, stale or partial data, an outage of the
/// source) neither counts nor resets it.
#[derive(Debug, Clone, Copy, Default)]
struct HoldClock {
    counted: Span,
    /// The evaluation that last saw a number past the limit, while it is
    /// the latest one.
    last_past: Option<Timestamp>,
}

/// How many recent steps between evaluations set the expected one.
const STEPS_KEPT: usize = 8;

/// A step longer than this many expected ones is an outage, not a poll.
const STEP_SLACK: i32 = 3;

/// The stop conditions of a plan and how long each has been past its limit,
/// per region.
#[derive(Debug, Clone, Default)]
pub struct Guardrails {
    conditions: Vec<StopCondition>,
    clocks: Vec<HashMap<String, HoldClock>>,
    breached: Vec<HashMap<String, bool>>,
    status: Vec<ConditionStatus>,
    /// Why each condition with no number to judge has none.
    gaps: Vec<Option<Gap>>,
    last_evaluated: Option<Timestamp>,
    /// The latest steps between evaluations, to tell a poll from an outage.
    steps: VecDeque<Span>,
    /// The worst state of any condition in each region watched, from the
    /// latest evaluation: what a region's row says.
    by_region: HashMap<String, GuardrailState>,
    /// By condition: the values before the rollout, for conditions
    /// relative to before, once known.
    before: Vec<Option<BaselineValues>>,
}

impl Guardrails {
    /// The hold clocks, breach marks, steps and region states kept: bounded
    /// by the conditions and the regions, never by time.
    pub fn tracked(&self) -> usize {
        let clocks: usize = self.clocks.iter().map(HashMap::len).sum();
        let breached: usize = self.breached.iter().map(HashMap::len).sum();
        clocks + breached + self.steps.len() + self.by_region.len()
    }

    pub fn new(conditions: Vec<StopCondition>) -> Self {
        let n = conditions.len();
        Guardrails {
            conditions,
            clocks: vec![HashMap::new(); n],
            breached: vec![HashMap::new(); n],
            status: vec![
                ConditionStatus {
                    state: GuardrailState::NoData,
                    region: None,
                    value: None,
                };
                n
            ],
            gaps: vec![Some(Gap::NoData); n],
            last_evaluated: None,
            steps: VecDeque::new(),
            by_region: HashMap::new(),
            before: vec![None; n],
        }
    }

    /// Give condition `i` the values before the rollout it compares with.
    pub fn set_before(&mut self, i: usize, values: BaselineValues) {
        if let Some(slot) = self.before.get_mut(i) {
            *slot = Some(values);
        }
    }

    /// The value before the rollout that condition `i` compares with in
    /// `region` (`all` for a service-wide signal), once known.
    pub fn before(&self, i: usize, region: &str) -> Option<f64> {
        let cond = self.conditions.get(i)?;
        self.before.get(i)?.as_ref()?.get(cond.signal.per(), region)
    }

    /// The value before the rollout of `signal` in `region`, and the window
    /// it was averaged over, from the first condition on it relative to
    /// before whose values are known.
    pub fn before_of(&self, signal: &Signal, region: &str) -> Option<(f64, Span)> {
        self.conditions
            .iter()
            .enumerate()
            .find_map(|(i, c)| match c.baseline {
                Baseline::Before { window, .. } if c.signal == *signal => {
                    self.before(i, region).map(|v| (v, window))
                }
                _ => None,
            })
    }

    /// Whether condition `i` is relative to before and still waits for its
    /// values: its readings are gaps until then.
    pub fn before_pending(&self, i: usize) -> bool {
        let relative = self
            .conditions
            .get(i)
            .is_some_and(|c| matches!(c.baseline, Baseline::Before { .. }));
        relative && self.before.get(i).is_some_and(Option::is_none)
    }

    pub fn conditions(&self) -> &[StopCondition] {
        &self.conditions
    }

    pub fn status(&self) -> &[ConditionStatus] {
        &self.status
    }

    /// Why condition `i` has nothing to judge (stale, partial, not finite or
    /// no data) when its state is `NoData`: the word to show for it.
    pub fn gap(&self, i: usize) -> Option<Gap> {
        match self.status.get(i)?.state {
            GuardrailState::NoData => self.gaps.get(i).copied().flatten().or(Some(Gap::NoData)),
            _ => None,
        }
    }

    /// The conditions with nothing to judge, and why: what keeps the war
    /// room from saying GO on numbers it does not have.
    pub fn blind(&self) -> Vec<(usize, Gap)> {
        (0..self.status.len())
            .filter_map(|i| self.gap(i).map(|g| (i, g)))
            .collect()
    }

    /// The worst state of any condition in `region`, `None` when the region
    /// was not watched at the latest evaluation.
    pub fn state_in(&self, region: &str) -> Option<GuardrailState> {
        self.by_region.get(region).copied()
    }

    /// Where each condition stands breached now, as `(condition, place)`
    /// (`place` a region, or `all` service-wide), in order.
    pub fn breached(&self) -> Vec<(usize, String)> {
        let mut out: Vec<(usize, String)> = self
            .breached
            .iter()
            .enumerate()
            .flat_map(|(i, places)| {
                places
                    .iter()
                    .filter(|(_, on)| **on)
                    .map(move |(p, _)| (i, p.clone()))
            })
            .collect();
        out.sort();
        out
    }

    /// When the conditions were last judged.
    pub fn evaluated_at(&self) -> Option<Timestamp> {
        self.last_evaluated
    }

    /// How long condition `i` had been past its limit when last judged,
    /// while it is tripping or breached: the "past" timer, which does not
    /// run on between evaluations (nor while the metrics are out).
    pub fn past(&self, i: usize) -> Option<Span> {
        let at = self.last_evaluated?;
        match self.status.get(i)?.state {
            GuardrailState::Tripping { since } | GuardrailState::Breach { since } => {
                Some((at - since).max(Span::zero()))
            }
            _ => None,
        }
    }

    /// Whether the time since the last evaluation was a poll's step (and
    /// so may count towards a hold) rather than an outage of the metrics.
    fn step_counts(&mut self, now: Timestamp) -> bool {
        let Some(last) = self.last_evaluated else {
            return false;
        };
        let step = now - last;
        let mut kept: Vec<Span> = self.steps.iter().copied().collect();
        kept.sort();
        let expected = kept.get(kept.len() / 2).copied();
        let counts = step >= Span::zero() && expected.is_none_or(|e| step <= e * STEP_SLACK);
        if step > Span::zero() {
            if self.steps.len() == STEPS_KEPT {
                self.steps.pop_front();
            }
            self.steps.push_back(step);
        }
        counts
    }

    /// Judge the canary in every region where it should be taking traffic
    /// (`watched`), and return the conditions that became breached just now.
    /// A breach is declared only on numbers seen: the hold counts the time
    /// between evaluations that both saw the value past the limit.
    pub fn evaluate(
        &mut self,
        matrix: &HealthMatrix,
        watched: &dyn Fn(&str) -> bool,
        now: Timestamp,
    ) -> Vec<Tripped> {
        self.evaluate_with(matrix, watched, &|_| false, now)
    }

    /// [`Guardrails::evaluate`], knowing where the canary takes all the
    /// traffic (`all_canary`): there stable has none, and a condition
    /// relative to stable does not apply.
    pub fn evaluate_with(
        &mut self,
        matrix: &HealthMatrix,
        watched: &dyn Fn(&str) -> bool,
        all_canary: &dyn Fn(&str) -> bool,
        now: Timestamp,
    ) -> Vec<Tripped> {
        let mut tripped = Vec::new();
        let previous = self.last_evaluated;
        let step_counts = self.step_counts(now);
        self.last_evaluated = Some(now);
        self.by_region.clear();
        // A region no longer watched starts afresh when it is watched again.
        // The service is watched while the canary takes traffic anywhere;
        // once it takes none, a service-wide breach starts afresh too.
        let any_watched = matrix.regions().iter().any(|r| watched(r));
        let kept = |region: &String| match region.as_str() {
            SERVICE_WIDE => any_watched,
            region => watched(region),
        };
        for clocks in &mut self.clocks {
            clocks.retain(|region, _| kept(region));
        }
        for breached in &mut self.breached {
            breached.retain(|region, _| kept(region));
        }
        for (ci, cond) in self.conditions.iter().enumerate() {
            let mut worst: Option<(ConditionStatus, Option<Gap>)> = None;
            // A service-wide signal is judged once, while the canary takes
            // traffic anywhere; the others in each region watched.
            let places: Vec<String> = match cond.signal.per() {
                Per::Service if matrix.regions().iter().any(|r| watched(r)) => {
                    vec![SERVICE_WIDE.to_string()]
                }
                Per::Service => Vec::new(),
                _ => matrix
                    .regions()
                    .iter()
                    .filter(|r| watched(r))
                    .cloned()
                    .collect(),
            };
            let applies = |region: &str| cond.baseline != Baseline::Stable || !all_canary(region);
            for region in places.iter().filter(|r| applies(r)) {
                let before = || {
                    self.before
                        .get(ci)
                        .and_then(Option::as_ref)
                        .and_then(|b| b.get(cond.signal.per(), region))
                };
                let reading = match (cond.baseline, cond.signal.per()) {
                    // Before the rollout all traffic was stable: the canary
                    // is compared with what the region had then.
                    (Baseline::Before { .. }, _) => cond.reading_before(
                        matrix.place(&cond.signal, region, VersionRole::Canary),
                        before(),
                    ),
                    (_, Per::Version) => cond.reading(
                        matrix.cell_by_name(region, VersionRole::Canary),
                        matrix.cell_by_name(region, VersionRole::Stable),
                    ),
                    (_, _) => cond.reading(
                        matrix.place(&cond.signal, region, VersionRole::Canary),
                        None,
                    ),
                };
                let value = reading.number();
                let mut gap = None;
                let state = match cond.judge_reading(reading) {
                    Verdict::Breach => {
                        let clock = self.clocks[ci].entry(region.clone()).or_default();
                        if step_counts
                            && let Some(last) = clock.last_past
                            && Some(last) == previous
                        {
                            clock.counted += now - last;
                        }
                        clock.last_past = Some(now);
                        let since = now - clock.counted;
                        if clock.counted >= cond.hold {
                            let was = self.breached[ci].insert(region.clone(), true);
                            if was != Some(true) {
                                tripped.push(Tripped {
                                    condition: ci,
                                    region: region.clone(),
                                    value,
                                });
                            }
                            GuardrailState::Breach { since }
                        } else {
                            GuardrailState::Tripping { since }
                        }
                    }
                    // No number says nothing about recovery, nor about the
                    // breach going on: the hold clock stops, neither reset
                    // nor counting, until numbers return.
                    Verdict::NoData | Verdict::Stale => {
                        if let Some(clock) = self.clocks[ci].get_mut(region) {
                            clock.last_past = None;
                        }
                        gap = Some(match reading {
                            Reading::Gap(g) => g,
                            Reading::Number(_) => Gap::NoData,
                        });
                        GuardrailState::NoData
                    }
                    verdict => {
                        self.clocks[ci].remove(region);
                        self.breached[ci].remove(region);
                        match verdict {
                            Verdict::Warning => GuardrailState::Warning,
                            _ => GuardrailState::Ok,
                        }
                    }
                };
                // A service-wide condition is not any one region's.
                if cond.signal.per() != Per::Service {
                    let worst_here = self.by_region.entry(region.clone()).or_insert(state);
                    if state.urgency() > worst_here.urgency() {
                        *worst_here = state;
                    }
                }
                let candidate = ConditionStatus {
                    state,
                    region: Some(region.clone()),
                    value,
                };
                let worse = |(w, wgap): &(ConditionStatus, Option<Gap>)| match candidate
                    .state
                    .urgency()
                    .cmp(&w.state.urgency())
                {
                    std::cmp::Ordering::Greater => true,
                    std::cmp::Ordering::Less => false,
                    // Same state: the value furthest past (or closest to)
                    // the limit; among gaps, the worst reason.
                    std::cmp::Ordering::Equal => match (candidate.value, w.value, cond.direction) {
                        (Some(c), Some(w), Direction::Above) => c > w,
                        (Some(c), Some(w), Direction::Below) => c < w,
                        _ => gap > *wgap,
                    },
                };
                if worst.as_ref().is_none_or(worse) {
                    worst = Some((candidate, gap));
                }
            }
            let (status, gap) = worst.unwrap_or((
                ConditionStatus {
                    state: GuardrailState::NoData,
                    region: None,
                    value: None,
                },
                Some(Gap::NoData),
            ));
            self.status[ci] = status;
            self.gaps[ci] = gap;
        }
        tripped
    }
}
