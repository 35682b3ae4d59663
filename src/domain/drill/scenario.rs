//! A tabletop drill's script: what the participants are told, the fleet it
//! runs on, the faults injected and when, and what a good response does.
//! Pure data: `config::scenario` reads it from TOML, `sim` injects it, and
//! the debrief grades a drill against it.

use crate::domain::Span;
use crate::domain::rollout::Action;

/// One drill, as its scenario file describes it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Scenario {
    /// Short name, as `drill --list` and `--scenario NAME` say it.
    pub name: String,
    /// One line: what the drill teaches.
    pub title: String,
    /// What the participants are told before it starts (shown to them).
    pub briefing: String,
    pub fleet: FleetChoice,
    pub seed: u64,
    /// How long each wave holds at drill pace.
    #[serde(with = "millis")]
    pub pace: Span,
    pub injections: Vec<Injection>,
    pub expect: Vec<Expectation>,
    pub forbid: Vec<Forbidden>,
    pub objectives: Vec<Objective>,
    pub comms: Option<CommsExpectation>,
}

/// Which fleet the drill runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FleetChoice {
    /// The embedded demo rollout (or `--regions N` of it).
    Demo,
    /// The plan given with `--plan`, its baseline fitted to its stop conditions.
    Plan,
}

/// A fault the script injects.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Injection {
    /// Unique within the scenario; `after` and `expect` name it.
    pub id: String,
    pub start: Start,
    pub target: Target,
    pub fault: FaultKind,
    /// How long it lasts once begun; `None`: until the drill ends or the
    /// facilitator clears it.
    #[serde(with = "opt_millis")]
    pub duration: Option<Span>,
}

/// When an injection begins, in drill time (the drill clock, which the
/// facilitator can pause).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Start {
    /// This long after the drill starts.
    At(#[serde(with = "millis")] Span),
    /// This long after another injection begins.
    After {
        injection: String,
        #[serde(with = "millis")]
        delay: Span,
    },
}

/// A region name in a scenario file standing for the region the second
/// wave adds, on whatever fleet the drill runs (read as `region: None`).
pub const SECOND_WAVE: &str = "@second-wave";
/// A region name standing for the last region the first two waves leave
/// alone: a region not under rollout yet.
pub const LATER: &str = "@later";

/// Where a fault lands.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Target {
    /// A region by name; `None`: the region the second wave adds (as the
    /// classic drill does), the first region when there is no such wave.
    pub region: Option<String>,
    pub versions: Versions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Versions {
    Canary,
    Stable,
    Both,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum FaultKind {
    /// Extra share of failing requests at the peak, 0..=1, reached over `ramp`.
    ErrorRate {
        rate: f64,
        #[serde(with = "millis")]
        ramp: Span,
    },
    /// Latency multiplied by `factor` at the peak, reached over `ramp`.
    Latency {
        factor: f64,
        #[serde(with = "millis")]
        ramp: Span,
    },
    /// Traffic falls by `share` (0..=1) of what it was.
    TrafficDrop { share: f64 },
    /// The metrics source stops answering.
    MetricsGap,
    /// The deploy API fails every action.
    DeployApi(DeployFailure),
    /// An alert named `name` fires, and nothing else changes.
    Alert { name: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DeployFailure {
    /// 403: the operator lacks the right; escalate.
    Forbidden,
    /// 500 from the API.
    ServerError,
    /// No answer in time.
    Timeout,
}

/// Which scope an expected or forbidden action is on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ScopeRule {
    /// On any scope.
    Any,
    /// On the whole rollout.
    Rollout,
    /// On the injection's region (or, for `Region`, the named one).
    Injected,
    Region(String),
}

/// An action a good response takes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Expectation {
    /// The injection whose signal it answers.
    pub injection: String,
    /// Any one of these actions meets it (e.g. pause or roll back).
    pub actions: Vec<Action>,
    pub scope: ScopeRule,
    /// Within this long of the injection's first signal on screen; later is late.
    #[serde(with = "millis")]
    pub within: Span,
}

/// An action that would be wrong during the drill.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Forbidden {
    /// While this injection is active; `None`: at any time.
    pub injection: Option<String>,
    pub action: Action,
    pub scope: ScopeRule,
    /// Why it is wrong, for the debrief.
    pub why: String,
}

/// Something the drill sets out to have people do, and how it is judged.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Objective {
    pub text: String,
    pub check: ObjectiveCheck,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ObjectiveCheck {
    /// Every expectation met in time.
    Expectations,
    /// No forbidden action taken.
    NoHarm,
    /// A line written on the timeline (an annotation) after the first signal:
    /// the escalation or the decision put on record.
    Annotated,
    /// The first status update marked sent in time (the comms expectation).
    Comms,
}

/// When the first status update should go out.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CommsExpectation {
    /// Within this long of the first signal on screen.
    #[serde(with = "millis")]
    pub first_update_within: Span,
}

/// A span as whole milliseconds, for a session's journal.
mod millis {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::domain::Span;

    pub fn serialize<S: Serializer>(span: &Span, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(span.num_milliseconds())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Span, D::Error> {
        i64::deserialize(d).map(Span::milliseconds)
    }
}

/// A span that may be absent, as whole milliseconds.
mod opt_millis {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::domain::Span;

    pub fn serialize<S: Serializer>(span: &Option<Span>, s: S) -> Result<S::Ok, S::Error> {
        match span {
            Some(span) => s.serialize_some(&span.num_milliseconds()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Span>, D::Error> {
        Option::<i64>::deserialize(d).map(|ms| ms.map(Span::milliseconds))
    }
}
