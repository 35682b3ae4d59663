//! Starting a war room: the state, the sources' tasks and the channel they
//! report on, for the embedded demo or for a rollout plan file.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::app::Msg;
use crate::app::state::{AppState, RunMode};
use crate::clock::Clock;
use crate::config::plan::PlanFile;
use crate::control::DeploymentControl;
use crate::domain::timeline::EventKind;
use crate::sim::{Fleet, FleetSpec};
use crate::sources::deploy_api::DeployApi;
use crate::sources::prometheus::{PrometheusSource, SetupError};
use crate::sources::secret::SecretError;
use crate::sources::simulator::{self, SimWiring};
use crate::sources::{Report, spawn_poller};

/// A running set of sources and the state they feed.
pub struct Session {
    pub state: AppState,
    pub messages: mpsc::Receiver<Msg>,
    /// For the action path to report outcomes on.
    pub tx: mpsc::Sender<Msg>,
    /// Where actions go; `None` when the plan has no deployment source.
    pub control: Option<Arc<dyn DeploymentControl>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("metrics source: {0}")]
    Metrics(#[from] SetupError),
    #[error("deploy source: {0}")]
    Deploy(#[from] SecretError),
}

/// How many messages may wait before sources pause for the app to catch up.
const QUEUE: usize = 256;

impl Session {
    /// The embedded simulated rollout, reporting every second.
    pub fn demo(spec: FleetSpec, clock: Arc<dyn Clock>, theme_names: Vec<String>) -> Session {
        let now = clock.now();
        let (tx, messages) = mpsc::channel(QUEUE);
        let state = AppState::new(
            spec.plan.clone(),
            RunMode::Demo,
            simulator::source_infos(),
            theme_names,
            now,
        );
        let wiring = SimWiring {
            tx: tx.clone(),
            deploy_source: 0,
            metrics_source: 1,
        };
        let control =
            simulator::spawn(Fleet::new(spec, now), clock, Duration::from_secs(1), wiring);
        Session {
            state,
            messages,
            tx,
            control: Some(Arc::new(control)),
        }
    }

    /// A real rollout as `plan` describes it: its deploy source (if any) and
    /// its metrics source, each polled on its own task.
    pub fn from_plan(
        plan: &PlanFile,
        clock: Arc<dyn Clock>,
        theme_names: Vec<String>,
    ) -> Result<Session, SessionError> {
        let (tx, messages) = mpsc::channel(QUEUE);
        let metrics = PrometheusSource::new(&plan.metrics, &plan.plan)?;
        let deploy = plan.deploy.as_ref().map(DeployApi::new).transpose()?;
        let mut infos = Vec::new();
        let mut control: Option<Arc<dyn DeploymentControl>> = None;
        if let Some(api) = deploy {
            infos.push(api.info.clone());
            let poller = api.clone();
            spawn_poller(api.info.clone(), 0, clock.clone(), tx.clone(), move || {
                let api = poller.clone();
                async move { api.poll().await.map(|s| (Report::Rollout(s), Vec::new())) }
            });
            control = Some(Arc::new(api));
        }
        let index = infos.len();
        infos.push(metrics.info.clone());
        spawn_poller(
            metrics.info.clone(),
            index,
            clock.clone(),
            tx.clone(),
            move || {
                let source = metrics.clone();
                async move {
                    source
                        .poll()
                        .await
                        .map(|p| (Report::Metrics(p.samples), p.notes))
                }
            },
        );
        let now = clock.now();
        let mut state = AppState::new(plan.plan.clone(), RunMode::Live, infos, theme_names, now);
        let intro = format!(
            "watching {} from {}",
            plan.plan.service,
            plan.path.display()
        );
        state.timeline.push(now, EventKind::Progress, intro);
        if control.is_none() {
            state.read_only = true;
            state.timeline.push(
                now,
                EventKind::Source,
                "the plan has no deployment source: actions are off, the phase is unknown",
            );
        }
        Ok(Session {
            state,
            messages,
            tx,
            control,
        })
    }
}
