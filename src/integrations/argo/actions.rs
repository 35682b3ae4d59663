//! Actions on Rollouts, sent as Argo's own CLI (`kubectl argo rollouts`)
//! sends them:
//!
//! - pause: merge patch `{"spec":{"paused":true}}` on the Rollout;
//! - promote: status subresource first — clear `status.pauseConditions`
//!   if there are any, else advance `status.currentStepIndex` — then
//!   `{"spec":{"paused":false}}` if the spec is paused; a cluster without
//!   the status subresource gets one patch of both on the Rollout;
//! - resume: promote without advancing the step;
//! - abort: merge patch `{"status":{"abort":true}}` on `/status`;
//! - retry: merge patch `{"status":{"abort":false}}` on `/status`;
//! - undo: a JSON patch replacing `/spec/template` with the previous
//!   revision's ReplicaSet's pod template, its pod-template-hash label removed.

use std::future::Future;

use k8s_openapi::api::apps::v1::ReplicaSet;
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams};
use serde_json::{Value, json};

use super::ArgoRollouts;
use super::cluster::Connection;
use super::problem::{Problem, Request};
use super::status::{Stage, stage};
use super::wire::{self, Rollout};
use crate::config::plan::ArgoTarget;
use crate::domain::action::ControlError;

/// What warroom asks of one region's Rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Pause,
    Resume,
    Promote,
    /// Abort while a canary is in flight; undo once the Rollout completed.
    Rollback,
    Abort,
    Retry,
    Undo,
}

impl Move {
    pub fn verb(self) -> &'static str {
        match self {
            Move::Pause => "pause",
            Move::Resume => "resume",
            Move::Promote => "promote",
            Move::Rollback => "roll back",
            Move::Abort => "abort",
            Move::Retry => "retry",
            Move::Undo => "undo",
        }
    }
}

/// What `wanted` means for a Rollout at `stage`: the move to send, or why
/// there is nothing to send.
pub fn decide(wanted: Move, stage: Stage) -> Result<Move, &'static str> {
    use Stage::*;
    match (wanted, stage) {
        (Move::Pause, Progressing) => Ok(Move::Pause),
        (Move::Pause, Paused) => Err("already paused"),
        (Move::Resume, Paused) => Ok(Move::Resume),
        (Move::Resume, _) => Err("not paused: nothing to resume"),
        (Move::Promote, Progressing | Paused) => Ok(Move::Promote),
        (Move::Promote, Aborted) => Err("aborted: nothing to promote (retry it first)"),
        (Move::Rollback | Move::Abort, Progressing | Paused) => Ok(Move::Abort),
        (Move::Rollback | Move::Abort, Aborted) => Err("already aborted: traffic is on stable"),
        (Move::Rollback, Complete) => Ok(Move::Undo),
        (Move::Retry, Aborted) => Ok(Move::Retry),
        (Move::Retry, _) => Err("not aborted: nothing to retry"),
        (Move::Undo, NotStarted) => Err("not started: already on the stable version"),
        (Move::Undo, _) => Ok(Move::Undo),
        (_, Aborted) => Err("aborted"),
        (_, Complete) => Err("complete: nothing in flight"),
        (_, NotStarted) => Err("not started: nothing in flight"),
    }
}

/// How one region's part of an action ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Done(String),
    /// Nothing to send in the Rollout's state.
    Skipped(String),
    Failed(ControlError),
}

/// A failed call, already in the operator's words.
struct Failed {
    problem: Problem,
    error: ControlError,
}

/// The merge patches of Argo's promote for `ro`: (spec, status, the two in
/// one for clusters without the status subresource). `advance`: step on
/// when no pause condition holds the Rollout (promote; resume does not).
pub fn promote_patches(ro: &Rollout, advance: bool) -> (Option<Value>, Option<Value>, Value) {
    let status = ro.status.clone().unwrap_or_default();
    let spec = ro.spec.paused.then(|| json!({"spec": {"paused": false}}));
    let steps = ro
        .spec
        .strategy
        .canary
        .as_ref()
        .map_or(0, |c| c.steps.len());
    let mut unified = json!({"spec": {"paused": false}, "status": {"pauseConditions": null}});
    let status_patch = if !status.pause_conditions.is_empty() {
        Some(json!({"status": {"pauseConditions": null}}))
    } else if advance && steps > 0 {
        let mut index = status.current_step_index.unwrap_or(0).max(0);
        if (index as usize) < steps {
            index += 1;
        }
        unified["status"]["currentStepIndex"] = json!(index);
        Some(json!({"status": {"pauseConditions": null, "currentStepIndex": index}}))
    } else {
        None
    };
    (spec, status_patch, unified)
}

