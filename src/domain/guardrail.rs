//! Stop conditions: thresholds on the canary's signals that, held for long
//! enough, call for an alert, a pause or a rollback.

use std::fmt;

use super::health::{Cell, Gap, Per, Reading, Signal, Verdict};
use super::{Span, Timestamp};

mod watch;
pub use watch::Guardrails;

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

/// What a condition's levels are measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Baseline {
    /// The levels are values of the signal.
    #[default]
    Absolute,
    /// Multiples of the stable version's value in the same region.
    Stable,
    /// Multiples of the signal's value averaged over `window`, ending at
    /// `end` (when the plan fixes it) or when the rollout started.
    Before {
        window: Span,
        end: Option<Timestamp>,
    },
}

impl Baseline {
    /// The word a multiple of it is shown with: `stable`, `before`.
    pub fn word(self) -> &'static str {
        match self {
            Baseline::Absolute => "",
            Baseline::Stable => "stable",
            Baseline::Before { .. } => "before",
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
    /// What `warn` and `breach` are measured against: absolute values, or
    /// multiples of stable's value in the same region (`p99 > 1.5 ×
    /// stable`) or of the value before the rollout.
    pub baseline: Baseline,
    /// Below this canary request rate (the signal, the least rate) the
    /// signal is "not enough data".
    pub min_request_rate: Option<(Signal, f64)>,
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
            baseline: Baseline::Absolute,
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
    /// not finite, no data). `baseline` is the stable cell of the region;
    /// a condition relative to before has no number here (see
    /// [`StopCondition::reading_before`]).
    pub fn reading(&self, cell: Option<&Cell>, baseline: Option<&Cell>) -> Reading {
        let value = match self.own(cell) {
            Ok(v) => v,
            Err(gap) => return gap,
        };
        match self.baseline {
            Baseline::Absolute => Reading::Number(value),
            Baseline::Stable => match baseline.map(|b| b.reading(&self.signal)) {
                Some(Reading::Number(b)) => ratio(value, b),
                Some(gap) => gap,
                None => Reading::Gap(Gap::NoData),
            },
            Baseline::Before { .. } => Reading::Gap(Gap::NoData),
        }
    }

    /// [`StopCondition::reading`] for a condition relative to before:
    /// `cell`'s value as a multiple of `before`, the value before the
    /// rollout where `cell` is. No data while `before` is not known.
    pub fn reading_before(&self, cell: Option<&Cell>, before: Option<f64>) -> Reading {
        let value = match self.own(cell) {
            Ok(v) => v,
            Err(gap) => return gap,
        };
        match (self.baseline, before) {
            (Baseline::Before { .. }, Some(b)) if b.is_finite() => ratio(value, b),
            (Baseline::Before { .. }, _) => Reading::Gap(Gap::NoData),
            _ => Reading::Number(value),
        }
    }

    /// The signal's own number in `cell`, past the traffic floor.
    fn own(&self, cell: Option<&Cell>) -> Result<f64, Reading> {
        let Some(cell) = cell else {
            return Err(Reading::Gap(Gap::NoData));
        };
        if let Some((rate, floor)) = &self.min_request_rate {
            match cell.reading(rate) {
                Reading::Number(rps) if rps >= *floor => {}
                // Too thin to judge.
                Reading::Number(_) => return Err(Reading::Gap(Gap::NoData)),
                gap => return Err(gap),
            }
        }
        match cell.reading(&self.signal) {
            Reading::Number(v) => Ok(v),
            gap => Err(gap),
        }
    }

    /// A measured number in the condition's own terms: `1.80× stable` or
    /// `470ms`; never `NaN` or `inf`.
    pub fn show(&self, measured: f64) -> String {
        let of = self.baseline.word();
        if self.baseline == Baseline::Absolute {
            return self.signal.format(measured);
        }
        match measured {
            v if v.is_nan() => "—".to_string(),
            v if v.is_infinite() && v > 0.0 => format!("+∞× {of}"),
            v if v.is_infinite() => format!("-∞× {of}"),
            v if v.abs() >= 1e6 => format!(">999999× {of}"),
            v => format!("{v:.2}× {of}"),
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

/// `value` as a multiple of `base`. Against a base of zero: equal when the
/// value is zero too, else infinitely worse (or better); ∞ / ∞ has none.
fn ratio(value: f64, base: f64) -> Reading {
    let ratio = if base != 0.0 {
        value / base
    } else if value == 0.0 {
        1.0
    } else {
        value.signum() * f64::INFINITY
    };
    if ratio.is_nan() {
        return Reading::Gap(Gap::NotFinite);
    }
    Reading::Number(ratio)
}

impl fmt::Display for StopCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.direction {
            Direction::Above => '>',
            Direction::Below => '<',
        };
        let limit = match self.baseline {
            Baseline::Absolute => self.signal.format(self.breach),
            Baseline::Stable => format!("{}× stable", self.breach),
            Baseline::Before { window, .. } => format!(
                "{}× before ({})",
                self.breach,
                super::baseline::window_words(window)
            ),
        };
        write!(
            f,
            "{} {op} {limit} for {}s",
            self.signal.label(),
            self.hold.num_seconds()
        )?;
        match &self.min_request_rate {
            Some((rate, floor)) => write!(f, " at ≥ {}", rate.format(*floor)),
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
    // A cell holds the signals measured per version; the others are
    // judged where they are measured.
    let readings: Vec<(Verdict, Option<Gap>)> = conditions
        .iter()
        .filter(|c| c.signal.per() == Per::Version)
        // Relative to stable only where there is a stable to compare with;
        // relative to before where the region's value before is kept (the
        // stop conditions), not in a cell.
        .filter(|c| match c.baseline {
            Baseline::Absolute => true,
            Baseline::Stable => baseline.is_some(),
            Baseline::Before { .. } => false,
        })
        .map(|c| {
            let reading = c.reading(Some(cell), baseline);
            let gap = match reading {
                Reading::Gap(g) => Some(g),
                Reading::Number(_) => None,
            };
            (c.judge_reading(reading), gap)
        })
        .collect();
    // No condition judged here: nothing to say of the cell, and no gap in
    // its data either (its region's own state says the rest).
    let Some(verdict) = readings.iter().map(|r| r.0).max() else {
        return (Verdict::NoData, None);
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

/// Where a condition on a service-wide signal is judged: `all`, which no
/// region may be called, and which actions read as every region.
pub const SERVICE_WIDE: &str = "all";

/// A condition newly breached in a region by the latest evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Tripped {
    pub condition: usize,
    pub region: String,
    pub value: Option<f64>,
}

#[cfg(test)]
mod tests;
