//! Health signals per region × version: samples, their recent history, how
//! fresh they are, and the verdict a cell gets.

use std::collections::{HashMap, VecDeque};

use super::{Span, Timestamp};

mod reading;
pub use reading::{Basis, Gap, Reading};

pub use super::signal::{Per, Signal};

/// Which side of the comparison a version is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
    /// Whether +∞ is a value of its signal (a duration past the highest
    /// bucket), so that a cell can say which infinities are gaps.
    infinite_ok: bool,
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

/// What a cell gives for a signal it never had.
static NO_SERIES: Series = Series {
    points: VecDeque::new(),
    infinite_ok: false,
};

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
    /// By the signal's slot in the plan; a signal never polled has none.
    series: Vec<Series>,
    /// When this cell last appeared in a poll.
    pub last_seen: Option<Timestamp>,
    /// True when the latest poll answered but had nothing for this cell.
    pub missing: bool,
}

impl Cell {
    pub fn series(&self, signal: &Signal) -> &Series {
        self.series.get(signal.slot()).unwrap_or(&NO_SERIES)
    }

    fn series_mut(&mut self, slot: usize) -> &mut Series {
        if self.series.len() <= slot {
            self.series.resize_with(slot + 1, Series::default);
        }
        &mut self.series[slot]
    }

    /// Take the values one poll gave this cell (`seen`: by slot, whether
    /// the poll had a value): a signal the poll lacked gets a gap, and a
    /// cell the poll left out entirely is missing.
    fn close_poll(&mut self, at: Timestamp, seen: &[bool]) {
        if self.last_seen.is_none() {
            return;
        }
        // A gap keeps the trend aligned in time and the old value off
        // screen. Data known to be stale stays stale until current data
        // comes: a dead target's series vanish from the answers once
        // their window has passed, and that is not "no data".
        let mut stale_kept = false;
        for (slot, series) in self.series.iter_mut().enumerate() {
            if seen.get(slot).copied().unwrap_or(false) {
                continue;
            }
            let basis = match series.latest_basis() {
                Some(stale @ Basis::Stale { .. }) => {
                    stale_kept = true;
                    stale
                }
                None => continue,
                _ => Basis::Current,
            };
            series.push_on(at, f64::NAN, basis);
        }
        if !seen.iter().any(|s| *s) && !stale_kept {
            self.missing = true;
        }
    }

    /// The latest value of `signal`, unless the latest poll had nothing:
    /// what is shown. What may be judged is [`Cell::reading`].
    pub fn latest(&self, signal: &Signal) -> Option<f64> {
        if self.missing {
            return None;
        }
        self.series(signal).latest()
    }

