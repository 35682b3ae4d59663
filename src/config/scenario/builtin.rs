//! The drills that come with warroom, each teaching something different
//! (`warroom drill --list`). Their files are in `examples/drills/`.

use super::{ScenarioError, parse};
use crate::domain::drill::scenario::Scenario;

/// Name and text of every built-in scenario, the default first.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "canary-regression",
        include_str!("../../../examples/drills/canary-regression.toml"),
    ),
    (
        "latency-creep",
        include_str!("../../../examples/drills/latency-creep.toml"),
    ),
    (
        "dependency-failure",
        include_str!("../../../examples/drills/dependency-failure.toml"),
    ),
    (
        "metrics-dark",
        include_str!("../../../examples/drills/metrics-dark.toml"),
    ),
    (
        "deploy-api-403",
        include_str!("../../../examples/drills/deploy-api-403.toml"),
    ),
    (
        "red-herring",
        include_str!("../../../examples/drills/red-herring.toml"),
    ),
];

/// The built-in scenario `name`, checked against the demo's regions;
/// `None` when there is none so called.
pub fn built_in(name: &str, demo_regions: &[String]) -> Option<Result<Scenario, ScenarioError>> {
    let (_, text) = BUILT_IN.iter().find(|(n, _)| *n == name)?;
    Some(parse(
        text,
        &format!("examples/drills/{name}.toml"),
        demo_regions,
    ))
}
