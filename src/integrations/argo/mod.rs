//! Argo Rollouts through the Kubernetes API (docs/argo-rollouts.md): one
//! Rollout per region, each in its own kubeconfig context and namespace if
//! need be. Each Rollout is watched (and read again in full every
//! `interval`); warroom's actions are sent as Argo's own CLI sends them.

pub mod actions;
pub mod cap;
mod cluster;
pub mod problem;
pub mod status;
mod watch;
pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use tokio::sync::mpsc;

use crate::config::plan::{ArgoSource, ArgoTarget};
use crate::domain::action::{ActionRequest, ControlError, ControlFuture, DeploymentControl};
use crate::domain::clock::Clock;
use crate::domain::plan::RolloutPlan;
use crate::domain::rollout::{Action, ActionScope, WavePlan};
use actions::{Move, Outcome, RegionAction};
use cluster::Clusters;
use status::Versions;

use crate::domain::source::{Polled, SourceInfo, SourceKind};

/// The Argo Rollouts of one rollout plan: a source and a control.
pub struct ArgoRollouts {
    pub info: SourceInfo,
    targets: Vec<ArgoTarget>,
    clusters: Clusters,
    interval: Duration,
    timeout: Duration,
    stable_version: String,
    canary_version: String,
    waves: WavePlan,
}

impl ArgoRollouts {
    /// The source `config` describes for `plan`. Nothing is read yet: the
    /// kubeconfig is read and each cluster reached when the source starts.
    pub fn new(config: &ArgoSource, plan: &RolloutPlan) -> ArgoRollouts {
        let mut contexts: Vec<&str> = config
            .targets
            .iter()
            .filter_map(|t| t.context.as_deref())
            .collect();
        contexts.sort_unstable();
        contexts.dedup();
        let name = match contexts.as_slice() {
            [] => "argo".to_string(),
            [one] => format!("argo {one}"),
            many => format!("argo {} contexts", many.len()),
        };
        ArgoRollouts {
            info: SourceInfo {
                name,
                kind: SourceKind::Deployment,
                interval: config.interval,
                timeout: config.timeout,
            },
            targets: config.targets.clone(),
            clusters: Clusters::new(config.kubeconfig.clone(), config.timeout, config.max_answer),
            interval: config.interval,
            timeout: config.timeout,
            stable_version: plan.stable_version.clone(),
            canary_version: plan.canary_version.clone(),
            waves: plan.waves.clone(),
        }
    }

    fn versions(&self) -> Versions<'_> {
        Versions {
            stable: &self.stable_version,
            canary: &self.canary_version,
        }
    }

    /// Watch every Rollout on its own task; each change becomes one report
    /// on `sink`. The tasks end when nobody listens any more.
    pub fn spawn(self: &Arc<Self>, clock: Arc<dyn Clock>, sink: mpsc::Sender<Polled>) {
        watch::spawn(self.clone(), clock, sink);
    }

    /// Retry aborted Rollouts in `scope` (`kubectl argo rollouts retry
    /// rollout`): a merge patch `{"status":{"abort":false}}` on `/status`.
    pub async fn retry(&self, scope: &ActionScope) -> Result<String, ControlError> {
        self.run(scope, Move::Retry).await
    }

    /// Restore the previous revision's pod template in `scope` (`kubectl argo
    /// rollouts undo`): a JSON patch replacing `/spec/template`.
    pub async fn undo(&self, scope: &ActionScope) -> Result<String, ControlError> {
        self.run(scope, Move::Undo).await
    }

    /// Abort the Rollouts in `scope` (`kubectl argo rollouts abort`).
    pub async fn abort(&self, scope: &ActionScope) -> Result<String, ControlError> {
        self.run(scope, Move::Abort).await
    }

    /// `wanted` on every Rollout in `scope`, at once; one answer naming each
    /// region's outcome.
    pub async fn run(&self, scope: &ActionScope, wanted: Move) -> Result<String, ControlError> {
        let chosen: Vec<&ArgoTarget> = self
            .targets
            .iter()
            .filter(|t| scope.covers(&t.region))
            .collect();
        if chosen.is_empty() {
            return Err(ControlError::Refused(format!(
                "no region {} among the Argo targets",
                scope.label()
            )));
        }
        let outcomes = join_all(chosen.iter().map(|t| self.run_one(t, wanted))).await;
        let results: Vec<(&str, Outcome)> = chosen
            .iter()
            .map(|t| t.region.as_str())
            .zip(outcomes)
            .collect();
        summarize(wanted, &results)
    }

    async fn run_one(&self, target: &ArgoTarget, wanted: Move) -> Outcome {
        let conn = match tokio::time::timeout(self.timeout, self.clusters.connect(target)).await {
            Ok(Ok(conn)) => conn,
            Ok(Err(why)) => return Outcome::Failed(ControlError::Unreachable(why)),
            Err(_) => return Outcome::Failed(ControlError::Timeout(self.timeout)),
        };
        RegionAction {
            source: self,
            target,
            conn,
        }
        .run(wanted)
        .await
    }
}

