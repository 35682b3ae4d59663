//! Stop conditions: thresholds on the canary's signals that, held for long
//! enough, call for an alert, a pause or a rollback.

use std::collections::{HashMap, VecDeque};
use std::fmt;

use super::health::{Cell, Gap, HealthMatrix, Reading, Signal, Verdict, VersionRole};
use super::{Span, Timestamp};

/// Which way a signal goes bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Above,
    Below,
}

/// What the plan says happens when a condition is breached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consequence {
    Alert,
    Pause,
    Rollback,
}

impl Consequence {
    pub fn label(self) -> &'static str {
        match self {
            Consequence::Alert => "alert",
            Consequence::Pause => "pause",
            Consequence::Rollback => "rollback",
        }
    }
}

/// A fixed threshold on one canary signal, per region.
#[derive(Debug, Clone, PartialEq)]
pub struct StopCondition {
    pub signal: Signal,
    pub direction: Direction,
    /// Past this the condition is a warning: close to tripping.
    pub warn: f64,
    /// Past this, for `hold`, the condition is breached.
    pub breach: f64,
    pub hold: Span,
    pub consequence: Consequence,
    /// `warn` and `breach` are multiples of the stable version's value in
    /// the same region (`p99 > 1.5 × stable`) rather than absolute values.
    pub relative: bool,
    /// Below this canary request rate the signal is "not enough data".
    pub min_request_rate: Option<f64>,
    /// An automatic pause or rollback acts on the breaching region only,
    /// not on the whole rollout.
    pub region_only: bool,
}

impl StopCondition {
    /// A condition on absolute values, with no traffic floor.
    pub fn absolute(
        signal: Signal,
        direction: Direction,
        warn: f64,
        breach: f64,
        hold: Span,
        consequence: Consequence,
    ) -> Self {
        StopCondition {
            signal,
            direction,
            warn,
            breach,
            hold,
            consequence,
            relative: false,
            min_request_rate: None,
            region_only: false,
        }
    }

    /// What a breach does, in words: `alert`, `pause`, `rollback region`.
    pub fn on_breach(&self) -> String {
        match (self.consequence, self.region_only) {
            (Consequence::Alert, _) | (_, false) => self.consequence.label().to_string(),
            (c, true) => format!("{} region", c.label()),
        }
    }

    /// The number this condition compares for `cell`: its value, or for a
    /// relative condition its ratio to `baseline`'s. `None` when either has
    /// no number, when `cell` has less traffic than the floor, or when a
    /// relative condition has no baseline.
    pub fn measure(&self, cell: Option<&Cell>, baseline: Option<&Cell>) -> Option<f64> {
        self.reading(cell, baseline).number()
    }

    /// What this condition has to compare for `cell`: the number of
    /// [`StopCondition::measure`], or why there is none (stale, partial,
    /// not finite, no data).
    pub fn reading(&self, cell: Option<&Cell>, baseline: Option<&Cell>) -> Reading {
        let Some(cell) = cell else {
            return Reading::Gap(Gap::NoData);
        };
        if let Some(floor) = self.min_request_rate {
            match cell.reading(Signal::RequestRate) {
                Reading::Number(rps) if rps >= floor => {}
                // Too thin to judge.
                Reading::Number(_) => return Reading::Gap(Gap::NoData),
                gap => return gap,
            }
        }
        let value = match cell.reading(self.signal) {
            Reading::Number(v) => v,
            gap => return gap,
        };
        if !self.relative {
            return Reading::Number(value);
        }
        let base = match baseline.map(|b| b.reading(self.signal)) {
            Some(Reading::Number(b)) => b,
            Some(gap) => return gap,
            None => return Reading::Gap(Gap::NoData),
        };
        // Against a stable at zero: equal when the canary is zero too, else
        // infinitely worse (or better).
        let ratio = if base != 0.0 {
            value / base
        } else if value == 0.0 {
            1.0
        } else {
            value.signum() * f64::INFINITY
        };
        // ∞ / ∞ has no ratio.
        if ratio.is_nan() {
            return Reading::Gap(Gap::NotFinite);
        }
        Reading::Number(ratio)
    }

