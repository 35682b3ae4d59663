//! Carries out confirmed actions. Every action takes one path: admitted and
//! confirmed in `update` → audit "attempt" → call the target → audit
//! "outcome" → a message back to the app.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::app::Msg;
use crate::audit::{AuditLog, AuditRecord, Mode};
use crate::domain::action::{ActionOutcome, ActionRequest, ControlError, DeploymentControl};
use crate::domain::clock::Clock;

/// Runs confirmed actions in the background and reports back by message.
#[derive(Clone)]
pub struct Executor {
    control: Arc<dyn DeploymentControl>,
    audit: Arc<AuditLog>,
    clock: Arc<dyn Clock>,
    tx: mpsc::Sender<Msg>,
    timeout: Duration,
    /// Set when the actions reach only the embedded simulator: recorded on
    /// every record, so that no history takes them for real.
    mode: Option<Mode>,
}

impl Executor {
    /// Mark every record this executor writes with `mode` (`demo`, `drill`):
    /// actions that reached only the simulator.
    pub fn marked(mut self, mode: Option<&'static str>) -> Self {
        self.mode = mode.and_then(Mode::from_word);
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

    /// Tell the target to hold `wave` at its gate; `false` when it cannot.
    pub fn hold_at_gate(&self, wave: usize, hold: bool) -> bool {
        self.control.hold_at_gate(wave, hold)
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
        // A setting made in the demo or a drill is marked as such: it never
        // counts for a real plan.
        let record = record.marked(self.mode);
        tokio::spawn(async move {
            let written = tokio::task::spawn_blocking(move || audit.append(&record)).await;
            let result = match written {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(format!("the audit writer stopped: {e}")),
            };
            let _ = tx.send(Msg::ScorecardRecorded { setting, result }).await;
        });
    }

    /// Append a person's line on the timeline of `service` to the audit
    /// log, timed now, on a blocking thread; the result comes back as
    /// `Msg::Annotated`. Marked like every record of this executor: a line
    /// written in the demo or a drill is play.
    pub fn annotate(&self, service: &str, operator: &str, text: &str) {
        let annotation = crate::domain::timeline::Annotation {
            at: self.clock.now(),
            operator: operator.to_string(),
            text: crate::domain::timeline::annotation_text(text),
        };
        let record = AuditRecord::annotation(
            service,
            &annotation.operator,
            annotation.at,
            &annotation.text,
        )
        .marked(self.mode);
        let (audit, tx) = (self.audit.clone(), self.tx.clone());
        tokio::spawn(async move {
            let written = tokio::task::spawn_blocking(move || audit.append(&record)).await;
            let result = match written {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(format!("the audit writer stopped: {e}")),
            };
            let _ = tx.send(Msg::Annotated { annotation, result }).await;
        });
    }

    /// Append `record` on a blocking thread: an append waits for the log's
    /// lock and the disk, which the async workers must not. Its position.
    async fn append(&self, record: AuditRecord) -> Result<u64, String> {
        let audit = self.audit.clone();
        match tokio::task::spawn_blocking(move || audit.append(&record)).await {
            Ok(Ok(appended)) => Ok(appended.seq),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(format!("the audit writer stopped: {e}")),
        }
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
        let attempt = AuditRecord::attempt(request, self.clock.now()).marked(self.mode);
        // The log gives the action an id no other process sharing it has.
        let logged = match self.append(attempt).await {
            Ok(appended) => appended,
            Err(e) => {
                tracing::error!(error = %e, "audit log write failed; action not sent");
                return done(ActionOutcome::Failed(format!("not sent: {e}")));
            }
        };
        tracing::info!(action = %request.action, id = logged, "action sent");
        let result = match tokio::time::timeout(self.timeout, self.control.apply(request)).await {
            Ok(result) => result,
            Err(_) => Err(ControlError::Timeout(self.timeout)),
        };
        let outcome = AuditRecord::outcome(request, self.clock.now(), &result)
            .marked(self.mode)
            .answering(logged);
        let audit_failed = self.append(outcome).await.err();
        tracing::info!(action = %request.action, id = logged, ok = result.is_ok(), "action done");
        let outcome = ActionOutcome::of(&result);
        match audit_failed {
            None => done(outcome),
            Some(e) => {
                tracing::error!(error = %e, "audit log write failed for an outcome");
                // The call's own result stands: a done action reported as failed
                // would invite a second one.
                done(outcome.adding(&format!(" (but the outcome is not in the audit log: {e})")))
            }
        }
    }
}
