//! The part of Argo Rollouts' `Rollout` (argoproj.io/v1alpha1) that warroom
//! reads. Every field is optional on the wire: a Rollout the controller has
//! not reconciled yet has no status, and older controllers leave fields out.

use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::core::{ApiResource, Object};
use serde::{Deserialize, Deserializer};

/// A Rollout as the Kubernetes API serves it.
pub type Rollout = Object<RolloutSpec, RolloutStatus>;

/// The label that carries a ReplicaSet's pod template hash.
pub const POD_TEMPLATE_HASH: &str = "rollouts-pod-template-hash";
/// The annotation that numbers a Rollout's (and its ReplicaSets') revisions.
pub const REVISION: &str = "rollout.argoproj.io/revision";

/// The Rollout resource: `/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts`.
pub fn resource() -> ApiResource {
    ApiResource {
        group: "argoproj.io".to_string(),
        version: "v1alpha1".to_string(),
        api_version: "argoproj.io/v1alpha1".to_string(),
        kind: "Rollout".to_string(),
        plural: "rollouts".to_string(),
    }
}

/// `null` reads as the default: a merge patch may leave one behind.
fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RolloutSpec {
    pub replicas: Option<i32>,
    #[serde(deserialize_with = "or_default")]
    pub paused: bool,
    pub selector: Option<LabelSelector>,
    /// Absent when the Rollout points at a Deployment (`workloadRef`).
    pub template: Option<PodTemplateSpec>,
    #[serde(deserialize_with = "or_default")]
    pub strategy: Strategy,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Strategy {
    pub canary: Option<Canary>,
    pub blue_green: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Canary {
    #[serde(deserialize_with = "or_default")]
    pub steps: Vec<CanaryStep>,
    /// A service mesh or ingress splits traffic; without it, replicas do.
    pub traffic_routing: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CanaryStep {
    pub set_weight: Option<i32>,
    pub pause: Option<PauseStep>,
}

/// A `pause` step: with a `duration` the controller moves on by itself when
/// it ends; without one it waits for a promote.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PauseStep {
    /// Seconds, or a duration such as `"30s"`; absent or null: indefinite.
    pub duration: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RolloutStatus {
    #[serde(deserialize_with = "or_default")]
    pub abort: bool,
    #[serde(deserialize_with = "or_default")]
    pub pause_conditions: Vec<PauseCondition>,
    #[serde(deserialize_with = "or_default")]
    pub current_pod_hash: String,
    #[serde(rename = "stableRS", deserialize_with = "or_default")]
    pub stable_rs: String,
    pub current_step_index: Option<i32>,
    #[serde(deserialize_with = "or_default")]
    pub replicas: i32,
    #[serde(deserialize_with = "or_default")]
    pub updated_replicas: i32,
    #[serde(deserialize_with = "or_default")]
    pub ready_replicas: i32,
    #[serde(deserialize_with = "or_default")]
    pub available_replicas: i32,
    #[serde(deserialize_with = "or_default")]
    pub promote_full: bool,
    /// `Healthy`, `Progressing`, `Paused` or `Degraded`.
    #[serde(deserialize_with = "or_default")]
    pub phase: String,
    #[serde(deserialize_with = "or_default")]
    pub message: String,
    /// A generation number as a string (older controllers wrote a hash).
    pub observed_generation: Option<serde_json::Value>,
    #[serde(deserialize_with = "or_default")]
    pub conditions: Vec<Condition>,
    #[serde(deserialize_with = "or_default")]
    pub canary: CanaryStatus,
    /// Written for every Rollout; filled in for blue-green ones.
    #[serde(deserialize_with = "or_default")]
    pub blue_green: BlueGreenStatus,
}

/// Which ReplicaSet each of a blue-green Rollout's services selects.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BlueGreenStatus {
    /// The pod template hash the active service (all the traffic) selects.
    #[serde(deserialize_with = "or_default")]
    pub active_selector: String,
    /// The hash the preview service (no production traffic) selects.
    #[serde(deserialize_with = "or_default")]
    pub preview_selector: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PauseCondition {
    #[serde(deserialize_with = "or_default")]
    pub reason: String,
    /// RFC 3339.
    pub start_time: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Condition {
    #[serde(rename = "type", deserialize_with = "or_default")]
    pub kind: String,
    #[serde(deserialize_with = "or_default")]
    pub reason: String,
    #[serde(deserialize_with = "or_default")]
    pub message: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CanaryStatus {
    pub current_step_analysis_run_status: Option<AnalysisRunStatus>,
    pub current_background_analysis_run_status: Option<AnalysisRunStatus>,
    /// What the traffic router was last told; only with traffic routing.
    pub weights: Option<TrafficWeights>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AnalysisRunStatus {
    #[serde(deserialize_with = "or_default")]
    pub name: String,
    /// `Pending`, `Running`, `Successful`, `Failed`, `Error`, `Inconclusive`.
    #[serde(deserialize_with = "or_default")]
    pub status: String,
    #[serde(deserialize_with = "or_default")]
    pub message: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TrafficWeights {
    #[serde(deserialize_with = "or_default")]
    pub canary: WeightDestination,
    #[serde(deserialize_with = "or_default")]
    pub stable: WeightDestination,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WeightDestination {
    #[serde(deserialize_with = "or_default")]
    pub weight: i32,
    #[serde(deserialize_with = "or_default")]
    pub pod_template_hash: String,
}

/// The images of a pod template's containers, in order.
pub fn images(template: Option<&PodTemplateSpec>) -> Vec<String> {
    template
        .and_then(|t| t.spec.as_ref())
        .map(|s| {
            s.containers
                .iter()
                .filter_map(|c| c.image.clone())
                .collect()
        })
        .unwrap_or_default()
}