    /// The latest of `signal` as far as it can be judged: a number, or why
    /// there is none. Old or gone samples come first (stale), then a
    /// partial answer, then no value, then a value the signal cannot have.
    pub fn reading(&self, signal: &Signal) -> Reading {
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
    pub fn number(&self, signal: &Signal) -> Option<f64> {
        self.reading(signal).number()
    }

    /// The worst reason beyond a plain "no value" that a signal of this
    /// cell has no number: stale before partial before not finite; no
    /// data when the latest poll left the cell out. `None` otherwise.
    pub fn gap(&self) -> Option<Gap> {
        if self.missing {
            return Some(Gap::NoData);
        }
        self.series
            .iter()
            .filter_map(|series| match series.latest_basis()? {
                Basis::Stale { .. } => Some(Gap::Stale),
                Basis::Partial => Some(Gap::Partial),
                Basis::Current => match series.points.back()?.1 {
                    v if v == f64::INFINITY && series.infinite_ok => None,
                    v if v.is_infinite() => Some(Gap::NotFinite),
                    _ => None,
                },
            })
            .max()
    }

    /// When the samples behind this cell's latest values were last known
    /// to be current: the newest time a stale basis names, else when the
    /// cell was last seen.
    pub fn data_at(&self) -> Option<Timestamp> {
        let stale_newest = self
            .series
            .iter()
            .filter_map(|s| match s.latest_basis() {
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

/// Rows are regions, columns are versions; beside them, each region's
/// signals that are not per version, and the service's own.
#[derive(Debug, Clone, Default)]
pub struct HealthMatrix {
    regions: Vec<String>,
    index: HashMap<String, usize>,
    cells: Vec<[Cell; 2]>,
    /// Per region: the signals measured per region only.
    region_cells: Vec<Cell>,
    /// The signals measured for the whole service.
    service: Cell,
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

    /// The points kept in all series of all cells: at most
    /// [`Series::CAPACITY`] per series.
    pub fn points(&self) -> usize {
        let cells = self
            .cells
            .iter()
            .flatten()
            .chain(&self.region_cells)
            .chain(std::iter::once(&self.service));
        cells.flat_map(|c| &c.series).map(|s| s.points.len()).sum()
    }

    pub fn cell(&self, region: usize, version: VersionRole) -> Option<&Cell> {
        self.cells.get(region).map(|row| &row[version.index()])
    }

    pub fn cell_by_name(&self, region: &str, version: VersionRole) -> Option<&Cell> {
        self.index.get(region).and_then(|&i| self.cell(i, version))
    }

    /// The cell of a region's own signals (those measured per region).
    pub fn region_cell(&self, region: usize) -> Option<&Cell> {
        self.region_cells.get(region)
    }

    /// The cell of the signals measured for the whole service.
    pub fn service(&self) -> &Cell {
        &self.service
    }

    /// Where `signal` is kept for `region` and `version`: the version's
    /// cell, the region's, or the service's, as the signal is measured.
    pub fn place(&self, signal: &Signal, region: &str, version: VersionRole) -> Option<&Cell> {
        match signal.per() {
            Per::Version => self.cell_by_name(region, version),
            Per::Region => self.index.get(region).and_then(|&i| self.region_cell(i)),
            Per::Service => Some(&self.service),
        }
    }

    fn row(&mut self, region: &str) -> usize {
        if let Some(&i) = self.index.get(region) {
            return i;
        }
        self.regions.push(region.to_string());
        self.cells.push(Default::default());
        self.region_cells.push(Default::default());
        self.index
            .insert(region.to_string(), self.regions.len() - 1);
        self.regions.len() - 1
    }

    /// Take in one complete poll: every cell it names gets its values, every
    /// cell it does not name is marked missing, and a signal a named cell lacks
    /// gets a gap (NaN): an old value is never shown as current. Regions not
    /// yet known are added. Each sample goes where its signal is measured:
    /// a region's own signal ignores the version, the service's both.
    pub fn ingest_poll(&mut self, at: Timestamp, samples: &[Sample]) {
        fn mark(seen: &mut Vec<bool>, slot: usize) {
            if seen.len() <= slot {
                seen.resize(slot + 1, false);
            }
            seen[slot] = true;
        }
        let mut seen: Vec<[Vec<bool>; 2]> = vec![Default::default(); self.cells.len()];
        let mut seen_region: Vec<Vec<bool>> = vec![Vec::new(); self.cells.len()];
        let mut seen_service: Vec<bool> = Vec::new();
        for s in samples {
            let slot = s.signal.slot();
            let (cell, seen) = match s.signal.per() {
                Per::Service => (&mut self.service, &mut seen_service),
                per => {
                    let i = self.row(&s.region);
                    if i >= seen.len() {
                        seen.resize(i + 1, Default::default());
                        seen_region.resize(i + 1, Vec::new());
                    }
                    match per {
                        Per::Version => (
                            &mut self.cells[i][s.version.index()],
                            &mut seen[i][s.version.index()],
                        ),
                        _ => (&mut self.region_cells[i], &mut seen_region[i]),
                    }
                }
            };
            let series = cell.series_mut(slot);
            series.infinite_ok = s.signal.admits(f64::INFINITY);
            series.push_on(at, s.value, s.basis);
            cell.last_seen = Some(at);
            cell.missing = false;
            mark(seen, slot);
        }
        for (row, seen) in self.cells.iter_mut().zip(&seen) {
            for (cell, seen) in row.iter_mut().zip(seen) {
                cell.close_poll(at, seen);
            }
        }
        for (cell, seen) in self.region_cells.iter_mut().zip(&seen_region) {
            cell.close_poll(at, seen);
        }
        self.service.close_poll(at, &seen_service);
        self.last_poll = Some(at);
    }

    /// True when some cell's latest values came from a partial answer.
    pub fn partial(&self) -> bool {
        self.cells
            .iter()
            .flatten()
            .chain(&self.region_cells)
            .chain(std::iter::once(&self.service))
            .any(|c| {
                !c.missing
                    && c.series
                        .iter()
                        .any(|s| s.latest_basis() == Some(Basis::Partial))
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
