//! The plan file as written: what serde reads before anything is checked.

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlan {
    pub(super) service: Spanned<String>,
    pub(super) versions: Spanned<RawVersions>,
    #[serde(default)]
    pub(super) labels: Option<RawLabels>,
    pub(super) regions: Spanned<Vec<Spanned<RawRegion>>>,
    pub(super) signals: Spanned<super::signals::RawSignals>,
    #[serde(default)]
    pub(super) stop_conditions: Vec<Spanned<RawCondition>>,
    pub(super) waves: Spanned<Vec<Spanned<RawWave>>>,
    pub(super) sources: Spanned<RawSources>,
    pub(super) judgment: Option<Spanned<RawJudgment>>,
    pub(super) scorecard: Option<Spanned<RawScorecard>>,
    pub(super) gates: Option<Spanned<super::gates::RawGates>>,
    pub(super) bake: Option<Spanned<super::bake::RawBake>>,
    #[serde(default)]
    pub(super) notify: Vec<Spanned<super::notify::RawNotify>>,
    pub(super) share: Option<Spanned<super::share::RawShare>>,
    pub(super) comms: Option<Spanned<super::comms::RawComms>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawJudgment {
    pub(super) pass: Option<Spanned<f64>>,
    pub(super) marginal: Option<Spanned<f64>>,
    pub(super) window: Option<Spanned<String>>,
    pub(super) alpha: Option<Spanned<f64>>,
    pub(super) min_samples: Option<Spanned<i64>>,
    #[serde(default)]
    pub(super) rules: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub(super) signal: Spanned<String>,
    /// `higher`, `lower` or `either`: which way the signal goes bad.
    pub(super) bad: Spanned<String>,
    pub(super) tolerance: Option<Spanned<f64>>,
    #[serde(default)]
    pub(super) critical: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScorecard {
    pub(super) approved_by: Option<Spanned<String>>,
    pub(super) rehearsal_within: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) owners: std::collections::BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVersions {
    pub(super) stable: Spanned<String>,
    pub(super) canary: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLabels {
    pub(super) region: Option<Spanned<String>>,
    pub(super) version: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRegion {
    pub(super) name: Spanned<String>,
    /// The value of the region label in the metrics, when it differs from the name.
    pub(super) label: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCondition {
    pub(super) signal: Spanned<String>,
    pub(super) above: Option<Spanned<f64>>,
    pub(super) below: Option<Spanned<f64>>,
    pub(super) warn: Option<Spanned<f64>>,
    #[serde(rename = "for")]
    pub(super) hold: Spanned<String>,
    pub(super) on_breach: Option<Spanned<String>>,
    /// `"rollout"` (the default) or `"region"`: what an automatic pause or
    /// rollback acts on.
    pub(super) act_on: Option<Spanned<String>>,
    /// `"stable"`: the levels are multiples of stable's value in the region;
    /// `"before"`: of the value before the rollout.
    pub(super) relative_to: Option<Spanned<String>>,
    /// With `"before"`: the window the value before is averaged over.
    pub(super) baseline: Option<Spanned<String>>,
    /// With `"before"`: when that window ends (RFC 3339), if not when the
    /// rollout started.
    pub(super) baseline_end: Option<Spanned<String>>,
    /// Below this canary request rate (per second) the signal is no data.
    pub(super) min_request_rate: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawScope {
    All(String),
    Regions(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWave {
    pub(super) name: Spanned<String>,
    pub(super) weight: Spanned<i64>,
    pub(super) regions: Spanned<RawScope>,
    pub(super) hold: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSources {
    pub(super) metrics: Spanned<RawEndpoint>,
    pub(super) deploy: Option<Spanned<super::deploy::RawDeploy>>,
    pub(super) history: Option<Spanned<RawHistory>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHistory {
    /// An NDJSON event file, relative to the plan file.
    pub(super) events: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEndpoint {
    pub(super) kind: Spanned<String>,
    pub(super) url: Spanned<String>,
    pub(super) interval: Option<Spanned<String>>,
    pub(super) timeout: Option<Spanned<String>>,
    pub(super) auth: Option<Spanned<RawAuth>>,
    /// The answer size cap, e.g. `"16MiB"`.
    pub(super) max_answer: Option<Spanned<String>>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAuth {
    pub(super) bearer_token_file: Option<Spanned<String>>,
    pub(super) bearer_token_env: Option<Spanned<String>>,
    /// Refused: present only to say so clearly.
    pub(super) bearer_token: Option<Spanned<String>>,
}
