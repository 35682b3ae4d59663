//! The signals a rollout watches: each named by the plan, with its unit,
//! which way it goes bad and where it is measured. The four signals of an
//! HTTP service (`request_rate`, `error_rate`, `latency_p99`,
//! `success_rate`) are ordinary signals with defaults of their own.

use std::fmt;
use std::sync::Arc;

mod unit;
pub use unit::Unit;

/// Which way a signal goes bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Worse {
    /// Higher is worse (errors, latency, queue depth, tickets).
    Higher,
    /// Lower is worse (success, completion, traffic).
    Lower,
}

impl Worse {
    pub fn name(self) -> &'static str {
        match self {
            Worse::Higher => "higher",
            Worse::Lower => "lower",
        }
    }
}

/// Where a signal is measured, and so where the screen shows it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Per {
    /// Per region and version: the canary is compared with stable.
    Version,
    /// Per region, whatever the version (a region's queue, its CPU).
    Region,
    /// One value for the whole service (adoption, support tickets).
    Service,
}

impl Per {
    /// The word a plan uses for it, and `status --json` gives.
    pub fn name(self) -> &'static str {
        match self {
            Per::Version => "version",
            Per::Region => "region",
            Per::Service => "global",
        }
    }
}

/// What a plan says of one signal.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SignalDef {
    /// The plan's name for it: `checkout_completion`.
    pub name: String,
    /// What people say aloud on a bridge: `checkout completion`.
    pub label: String,
    /// A column header a few characters wide: `chk`.
    pub short: String,
    pub unit: Unit,
    pub worse: Worse,
    pub per: Per,
    /// Its place among the health matrix's columns; `None` keeps it to
    /// the region detail and the stop conditions.
    pub column: Option<u16>,
}

impl SignalDef {
    /// A signal measured per region and version, shown as a column, with
    /// its label and header made from its name.
    pub fn new(name: &str, unit: Unit, worse: Worse) -> SignalDef {
        let label = name.replace('_', " ");
        SignalDef {
            short: short_of(&label),
            label,
            name: name.to_string(),
            unit,
            worse,
            per: Per::Version,
            column: Some(u16::MAX),
        }
    }

    /// The defaults of one of the four standard signals, by name.
    pub fn standard(name: &str) -> Option<SignalDef> {
        let (unit, worse, label, short) = match name {
            REQUEST_RATE => (Unit::PerSecond, Worse::Lower, "request rate", "rps"),
            ERROR_RATE => (Unit::Ratio, Worse::Higher, "error rate", "err"),
            LATENCY_P99 => (Unit::Seconds, Worse::Higher, "latency p99", "p99"),
            SUCCESS_RATE => (Unit::Ratio, Worse::Lower, "success rate", "succ"),
            _ => return None,
        };
        Some(SignalDef {
            name: name.to_string(),
            label: label.to_string(),
            short: short.to_string(),
            unit,
            worse,
            per: Per::Version,
            column: Some(u16::MAX),
        })
    }
}

/// A header made from a label: its first word, at most 8 characters.
pub fn short_of(label: &str) -> String {
    label
        .split_whitespace()
        .next()
        .unwrap_or(label)
        .chars()
        .take(8)
        .collect()
}

/// The names of the four standard signals, in the order they had before
/// signals were named by plans.
pub const REQUEST_RATE: &str = "request_rate";
pub const ERROR_RATE: &str = "error_rate";
pub const LATENCY_P99: &str = "latency_p99";
pub const SUCCESS_RATE: &str = "success_rate";
pub const STANDARD: [&str; 4] = [REQUEST_RATE, ERROR_RATE, LATENCY_P99, SUCCESS_RATE];

/// One signal of a plan: cheap to copy around, equal by name. Its slot
/// is its place in the plan's list, where a cell keeps its series.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Signal {
    def: Arc<SignalDef>,
    slot: usize,
}

impl Signal {
    pub fn def(&self) -> &SignalDef {
        &self.def
    }

    pub fn name(&self) -> &str {
        &self.def.name
    }

    /// The name people say aloud on a bridge.
    pub fn label(&self) -> &str {
        &self.def.label
    }

    /// A few characters for a column header.
    pub fn short(&self) -> &str {
        &self.def.short
    }

    pub fn unit(&self) -> &Unit {
        &self.def.unit
    }

    pub fn worse(&self) -> Worse {
        self.def.worse
    }

    pub fn per(&self) -> Per {
        self.def.per
    }

    /// Where the plan keeps it, and a cell its series.
    pub fn slot(&self) -> usize {
        self.slot
    }

    pub fn is(&self, name: &str) -> bool {
        self.def.name == name
    }

    /// The value in the signal's unit, whole: see [`Unit::format`].
    pub fn format(&self, value: f64) -> String {
        self.def.unit.format(value)
    }

    /// The canary's difference from stable: see [`Unit::delta`].
    pub fn delta(&self, canary: Option<f64>, stable: Option<f64>) -> String {
        self.def.unit.delta(canary, stable)
    }

