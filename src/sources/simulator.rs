//! The embedded simulator as a source: a task that owns the fleet, reports
//! its rollout state and metrics on an interval, and obeys actions sent to it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::MissedTickBehavior;

use super::{Report, SourceInfo, SourceKind};
use crate::app::Msg;
use crate::clock::Clock;
use crate::control::{ActionRequest, ControlError, ControlFuture, DeploymentControl};
use crate::domain::rollout::{Action, ActionScope, Refusal};
use crate::sim::Fleet;

/// The two sources the simulator stands for, in the order their reports name them.
pub fn source_infos() -> Vec<SourceInfo> {
    vec![
        SourceInfo {
            name: "sim-deploy".to_string(),
            kind: SourceKind::Deployment,
            interval: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
        },
        SourceInfo {
            name: "sim-metrics".to_string(),
            kind: SourceKind::Metrics,
            interval: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
        },
    ]
}

struct Command {
    action: Action,
    scope: ActionScope,
    reply: oneshot::Sender<Result<(), Refusal>>,
}

/// Sends actions to the simulator task.
#[derive(Clone)]
pub struct SimControl {
    tx: mpsc::Sender<Command>,
}

impl DeploymentControl for SimControl {
    fn apply<'a>(&'a self, request: &'a ActionRequest) -> ControlFuture<'a> {
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            let gone = || ControlError::Unreachable("the simulator has stopped".to_string());
            self.tx
                .send(Command {
                    action: request.action,
                    scope: request.scope.clone(),
                    reply,
                })
                .await
                .map_err(|_| gone())?;
            match answer.await.map_err(|_| gone())? {
                Ok(()) => Ok(format!("simulator: {} applied", request.action)),
                Err(refusal) => Err(ControlError::Refused(refusal.to_string())),
            }
        })
    }
}

/// Where the simulator's reports go: the app's channel and the source indices.
pub struct SimWiring {
    pub tx: mpsc::Sender<Msg>,
    pub deploy_source: usize,
    pub metrics_source: usize,
}

/// Run `fleet` on its own task, reporting every `interval`.
pub fn spawn(
    fleet: Fleet,
    clock: Arc<dyn Clock>,
    interval: Duration,
    wiring: SimWiring,
) -> SimControl {
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(run(fleet, clock, interval, wiring, rx));
    SimControl { tx }
}

async fn run(
    mut fleet: Fleet,
    clock: Arc<dyn Clock>,
    interval: Duration,
    wiring: SimWiring,
    mut commands: mpsc::Receiver<Command>,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let rollout = |fleet: &Fleet, at| Msg::Source {
        source: wiring.deploy_source,
        took: std::time::Duration::ZERO,
        notes: Vec::new(),
        at,
        result: Ok(Report::Rollout(fleet.status())),
    };
    loop {
        let sent = tokio::select! {
            _ = ticker.tick() => {
                let now = clock.now();
                fleet.advance(now);
                let metrics = Msg::Source {
                    source: wiring.metrics_source,
                    took: std::time::Duration::ZERO,
                    notes: Vec::new(),
                    at: now,
                    result: Ok(Report::Metrics(fleet.sample(now))),
                };
                wiring.tx.send(rollout(&fleet, now)).await.is_ok() && wiring.tx.send(metrics).await.is_ok()
            }
            command = commands.recv() => {
                let Some(command) = command else { break };
                let now = clock.now();
                let result = fleet.apply(command.action, &command.scope, now);
                let _ = command.reply.send(result);
                wiring.tx.send(rollout(&fleet, now)).await.is_ok()
            }
        };
        if !sent {
            break;
        }
    }
}
