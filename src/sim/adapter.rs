//! The embedded simulator as a source: a task that owns the fleet, reports
//! its rollout state and metrics on an interval, and obeys actions sent to it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::MissedTickBehavior;

use super::Fleet;
use crate::domain::action::{ActionRequest, ControlError, ControlFuture, DeploymentControl};
use crate::domain::baseline::{BaselineFuture, BaselineRequest, BaselineSource, BaselineValues};
use crate::domain::clock::Clock;
use crate::domain::drill::scenario::DeployFailure;
use crate::domain::rollout::{Action, ActionScope};
use crate::domain::source::SourceError;
use crate::domain::source::{Polled, Report, SourceInfo, SourceKind};

/// The simulator's deployment source.
pub fn deploy_info() -> SourceInfo {
    SourceInfo {
        name: "sim-deploy".to_string(),
        kind: SourceKind::Deployment,
        interval: Duration::from_secs(1),
        timeout: Duration::from_secs(1),
    }
}

/// The simulator's metrics source.
pub fn metrics_info() -> SourceInfo {
    SourceInfo {
        name: "sim-metrics".to_string(),
        kind: SourceKind::Metrics,
        interval: Duration::from_secs(1),
        timeout: Duration::from_secs(1),
    }
}

/// The two sources the simulator stands for, in the order they are registered.
pub fn source_infos() -> Vec<SourceInfo> {
    vec![deploy_info(), metrics_info()]
}

enum Command {
    Act {
        action: Action,
        scope: ActionScope,
        reply: oneshot::Sender<Result<(), ControlError>>,
    },
    HoldAtGate {
        wave: usize,
        hold: bool,
    },
    Baseline {
        request: BaselineRequest,
        reply: oneshot::Sender<Result<BaselineValues, String>>,
    },
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
                .send(Command::Act {
                    action: request.action,
                    scope: request.scope.clone(),
                    reply,
                })
                .await
                .map_err(|_| gone())?;
            answer.await.map_err(|_| gone())??;
            Ok(format!("simulator: {} applied", request.action))
        })
    }

    fn hold_at_gate(&self, wave: usize, hold: bool) -> bool {
        // The channel is short and the task drains it every tick: a full one
        // means the simulator is gone or stuck, and the gate says so next poll.
        self.tx.try_send(Command::HoldAtGate { wave, hold }).is_ok()
    }
}

impl BaselineSource for SimControl {
    fn before<'a>(&'a self, request: &'a BaselineRequest) -> BaselineFuture<'a> {
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            let gone = || "the simulator has stopped".to_string();
            let request = request.clone();
            self.tx
                .send(Command::Baseline { request, reply })
                .await
                .map_err(|_| gone())?;
            answer.await.map_err(|_| gone())?
        })
    }
}

/// How many polls of the healthy fleet a value before the rollout is the
/// mean of: enough to smooth the sampling noise.
const BASELINE_DRAWS: usize = 60;

/// What `request`'s signal was before the rollout in the simulated fleet:
/// its healthy profile, without any fault, all traffic on stable (a rate
/// per version is stable's and the canary's together).
fn before(fleet: &Fleet, request: &BaselineRequest) -> BaselineValues {
    use crate::domain::health::VersionRole;
    use crate::domain::signal::{Per, Unit};
    let mut spec = fleet.spec().clone();
    spec.faults.clear();
    let mut healthy = Fleet::new(spec, request.end);
    let signal = &request.signal;
    let split = signal.per() == Per::Version && *signal.unit() == Unit::PerSecond;
    let mut sums: std::collections::BTreeMap<String, f64> = Default::default();
    for _ in 0..BASELINE_DRAWS {
        for s in healthy.sample(request.end) {
            if s.signal != *signal || !s.value.is_finite() {
                continue;
            }
            if signal.per() == Per::Version && s.version == VersionRole::Canary && !split {
                continue;
            }
            *sums.entry(s.region).or_default() += s.value;
        }
    }
    let mut values = BaselineValues::default();
    let draws = BASELINE_DRAWS as f64;
    for (region, sum) in sums {
        match signal.per() {
            Per::Service => values.service = Some(sum / draws),
            _ => {
                values.regions.insert(region, sum / draws);
            }
        }
    }
    values
}