/// The previous revision's ReplicaSet among `all` (the second-highest
/// `rollout.argoproj.io/revision`), if `ro` controls one.
pub fn previous_revision<'a>(ro: &Rollout, all: &'a [ReplicaSet]) -> Option<(i64, &'a ReplicaSet)> {
    let uid = ro.metadata.uid.as_deref()?;
    let mut owned: Vec<(i64, &ReplicaSet)> = all
        .iter()
        .filter(|rs| {
            rs.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.controller == Some(true) && o.uid == uid && o.kind == "Rollout")
        })
        .filter_map(|rs| {
            let revision = match rs
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(wire::REVISION))
            {
                None => 0,
                Some(r) => r.parse::<i64>().ok()?,
            };
            Some((revision, rs))
        })
        .collect();
    owned.sort_by_key(|(revision, _)| std::cmp::Reverse(*revision));
    owned.dedup_by_key(|(revision, _)| *revision);
    owned.get(1).copied()
}

/// A pod template as JSON, without the label Argo adds to each ReplicaSet's.
pub fn template_without_hash(template: &impl serde::Serialize) -> Value {
    let mut value = serde_json::to_value(template).unwrap_or(Value::Null);
    if let Some(labels) = value
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(wire::POD_TEMPLATE_HASH);
    }
    value
}

/// `spec.selector` as a label selector query.
fn selector(ro: &Rollout) -> String {
    let Some(s) = &ro.spec.selector else {
        return String::new();
    };
    let mut parts: Vec<String> = s
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in s.match_expressions.iter().flatten() {
        let values = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({values})", e.key),
            "NotIn" => format!("{} notin ({values})", e.key),
            "Exists" => e.key.clone(),
            _ => format!("!{}", e.key),
        });
    }
    parts.join(",")
}

/// One region's part of an action: read the Rollout, decide, send.
pub struct RegionAction<'a> {
    pub source: &'a ArgoRollouts,
    pub target: &'a ArgoTarget,
    pub conn: Connection,
}