    /// A measured number in the condition's own terms: `1.80× stable` or
    /// `470ms`; never `NaN` or `inf`.
    pub fn show(&self, measured: f64) -> String {
        if !self.relative {
            return self.signal.format(measured);
        }
        match measured {
            v if v.is_nan() => "—".to_string(),
            v if v.is_infinite() && v > 0.0 => "+∞× stable".to_string(),
            v if v.is_infinite() => "-∞× stable".to_string(),
            v if v.abs() >= 1e6 => ">999999× stable".to_string(),
            v => format!("{v:.2}× stable"),
        }
    }
    fn past(&self, value: f64, limit: f64) -> bool {
        match self.direction {
            Direction::Above => value > limit,
            Direction::Below => value < limit,
        }
    }

    /// The instantaneous verdict for one reading: a number judged against
    /// the levels, a gap shown as what it is.
    pub fn judge_reading(&self, reading: Reading) -> Verdict {
        match reading {
            Reading::Number(v) => self.judge(Some(v)),
            Reading::Gap(gap) => gap.verdict(),
        }
    }

    /// The instantaneous verdict for one value: no duration involved.
    pub fn judge(&self, value: Option<f64>) -> Verdict {
        match value {
            None => Verdict::NoData,
            Some(v) if self.past(v, self.breach) => Verdict::Breach,
            Some(v) if self.past(v, self.warn) => Verdict::Warning,
            Some(_) => Verdict::Healthy,
        }
    }
}

impl fmt::Display for StopCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.direction {
            Direction::Above => '>',
            Direction::Below => '<',
        };
        let limit = if self.relative {
            format!("{}× stable", self.breach)
        } else {
            self.signal.format(self.breach)
        };
        write!(
            f,
            "{} {op} {limit} for {}s",
            self.signal.label(),
            self.hold.num_seconds()
        )?;
        match self.min_request_rate {
            Some(floor) => write!(f, " at ≥ {}", Signal::RequestRate.format(floor)),
            None => Ok(()),
        }
    }
}

/// The verdict of one matrix cell: the worst of the stop conditions judged on
/// its latest values, `Stale` when its data is too old (`stale`: the source's
/// answers are; or the samples behind the values are), `NoData` when there is
/// nothing to judge. Never `Healthy` without numbers. `baseline` is the
/// stable cell of the same region when `cell` is a canary: conditions
/// relative to stable apply only then.
pub fn judge_cell(
    cell: Option<&Cell>,
    baseline: Option<&Cell>,
    conditions: &[StopCondition],
    stale: bool,
) -> Verdict {
    cell_state(cell, baseline, conditions, stale).0
}

/// [`judge_cell`], with the reason when the verdict is "nothing to judge" or
/// stale: no data, partial, not finite, stale. Its word is what the cell
/// shows instead of the verdict's.
pub fn cell_state(
    cell: Option<&Cell>,
    baseline: Option<&Cell>,
    conditions: &[StopCondition],
    stale: bool,
) -> (Verdict, Option<Gap>) {
    let Some(cell) = cell.filter(|c| c.last_seen.is_some()) else {
        return (Verdict::NoData, Some(Gap::NoData));
    };
    if stale || cell.gap() == Some(Gap::Stale) {
        return (Verdict::Stale, Some(Gap::Stale));
    }
    if cell.missing {
        return (Verdict::NoData, Some(Gap::NoData));
    }
    let readings: Vec<(Verdict, Option<Gap>)> = conditions
        .iter()
        .filter(|c| !c.relative || baseline.is_some())
        .map(|c| {
            let reading = c.reading(Some(cell), baseline);
            let gap = match reading {
                Reading::Gap(g) => Some(g),
                Reading::Number(_) => None,
            };
            (c.judge_reading(reading), gap)
        })
        .collect();
    let Some(verdict) = readings.iter().map(|r| r.0).max() else {
        return (Verdict::NoData, Some(Gap::NoData));
    };
    let gap = match verdict {
        Verdict::NoData | Verdict::Stale => readings.iter().filter_map(|r| r.1).max(),
        _ => None,
    };
    (verdict, gap)
}