/// One answer from the regions' outcomes: done where something was sent,
/// an error naming every region that failed (and what was done elsewhere).
fn summarize(wanted: Move, results: &[(&str, Outcome)]) -> Result<String, ControlError> {
    let line = |region: &str, what: &str| format!("{region}: {what}");
    if let [(region, outcome)] = results {
        return match outcome {
            Outcome::Done(what) => Ok(line(region, what)),
            Outcome::Skipped(why) => Err(ControlError::Refused(line(region, why))),
            Outcome::Failed(ControlError::Timeout(limit)) => Err(ControlError::Timeout(*limit)),
            Outcome::Failed(ControlError::Refused(why)) => {
                Err(ControlError::Refused(line(region, why)))
            }
            Outcome::Failed(ControlError::Unreachable(why)) => {
                Err(ControlError::Unreachable(line(region, why)))
            }
            Outcome::Failed(ControlError::Unknown(why)) => {
                Err(ControlError::Unknown(line(region, why)))
            }
        };
    }
    let mut failed = Vec::new();
    let mut others = Vec::new();
    let mut unreachable = false;
    let mut unknown = false;
    let mut done = 0;
    for (region, outcome) in results {
        match outcome {
            Outcome::Done(what) => {
                done += 1;
                others.push(line(region, what));
            }
            Outcome::Skipped(why) => others.push(line(region, &format!("skipped, {why}"))),
            Outcome::Failed(e) => {
                unreachable |= !matches!(e, ControlError::Refused(_));
                unknown |= e.outcome_unknown();
                let why = match e {
                    ControlError::Refused(w)
                    | ControlError::Unreachable(w)
                    | ControlError::Unknown(w) => w.clone(),
                    ControlError::Timeout(_) => e.to_string(),
                };
                failed.push(line(region, &why));
            }
        }
    }
    if failed.is_empty() && done > 0 {
        return Ok(others.join("; "));
    }
    if failed.is_empty() {
        return Err(ControlError::Refused(format!(
            "nothing to {} — {}",
            wanted.verb(),
            others.join("; ")
        )));
    }
    let mut text = format!(
        "failed in {} of {} regions — {}",
        failed.len(),
        results.len(),
        failed.join("; ")
    );
    if !others.is_empty() {
        text = format!("{text}; elsewhere — {}", others.join("; "));
    }
    // One region that may have acted makes the whole outcome unknown.
    Err(if unknown {
        ControlError::Unknown(text)
    } else if unreachable {
        ControlError::Unreachable(text)
    } else {
        ControlError::Refused(text)
    })
}

impl DeploymentControl for ArgoRollouts {
    fn apply<'a>(&'a self, request: &'a ActionRequest) -> ControlFuture<'a> {
        let wanted = match request.action {
            Action::Pause => Move::Pause,
            Action::Resume => Move::Resume,
            Action::Promote => Move::Promote,
            Action::Rollback => Move::Rollback,
            Action::Retry => Move::Retry,
        };
        Box::pin(self.run(&request.scope, wanted))
    }
}
