//! Actions on a rollout and their record. Every action takes one path:
//! confirmed in `update` → audit "attempt" → call the target → audit
//! "outcome" → a message back to the app.

pub mod audit;
pub mod recall;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::app::Msg;
use crate::app::state::ActionScope;
use crate::clock::Clock;
use crate::domain::rollout::Action;
use audit::{AuditLog, AuditRecord};

/// A confirmed action, with everything the audit log needs to say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRequest {
    pub id: u64,
    pub action: Action,
    pub scope: ActionScope,
    pub service: String,
    pub stable_version: String,
    pub canary_version: String,
    pub operator: String,
    pub reason: Option<String>,
}

/// Why a target did not carry out an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("refused by the target: {0}")]
    Refused(String),
    #[error("target unreachable: {0}")]
    Unreachable(String),
    #[error(
        "no answer within {0:?}: the outcome is unknown, check the rollout before acting again"
    )]
    Timeout(Duration),
}

/// The future a control call returns.
pub type ControlFuture<'a> =
    Pin<Box<dyn Future<Output = Result<String, ControlError>> + Send + 'a>>;

/// Something that can carry out actions on a rollout: the simulator, Argo
/// Rollouts, a deploy API. It answers with a short description of what it did.
pub trait DeploymentControl: Send + Sync {
    fn apply<'a>(&'a self, request: &'a ActionRequest) -> ControlFuture<'a>;
}

/// The control of a war room with no deployment source: refuses everything.
pub struct NoControl;

impl DeploymentControl for NoControl {
    fn apply<'a>(&'a self, _request: &'a ActionRequest) -> ControlFuture<'a> {
        Box::pin(async {
            Err(ControlError::Refused(
                "no deployment source in the plan".to_string(),
            ))
        })
    }
}

/// Runs confirmed actions in the background and reports back by message.
#[derive(Clone)]
pub struct Executor {
    control: Arc<dyn DeploymentControl>,
    audit: Arc<AuditLog>,
    clock: Arc<dyn Clock>,
    tx: mpsc::Sender<Msg>,
    timeout: Duration,
    /// `Some("demo")` when the actions reach only the embedded simulator:
    /// recorded on every record, so that no history takes them for real.
    mode: Option<&'static str>,
}

impl Executor {
    /// Mark every record this executor writes with `mode` (`demo`, `drill`):
    /// actions that reached only the simulator.
    pub fn marked(mut self, mode: Option<&'static str>) -> Self {
        self.mode = mode;
        self
    }

    pub fn new(
        control: Arc<dyn DeploymentControl>,
        audit: Arc<AuditLog>,
        clock: Arc<dyn Clock>,
        tx: mpsc::Sender<Msg>,
        timeout: Duration,
    ) -> Self {
        Executor {
            control,
            audit,
            clock,
            tx,
            timeout,
            mode: None,
        }
    }

    /// Start `request` on its own task; its outcome arrives as `Msg::ActionDone`.
    pub fn execute(&self, request: ActionRequest) {
        let this = self.clone();
        tokio::spawn(async move {
            let msg = this.perform(&request).await;
            // The app may have quit meanwhile; the audit log has the outcome.
            let _ = this.tx.send(msg).await;
        });
    }

    /// Append a scorecard setting to the audit log on a blocking thread; the
    /// result comes back as `Msg::ScorecardRecorded`.
    pub fn record(&self, record: AuditRecord, setting: crate::domain::scorecard::Setting) {
        let (audit, tx) = (self.audit.clone(), self.tx.clone());
        tokio::spawn(async move {
            let written = tokio::task::spawn_blocking(move || audit.append(&record)).await;
            let result = match written {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(format!("the audit writer stopped: {e}")),
            };
            let _ = tx.send(Msg::ScorecardRecorded { setting, result }).await;
        });
    }

    /// Audit the attempt, call the target, audit the outcome. An action whose
    /// attempt cannot be recorded is not sent.
    pub async fn perform(&self, request: &ActionRequest) -> Msg {
        let done = |outcome| Msg::ActionDone {
            id: request.id,
            action: request.action,
            at: self.clock.now(),
            outcome,
        };
        let mut attempt = AuditRecord::attempt(request, self.clock.now());
        attempt.mode = self.mode;
        if let Err(e) = self.audit.append(&attempt) {
            tracing::error!(error = %e, "audit log write failed; action not sent");
            return done(Err(format!("not sent: {e}")));
        }
        tracing::info!(action = %request.action, id = request.id, "action sent");
        let result = match tokio::time::timeout(self.timeout, self.control.apply(request)).await {
            Ok(result) => result,
            Err(_) => Err(ControlError::Timeout(self.timeout)),
        };
        let mut outcome = AuditRecord::outcome(request, self.clock.now(), &result);
        outcome.mode = self.mode;
        let audit_failed = self.audit.append(&outcome).err();
        tracing::info!(action = %request.action, id = request.id, ok = result.is_ok(), "action done");
        let result = result.map_err(|e| e.to_string());
        match audit_failed {
            None => done(result),
            Some(e) => {
                tracing::error!(error = %e, "audit log write failed for an outcome");
                // The call's own result stands: a done action reported as failed
                // would invite a second one.
                done(match result {
                    Ok(what) => Ok(format!(
                        "{what} (but the outcome is not in the audit log: {e})"
                    )),
                    Err(why) => Err(format!("{why}; the outcome is not in the audit log: {e}")),
                })
            }
        }
    }
}