/// Where a stop condition stands, across the regions it watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuardrailState {
    Ok,
    Warning,
    /// Past the threshold, not yet for long enough.
    Tripping {
        since: Timestamp,
    },
    Breach {
        since: Timestamp,
    },
    NoData,
}

impl GuardrailState {
    /// The cell verdict whose colour and glyph the state is shown with.
    pub fn verdict(self) -> Verdict {
        match self {
            GuardrailState::Ok => Verdict::Healthy,
            GuardrailState::Warning | GuardrailState::Tripping { .. } => Verdict::Warning,
            GuardrailState::Breach { .. } => Verdict::Breach,
            GuardrailState::NoData => Verdict::NoData,
        }
    }

    fn urgency(self) -> u8 {
        match self {
            GuardrailState::Ok => 0,
            GuardrailState::Warning => 1,
            GuardrailState::NoData => 2,
            GuardrailState::Tripping { .. } => 3,
            GuardrailState::Breach { .. } => 4,
        }
    }
}

/// A condition's state, with the region that drives it and its value there.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionStatus {
    pub state: GuardrailState,
    pub region: Option<String>,
    pub value: Option<f64>,
}

/// A condition newly breached in a region by the latest evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Tripped {
    pub condition: usize,
    pub region: String,
    pub value: Option<f64>,
}

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
}

