//! Canary judgment the way Kayenta does it: for each signal, compare the
//! canary's recent samples with the stable's using a Mann-Whitney U test,
//! classify the signal pass / high / low with a tolerance, and combine the
//! classifications into a 0–100 score. Too little data is "no data", never a
//! pass; a critical signal failing forces the score to 0.

use super::health::{Cell, Gap, Reading, Signal};
use super::signal::{ERROR_RATE, LATENCY_P99, Per, SUCCESS_RATE, Signals, Unit, Worse};
use super::stats::phi;
use super::{Span, Timestamp};

/// The outcome of a two-sided Mann-Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U of the first sample (the canary).
    pub u: f64,
    /// Two-sided p-value: normal approximation with tie and continuity
    /// corrections (as SciPy's `method="asymptotic"`).
    pub p_value: f64,
}

/// Rank the two samples together and test whether one tends to be larger.
/// `None` when either is empty or holds a value that is not a number.
pub fn mann_whitney(x: &[f64], y: &[f64]) -> Option<MannWhitney> {
    if x.iter().chain(y).any(|v| v.is_nan()) {
        return None;
    }
    let (mut x, mut y) = (x.to_vec(), y.to_vec());
    x.sort_unstable_by(f64::total_cmp);
    y.sort_unstable_by(f64::total_cmp);
    mann_whitney_sorted(&x, &y)
}

/// The test on two samples already sorted ascending, free of NaN: the ranks
/// come from merging them, without sorting again.
fn mann_whitney_sorted(x: &[f64], y: &[f64]) -> Option<MannWhitney> {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let n = n1 + n2;
    let (mut rank_sum_x, mut ties) = (0.0, 0.0);
    let (mut i, mut j, mut placed) = (0, 0, 0);
    while i < n1 || j < n2 {
        // The smallest value left, and how many of each sample hold it.
        let v = match (x.get(i), y.get(j)) {
            (Some(a), Some(b)) => a.min(*b),
            (Some(a), None) => *a,
            (None, Some(b)) => *b,
            (None, None) => break,
        };
        let from_x = x[i..].iter().take_while(|&&a| a == v).count();
        let from_y = y[j..].iter().take_while(|&&b| b == v).count();
        let t = (from_x + from_y) as f64;
        // Tied values share the mean of their ranks (1-based).
        let rank = placed as f64 + (t + 1.0) / 2.0;
        ties += t * t * t - t;
        rank_sum_x += rank * from_x as f64;
        placed += from_x + from_y;
        i += from_x;
        j += from_y;
    }
    let (n1f, n2f, nf) = (n1 as f64, n2 as f64, n as f64);
    let u = rank_sum_x - n1f * (n1f + 1.0) / 2.0;
    let mean = n1f * n2f / 2.0;
    let variance = n1f * n2f / 12.0 * ((nf + 1.0) - ties / (nf * (nf - 1.0)));
    let p_value = if variance <= 0.0 {
        1.0
    } else {
        let z = ((u - mean).abs() - 0.5).max(0.0) / variance.sqrt();
        (2.0 * (1.0 - phi(z))).min(1.0)
    };
    Some(MannWhitney { u, p_value })
}

/// Which way a signal goes bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bad {
    /// Higher is worse (error rate, latency).
    Higher,
    /// Lower is worse (success rate, request rate).
    Lower,
    Either,
}

/// How one signal is judged.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRule {
    pub signal: Signal,
    pub bad: Bad,
    /// A difference of medians smaller than this share of the stable's
    /// median passes even when it is significant (0.1 = 10%).
    pub tolerance: f64,
    /// Failing this signal fails the canary outright.
    pub critical: bool,
}

/// A signal's classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classification {
    Pass,
    /// The canary is significantly higher than stable, beyond the tolerance.
    High,
    /// The canary is significantly lower than stable, beyond the tolerance.
    Low,
    /// Too few samples on either side to judge.
    NoData,
}

/// What the judgment says of one signal.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricJudgment {
    pub signal: Signal,
    pub classification: Classification,
    /// True when the classification counts against the canary.
    pub failed: bool,
    pub test: Option<MannWhitney>,
    /// Why the signal could not be judged, when it could not: too few
    /// samples is no data; stale, partial or not-finite latest values are
    /// each said as such.
    pub gap: Option<Gap>,
}

