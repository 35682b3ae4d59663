//! Health signals per region × version: samples, their recent history, how
//! fresh they are, and the verdict a cell gets.

use std::collections::{HashMap, VecDeque};

use super::{Span, Timestamp};

mod reading;
pub use reading::{Basis, Gap, Reading};

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
    /// Never `NaN` or `inf`: no number is `—`, an infinite one `+∞` / `-∞`,
    /// and one too large to write out is `>` the largest that is.
    pub fn format(self, value: f64) -> String {
        if value.is_nan() {
            return "—".to_string();
        }
        if value.is_infinite() {
            return if value > 0.0 { "+∞" } else { "-∞" }.to_string();
        }
        let most = self.largest_shown();
        if value.abs() > most {
            let sign = if value > 0.0 { ">" } else { "<-" };
            return format!("{sign}{}", self.format(most));
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

    /// The largest value written out in full: past it a number says only
    /// that it is huge, so that a wild value cannot widen a column.
    fn largest_shown(self) -> f64 {
        match self {
            Signal::RequestRate => 999_999_000.0,
            Signal::ErrorRate | Signal::SuccessRate => 999.0,
            Signal::LatencyP99 => 999_999.0,
        }
    }

    /// Whether `value` is a reading this signal can have. A p99 beyond the
    /// highest histogram bucket is +Inf, and that is a (very slow) value;
    /// any other infinity comes from a division by zero requests and says
    /// nothing about the version.
    pub fn admits(self, value: f64) -> bool {
        value.is_finite() || (self == Signal::LatencyP99 && value == f64::INFINITY)
    }

    /// The canary's difference from stable in this signal's terms: points
    /// for shares (`+0.16pp`), percent for latency (`+12%`), `—` when
    /// there is no finite difference to show (either side missing or
    /// infinite, or a latency against a stable at zero).
    pub fn delta(self, canary: Option<f64>, stable: Option<f64>) -> String {
        let (Some(c), Some(s)) = (canary, stable) else {
            return "—".to_string();
        };
        if !c.is_finite() || !s.is_finite() {
            return "—".to_string();
        }
        // Rounded first, so a tiny negative difference is not "-0.00"; the
        // `+ 0.0` turns a negative zero into a zero.
        let shown = |v: f64, unit: &str, digits: usize| {
            if !v.is_finite() || v.abs() >= 1e6 {
                return "—".to_string();
            }
            format!("{:+.*}{unit}", digits, v + 0.0)
        };
        match self {
            Signal::ErrorRate | Signal::SuccessRate => {
                shown(((c - s) * 10_000.0).round() / 100.0, "pp", 2)
            }
            Signal::LatencyP99 | Signal::RequestRate if s > 0.0 => {
                shown(((c / s - 1.0) * 100.0).round(), "%", 0)
            }
            _ => "—".to_string(),
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
    /// What the source knows of the data behind the value.
    pub basis: Basis,
}

/// The recent values of one signal, oldest first, capped.
#[derive(Debug, Clone, Default)]
pub struct Series {
    points: VecDeque<(Timestamp, f64, Basis)>,
}

impl Series {
    /// How many points a series keeps: enough for a sparkline and a trend.
    pub const CAPACITY: usize = 120;

    /// Add a current, whole value.
    pub fn push(&mut self, at: Timestamp, value: f64) {
        self.push_on(at, value, Basis::Current);
    }

    /// Add a value with what its source knows of it.
    pub fn push_on(&mut self, at: Timestamp, value: f64, basis: Basis) {
        if self.points.len() == Self::CAPACITY {
            self.points.pop_front();
        }
        self.points.push_back((at, value, basis));
    }

    /// The latest value, unless it is NaN. ±Inf is a value: a p99 beyond the
    /// highest histogram bucket is +Inf, and that is a breach, not "no data".
    pub fn latest(&self) -> Option<f64> {
        self.points.back().map(|p| p.1).filter(|v| !v.is_nan())
    }

    /// What the latest value is based on.
    pub fn latest_basis(&self) -> Option<Basis> {
        self.points.back().map(|p| p.2)
    }

    /// The numbers polled at or after `since`, oldest first, without the
    /// gaps and without values that were partial or stale: the samples a
    /// canary judgment compares.
    pub fn numbers_since(&self, since: Timestamp) -> Vec<f64> {
        self.points
            .iter()
            .filter(|(at, v, basis)| *at >= since && v.is_finite() && *basis == Basis::Current)
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

    /// The latest value of `signal`, unless the latest poll had nothing:
    /// what is shown. What may be judged is [`Cell::reading`].
    pub fn latest(&self, signal: Signal) -> Option<f64> {
        if self.missing {
            return None;
        }
        self.series(signal).latest()
    }

    /// The latest of `signal` as far as it can be judged: a number, or why
    /// there is none. Old or gone samples come first (stale), then a
    /// partial answer, then no value, then a value the signal cannot have.
    pub fn reading(&self, signal: Signal) -> Reading {
        let series = self.series(signal);
        let Some(basis) = series.latest_basis().filter(|_| !self.missing) else {
            return Reading::Gap(Gap::NoData);
        };
        let value = series.latest();
        match (basis, value) {
            (Basis::Stale { .. }, _) => Reading::Gap(Gap::Stale),
            (Basis::Partial, _) => Reading::Gap(Gap::Partial),
            (Basis::Current, None) => Reading::Gap(Gap::NoData),
            (Basis::Current, Some(v)) if !signal.admits(v) => Reading::Gap(Gap::NotFinite),
            (Basis::Current, Some(v)) => Reading::Number(v),
        }
    }

    /// The number of `signal` to judge, if there is one.
    pub fn number(&self, signal: Signal) -> Option<f64> {
        self.reading(signal).number()
    }

    /// The worst reason beyond a plain "no value" that a signal of this
    /// cell has no number: stale before partial before not finite; no
    /// data when the latest poll left the cell out. `None` otherwise.
    pub fn gap(&self) -> Option<Gap> {
        if self.missing {
            return Some(Gap::NoData);
        }
        Signal::ALL
            .iter()
            .filter(|s| self.series(**s).latest_basis().is_some())
            .filter_map(|s| match self.reading(*s) {
                Reading::Gap(Gap::NoData) | Reading::Number(_) => None,
                Reading::Gap(g) => Some(g),
            })
            .max()
    }

    /// When the samples behind this cell's latest values were last known
    /// to be current: the newest time a stale basis names, else when the
    /// cell was last seen.
    pub fn data_at(&self) -> Option<Timestamp> {
        let stale_newest = Signal::ALL
            .iter()
            .filter_map(|s| match self.series(*s).latest_basis() {
                Some(Basis::Stale { newest }) => Some(newest),
                _ => None,
            })
            .collect::<Vec<_>>();
        if stale_newest.is_empty() {
            return self.last_seen;
        }
        stale_newest.into_iter().flatten().max()
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
            cell.series[s.signal.index()].push_on(at, s.value, s.basis);
            cell.last_seen = Some(at);
            cell.missing = false;
            seen[i][s.version.index()][s.signal.index()] = true;
        }
        for (row, seen) in self.cells.iter_mut().zip(&seen) {
            for (cell, seen) in row.iter_mut().zip(seen) {
                if cell.last_seen.is_none() {
                    continue;
                }
                // A gap keeps the trend aligned in time and the old value
                // off screen. Data known to be stale stays stale until
                // current data comes: a dead target's series vanish from
                // the answers once their window has passed, and that is
                // not "no data".
                let mut stale_kept = false;
                for (series, seen) in cell.series.iter_mut().zip(seen) {
                    if !seen {
                        let basis = match series.latest_basis() {
                            Some(stale @ Basis::Stale { .. }) => {
                                stale_kept = true;
                                stale
                            }
                            _ => Basis::Current,
                        };
                        series.push_on(at, f64::NAN, basis);
                    }
                }
                if !seen.iter().any(|s| *s) && !stale_kept {
                    cell.missing = true;
                }
            }
        }
        self.last_poll = Some(at);
    }

    /// True when some cell's latest values came from a partial answer.
    pub fn partial(&self) -> bool {
        self.cells.iter().flatten().any(|c| {
            !c.missing
                && Signal::ALL
                    .iter()
                    .any(|s| c.series(*s).latest_basis() == Some(Basis::Partial))
        })
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
mod tests;