impl Guardrails {
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
        }
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
        let mut tripped = Vec::new();
        let previous = self.last_evaluated;
        let step_counts = self.step_counts(now);
        self.last_evaluated = Some(now);
        // A region no longer watched starts afresh when it is watched again.
        for clocks in &mut self.clocks {
            clocks.retain(|region, _| watched(region));
        }
        for breached in &mut self.breached {
            breached.retain(|region, _| watched(region));
        }
        for (ci, cond) in self.conditions.iter().enumerate() {
            let mut worst: Option<(ConditionStatus, Option<Gap>)> = None;
            for region in matrix.regions().iter().filter(|r| watched(r)) {
                let reading = cond.reading(
                    matrix.cell_by_name(region, VersionRole::Canary),
                    matrix.cell_by_name(region, VersionRole::Stable),
                );
                let value = reading.number();
                let mut gap = None;
                let state = match cond.judge_reading(reading) {
                    Verdict::Breach => {
                        let clock = self.clocks[ci].entry(region.clone()).or_default();
                        if step_counts
                            && let Some(last) = clock.last_past
                            && Some(last) == previous
                        {
                            clock.counted = clock.counted + (now - last);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::health::{Basis, Sample};

    fn t(s: i64) -> Timestamp {
        Timestamp::default() + Span::seconds(s)
    }

    fn error_rate_over_2pct() -> StopCondition {
        StopCondition::absolute(
            Signal::ErrorRate,
            Direction::Above,
            0.01,
            0.02,
            Span::seconds(10),
            Consequence::Alert,
        )
    }

    fn poll(m: &mut HealthMatrix, at: i64, eu: f64, us: f64) {
        let s = |region: &str, value| Sample {
            region: region.into(),
            version: VersionRole::Canary,
            signal: Signal::ErrorRate,
            value,
            basis: Default::default(),
        };
        m.ingest_poll(t(at), &[s("eu", eu), s("us", us)]);
    }

    #[test]
    fn judge_has_four_outcomes() {
        let c = error_rate_over_2pct();
        assert_eq!(c.judge(None), Verdict::NoData);
        assert_eq!(c.judge(Some(0.001)), Verdict::Healthy);
        assert_eq!(c.judge(Some(0.015)), Verdict::Warning);
        assert_eq!(c.judge(Some(0.05)), Verdict::Breach);
        assert_eq!(c.judge(Some(f64::INFINITY)), Verdict::Breach);
    }

    #[test]
    fn breach_needs_the_hold_and_fires_once() {
        let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
        let mut m = HealthMatrix::default();
        let all = |_: &str| true;
        poll(&mut m, 0, 0.001, 0.05);
        assert!(g.evaluate(&m, &all, t(0)).is_empty());
        assert_eq!(
            g.status()[0].state,
            GuardrailState::Tripping { since: t(0) }
        );
        assert_eq!(g.status()[0].region.as_deref(), Some("us"));
        poll(&mut m, 10, 0.001, 0.06);
        let tripped = g.evaluate(&m, &all, t(10));
        assert_eq!(tripped.len(), 1);
        assert_eq!(tripped[0].region, "us");
        assert_eq!(g.status()[0].state, GuardrailState::Breach { since: t(0) });
        poll(&mut m, 11, 0.001, 0.06);
        assert!(
            g.evaluate(&m, &all, t(11)).is_empty(),
            "a breach is reported once"
        );
    }

    #[test]
    fn recovery_resets_the_clock() {
        let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
        let mut m = HealthMatrix::default();
        let all = |_: &str| true;
        poll(&mut m, 0, 0.001, 0.05);
        g.evaluate(&m, &all, t(0));
        poll(&mut m, 5, 0.001, 0.001);
        g.evaluate(&m, &all, t(5));
        assert_eq!(g.status()[0].state, GuardrailState::Ok);
        poll(&mut m, 12, 0.001, 0.05);
        g.evaluate(&m, &all, t(12));
        assert_eq!(
            g.status()[0].state,
            GuardrailState::Tripping { since: t(12) }
        );
    }

    #[test]
    fn unwatched_regions_do_not_count_and_nothing_watched_is_no_data() {
        let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
        let mut m = HealthMatrix::default();
        poll(&mut m, 0, 0.001, 0.05);
        g.evaluate(&m, &|r| r == "eu", t(0));
        assert_eq!(g.status()[0].state, GuardrailState::Ok);
        g.evaluate(&m, &|_| false, t(0));
        assert_eq!(g.status()[0].state, GuardrailState::NoData);
    }

    #[test]
    fn a_gap_stops_the_hold_clock_without_resetting_it() {
        let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
        let mut m = HealthMatrix::default();
        let all = |_: &str| true;
        for (at, us) in [(0, 0.05), (5, 0.05), (10, f64::NAN)] {
            poll(&mut m, at, 0.001, us);
            assert!(g.evaluate(&m, &all, t(at)).is_empty());
        }
        assert_eq!(g.status()[0].state, GuardrailState::NoData);
        assert_eq!(g.gap(0), Some(Gap::NoData));
        poll(&mut m, 15, 0.001, 0.05);
        assert!(
            g.evaluate(&m, &all, t(15)).is_empty(),
            "10 s past the limit were not seen: no breach yet"
        );
        // 5 s counted before the gap, none through it.
        assert_eq!(
            g.status()[0].state,
            GuardrailState::Tripping { since: t(10) }
        );
        assert_eq!(g.past(0), Some(Span::seconds(5)));
        poll(&mut m, 20, 0.001, 0.05);
        let tripped = g.evaluate(&m, &all, t(20));
        assert_eq!(tripped.len(), 1, "10 s seen past the limit");
    }

    #[test]
    fn an_outage_of_the_metrics_is_not_counted_towards_the_hold() {
        let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
        let mut m = HealthMatrix::default();
        let all = |_: &str| true;
        for at in 0..4 {
            poll(&mut m, at, 0.001, 0.05);
            assert!(g.evaluate(&m, &all, t(at)).is_empty());
        }
        // No poll answered for a minute; then the value is still past.
        poll(&mut m, 63, 0.001, 0.05);
        assert!(
            g.evaluate(&m, &all, t(63)).is_empty(),
            "a breach is never declared the moment data returns"
        );
        assert_eq!(g.past(0), Some(Span::seconds(3)));
        let mut at = 63;
        let tripped = loop {
            at += 1;
            poll(&mut m, at, 0.001, 0.05);
            let tripped = g.evaluate(&m, &all, t(at));
            if !tripped.is_empty() || at > 80 {
                break at;
            }
        };
        assert_eq!(tripped, 70, "the hold resumes where it stopped: 3 s + 7 s");
    }

    fn poll_on(m: &mut HealthMatrix, at: i64, value: f64, basis: Basis) {
        m.ingest_poll(
            t(at),
            &[Sample {
                region: "us".into(),
                version: VersionRole::Canary,
                signal: Signal::ErrorRate,
                value,
                basis,
            }],
        );
    }

    #[test]
    fn stale_or_partial_values_stop_the_clock_and_never_breach() {
        let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
        let mut m = HealthMatrix::default();
        let all = |_: &str| true;
        poll_on(&mut m, 0, 0.05, Basis::Current);
        g.evaluate(&m, &all, t(0));
        let stale = Basis::Stale { newest: Some(t(0)) };
        for at in 1..30 {
            let basis = if at % 2 == 0 { stale } else { Basis::Partial };
            poll_on(&mut m, at, 0.05, basis);
            assert!(g.evaluate(&m, &all, t(at)).is_empty(), "breach at {at}");
            assert_eq!(g.status()[0].state, GuardrailState::NoData);
        }
        assert_eq!(g.gap(0), Some(Gap::Partial));
        assert_eq!(g.status()[0].value, None);
        poll_on(&mut m, 30, 0.05, stale);
        g.evaluate(&m, &all, t(30));
        assert_eq!(g.gap(0).map(Gap::word), Some("STALE"));
        let cell = m.cell_by_name("us", VersionRole::Canary);
        let conditions = [error_rate_over_2pct()];
        assert_eq!(
            cell_state(cell, None, &conditions, false),
            (Verdict::Stale, Some(Gap::Stale))
        );
        poll_on(&mut m, 31, 0.05, Basis::Partial);
        let cell = m.cell_by_name("us", VersionRole::Canary);
        assert_eq!(
            cell_state(cell, None, &conditions, false),
            (Verdict::NoData, Some(Gap::Partial))
        );
    }

    #[test]
    fn infinities_that_mean_nothing_are_not_finite_never_healthy() {
        let success = StopCondition::absolute(
            Signal::SuccessRate,
            Direction::Below,
            0.99,
            0.98,
            Span::zero(),
            Consequence::Alert,
        );
        let conditions = [error_rate_over_2pct(), success];
        let mut m = HealthMatrix::default();
        let s = |signal, value| Sample {
            region: "eu".into(),
            version: VersionRole::Canary,
            signal,
            value,
            basis: Basis::Current,
        };
        m.ingest_poll(
            t(0),
            &[
                s(Signal::ErrorRate, f64::INFINITY),
                s(Signal::SuccessRate, f64::INFINITY),
            ],
        );
        let cell = m.cell(0, VersionRole::Canary);
        assert_eq!(
            cell_state(cell, None, &conditions, false),
            (Verdict::NoData, Some(Gap::NotFinite))
        );
        let mut g = Guardrails::new(conditions.to_vec());
        g.evaluate(&m, &|_| true, t(0));
        assert!(g.status().iter().all(|c| c.state == GuardrailState::NoData));
        assert_eq!(g.gap(1).map(Gap::word), Some("NOT FINITE"));
    }

    #[test]
    fn shown_values_never_read_nan_or_inf() {
        let relative = StopCondition {
            relative: true,
            ..error_rate_over_2pct()
        };
        for v in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            -1e300,
            0.5,
        ] {
            for c in [&relative, &error_rate_over_2pct()] {
                let shown = c.show(v).to_lowercase();
                assert!(
                    !shown.contains("nan") && !shown.contains("inf") && shown.len() < 24,
                    "{v} → {shown}"
                );
            }
        }
    }

    #[test]
    fn among_equals_the_worst_value_is_shown() {
        let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
        let mut m = HealthMatrix::default();
        poll(&mut m, 0, 0.001, 0.004);
        g.evaluate(&m, &|_| true, t(0));
        assert_eq!(g.status()[0].region.as_deref(), Some("us"));
        assert_eq!(g.status()[0].value, Some(0.004));
    }

    #[test]
    fn a_watched_region_without_numbers_is_no_data_not_ok() {
        let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
        let mut m = HealthMatrix::default();
        poll(&mut m, 0, 0.001, f64::NAN);
        g.evaluate(&m, &|_| true, t(0));
        assert_eq!(g.status()[0].state, GuardrailState::NoData);
        assert_eq!(g.status()[0].region.as_deref(), Some("us"));
    }

    #[test]
    fn a_cell_is_judged_on_its_worst_signal_and_never_healthy_blind() {
        let conditions = vec![error_rate_over_2pct()];
        let mut m = HealthMatrix::default();
        assert_eq!(judge_cell(None, None, &conditions, false), Verdict::NoData);
        poll(&mut m, 0, 0.001, 0.05);
        let eu = m.cell_by_name("eu", VersionRole::Canary);
        let us = m.cell_by_name("us", VersionRole::Canary);
        assert_eq!(judge_cell(eu, None, &conditions, false), Verdict::Healthy);
        assert_eq!(judge_cell(us, None, &conditions, false), Verdict::Breach);
        assert_eq!(judge_cell(eu, None, &conditions, true), Verdict::Stale);
        poll(&mut m, 1, f64::NAN, 0.001);
        let eu = m.cell_by_name("eu", VersionRole::Canary);
        assert_eq!(judge_cell(eu, None, &conditions, false), Verdict::NoData);
        m.ingest_poll(t(2), &[]);
        let us = m.cell_by_name("us", VersionRole::Canary);
        assert_eq!(judge_cell(us, None, &conditions, false), Verdict::NoData);
    }

    fn latency_cell(m: &mut HealthMatrix, at: i64, stable: f64, canary: f64, canary_rps: f64) {
        let s = |version, signal, value| Sample {
            region: "eu".into(),
            version,
            signal,
            value,
            basis: Default::default(),
        };
        m.ingest_poll(
            t(at),
            &[
                s(VersionRole::Stable, Signal::LatencyP99, stable),
                s(VersionRole::Stable, Signal::RequestRate, 100.0),
                s(VersionRole::Canary, Signal::LatencyP99, canary),
                s(VersionRole::Canary, Signal::RequestRate, canary_rps),
            ],
        );
    }

    #[test]
    fn relative_conditions_compare_with_stable_in_the_same_region() {
        let cond = StopCondition {
            relative: true,
            ..StopCondition::absolute(
                Signal::LatencyP99,
                Direction::Above,
                1.2,
                1.5,
                Span::zero(),
                Consequence::Alert,
            )
        };
        let mut g = Guardrails::new(vec![cond.clone()]);
        let mut m = HealthMatrix::default();
        // 0.5 s is slow in absolute terms, but so is stable: 1.25× is a warning.
        latency_cell(&mut m, 0, 0.4, 0.5, 50.0);
        g.evaluate(&m, &|_| true, t(0));
        assert_eq!(g.status()[0].state, GuardrailState::Warning);
        assert_eq!(g.status()[0].value, Some(1.25));
        latency_cell(&mut m, 1, 0.2, 0.5, 50.0);
        g.evaluate(&m, &|_| true, t(1));
        assert!(matches!(g.status()[0].state, GuardrailState::Breach { .. }));
        assert_eq!(cond.show(2.5), "2.50× stable");
        // Judging the canary cell needs its baseline; the stable cell has none.
        let canary = m.cell_by_name("eu", VersionRole::Canary);
        let stable = m.cell_by_name("eu", VersionRole::Stable);
        assert_eq!(
            judge_cell(canary, stable, std::slice::from_ref(&cond), false),
            Verdict::Breach
        );
        assert_eq!(judge_cell(stable, None, &[cond], false), Verdict::NoData);
    }

    #[test]
    fn below_the_traffic_floor_is_no_data() {
        let cond = StopCondition {
            min_request_rate: Some(10.0),
            ..StopCondition::absolute(
                Signal::LatencyP99,
                Direction::Above,
                0.3,
                0.4,
                Span::zero(),
                Consequence::Alert,
            )
        };
        let mut g = Guardrails::new(vec![cond]);
        let mut m = HealthMatrix::default();
        latency_cell(&mut m, 0, 0.2, 0.9, 2.0);
        g.evaluate(&m, &|_| true, t(0));
        assert_eq!(
            g.status()[0].state,
            GuardrailState::NoData,
            "2 requests/s are too few to judge"
        );
        latency_cell(&mut m, 1, 0.2, 0.9, 20.0);
        g.evaluate(&m, &|_| true, t(1));
        assert!(matches!(g.status()[0].state, GuardrailState::Breach { .. }));
    }

    #[test]
    fn describes_itself_in_display_units() {
        assert_eq!(
            error_rate_over_2pct().to_string(),
            "error rate > 2.00% for 10s"
        );
    }
}