/// The canary's overall result against the thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Marginal,
    Fail,
    NoData,
}

/// The judgment of one region's canary.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgment {
    pub metrics: Vec<MetricJudgment>,
    /// 0–100, or `None` when no signal had enough data.
    pub score: Option<f64>,
    pub outcome: Outcome,
}

impl Judgment {
    /// Why nothing could be judged, when the outcome is "no data": the
    /// worst reason among the signals (stale, partial, not finite, no data).
    pub fn gap(&self) -> Option<Gap> {
        if self.outcome != Outcome::NoData {
            return None;
        }
        Some(
            self.metrics
                .iter()
                .filter_map(|m| m.gap)
                .max()
                .unwrap_or(Gap::NoData),
        )
    }
}

/// Thresholds and test settings for a judgment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// A score at or above this passes.
    pub pass: f64,
    /// A score at or above this (and below `pass`) is marginal.
    pub marginal: f64,
    /// The significance level of the test (Kayenta's default confidence is 98%).
    pub alpha: f64,
    /// Fewer samples than this on either side is no data.
    pub min_samples: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            pass: 75.0,
            marginal: 50.0,
            alpha: 0.02,
            min_samples: 10,
        }
    }
}

/// The median of sorted values (never empty here).
fn median(sorted: &[f64]) -> f64 {
    super::dora::median(sorted).unwrap_or(f64::NAN)
}

/// How a plan judges canaries: which signals, which way each goes bad, the
/// thresholds, and how far back the samples reach.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgmentPlan {
    pub rules: Vec<MetricRule>,
    pub thresholds: Thresholds,
    /// Samples older than this are left out of the comparison.
    pub window: Span,
}

impl JudgmentPlan {
    /// The default judgment of `signals`: error rate (critical) and p99
    /// must not rise, success rate must not fall; any other share or
    /// duration measured per version must not go the way it goes bad by
    /// more than 5%; over the last two minutes. Rates, counts and sizes are
    /// not judged: they follow the traffic weight, not the version's quality.
    pub fn for_signals(signals: &Signals) -> Self {
        let rules = signals
            .per(Per::Version)
            .filter_map(|signal| {
                let (bad, tolerance, critical) = match signal.name() {
                    ERROR_RATE => (Bad::Higher, 0.5, true),
                    LATENCY_P99 => (Bad::Higher, 0.2, false),
                    SUCCESS_RATE => (Bad::Lower, 0.005, false),
                    // Shares and durations say how well a version does;
                    // rates, counts and sizes follow its share of traffic.
                    _ if matches!(signal.unit(), Unit::Ratio | Unit::Percent | Unit::Seconds) => {
                        (Bad::of(signal.worse()), 0.05, false)
                    }
                    _ => return None,
                };
                Some(MetricRule {
                    signal: signal.clone(),
                    bad,
                    tolerance,
                    critical,
                })
            })
            .collect();
        JudgmentPlan {
            rules,
            thresholds: Thresholds::default(),
            window: Span::minutes(2),
        }
    }
}

impl Default for JudgmentPlan {
    /// The default judgment of the four standard signals.
    fn default() -> Self {
        JudgmentPlan::for_signals(&Signals::standard())
    }
}

impl Bad {
    /// The way a signal goes bad, as a judgment rule says it.
    pub fn of(worse: Worse) -> Bad {
        match worse {
            Worse::Higher => Bad::Higher,
            Worse::Lower => Bad::Lower,
        }
    }
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Marginal => "marginal",
            Outcome::Fail => "fail",
            Outcome::NoData => "no data",
        }
    }
}

