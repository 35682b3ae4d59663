//! Status updates drafted from the rollout as it stands: one for the team
//! (internal), one for customers, one for executives. Pure: the inputs are
//! gathered once by the app, every draft is a function of them, and the
//! customer draft goes through a final check that removes anything internal.

mod cadence;
mod check;
mod customer;
mod executive;
mod internal;
mod words;

pub use cadence::{DEFAULT_CADENCE, Due, DueState, SOON, due};
pub use check::{Forbidden, guard, leaks};

use super::rollout::Phase;
use super::{Span, Timestamp};

/// Who a draft is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Audience {
    #[default]
    Internal,
    Customer,
    Executive,
}

impl Audience {
    /// The three, in the order the drafts overlay shows them.
    pub const ALL: [Audience; 3] = [Audience::Internal, Audience::Customer, Audience::Executive];

    pub fn word(self) -> &'static str {
        match self {
            Audience::Internal => "internal",
            Audience::Customer => "customer",
            Audience::Executive => "executive",
        }
    }

    /// Its place in [`Audience::ALL`].
    pub fn index(self) -> usize {
        match self {
            Audience::Internal => 0,
            Audience::Customer => 1,
            Audience::Executive => 2,
        }
    }

    /// The next (`step` 1) or previous (`step` -1) audience, round.
    pub fn step(self, step: isize) -> Audience {
        let n = Audience::ALL.len() as isize;
        let i = (self.index() as isize + step).rem_euclid(n) as usize;
        Audience::ALL[i]
    }
}

/// The plan's `[comms]`: how often an update is due once there is
/// something to tell, and the names customers know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommsPlan {
    pub cadence: Span,
    /// Region id → the name customers know it by, in the plan's order.
    pub public_names: Vec<(String, String)>,
    /// The product's name for customers; without it, "the service".
    pub product: Option<String>,
}

impl Default for CommsPlan {
    fn default() -> Self {
        CommsPlan {
            cadence: DEFAULT_CADENCE,
            public_names: Vec::new(),
            product: None,
        }
    }
}

impl CommsPlan {
    /// The public name of `region`, if the plan gives one.
    pub fn public_name(&self, region: &str) -> Option<&str> {
        self.public_names
            .iter()
            .find(|(id, _)| id == region)
            .map(|(_, name)| name.as_str())
    }
}

/// What customers notice when a signal goes bad, in plain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Symptom {
    /// Some requests fail.
    Errors,
    /// Responses are slower.
    Slow,
    /// Anything else: the service is degraded.
    Degraded,
}

impl Symptom {
    /// What customers notice.
    pub fn words(self) -> &'static str {
        match self {
            Symptom::Errors => "errors",
            Symptom::Slow => "slower responses",
            Symptom::Degraded => "degraded service",
        }
    }
}

/// One region's verdict, in the words of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionLine {
    pub region: String,
    pub word: String,
    /// In breach: affected.
    pub breached: bool,
    /// The new version's share of the region's traffic, when known.
    pub canary_weight: Option<u8>,
}

/// A stop condition in breach, with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreachLine {
    /// The condition as the screen writes it (`error rate > 2% for 10s`).
    pub condition: String,
    /// The region, or `service-wide`.
    pub place: String,
    pub value: String,
    /// What the plan does on breach (`pause`).
    pub consequence: String,
    pub symptom: Symptom,
}

/// An action on the timeline: when, and its line (which names the operator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionLine {
    pub at: Timestamp,
    pub text: String,
}

/// The DORA change failure rate over the panel's window, and whether this
/// rollout is already counted in it as failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoraEffect {
    pub window_days: i64,
    pub deployments: usize,
    pub failed: usize,
    /// This rollout's deployment is among `deployments`.
    pub includes_this: bool,
    /// This rollout is already counted among `failed` (a rollback recorded).
    pub counted_failed: bool,
}

/// The wave in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveLine {
    /// 1-based.
    pub number: usize,
    pub of: usize,
    pub name: String,
    pub weight: u8,
}

/// Everything the drafts say, gathered from the state once.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub service: String,
    pub from_version: String,
    pub to_version: String,
    /// The one verdict's word (`NO-GO`) and its reasons.
    pub call: String,
    pub reasons: Vec<String>,
    pub phase: Option<Phase>,
    pub wave: Option<WaveLine>,
    /// The new version's share of all traffic, in percent, when known.
    pub traffic_share: Option<f64>,
    pub regions: Vec<RegionLine>,
    pub breaches: Vec<BreachLine>,
    pub actions: Vec<ActionLine>,
    pub first_breach: Option<Timestamp>,
    pub rolled_back: bool,
    pub dora: Option<DoraEffect>,
    pub comms: CommsPlan,
    pub next_update: Option<Timestamp>,
    pub now: Timestamp,
}

impl Inputs {
    /// Whether anything went wrong: a breach now or earlier in this
    /// rollout (one that recovered since still touched customers), or the
    /// change rolled back.
    pub fn troubled(&self) -> bool {
        !self.breaches.is_empty()
            || self.rolled_back
            || self.first_breach.is_some()
            || self.regions.iter().any(|r| r.breached)
    }

    /// The symptoms customers notice, each once, most telling first.
    pub fn symptoms(&self) -> Vec<Symptom> {
        let mut out: Vec<Symptom> = self.breaches.iter().map(|b| b.symptom).collect();
        out.sort();
        out.dedup();
        // Errors or slowness say it; "degraded" is for when nothing else does.
        if out.len() > 1 {
            out.retain(|s| *s != Symptom::Degraded);
        }
        out
    }

    /// What the customer draft must never say.
    pub fn forbidden(&self) -> Forbidden {
        // The service may be called by its product's name on purpose.
        let product = self.comms.product.as_deref().unwrap_or_default();
        let mut words: Vec<String> = Some(self.service.clone())
            .filter(|s| !s.eq_ignore_ascii_case(product))
            .into_iter()
            .collect();
        words.extend(
            self.regions
                .iter()
                .map(|r| r.region.clone())
                .filter(|id| self.comms.public_name(id) != Some(id.as_str())),
        );
        Forbidden {
            versions: vec![self.from_version.clone(), self.to_version.clone()],
            words,
        }
    }
}

/// The draft for `audience`.
pub fn draft(audience: Audience, inputs: &Inputs) -> String {
    match audience {
        Audience::Internal => internal::draft(inputs),
        Audience::Customer => customer::draft(inputs),
        Audience::Executive => executive::draft(inputs),
    }
}

/// The plain-words symptom of a signal that goes bad: by its unit and
/// which way is worse.
pub fn symptom_of(unit: &super::signal::Unit, worse: super::signal::Worse) -> Symptom {
    use super::signal::{Unit, Worse};
    match (unit, worse) {
        (Unit::Seconds, Worse::Higher) => Symptom::Slow,
        (Unit::Ratio | Unit::Percent, Worse::Higher) => Symptom::Errors,
        _ => Symptom::Degraded,
    }
}

/// The timeline's line for an update to `audience` marked sent: every
/// screen that reads it from the log starts its cadence again.
pub fn sent_line(audience: Audience) -> String {
    format!("{} update sent", audience.word())
}

/// Whether `text` is an update marked sent ([`sent_line`]).
pub fn is_sent_line(text: &str) -> bool {
    Audience::ALL.iter().any(|a| text == sent_line(*a))
}

#[cfg(test)]
mod tests;