impl RegionAction<'_> {
    fn api(&self) -> Api<Rollout> {
        Api::namespaced_with(
            self.conn.client.clone(),
            &self.conn.namespace,
            &wire::resource(),
        )
    }

    fn request(&self, verb: &'static str, resource: &'static str) -> Request<'_> {
        Request {
            verb,
            resource,
            namespace: &self.conn.namespace,
            name: Some(&self.target.rollout),
            context: &self.conn.context,
        }
    }

    /// One call, bounded by the source's timeout.
    async fn call<T>(
        &self,
        request: Request<'_>,
        call: impl Future<Output = kube::Result<T>>,
    ) -> Result<T, Failed> {
        let timeout = self.source.timeout;
        let problem = match tokio::time::timeout(timeout, call).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) => Problem::from_kube(&e, &self.conn.secrets()),
            Err(_) => Problem::Timeout(timeout),
        };
        if problem.code() == Some(401) {
            self.source.clusters.forget(self.target).await;
        }
        Err(Failed {
            error: problem.control_error(&request),
            problem,
        })
    }

    async fn get(&self) -> Result<Rollout, Failed> {
        let api = self.api();
        self.call(
            self.request("get", "rollouts"),
            api.get(&self.target.rollout),
        )
        .await
    }

    async fn merge(&self, on_status: bool, patch: &Value) -> Result<Rollout, Failed> {
        let api = self.api();
        let name = &self.target.rollout;
        let params = PatchParams::default();
        let patch = Patch::Merge(patch);
        if on_status {
            let request = self.request("patch", "rollouts/status");
            self.call(request, api.patch_status(name, &params, &patch))
                .await
        } else {
            let request = self.request("patch", "rollouts");
            self.call(request, api.patch(name, &params, &patch)).await
        }
    }

    /// A merge patch on `/status`, or on the Rollout where the cluster has
    /// no status subresource (Argo Rollouts before v0.10), as the CLI does.
    async fn merge_status(&self, patch: &Value) -> Result<Rollout, Failed> {
        match self.merge(true, patch).await {
            Err(f) if f.problem.code() == Some(404) => self.merge(false, patch).await,
            other => other,
        }
    }

    /// Read the Rollout, decide what `wanted` means for it, send that.
    pub async fn run(&self, wanted: Move) -> Outcome {
        match self.run_inner(wanted).await {
            Ok(outcome) => outcome,
            Err(f) => Outcome::Failed(f.error),
        }
    }

    async fn run_inner(&self, wanted: Move) -> Result<Outcome, Failed> {
        // Pause and abort mean the same sent twice: on a conflict, look
        // again and send again, twice at most. Nothing else is resent.
        let mut conflicts = 0;
        loop {
            let ro = self.get().await?;
            let now = stage(&ro, self.source.versions());
            let chosen = match decide(wanted, now) {
                Ok(m) => m,
                Err(why) if conflicts > 0 => return Ok(Outcome::Done(why.to_string())),
                Err(why) => return Ok(Outcome::Skipped(why.to_string())),
            };
            let sent = match chosen {
                Move::Pause => self
                    .merge(false, &json!({"spec": {"paused": true}}))
                    .await
                    .map(|_| "paused".to_string()),
                Move::Abort => self
                    .merge_status(&json!({"status": {"abort": true}}))
                    .await
                    .map(|_| "aborted: traffic back to stable".to_string()),
                Move::Retry => self
                    .merge_status(&json!({"status": {"abort": false}}))
                    .await
                    .map(|_| "retried".to_string()),
                Move::Resume | Move::Promote => {
                    match self.promote(&ro, chosen == Move::Promote).await {
                        Ok(Some(what)) => Ok(what),
                        Ok(None) if chosen == Move::Resume => {
                            return Ok(Outcome::Skipped("not paused: nothing to resume".into()));
                        }
                        Ok(None) => {
                            return Ok(Outcome::Skipped(
                                "nothing holds it: no step to promote past".into(),
                            ));
                        }
                        Err(f) => Err(f),
                    }
                }
                Move::Undo => return self.undo(&ro).await,
                Move::Rollback => unreachable_move(),
            };
            match sent {
                Err(f)
                    if f.problem.code() == Some(409)
                        && conflicts < 2
                        && matches!(chosen, Move::Pause | Move::Abort) =>
                {
                    conflicts += 1;
                    continue;
                }
                Err(f) => return Err(f),
                Ok(what) => return Ok(Outcome::Done(what)),
            }
        }
    }

    /// Argo's promote; `None` when nothing holds the Rollout.
    async fn promote(&self, ro: &Rollout, advance: bool) -> Result<Option<String>, Failed> {
        let (mut spec, status, unified) = promote_patches(ro, advance);
        if spec.is_none() && status.is_none() {
            return Ok(None);
        }
        let mut said = Vec::new();
        if let Some(patch) = &status {
            match self.merge(true, patch).await {
                Ok(_) => {}
                // No status subresource: the Rollout takes both in one patch.
                Err(f) if f.problem.code() == Some(404) => spec = Some(unified),
                Err(f) => return Err(f),
            }
            said.push(match patch["status"].get("currentStepIndex") {
                Some(i) => format!("to step index {i}"),
                None => "pause conditions cleared".to_string(),
            });
        }
        if let Some(patch) = &spec {
            self.merge(false, patch).await?;
            said.push("unpaused".to_string());
        }
        let verb = if advance { "promoted" } else { "resumed" };
        Ok(Some(format!("{verb} ({})", said.join(", "))))
    }

    async fn undo(&self, ro: &Rollout) -> Result<Outcome, Failed> {
        let Some(current) = &ro.spec.template else {
            return Ok(Outcome::Skipped(
                "its pod template lives in a Deployment (workloadRef): undo that".to_string(),
            ));
        };
        let replicasets: Api<ReplicaSet> =
            Api::namespaced(self.conn.client.clone(), &self.conn.namespace);
        let params = ListParams::default().labels(&selector(ro));
        let request = Request {
            name: None,
            ..self.request("list", "replicasets")
        };
        let all = self.call(request, replicasets.list(&params)).await?;
        let Some((revision, previous)) = previous_revision(ro, &all.items) else {
            return Ok(Outcome::Skipped(
                "no previous revision to go back to".to_string(),
            ));
        };
        let Some(template) = previous.spec.template.as_ref() else {
            return Ok(Outcome::Skipped(format!(
                "revision {revision} has no pod template"
            )));
        };
        let restored = template_without_hash(template);
        if restored == template_without_hash(current) {
            return Ok(Outcome::Skipped(format!(
                "the template already is revision {revision}'s"
            )));
        }
        let patch: kube::core::params::Patch<()> = Patch::Json(
            serde_json::from_value(json!([
                {"op": "replace", "path": "/spec/template", "value": restored}
            ]))
            .map_err(|e| Failed {
                problem: Problem::Other(e.to_string()),
                error: ControlError::Refused(format!("cannot build the patch: {e}")),
            })?,
        );
        let api = self.api();
        let request = self.request("patch", "rollouts");
        self.call(
            request,
            api.patch(&self.target.rollout, &PatchParams::default(), &patch),
        )
        .await?;
        Ok(Outcome::Done(format!("undone to revision {revision}")))
    }
}

/// `decide` never answers `Rollback`: it becomes abort or undo.
fn unreachable_move() -> Result<String, Failed> {
    Err(Failed {
        problem: Problem::Other("roll back is decided as abort or undo".to_string()),
        error: ControlError::Refused("roll back is decided as abort or undo".to_string()),
    })
}

#[cfg(test)]
mod tests;
