//! The scenario file as written: what serde reads before anything is checked.

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub(super) name: Spanned<String>,
    pub(super) title: Spanned<String>,
    pub(super) briefing: Spanned<String>,
    pub(super) fleet: Option<Spanned<String>>,
    pub(super) seed: Option<Spanned<i64>>,
    pub(super) pace: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) inject: Vec<Spanned<RawInject>>,
    #[serde(default)]
    pub(super) expect: Vec<Spanned<RawExpect>>,
    #[serde(default)]
    pub(super) forbid: Vec<Spanned<RawForbid>>,
    #[serde(default)]
    pub(super) objective: Vec<Spanned<RawObjective>>,
    pub(super) comms: Option<Spanned<RawComms>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInject {
    pub(super) id: Spanned<String>,
    pub(super) at: Option<Spanned<String>>,
    pub(super) after: Option<Spanned<String>>,
    pub(super) delay: Option<Spanned<String>>,
    pub(super) region: Option<Spanned<String>>,
    pub(super) version: Option<Spanned<String>>,
    pub(super) fault: Spanned<String>,
    pub(super) rate: Option<Spanned<f64>>,
    pub(super) factor: Option<Spanned<f64>>,
    pub(super) share: Option<Spanned<f64>>,
    pub(super) ramp: Option<Spanned<String>>,
    pub(super) status: Option<Spanned<toml::Value>>,
    pub(super) name: Option<Spanned<String>>,
    pub(super) duration: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExpect {
    pub(super) injection: Spanned<String>,
    pub(super) actions: Spanned<Vec<Spanned<String>>>,
    pub(super) scope: Option<Spanned<String>>,
    pub(super) within: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawForbid {
    pub(super) injection: Option<Spanned<String>>,
    pub(super) action: Spanned<String>,
    pub(super) scope: Option<Spanned<String>>,
    pub(super) why: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawObjective {
    pub(super) text: Spanned<String>,
    pub(super) check: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawComms {
    pub(super) first_update_within: Spanned<String>,
}
