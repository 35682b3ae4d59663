//! Starting a war room: the state, the sources' tasks and the channel they
//! report on, for the embedded demo or for a rollout plan file.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::app::Msg;
use crate::app::state::{AppState, RunMode};
use crate::clock::Clock;
use crate::config::plan::{DeploySource, PlanFile};
use crate::control::DeploymentControl;
use crate::domain::scorecard::{Item, Setting, Status};
use crate::domain::timeline::EventKind;
use crate::domain::{Span, Timestamp};
use crate::sim::{Fleet, FleetSpec};
use crate::sources::argo::ArgoRollouts;
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
    // The cause follows in the error chain; naming it here too would repeat it.
    #[error("metrics source")]
    Metrics(#[from] SetupError),
    #[error("deploy source")]
    Deploy(#[from] SecretError),
}

/// How many messages may wait before sources pause for the app to catch up.
const QUEUE: usize = 256;

/// Ninety days of simulated delivery history for the demo's DORA panel, the
/// rollout on screen included: rolling it back counts as a failed deployment.
pub fn demo_history(
    plan: &crate::domain::plan::RolloutPlan,
    seed: u64,
    now: crate::domain::Timestamp,
) -> crate::domain::dora::History {
    use crate::domain::dora::{Event, History};
    let mut history = History::default();
    let current = Event::Deployment {
        id: format!("{} {}", plan.service, plan.canary_version),
        time: now,
        version: Some(plan.canary_version.clone()),
        commits: vec![],
        hotfix: false,
    };
    for event in crate::sim::history::history(seed, now, 91, 2.0)
        .into_iter()
        .chain([current])
    {
        // Generated ids are unique; a duplicate would only drop that event.
        let _ = history.add(event);
    }
    history
}

/// The demo's scorecard as its people left it before the rollout: four items
/// set with notes, and a rollback drill six days ago. Communications is
/// still amber, so the demo starts at GO with one item not green.
pub fn seed_demo_scorecard(state: &mut AppState, now: Timestamp) {
    let set = |item, status, note: &str, operator: &str, hours: i64| Setting {
        item,
        status,
        note: note.to_string(),
        operator: operator.to_string(),
        at: now - Span::hours(hours),
    };
    state.scorecard_settings = vec![
        set(
            Item::Baseline,
            Status::Green,
            "change CR-4411 approved; config diff attached",
            "lee",
            20,
        ),
        set(
            Item::Pilot,
            Status::Green,
            "beta tenants re-tested on 2.4.0-rc3",
            "kim",
            18,
        ),
        set(
            Item::Support,
            Status::Green,
            "two champions per region on the rota",
            "sam",
            6,
        ),
        set(
            Item::Communications,
            Status::Amber,
            "status page draft awaiting review",
            "pat",
            2,
        ),
    ];
    state.last_rollback = Some(now - Span::days(6));
}

impl Session {
    /// The embedded simulated rollout, reporting every second.
    pub fn demo(spec: FleetSpec, clock: Arc<dyn Clock>, theme_names: Vec<String>) -> Session {
        let now = clock.now();
        let mut state = AppState::new(
            spec.plan.clone(),
            RunMode::Demo,
            simulator::source_infos(),
            theme_names,
            now,
        );
        seed_demo_scorecard(&mut state, now);
        let history = demo_history(&spec.plan, spec.seed, now);
        crate::app::update(&mut state, Msg::History(Ok(Box::new(history))));
        Session::simulated(state, spec, clock)
    }

    /// A tabletop drill: `spec` (a plan rehearsed, or the demo) on the
    /// embedded simulator, marked DRILL. Nothing real is reached.
    pub fn drill(spec: FleetSpec, clock: Arc<dyn Clock>, theme_names: Vec<String>) -> Session {
        let now = clock.now();
        let state = AppState::new(
            spec.plan.clone(),
            RunMode::Drill,
            simulator::source_infos(),
            theme_names,
            now,
        );
        Session::simulated(state, spec, clock)
    }

    /// `state` fed by the simulator running `spec`, which also obeys actions.
    fn simulated(state: AppState, spec: FleetSpec, clock: Arc<dyn Clock>) -> Session {
        let now = clock.now();
        let (tx, messages) = mpsc::channel(QUEUE);
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
        let mut infos = Vec::new();
        let mut control: Option<Arc<dyn DeploymentControl>> = None;
        match &plan.deploy {
            None => {}
            Some(DeploySource::Http { endpoint }) => {
                let api = DeployApi::new(endpoint)?;
                infos.push(api.info.clone());
                let poller = api.clone();
                spawn_poller(api.info.clone(), 0, clock.clone(), tx.clone(), move || {
                    let api = poller.clone();
                    async move { api.poll().await.map(|s| (Report::Rollout(s), Vec::new())) }
                });
                control = Some(Arc::new(api));
            }
            Some(DeploySource::Argo(config)) => {
                let argo = Arc::new(ArgoRollouts::new(config, &plan.plan));
                infos.push(argo.info.clone());
                argo.spawn(0, clock.clone(), tx.clone());
                control = Some(argo);
            }
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
        if let Some(path) = plan.history.clone() {
            // A long history takes a moment to read: off the loop, shown as loading.
            state.dora = crate::app::state::Dora::Loading;
            let tx = tx.clone();
            let (service, canary) = (plan.plan.service.clone(), plan.plan.canary_version.clone());
            tokio::task::spawn_blocking(move || {
                let mut history = crate::domain::dora::History::default();
                let result = crate::sources::history::read_events(&path, &mut history)
                    .map(|_| {
                        // The rollout on screen is a deployment too: rolling it
                        // back from the keys must count against it.
                        if !history.has_version(&canary) {
                            let _ = history.add(crate::domain::dora::Event::Deployment {
                                id: format!("{service} {canary}"),
                                time: now,
                                version: Some(canary),
                                commits: vec![],
                                hotfix: false,
                            });
                        }
                        Box::new(history)
                    })
                    .map_err(|e| e.to_string());
                let _ = tx.blocking_send(Msg::History(result));
            });
        }
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
