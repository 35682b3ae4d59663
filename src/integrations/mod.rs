//! The protocols warroom speaks to the world: Prometheus, Argo Rollouts
//! through the Kubernetes API, the documented deploy API, GitHub's
//! Deployments API and NDJSON event files. Each adapter turns answers into
//! the domain's values; none of them knows the app.

pub mod argo;
pub mod deploy_api;
pub mod events;
pub mod github;
pub mod prometheus;
pub mod secret;
