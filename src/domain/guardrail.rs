//! Stop conditions: thresholds on the canary's signals that, held for long
//! enough, call for an alert, a pause or a rollback.

use std::collections::HashMap;
use std::fmt;

use super::health::{Cell, HealthMatrix, Signal, Verdict, VersionRole};
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
        let cell = cell?;
        if let Some(floor) = self.min_request_rate
            && cell
                .latest(Signal::RequestRate)
                .is_none_or(|rps| rps < floor)
        {
            return None;
        }
        let value = cell.latest(self.signal)?;
        if !self.relative {
            return Some(value);
        }
        let base = baseline?.latest(self.signal)?;
        // Against a stable at zero: equal when the canary is zero too, else
        // infinitely worse (or better).
        Some(if base != 0.0 {
            value / base
        } else if value == 0.0 {
            1.0
        } else {
            value.signum() * f64::INFINITY
        })
    }

    /// A measured number in the condition's own terms: `1.80× stable` or `470ms`.
    pub fn show(&self, measured: f64) -> String {
        if self.relative {
            format!("{measured:.2}× stable")
        } else {
            self.signal.format(measured)
        }
    }
    fn past(&self, value: f64, limit: f64) -> bool {
        match self.direction {
            Direction::Above => value > limit,
            Direction::Below => value < limit,
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
/// its latest values, `Stale` when its data is too old, `NoData` when there is
/// nothing to judge. Never `Healthy` without numbers. `baseline` is the
/// stable cell of the same region when `cell` is a canary: conditions
/// relative to stable apply only then.
pub fn judge_cell(
    cell: Option<&Cell>,
    baseline: Option<&Cell>,
    conditions: &[StopCondition],
    stale: bool,
) -> Verdict {
    let Some(cell) = cell.filter(|c| c.last_seen.is_some()) else {
        return Verdict::NoData;
    };
    if stale {
        return Verdict::Stale;
    }
    if cell.missing {
        return Verdict::NoData;
    }
    conditions
        .iter()
        .filter(|c| !c.relative || baseline.is_some())
        .map(|c| c.judge(c.measure(Some(cell), baseline)))
        .max()
        .unwrap_or(Verdict::NoData)
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

/// The stop conditions of a plan and how long each has been past its limit,
/// per region.
#[derive(Debug, Clone, Default)]
pub struct Guardrails {
    conditions: Vec<StopCondition>,
    past_since: Vec<HashMap<String, Timestamp>>,
    breached: Vec<HashMap<String, bool>>,
    status: Vec<ConditionStatus>,
    /// The worst state of any condition in each region watched, from the
    /// latest evaluation: what a region's row says.
    by_region: HashMap<String, GuardrailState>,
}

impl Guardrails {
    pub fn new(conditions: Vec<StopCondition>) -> Self {
        let n = conditions.len();
        Guardrails {
            conditions,
            by_region: HashMap::new(),
            past_since: vec![HashMap::new(); n],
            breached: vec![HashMap::new(); n],
            status: vec![
                ConditionStatus {
                    state: GuardrailState::NoData,
                    region: None,
                    value: None,
                };
                n
            ],
        }
    }

    pub fn conditions(&self) -> &[StopCondition] {
        &self.conditions
    }

    pub fn status(&self) -> &[ConditionStatus] {
        &self.status
    }

    /// The worst state of any condition in `region`, `None` when the region
    /// was not watched at the latest evaluation.
    pub fn state_in(&self, region: &str) -> Option<GuardrailState> {
        self.by_region.get(region).copied()
    }

    /// Judge the canary in every region where it should be taking traffic
    /// (`watched`), and return the conditions that became breached just now.
    pub fn evaluate(
        &mut self,
        matrix: &HealthMatrix,
        watched: &dyn Fn(&str) -> bool,
        now: Timestamp,
    ) -> Vec<Tripped> {
        let mut tripped = Vec::new();
        self.by_region.clear();
        // A region no longer watched starts afresh when it is watched again.
        for clocks in &mut self.past_since {
            clocks.retain(|region, _| watched(region));
        }
        for breached in &mut self.breached {
            breached.retain(|region, _| watched(region));
        }
        for (ci, cond) in self.conditions.iter().enumerate() {
            let mut worst: Option<ConditionStatus> = None;
            for region in matrix.regions().iter().filter(|r| watched(r)) {
                let value = cond.measure(
                    matrix.cell_by_name(region, VersionRole::Canary),
                    matrix.cell_by_name(region, VersionRole::Stable),
                );
                let state = match cond.judge(value) {
                    Verdict::Breach => {
                        let since = *self.past_since[ci].entry(region.clone()).or_insert(now);
                        if now - since >= cond.hold {
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
                    // A poll without a number says nothing about recovery:
                    // the hold clock keeps running through the gap.
                    Verdict::NoData | Verdict::Stale => GuardrailState::NoData,
                    verdict => {
                        self.past_since[ci].remove(region);
                        self.breached[ci].remove(region);
                        match verdict {
                            Verdict::Warning => GuardrailState::Warning,
                            _ => GuardrailState::Ok,
                        }
                    }
                };
                let worst_here = self.by_region.entry(region.clone()).or_insert(state);
                if state.urgency() > worst_here.urgency() {
                    *worst_here = state;
                }
                let candidate = ConditionStatus {
                    state,
                    region: Some(region.clone()),
                    value,
                };
                let worse =
                    |w: &ConditionStatus| match candidate.state.urgency().cmp(&w.state.urgency()) {
                        std::cmp::Ordering::Greater => true,
                        std::cmp::Ordering::Less => false,
                        // Same state: the value furthest past (or closest to) the limit.
                        std::cmp::Ordering::Equal => {
                            match (candidate.value, w.value, cond.direction) {
                                (Some(c), Some(w), Direction::Above) => c > w,
                                (Some(c), Some(w), Direction::Below) => c < w,
                                _ => false,
                            }
                        }
                    };
                if worst.as_ref().is_none_or(worse) {
                    worst = Some(candidate);
                }
            }
            self.status[ci] = worst.unwrap_or(ConditionStatus {
                state: GuardrailState::NoData,
                region: None,
                value: None,
            });
        }
        tripped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::health::Sample;

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
    fn a_gap_does_not_restart_the_hold() {
        let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
        let mut m = HealthMatrix::default();
        let all = |_: &str| true;
        poll(&mut m, 0, 0.001, 0.05);
        g.evaluate(&m, &all, t(0));
        poll(&mut m, 5, 0.001, f64::NAN);
        g.evaluate(&m, &all, t(5));
        assert_eq!(g.status()[0].state, GuardrailState::NoData);
        poll(&mut m, 10, 0.001, 0.05);
        let tripped = g.evaluate(&m, &all, t(10));
        assert_eq!(
            tripped.len(),
            1,
            "the hold counted from 0 s through the gap"
        );
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
