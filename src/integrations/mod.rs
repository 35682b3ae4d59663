//! The protocols warroom speaks to the world: Prometheus, Argo Rollouts
//! through the Kubernetes API, the documented deploy API, GitHub's
//! Deployments API and NDJSON event files. Each adapter turns answers into
//! the domain's values; none of them knows the app. The HTTP ones share one
//! client (`http`).

pub mod argo;
pub mod deploy_api;
pub mod events;
pub mod github;
pub mod http;
pub mod notify;
pub mod prometheus;
pub mod secret;