/// Where the simulator's reports go: one channel for each of its two sources.
pub struct SimWiring {
    pub deploy: mpsc::Sender<Polled>,
    pub metrics: mpsc::Sender<Polled>,
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
    let rollout = |fleet: &Fleet, at| Polled::instant(at, Report::Rollout(fleet.status()));
    // Actions a drill's deploy API never answers: held, unanswered, until
    // the simulator stops, as a hung API would hold them.
    let mut unanswered = Vec::new();
    loop {
        let sent = tokio::select! {
            _ = ticker.tick() => {
                let now = clock.now();
                fleet.advance(now);
                let metrics = metrics_poll(&mut fleet, now, interval);
                wiring.deploy.send(rollout(&fleet, now)).await.is_ok() && wiring.metrics.send(metrics).await.is_ok()
            }
            command = commands.recv() => {
                let now = clock.now();
                match command {
                    None => break,
                    Some(Command::Act { action, scope, reply }) => {
                        match act(&mut fleet, action, &scope, now) {
                            Some(answer) => {
                                let _ = reply.send(answer);
                            }
                            None => unanswered.push(reply),
                        }
                    }
                    Some(Command::HoldAtGate { wave, hold }) => fleet.hold_at_gate(wave, hold, now),
                    Some(Command::Baseline { request, reply }) => {
                        let _ = reply.send(Ok(before(&fleet, &request)));
                        continue;
                    }
                }
                wiring.deploy.send(rollout(&fleet, now)).await.is_ok()
            }
        };
        if !sent {
            break;
        }
    }
}

/// One poll of the simulated metrics source: the fleet's samples with the
/// alerts firing as notes, or, while a drill has it dark, no answer (the
/// fleet still serves its traffic, and counts what fails; nothing is
/// invented for the screen).
pub fn metrics_poll(
    fleet: &mut Fleet,
    now: crate::domain::Timestamp,
    interval: Duration,
) -> Polled {
    let samples = fleet.sample(now);
    if fleet.metrics_dark(now) {
        return Polled {
            at: now,
            took: interval,
            result: Err(SourceError(format!("no answer within {interval:?}"))),
            notes: Vec::new(),
        };
    }
    let mut polled = Polled::instant(now, Report::Metrics(samples));
    polled.notes = fleet.alerts(now);
    polled
}