    /// Whether `value` is a reading this signal can have. A duration
    /// beyond the highest histogram bucket is +Inf, and that is a (very
    /// slow) value; any other infinity comes from a division by zero and
    /// says nothing about the version.
    pub fn admits(&self, value: f64) -> bool {
        value.is_finite() || (self.def.unit == Unit::Seconds && value == f64::INFINITY)
    }
}

impl PartialEq for Signal {
    fn eq(&self, other: &Self) -> bool {
        self.slot == other.slot && self.def.name == other.def.name
    }
}

impl Eq for Signal {}

impl std::hash::Hash for Signal {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.def.name.hash(state);
    }
}

impl PartialOrd for Signal {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Signal {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.slot, &self.def.name).cmp(&(other.slot, &other.def.name))
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signal({})", self.def.name)
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.def.label)
    }
}

/// Every signal of a plan, in the plan's order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Signals {
    list: Vec<Signal>,
}

impl Signals {
    /// The signals `defs` name, in that order. A name given twice keeps
    /// its first definition.
    pub fn new(defs: impl IntoIterator<Item = SignalDef>) -> Signals {
        let mut list: Vec<Signal> = Vec::new();
        for def in defs {
            if list.iter().any(|s| s.def.name == def.name) {
                continue;
            }
            let slot = list.len();
            list.push(Signal {
                def: Arc::new(def),
                slot,
            });
        }
        Signals { list }
    }

    /// The four signals of an HTTP service, with their defaults.
    pub fn standard() -> Signals {
        Signals::new(STANDARD.iter().filter_map(|n| SignalDef::standard(n)))
    }

    pub fn get(&self, name: &str) -> Option<&Signal> {
        self.list.iter().find(|s| s.def.name == name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Signal> {
        self.list.iter()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The signals measured `per`, in the plan's order.
    pub fn per(&self, per: Per) -> impl Iterator<Item = &Signal> {
        self.list.iter().filter(move |s| s.def.per == per)
    }

    /// The signals whose canary is set beside its stable in the matrix
    /// and `status`: the first two columns measured per version that are
    /// not rates (error rate and latency by default).
    pub fn compared(&self) -> Vec<&Signal> {
        self.columns()
            .into_iter()
            .filter(|s| s.def.per == Per::Version && s.def.unit != Unit::PerSecond)
            .take(2)
            .collect()
    }

    /// The signals the health matrix shows as columns, in their order:
    /// those given a place first, then the others in the plan's order.
    pub fn columns(&self) -> Vec<&Signal> {
        let mut shown: Vec<&Signal> = self
            .list
            .iter()
            .filter(|s| s.def.per != Per::Service && s.def.column.is_some())
            .collect();
        shown.sort_by_key(|s| (s.def.column, s.slot));
        shown
    }
}

/// One of the standard four, from [`Signals::standard`], for tests.
#[cfg(test)]
pub fn standard(name: &str) -> Signal {
    Signals::standard().get(name).cloned().unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_four_keep_their_defaults() {
        let s = Signals::standard();
        let names: Vec<&str> = s.iter().map(|s| s.name()).collect();
        assert_eq!(names, STANDARD);
        let err = s.get(ERROR_RATE).unwrap();
        assert_eq!(err.unit(), &Unit::Ratio);
        assert_eq!(err.worse(), Worse::Higher);
        assert_eq!(err.short(), "err");
        assert_eq!(err.slot(), 1);
        assert_eq!(s.get(SUCCESS_RATE).unwrap().worse(), Worse::Lower);
        assert!(s.get(LATENCY_P99).unwrap().admits(f64::INFINITY));
        assert!(!err.admits(f64::INFINITY));
    }

    #[test]
    fn columns_follow_the_places_given_then_the_plan() {
        let mut queue = SignalDef::new("queue_depth", Unit::Count, Worse::Higher);
        queue.per = Per::Region;
        let mut chk = SignalDef::new("checkout_completion", Unit::Ratio, Worse::Lower);
        chk.column = Some(1);
        let mut hidden = SignalDef::new("cpu", Unit::Percent, Worse::Higher);
        hidden.column = None;
        let mut tickets = SignalDef::new("tickets", Unit::Count, Worse::Higher);
        tickets.per = Per::Service;
        let s = Signals::new([
            SignalDef::standard(ERROR_RATE).unwrap(),
            queue,
            chk,
            hidden,
            tickets,
        ]);
        let columns: Vec<&str> = s.columns().iter().map(|s| s.name()).collect();
        assert_eq!(columns, ["checkout_completion", ERROR_RATE, "queue_depth"]);
        assert_eq!(s.get("checkout_completion").unwrap().short(), "checkout");
        assert_eq!(s.per(Per::Service).count(), 1);
    }

    #[test]
    fn a_name_given_twice_keeps_its_first_definition() {
        let s = Signals::new([
            SignalDef::new("x", Unit::Count, Worse::Higher),
            SignalDef::new("x", Unit::Ratio, Worse::Lower),
        ]);
        assert_eq!(s.len(), 1);
        assert_eq!(s.get("x").unwrap().unit(), &Unit::Count);
    }
}
