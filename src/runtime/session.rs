//! Starting a war room: the state, the sources' tasks and the channel they
//! report on, for the embedded demo or for a rollout plan file.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::baselines::Baselines;
use super::journal::Opening;
use super::sources::Registry;
use crate::app::Msg;
use crate::app::state::{AppState, RunMode, Seat};
use crate::config::plan::{DeploySource, PlanFile};
use crate::domain::action::DeploymentControl;
use crate::domain::clock::Clock;
use crate::domain::dora::{Event, History};
use crate::domain::drill::scenario::Scenario;
use crate::domain::plan::RolloutPlan;
use crate::domain::scorecard::{Item, Recalled, Setting, Status};
use crate::domain::source::Report;
use crate::domain::timeline::EventKind;
use crate::domain::{Span, Timestamp};
use crate::integrations::argo::ArgoRollouts;
use crate::integrations::deploy_api::DeployApi;
use crate::integrations::events::read_events;
use crate::integrations::http::SetupError;
use crate::integrations::prometheus::PrometheusSource;
use crate::sim::adapter::{self, SimWiring};
use crate::sim::drill::DrillHandle;
use crate::sim::{Fleet, FleetSpec};

/// A running set of sources and the state they feed.
pub struct Session {
    pub state: AppState,
    pub messages: mpsc::Receiver<Msg>,
    /// For the action path to report outcomes on.
    pub tx: mpsc::Sender<Msg>,
    /// Where actions go; `None` when the plan has no deployment source.
    pub control: Option<Arc<dyn DeploymentControl>>,
    /// Where questions about before the rollout go: the metrics source.
    pub baselines: Option<Baselines>,
    /// The notification receivers, their secrets read; empty when nothing
    /// is sent.
    pub receivers: Vec<crate::integrations::notify::Receiver>,
    /// A drill's script, shared with the simulator and the facilitator;
    /// `None` outside drills.
    pub drill: Option<crate::sim::drill::DrillHandle>,
    /// What the state was made of, for a journal of the session.
    pub opening: Opening,
}