/// The answer to `action`: the fleet's, or the failure a drill's deploy
/// API plays; `None` when the API gives no answer at all.
pub fn act(
    fleet: &mut Fleet,
    action: Action,
    scope: &ActionScope,
    now: crate::domain::Timestamp,
) -> Option<Result<(), ControlError>> {
    let answer = match fleet.deploy_failure(now) {
        None => fleet
            .apply(action, scope, now)
            .map_err(|r| ControlError::Refused(r.to_string())),
        Some(DeployFailure::Forbidden) => Err(ControlError::Refused(format!(
            "403 forbidden: this identity may not {action} {}; ask someone who may",
            scope.label()
        ))),
        Some(DeployFailure::ServerError) => Err(ControlError::Unreachable(
            "server error (500): the deploy API failed; nothing was changed".to_string(),
        )),
        Some(DeployFailure::Timeout) => return None,
    };
    Some(answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Span;
    use crate::runtime::demo::epoch;
    use crate::sim::FleetSpec;

    #[test]
    fn before_the_rollout_the_fleet_is_its_healthy_profile() {
        let mut spec = FleetSpec::demo(1);
        let mut fleet = Fleet::new(spec.clone(), epoch());
        // A fault already running in the canary says nothing of before.
        spec.faults.clear();
        fleet.advance(epoch() + Span::seconds(600));
        let ask = |name: &str| BaselineRequest {
            key: 0,
            signal: spec.plan.signals.get(name).cloned().unwrap(),
            window: Span::hours(24),
            end: epoch(),
        };
        let errors = before(&fleet, &ask("error_rate"));
        let eu = errors.regions.get("eu-west-1").copied().unwrap();
        assert!((0.002..0.004).contains(&eu), "{eu}");
        assert_eq!(errors.regions.len(), 4);
        // All the traffic, stable's and the canary's together.
        let rate = before(&fleet, &ask("request_rate"));
        let eu = rate.regions.get("eu-west-1").copied().unwrap();
        assert!((1000.0..1400.0).contains(&eu), "{eu}");
    }

    fn drilled(fault: crate::domain::drill::scenario::FaultKind) -> Fleet {
        use crate::domain::drill::scenario::*;
        let scenario = Scenario {
            name: "t".to_string(),
            title: "t".to_string(),
            briefing: String::new(),
            fleet: FleetChoice::Demo,
            seed: 1,
            pace: Span::seconds(30),
            injections: vec![Injection {
                id: "a".to_string(),
                start: Start::At(Span::seconds(5)),
                target: Target {
                    region: Some("us-east-1".to_string()),
                    versions: Versions::Canary,
                },
                fault,
                duration: Some(Span::seconds(10)),
            }],
            expect: vec![],
            forbid: vec![],
            objectives: vec![],
            comms: None,
        };
        let handle = crate::sim::drill::DrillHandle::new(scenario, epoch());
        Fleet::new(FleetSpec::calm(1), epoch()).with_drill(handle)
    }

    #[test]
    fn a_dark_metrics_source_answers_nothing_and_alerts_come_as_notes() {
        use crate::domain::drill::scenario::FaultKind;
        let second = Duration::from_secs(1);
        let mut fleet = drilled(FaultKind::MetricsGap);
        let lit = metrics_poll(&mut fleet, epoch() + Span::seconds(4), second);
        assert!(matches!(lit.result, Ok(Report::Metrics(ref s)) if !s.is_empty()));
        let dark = metrics_poll(&mut fleet, epoch() + Span::seconds(5), second);
        assert_eq!(
            dark.result,
            Err(SourceError("no answer within 1s".to_string()))
        );
        let back = metrics_poll(&mut fleet, epoch() + Span::seconds(15), second);
        assert!(back.result.is_ok());
        let name = "HighErrorRate".to_string();
        let mut fleet = drilled(FaultKind::Alert { name });
        let poll = metrics_poll(&mut fleet, epoch() + Span::seconds(6), second);
        assert_eq!(poll.notes, ["alert HighErrorRate firing for us-east-1"]);
    }

    #[test]
    fn a_failing_deploy_api_refuses_fails_or_never_answers() {
        use crate::domain::drill::scenario::{DeployFailure, FaultKind};
        let now = epoch() + Span::seconds(6);
        let mut fleet = drilled(FaultKind::DeployApi(DeployFailure::Forbidden));
        let answer = act(&mut fleet, Action::Pause, &ActionScope::Rollout, now);
        let Some(Err(ControlError::Refused(why))) = answer else {
            panic!("{answer:?}");
        };
        assert!(
            why.starts_with("403 forbidden: this identity may not pause"),
            "{why}"
        );
        // The rollout is untouched, and a pause once the API is back works.
        assert!(
            act(
                &mut fleet,
                Action::Pause,
                &ActionScope::Rollout,
                now + Span::seconds(10)
            )
            .is_some_and(|a| a.is_ok())
        );
        let mut fleet = drilled(FaultKind::DeployApi(DeployFailure::ServerError));
        let answer = act(&mut fleet, Action::Pause, &ActionScope::Rollout, now);
        assert!(
            matches!(answer, Some(Err(ControlError::Unreachable(ref w))) if w.contains("500")),
            "{answer:?}"
        );
        let mut fleet = drilled(FaultKind::DeployApi(DeployFailure::Timeout));
        assert_eq!(
            act(&mut fleet, Action::Pause, &ActionScope::Rollout, now),
            None
        );
        assert_eq!(
            fleet.status().phase,
            crate::domain::rollout::Phase::Progressing
        );
    }
}
