//! Health signals per region × version: samples, their recent history, how
//! fresh they are, and the verdict a cell gets.

use std::collections::{HashMap, VecDeque};

use super::{Span, Timestamp};

/// The signals the health matrix shows for every region × version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signal {
    /// Requests per second.
    RequestRate,
    /// Share of requests that failed, 0..=1.
    ErrorRate,
    /// 99th percentile latency, in seconds.
    LatencyP99,
    /// Share of requests that succeeded, 0..=1.
    SuccessRate,
}

impl Signal {
    pub const ALL: [Signal; 4] = [
        Signal::RequestRate,
        Signal::ErrorRate,
        Signal::LatencyP99,
        Signal::SuccessRate,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// The name people say aloud on a bridge.
    pub fn label(self) -> &'static str {
        match self {
            Signal::RequestRate => "request rate",
            Signal::ErrorRate => "error rate",
            Signal::LatencyP99 => "latency p99",
            Signal::SuccessRate => "success rate",
        }
    }

    /// The value in the signal's display unit, e.g. `0.0123` → `1.23%`.
    pub fn format(self, value: f64) -> String {
        if value.is_nan() {
            return "—".to_string();
        }
        if value.is_infinite() {
            return if value > 0.0 { "+∞" } else { "-∞" }.to_string();
        }
        match self {
            Signal::RequestRate if value >= 10_000.0 => format!("{:.0}k/s", value / 1000.0),
            Signal::RequestRate => format!("{value:.0}/s"),
            Signal::ErrorRate => format!("{:.2}%", value * 100.0),
            Signal::SuccessRate => format!("{:.2}%", value * 100.0),
            Signal::LatencyP99 if value >= 10.0 => format!("{value:.0}s"),
            Signal::LatencyP99 if value >= 1.0 => format!("{value:.2}s"),
            Signal::LatencyP99 => format!("{:.0}ms", value * 1000.0),
        }
    }
}

/// Which side of the comparison a version is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VersionRole {
    Stable,
    Canary,
}

impl VersionRole {
    pub const ALL: [VersionRole; 2] = [VersionRole::Stable, VersionRole::Canary];

    fn index(self) -> usize {
        self as usize
    }

    pub fn label(self) -> &'static str {
        match self {
            VersionRole::Stable => "stable",
            VersionRole::Canary => "canary",
        }
    }
}

/// One value of one signal for one region and version. `value` may be NaN:
/// sources pass on what they were given and NaN means "no data".
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub region: String,
    pub version: VersionRole,
    pub signal: Signal,
    pub value: f64,
}

/// The recent values of one signal, oldest first, capped.
#[derive(Debug, Clone, Default)]
pub struct Series {
    points: VecDeque<(Timestamp, f64)>,
}

impl Series {
    /// How many points a series keeps: enough for a sparkline and a trend.
    pub const CAPACITY: usize = 120;

    pub fn push(&mut self, at: Timestamp, value: f64) {
        if self.points.len() == Self::CAPACITY {
            self.points.pop_front();
        }
        self.points.push_back((at, value));
    }

    /// The latest value, unless it is NaN. ±Inf is a value: a p99 beyond the
    /// highest histogram bucket is +Inf, and that is a breach, not "no data".
    pub fn latest(&self) -> Option<f64> {
        self.points.back().map(|p| p.1).filter(|v| !v.is_nan())
    }

    /// The numbers polled at or after `since`, oldest first, without the
    /// gaps: the samples a canary judgment compares.
    pub fn numbers_since(&self, since: Timestamp) -> Vec<f64> {
        self.points
            .iter()
            .filter(|(at, v)| *at >= since && v.is_finite())
            .map(|p| p.1)
            .collect()
    }

    /// The values, oldest first (NaN where a poll had no number).
    pub fn values(&self) -> impl DoubleEndedIterator<Item = f64> + ExactSizeIterator + '_ {
        self.points.iter().map(|p| p.1)
    }
}

/// How recent a cell's data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Fresh(Span),
    Stale(Span),
    Never,
}

impl Freshness {
    pub fn of(last: Option<Timestamp>, now: Timestamp, stale_after: Span) -> Freshness {
        match last {
            None => Freshness::Never,
            Some(t) => {
                let age = (now - t).max(Span::zero());
                if age > stale_after {
                    Freshness::Stale(age)
                } else {
                    Freshness::Fresh(age)
                }
            }
        }
    }
}