/// The longest a baseline question may take in all: the request has its
/// own, shorter bound (a window of days answers slower than a poll).
const BASELINE_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    // The cause follows in the error chain; naming it here too would repeat it.
    #[error("metrics source")]
    Metrics(#[source] SetupError),
    #[error("deploy source")]
    Deploy(#[source] SetupError),
    #[error("notification receiver {0}")]
    Notify(String, #[source] SetupError),
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
pub fn demo_scorecard(now: Timestamp) -> Recalled {
    let set = |item, status, note: &str, operator: &str, hours: i64| Setting {
        item,
        status,
        note: note.to_string(),
        operator: operator.to_string(),
        at: now - Span::hours(hours),
    };
    Recalled {
        settings: vec![
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
        ],
        last_rollback: Some(now - Span::days(6)),
        annotations: Vec::new(),
    }
}

impl Session {
    /// The embedded simulated rollout, reporting every second. The demo's
    /// scorecard is its own, whatever `seat` remembers; the lines people
    /// wrote on its timeline (in the demo) stay.
    pub fn demo(spec: FleetSpec, clock: Arc<dyn Clock>, mut seat: Seat) -> Session {
        let now = clock.now();
        seat.remembered = Recalled {
            annotations: std::mem::take(&mut seat.remembered.annotations),
            ..demo_scorecard(now)
        };
        let (tx, messages) = mpsc::channel(QUEUE);
        let mut registry = Registry::new(tx.clone());
        let control = simulated(&mut registry, &spec, &clock, None);
        let baselines =
            Baselines::new(control.clone(), clock.clone(), tx.clone(), BASELINE_TIMEOUT);
        let mut opening = Opening::new(&seat, registry.infos(), RunMode::Demo, now);
        let mut state = AppState::new(
            spec.plan.clone(),
            RunMode::Demo,
            registry.infos(),
            seat,
            now,
        );
        let history = demo_history(&spec.plan, spec.seed, now);
        opening.apply(&mut state, Msg::History(Ok(Box::new(history))));
        Session {
            opening,
            state,
            messages,
            tx,
            control: Some(control),
            baselines: Some(baselines),
            receivers: Vec::new(),
            drill: None,
        }
    }

    /// A tabletop drill of `spec`'s own faults (the classic drill: the
    /// canary failing from a time on), as a script.
    pub fn drill(spec: FleetSpec, clock: Arc<dyn Clock>, seat: Seat) -> Session {
        let (spec, scenario) = spec.into_script();
        Session::drill_of(spec, scenario, clock, seat)
    }

    /// A tabletop drill: `scenario`'s script (its regions placed on the
    /// fleet, see [`crate::sim::place`]) played on `spec` (a plan
    /// rehearsed, or the demo) in the embedded simulator, marked DRILL.
    /// Nothing real is reached.
    pub fn drill_of(
        spec: FleetSpec,
        scenario: Scenario,
        clock: Arc<dyn Clock>,
        seat: Seat,
    ) -> Session {
        let now = clock.now();
        let handle = DrillHandle::new(scenario, now);
        let (tx, messages) = mpsc::channel(QUEUE);
        let mut registry = Registry::new(tx.clone());
        let control = simulated(&mut registry, &spec, &clock, Some(handle.clone()));
        let baselines =
            Baselines::new(control.clone(), clock.clone(), tx.clone(), BASELINE_TIMEOUT);
        let opening = Opening::new(&seat, registry.infos(), RunMode::Drill, now);
        let state = AppState::new(
            spec.plan.clone(),
            RunMode::Drill,
            registry.infos(),
            seat,
            now,
        );
        Session {
            opening,
            state,
            messages,
            tx,
            control: Some(control),
            baselines: Some(baselines),
            receivers: Vec::new(),
            drill: Some(handle),
        }
    }

    /// A real rollout as `plan` describes it: its deploy source (if any) and
    /// its metrics source, each polled on its own task. Without a deploy
    /// source the seat is read-only.
    pub fn from_plan(
        plan: &PlanFile,
        clock: Arc<dyn Clock>,
        mut seat: Seat,
    ) -> Result<Session, SessionError> {
        let (tx, messages) = mpsc::channel(QUEUE);
        let mut registry = Registry::new(tx.clone());
        let metrics =
            PrometheusSource::new(&plan.metrics, &plan.plan).map_err(SessionError::Metrics)?;
        let mut control: Option<Arc<dyn DeploymentControl>> = None;
        match &plan.deploy {
            None => {}
            Some(DeploySource::Http { endpoint }) => {
                let api = DeployApi::new(endpoint).map_err(SessionError::Deploy)?;
                let poller = api.clone();
                registry.spawn_poller(api.info.clone(), clock.clone(), move || {
                    let api = poller.clone();
                    async move { api.poll().await.map(|s| (Report::Rollout(s), Vec::new())) }
                });
                control = Some(Arc::new(api));
            }
            Some(DeploySource::Argo(config)) => {
                let argo = Arc::new(ArgoRollouts::new(config, &plan.plan));
                let (_, sink) = registry.register(argo.info.clone());
                argo.spawn(clock.clone(), sink);
                control = Some(argo);
            }
        }
        let baselines = Baselines::new(
            Arc::new(metrics.clone()),
            clock.clone(),
            tx.clone(),
            BASELINE_TIMEOUT,
        );
        registry.spawn_poller(metrics.info.clone(), clock.clone(), move || {
            let source = metrics.clone();
            async move {
                source
                    .poll()
                    .await
                    .map(|p| (Report::Metrics(p.samples), p.notes))
            }
        });
        let now = clock.now();
        seat.history_loading = plan.history.is_some();
        seat.read_only |= control.is_none();
        let mut opening = Opening::new(&seat, registry.infos(), RunMode::Live, now);
        let mut state = AppState::new(
            plan.plan.clone(),
            RunMode::Live,
            registry.infos(),
            seat,
            now,
        );
        if let Some(path) = plan.history.clone() {
            // A long history takes a moment to read: off the loop, shown as loading.
            spawn_history(path, &plan.plan, now, tx.clone());
        }
        let intro = format!(
            "watching {} from {}",
            plan.plan.service,
            plan.path.display()
        );
        opening.apply(
            &mut state,
            Msg::Note {
                kind: EventKind::Progress,
                text: intro,
            },
        );
        if control.is_none() {
            let text = "the plan has no deployment source: actions are off, the phase is unknown";
            opening.apply(
                &mut state,
                Msg::Note {
                    kind: EventKind::Source,
                    text: text.to_string(),
                },
            );
        }
        Ok(Session {
            opening,
            state,
            messages,
            tx,
            control,
            baselines: Some(baselines),
            receivers: Vec::new(),
            drill: None,
        })
    }

    /// Send notifications to `receivers` (their secrets are read now). A
    /// read-only screen sends none: the operator's screen does.
    pub fn with_receivers(
        mut self,
        receivers: &[crate::config::plan::NotifyReceiver],
    ) -> Result<Session, SessionError> {
        if receivers.is_empty() {
            return Ok(self);
        }
        if self.state.read_only {
            let text = "read-only: notifications are sent by the operator's screen, not this one";
            self.opening.apply(
                &mut self.state,
                Msg::Note {
                    kind: EventKind::Notification,
                    text: text.to_string(),
                },
            );
            return Ok(self);
        }
        for config in receivers {
            let receiver = crate::integrations::notify::Receiver::open(config)
                .map_err(|e| SessionError::Notify(config.name.clone(), e))?;
            self.state
                .receivers
                .push(crate::app::receivers::ReceiverHealth::new(
                    &config.name,
                    config.kind.word(),
                ));
            self.opening
                .receivers
                .push((config.name.clone(), config.kind.word().to_string()));
            self.receivers.push(receiver);
        }
        let drill = match self.state.mode {
            RunMode::Live => "",
            _ => ", every message marked as a drill",
        };
        let names: Vec<String> = receivers
            .iter()
            .map(|r| format!("{} {}", r.kind.word(), r.name))
            .collect();
        let text = format!("notifying {}{drill}", names.join(", "));
        self.opening.apply(
            &mut self.state,
            Msg::Note {
                kind: EventKind::Notification,
                text,
            },
        );
        Ok(self)
    }
}

/// The simulator running `spec` as two sources (deploy, metrics), which also
/// obeys actions and answers what its signals were before the rollout.
fn simulated(
    registry: &mut Registry,
    spec: &FleetSpec,
    clock: &Arc<dyn Clock>,
    drill: Option<DrillHandle>,
) -> Arc<adapter::SimControl> {
    let (_, deploy) = registry.register(adapter::deploy_info());
    let (_, metrics) = registry.register(adapter::metrics_info());
    let mut fleet = Fleet::new(spec.clone(), clock.now());
    if let Some(drill) = drill {
        fleet = fleet.with_drill(drill);
    }
    let wiring = SimWiring { deploy, metrics };
    Arc::new(adapter::spawn(
        fleet,
        clock.clone(),
        Duration::from_secs(1),
        wiring,
    ))
}

/// Read the history file at `path` off the loop; the rollout on screen is a
/// deployment too, so rolling it back from the keys counts against it.
fn spawn_history(path: PathBuf, plan: &RolloutPlan, now: Timestamp, tx: mpsc::Sender<Msg>) {
    let (service, canary) = (plan.service.clone(), plan.canary_version.clone());
    tokio::task::spawn_blocking(move || {
        let mut history = History::default();
        let result = read_events(&path, &mut history)
            .map(|_| {
                if !history.has_version(&canary) {
                    let _ = history.add(Event::Deployment {
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