/// Judge the canary of one region against its stable, from the samples
/// each cell holds within the plan's window before `now`.
pub fn judge_cells(
    canary: Option<&Cell>,
    stable: Option<&Cell>,
    plan: &JudgmentPlan,
    now: Timestamp,
) -> Judgment {
    let since = now - plan.window;
    // A signal whose latest poll had no number to judge (none, stale,
    // partial, not finite) is judged on nothing: old samples must not keep
    // a canary passing after its data stopped.
    let numbers = |cell: Option<&Cell>, signal: &Signal| {
        cell.filter(|c| c.number(signal).is_some())
            .map(|c| c.series(signal).numbers_since(since))
            .unwrap_or_default()
    };
    let mut judgment = judge(
        &plan.rules,
        |signal| (numbers(canary, signal), numbers(stable, signal)),
        &plan.thresholds,
    );
    let gap_of = |cell: Option<&Cell>, signal: &Signal| match cell.map(|c| c.reading(signal)) {
        Some(Reading::Gap(g)) => Some(g),
        Some(Reading::Number(_)) => None,
        None => Some(Gap::NoData),
    };
    for m in &mut judgment.metrics {
        if m.classification == Classification::NoData {
            let worst = gap_of(canary, &m.signal).max(gap_of(stable, &m.signal));
            m.gap = Some(worst.unwrap_or(Gap::NoData));
        }
    }
    judgment
}

/// Classify one signal from the canary's and the stable's samples.
pub fn classify(
    rule: &MetricRule,
    canary: &[f64],
    stable: &[f64],
    t: &Thresholds,
) -> MetricJudgment {
    let no_data = MetricJudgment {
        signal: rule.signal.clone(),
        classification: Classification::NoData,
        failed: false,
        test: None,
        gap: Some(Gap::NoData),
    };
    if canary.len() < t.min_samples
        || stable.len() < t.min_samples
        || canary.iter().chain(stable).any(|v| v.is_nan())
    {
        return no_data;
    }
    let (mut canary, mut stable) = (canary.to_vec(), stable.to_vec());
    canary.sort_unstable_by(f64::total_cmp);
    stable.sort_unstable_by(f64::total_cmp);
    let Some(test) = mann_whitney_sorted(&canary, &stable) else {
        return no_data;
    };
    let (c, s) = (median(&canary), median(&stable));
    let beyond = (c - s).abs() > rule.tolerance * s.abs().max(f64::EPSILON);
    let classification = match (test.p_value < t.alpha && beyond, c > s) {
        (false, _) => Classification::Pass,
        (true, true) => Classification::High,
        (true, false) => Classification::Low,
    };
    let failed = matches!(
        (classification, rule.bad),
        (Classification::High, Bad::Higher | Bad::Either)
            | (Classification::Low, Bad::Lower | Bad::Either)
    );
    MetricJudgment {
        signal: rule.signal.clone(),
        classification,
        failed,
        test: Some(test),
        gap: None,
    }
}