/// One region × version of the health matrix.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    series: [Series; 4],
    /// When this cell last appeared in a poll.
    pub last_seen: Option<Timestamp>,
    /// True when the latest poll answered but had nothing for this cell.
    pub missing: bool,
}

impl Cell {
    pub fn series(&self, signal: Signal) -> &Series {
        &self.series[signal.index()]
    }

    /// The latest value of `signal`, unless the latest poll had nothing.
    pub fn latest(&self, signal: Signal) -> Option<f64> {
        if self.missing {
            return None;
        }
        self.series(signal).latest()
    }
}

/// Rows are regions, columns are versions.
#[derive(Debug, Clone, Default)]
pub struct HealthMatrix {
    regions: Vec<String>,
    index: HashMap<String, usize>,
    cells: Vec<[Cell; 2]>,
    /// When the latest poll was taken.
    pub last_poll: Option<Timestamp>,
}

impl HealthMatrix {
    /// A matrix whose rows are `regions`, in that order.
    pub fn new(regions: impl IntoIterator<Item = String>) -> Self {
        let mut m = HealthMatrix::default();
        for r in regions {
            m.row(&r);
        }
        m
    }

    pub fn regions(&self) -> &[String] {
        &self.regions
    }

    pub fn cell(&self, region: usize, version: VersionRole) -> Option<&Cell> {
        self.cells.get(region).map(|row| &row[version.index()])
    }

    pub fn cell_by_name(&self, region: &str, version: VersionRole) -> Option<&Cell> {
        self.index.get(region).and_then(|&i| self.cell(i, version))
    }

    fn row(&mut self, region: &str) -> usize {
        if let Some(&i) = self.index.get(region) {
            return i;
        }
        self.regions.push(region.to_string());
        self.cells.push(Default::default());
        self.index
            .insert(region.to_string(), self.regions.len() - 1);
        self.regions.len() - 1
    }

    /// Take in one complete poll: every cell it names gets its values, every
    /// cell it does not name is marked missing, and a signal a named cell lacks
    /// gets a gap (NaN): an old value is never shown as current. Regions not
    /// yet known are added.
    pub fn ingest_poll(&mut self, at: Timestamp, samples: &[Sample]) {
        let mut seen = vec![[[false; 4]; 2]; self.cells.len()];
        for s in samples {
            let i = self.row(&s.region);
            if i >= seen.len() {
                seen.resize(i + 1, [[false; 4]; 2]);
            }
            let cell = &mut self.cells[i][s.version.index()];
            cell.series[s.signal.index()].push(at, s.value);
            cell.last_seen = Some(at);
            cell.missing = false;
            seen[i][s.version.index()][s.signal.index()] = true;
        }
        for (row, seen) in self.cells.iter_mut().zip(&seen) {
            for (cell, seen) in row.iter_mut().zip(seen) {
                if cell.last_seen.is_none() {
                    continue;
                }
                if !seen.iter().any(|s| *s) {
                    cell.missing = true;
                }
                // A gap keeps the trend aligned in time and the old value off screen.
                for (series, seen) in cell.series.iter_mut().zip(seen) {
                    if !seen {
                        series.push(at, f64::NAN);
                    }
                }
            }
        }
        self.last_poll = Some(at);
    }
}

/// What a cell, or a stop condition, says about health. Ordered from least to
/// most urgent, so `max` picks what needs attention first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    Healthy,
    Warning,
    /// No number to judge: no traffic, NaN, or the series is missing.
    NoData,
    /// The last data is older than the source's stale limit.
    Stale,
    Breach,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Healthy => "OK",
            Verdict::Warning => "WARN",
            Verdict::NoData => "NO DATA",
            Verdict::Stale => "STALE",
            Verdict::Breach => "BREACH",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::default() + Span::seconds(s)
    }

    fn sample(region: &str, version: VersionRole, signal: Signal, value: f64) -> Sample {
        Sample {
            region: region.into(),
            version,
            signal,
            value,
        }
    }

    #[test]
    fn a_poll_that_omits_a_cell_marks_it_missing() {
        let mut m = HealthMatrix::new(["eu".to_string(), "us".to_string()]);
        m.ingest_poll(
            t(0),
            &[
                sample("eu", VersionRole::Canary, Signal::ErrorRate, 0.01),
                sample("us", VersionRole::Canary, Signal::ErrorRate, 0.02),
            ],
        );
        m.ingest_poll(
            t(1),
            &[sample("eu", VersionRole::Canary, Signal::ErrorRate, 0.03)],
        );
        let eu = m
            .cell_by_name("eu", VersionRole::Canary)
            .map(|c| c.latest(Signal::ErrorRate));
        let us = m
            .cell_by_name("us", VersionRole::Canary)
            .map(|c| c.latest(Signal::ErrorRate));
        assert_eq!(eu, Some(Some(0.03)));
        assert_eq!(
            us,
            Some(None),
            "a missing cell must not keep showing its old value"
        );
        let gap = m
            .cell_by_name("us", VersionRole::Canary)
            .map(|c| c.series(Signal::ErrorRate).values().last());
        assert!(
            gap.flatten().is_some_and(f64::is_nan),
            "a missing poll leaves a gap in the trend"
        );
    }

    #[test]
    fn a_signal_missing_from_a_poll_is_no_value_even_when_others_arrive() {
        let mut m = HealthMatrix::default();
        let both = [
            sample("eu", VersionRole::Canary, Signal::ErrorRate, 0.002),
            sample("eu", VersionRole::Canary, Signal::LatencyP99, 0.2),
        ];
        m.ingest_poll(t(0), &both);
        m.ingest_poll(t(1), &both[1..]);
        let cell = m.cell(0, VersionRole::Canary);
        assert_eq!(cell.and_then(|c| c.latest(Signal::ErrorRate)), None);
        assert_eq!(cell.and_then(|c| c.latest(Signal::LatencyP99)), Some(0.2));
    }

    #[test]
    fn nan_is_no_value() {
        let mut m = HealthMatrix::default();
        m.ingest_poll(
            t(0),
            &[sample(
                "eu",
                VersionRole::Stable,
                Signal::LatencyP99,
                f64::NAN,
            )],
        );
        let cell = m.cell(0, VersionRole::Stable);
        assert_eq!(cell.and_then(|c| c.latest(Signal::LatencyP99)), None);
        assert_eq!(
            cell.map(|c| c.series(Signal::LatencyP99).values().len()),
            Some(1)
        );
    }

    #[test]
    fn infinity_is_a_value_not_a_gap() {
        let mut m = HealthMatrix::default();
        m.ingest_poll(
            t(0),
            &[sample(
                "eu",
                VersionRole::Canary,
                Signal::LatencyP99,
                f64::INFINITY,
            )],
        );
        let latest = m
            .cell(0, VersionRole::Canary)
            .and_then(|c| c.latest(Signal::LatencyP99));
        assert_eq!(latest, Some(f64::INFINITY));
    }

    #[test]
    fn unknown_regions_are_added_in_order_of_appearance() {
        let mut m = HealthMatrix::new(["eu".to_string()]);
        m.ingest_poll(
            t(0),
            &[sample("ap", VersionRole::Stable, Signal::RequestRate, 5.0)],
        );
        assert_eq!(m.regions(), ["eu", "ap"]);
    }

    #[test]
    fn series_is_capped() {
        let mut s = Series::default();
        for i in 0..(Series::CAPACITY as i64 + 10) {
            s.push(t(i), i as f64);
        }
        assert_eq!(s.values().len(), Series::CAPACITY);
        assert_eq!(s.values().next(), Some(10.0));
    }

    #[test]
    fn freshness_turns_stale_past_the_limit() {
        let limit = Span::seconds(5);
        assert_eq!(Freshness::of(None, t(10), limit), Freshness::Never);
        assert_eq!(
            Freshness::of(Some(t(8)), t(10), limit),
            Freshness::Fresh(Span::seconds(2))
        );
        assert_eq!(
            Freshness::of(Some(t(2)), t(10), limit),
            Freshness::Stale(Span::seconds(8))
        );
    }

    #[test]
    fn formats_use_display_units() {
        assert_eq!(Signal::ErrorRate.format(0.0123), "1.23%");
        assert_eq!(Signal::LatencyP99.format(0.182), "182ms");
        assert_eq!(Signal::LatencyP99.format(1.5), "1.50s");
        assert_eq!(Signal::RequestRate.format(1234.4), "1234/s");
        assert_eq!(Signal::RequestRate.format(f64::NAN), "—");
        assert_eq!(Signal::LatencyP99.format(f64::INFINITY), "+∞");
    }

    #[test]
    fn verdicts_order_by_urgency() {
        assert!(Verdict::Breach > Verdict::Stale);
        assert!(Verdict::Stale > Verdict::NoData);
        assert!(Verdict::NoData > Verdict::Warning);
        assert!(Verdict::Warning > Verdict::Healthy);
    }
}