/// Judge a canary: `samples(signal)` gives (canary, stable) samples.
pub fn judge(
    rules: &[MetricRule],
    samples: impl Fn(&Signal) -> (Vec<f64>, Vec<f64>),
    t: &Thresholds,
) -> Judgment {
    let metrics: Vec<MetricJudgment> = rules
        .iter()
        .map(|r| {
            let (canary, stable) = samples(&r.signal);
            classify(r, &canary, &stable, t)
        })
        .collect();
    let judged: Vec<&MetricJudgment> = metrics
        .iter()
        .filter(|m| m.classification != Classification::NoData)
        .collect();
    let critical_failed = rules
        .iter()
        .zip(&metrics)
        .any(|(r, m)| r.critical && m.failed);
    let score = if judged.is_empty() {
        None
    } else if critical_failed {
        Some(0.0)
    } else {
        let passed = judged.iter().filter(|m| !m.failed).count();
        Some(100.0 * passed as f64 / judged.len() as f64)
    };
    let outcome = match score {
        None => Outcome::NoData,
        Some(s) if s >= t.pass => Outcome::Pass,
        Some(s) if s >= t.marginal => Outcome::Marginal,
        Some(_) => Outcome::Fail,
    };
    Judgment {
        metrics,
        score,
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_canary_whose_data_stopped_is_not_judged_on_old_samples() {
        use crate::domain::health::{HealthMatrix, Sample, VersionRole};
        let mut m = HealthMatrix::new(["eu".to_string()]);
        let t0 = Timestamp::default();
        let sample = |version, value| Sample {
            region: "eu".into(),
            version,
            signal: crate::domain::signal::standard("error_rate"),
            value,
            basis: Default::default(),
        };
        for i in 0..30 {
            let v = 0.01 + f64::from(i % 5) * 0.001;
            let poll = [
                sample(VersionRole::Stable, v),
                sample(VersionRole::Canary, v),
            ];
            m.ingest_poll(t0 + Span::seconds(i64::from(i)), &poll);
        }
        let plan = JudgmentPlan::default();
        let now = t0 + Span::seconds(29);
        let judged = |m: &HealthMatrix, now| {
            judge_cells(
                m.cell(0, VersionRole::Canary),
                m.cell(0, VersionRole::Stable),
                &plan,
                now,
            )
        };
        assert_eq!(judged(&m, now).outcome, Outcome::Pass);
        // The canary's samples stop; the stable's go on.
        for i in 30..35 {
            m.ingest_poll(t0 + Span::seconds(i), &[sample(VersionRole::Stable, 0.01)]);
        }
        let j = judged(&m, t0 + Span::seconds(34));
        assert_eq!((j.score, j.outcome), (None, Outcome::NoData));
        assert_eq!(j.gap(), Some(Gap::NoData));
    }

    #[test]
    fn a_canary_on_partial_or_stale_data_is_not_judged_and_says_why() {
        use crate::domain::health::{Basis, HealthMatrix, Sample, VersionRole};
        let t0 = Timestamp::default();
        let plan = JudgmentPlan::default();
        for (basis, gap) in [
            (Basis::Partial, Gap::Partial),
            (Basis::Stale { newest: None }, Gap::Stale),
        ] {
            let mut m = HealthMatrix::new(["eu".to_string()]);
            let sample = |version, value, basis| Sample {
                region: "eu".into(),
                version,
                signal: crate::domain::signal::standard("error_rate"),
                value,
                basis,
            };
            for i in 0..30 {
                let v = 0.01 + f64::from(i % 5) * 0.001;
                let b = if i == 29 { basis } else { Basis::Current };
                let poll = [
                    sample(VersionRole::Stable, v, Basis::Current),
                    sample(VersionRole::Canary, v, b),
                ];
                m.ingest_poll(t0 + Span::seconds(i64::from(i)), &poll);
            }
            let j = judge_cells(
                m.cell(0, VersionRole::Canary),
                m.cell(0, VersionRole::Stable),
                &plan,
                t0 + Span::seconds(29),
            );
            assert_eq!(j.outcome, Outcome::NoData, "{basis:?}");
            assert_eq!(j.gap(), Some(gap));
        }
    }

    /// Reference values from SciPy 1.17:
    /// `mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")`.
    #[test]
    fn u_and_p_match_scipy() {
        let cases: [(&[f64], &[f64], f64, f64); 4] = [
            (
                &[1., 2., 3., 4., 5.],
                &[6., 7., 8., 9., 10.],
                0.0,
                0.012185780355344813,
            ),
            (
                &[1., 2., 2., 3., 3., 3., 4.],
                &[2., 3., 3., 4., 4., 5., 5., 6.],
                11.0,
                0.04988443697992588,
            ),
            (&[5.; 5], &[5.; 5], 12.5, 1.0),
            (
                &[0.21, 0.25, 0.19, 0.30, 0.22, 0.27, 0.24, 0.20],
                &[0.26, 0.31, 0.29, 0.35, 0.28, 0.33, 0.30, 0.27],
                6.0,
                0.007318725382529867,
            ),
        ];
        for (x, y, u, p) in cases {
            let r = mann_whitney(x, y).unwrap();
            assert_eq!(r.u, u, "{x:?} {y:?}");
            assert!(
                (r.p_value - p).abs() < 1e-6,
                "{x:?} {y:?}: p {} vs {p}",
                r.p_value
            );
        }
        assert_eq!(mann_whitney(&[], &[1.0]), None);
        assert_eq!(mann_whitney(&[f64::NAN], &[1.0]), None);
    }

    fn rule(signal: Signal, bad: Bad, critical: bool) -> MetricRule {
        MetricRule {
            signal,
            bad,
            tolerance: 0.1,
            critical,
        }
    }

    fn noisy(seed: u64, n: usize, level: f64) -> Vec<f64> {
        let mut rng = fastrand::Rng::with_seed(seed);
        (0..n).map(|_| level * (0.9 + 0.2 * rng.f64())).collect()
    }

    #[test]
    fn a_shifted_canary_fails_and_a_critical_failure_forces_zero() {
        let t = Thresholds::default();
        let rules = [
            rule(
                crate::domain::signal::standard("error_rate"),
                Bad::Higher,
                true,
            ),
            rule(
                crate::domain::signal::standard("latency_p99"),
                Bad::Higher,
                false,
            ),
        ];
        let j = judge(
            &rules,
            |s| match s.name() {
                "error_rate" => (noisy(1, 30, 0.05), noisy(2, 30, 0.003)),
                _ => (noisy(3, 30, 0.2), noisy(4, 30, 0.2)),
            },
            &t,
        );
        assert_eq!(j.metrics[0].classification, Classification::High);
        assert_eq!(j.metrics[1].classification, Classification::Pass);
        assert_eq!(j.score, Some(0.0));
        assert_eq!(j.outcome, Outcome::Fail);
    }

    #[test]
    fn better_in_the_harmless_direction_is_not_a_failure() {
        let t = Thresholds::default();
        let rules = [
            rule(
                crate::domain::signal::standard("latency_p99"),
                Bad::Higher,
                false,
            ),
            rule(
                crate::domain::signal::standard("success_rate"),
                Bad::Lower,
                false,
            ),
        ];
        let j = judge(
            &rules,
            |s| match s.name() {
                "latency_p99" => (noisy(5, 30, 0.1), noisy(6, 30, 0.2)),
                _ => (noisy(7, 30, 0.95), noisy(8, 30, 0.95)),
            },
            &t,
        );
        assert_eq!(j.metrics[0].classification, Classification::Low);
        assert!(!j.metrics[0].failed);
        assert_eq!(j.score, Some(100.0));
        assert_eq!(j.outcome, Outcome::Pass);
    }

    #[test]
    fn too_little_data_is_no_data_not_a_pass() {
        let t = Thresholds::default();
        let rules = [rule(
            crate::domain::signal::standard("error_rate"),
            Bad::Higher,
            true,
        )];
        let j = judge(&rules, |_| (noisy(1, 5, 0.01), noisy(2, 30, 0.01)), &t);
        assert_eq!(j.metrics[0].classification, Classification::NoData);
        assert_eq!(j.score, None);
        assert_eq!(j.outcome, Outcome::NoData);
    }

    #[test]
    fn a_significant_difference_within_tolerance_passes() {
        let t = Thresholds::default();
        let rules = [rule(
            crate::domain::signal::standard("latency_p99"),
            Bad::Higher,
            false,
        )];
        // 5% slower, consistently: significant, but inside the 10% tolerance.
        let j = judge(
            &rules,
            |_| {
                (
                    (0..30).map(|i| 0.21 + i as f64 * 1e-5).collect(),
                    (0..30).map(|i| 0.20 + i as f64 * 1e-5).collect(),
                )
            },
            &t,
        );
        assert!(j.metrics[0].test.is_some_and(|m| m.p_value < 0.02));
        assert_eq!(j.metrics[0].classification, Classification::Pass);
    }

    proptest! {
        #[test]
        fn identical_samples_always_pass(v in proptest::collection::vec(0.0f64..1.0, 10..60)) {
            let t = Thresholds::default();
            let rules = [rule(crate::domain::signal::standard("error_rate"), Bad::Either, true)];
            let j = judge(&rules, |_| (v.clone(), v.clone()), &t);
            prop_assert_eq!(j.metrics[0].classification, Classification::Pass);
            prop_assert_eq!(j.score, Some(100.0));
        }

        #[test]
        fn p_values_are_probabilities(x in proptest::collection::vec(-5.0f64..5.0, 1..40), y in proptest::collection::vec(-5.0f64..5.0, 1..40)) {
            let r = mann_whitney(&x, &y).unwrap();
            prop_assert!((0.0..=1.0).contains(&r.p_value));
            prop_assert!(r.u >= 0.0 && r.u <= (x.len() * y.len()) as f64);
        }

        #[test]
        fn shifting_the_canary_far_up_fails_it(v in proptest::collection::vec(0.1f64..1.0, 20..60)) {
            let t = Thresholds::default();
            let rules = [rule(crate::domain::signal::standard("latency_p99"), Bad::Higher, false)];
            let shifted: Vec<f64> = v.iter().map(|x| x + 2.0).collect();
            let j = judge(&rules, |_| (shifted.clone(), v.clone()), &t);
            prop_assert_eq!(j.metrics[0].classification, Classification::High);
            prop_assert_eq!(j.outcome, Outcome::Fail);
        }
    }
}
