//! `warroom sim`: the simulated fleet over HTTP. `/metrics` for Prometheus
//! (requests, latency and what the users go through), the deploy API
//! (docs/deploy-api.md) for warroom, and `/sim/*` for drills and tests:
//! inject a fault, read the truth the metrics are made from.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::exposition::Exposition;
use super::{Fault, Fleet, FleetSpec, users};
use crate::domain::clock::Clock;
use crate::domain::health::VersionRole;
use crate::domain::rollout::{Action, ActionScope, Refusal};
use crate::domain::{Span, Timestamp};
use crate::integrations::deploy_api::{WireAction, WireDone, WireError, WireRegion, WireRollout};

/// The fleet, its counters and the clock they run on.
struct Sim {
    fleet: Fleet,
    exposition: Exposition,
    last: Timestamp,
}

impl Sim {
    /// Count the traffic since the last call.
    fn catch_up(&mut self, now: Timestamp) {
        let dt = (now - self.last).num_milliseconds() as f64 / 1000.0;
        if dt <= 0.0 {
            return;
        }
        let truth = self.fleet.truth(now);
        self.exposition.record(&truth, dt);
        self.last = now;
    }
}

#[derive(Clone)]
struct Shared {
    sim: Arc<Mutex<Sim>>,
    clock: Arc<dyn Clock>,
}

impl Shared {
    fn with<T>(&self, f: impl FnOnce(&mut Sim, Timestamp) -> T) -> T {
        let now = self.clock.now();
        let mut sim = self.sim.lock().unwrap_or_else(PoisonError::into_inner);
        sim.catch_up(now);
        f(&mut sim, now)
    }
}

/// A fault to start now, from `POST /sim/faults`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct WireFault {
    pub region: String,
    /// Extra error rate at the peak, 0..=1.
    #[serde(default)]
    pub error_rate: f64,
    /// Latency multiplier at the peak.
    #[serde(default = "one")]
    pub latency_factor: f64,
    /// Seconds to reach the peak.
    #[serde(default)]
    pub ramp_seconds: f64,
}

fn one() -> f64 {
    1.0
}

/// One region × version as it really is, from `GET /sim/truth`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireTruth {
    pub region: String,
    /// `stable` or `canary`.
    pub version: String,
    pub request_rate: f64,
    pub error_rate: f64,
    pub latency_p99: f64,
    pub success_rate: f64,
    /// Share of sign-ins that succeed.
    #[serde(default)]
    pub login_success: f64,
    /// Share of checkouts that end in an order.
    #[serde(default)]
    pub checkout_completion: f64,
}

fn error(status: StatusCode, text: impl Into<String>) -> Response {
    (status, Json(WireError { error: text.into() })).into_response()
}

async fn metrics(State(s): State<Shared>) -> Response {
    let text = s.with(|sim, _| sim.exposition.render());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// The rollout as the deploy API reports it.
pub fn wire_rollout(fleet: &Fleet) -> WireRollout {
    let plan = &fleet.spec().plan;
    let status = fleet.status();
    WireRollout {
        service: plan.service.clone(),
        stable_version: plan.stable_version.clone(),
        canary_version: plan.canary_version.clone(),
        phase: status.phase.into(),
        wave: status.wave,
        held_seconds: status.held.num_milliseconds() as f64 / 1000.0,
        message: status.message,
        regions: status
            .regions
            .into_iter()
            .map(|r| WireRegion {
                region: r.region,
                canary_weight: r.canary_weight,
                phase: r.phase.map(Into::into),
            })
            .collect(),
        observed_at: status.observed_at,
    }
}

async fn rollout(State(s): State<Shared>) -> Json<WireRollout> {
    Json(s.with(|sim, _| wire_rollout(&sim.fleet)))
}

async fn act(
    State(s): State<Shared>,
    Path(action): Path<String>,
    body: Option<Json<WireAction>>,
) -> Response {
    let action = match action.as_str() {
        "pause" => Action::Pause,
        "resume" => Action::Resume,
        "promote" => Action::Promote,
        "rollback" => Action::Rollback,
        "retry" => Action::Retry,
        other => {
            return error(
                StatusCode::NOT_FOUND,
                format!("no action `{other}`; use pause, resume, promote, rollback or retry"),
            );
        }
    };
    let Some(Json(body)) = body else {
        return error(
            StatusCode::BAD_REQUEST,
            "send a JSON body with at least {\"operator\": \"…\"}",
        );
    };
    if body.operator.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "`operator` must name who acts");
    }
    let scope = match body.scope.as_str() {
        "all" => ActionScope::Rollout,
        region => ActionScope::Region(region.to_string()),
    };
    let result = s.with(|sim, now| sim.fleet.apply(action, &scope, now));
    match result {
        Ok(()) => {
            tracing::info!(%action, operator = %body.operator, "simulator action");
            Json(WireDone {
                result: format!("{action} applied"),
            })
            .into_response()
        }
        Err(refusal @ Refusal::UnknownRegion(_)) => {
            error(StatusCode::NOT_FOUND, refusal.to_string())
        }
        Err(refusal) => error(StatusCode::CONFLICT, refusal.to_string()),
    }
}

/// The largest slowdown a fault may ask for: past it, counts of requests
/// times their latency stop being numbers.
const MAX_SLOWDOWN: f64 = 1000.0;

async fn fault(State(s): State<Shared>, Json(f): Json<WireFault>) -> Response {
    let known = s.with(|sim, _| sim.fleet.spec().plan.regions.contains(&f.region));
    if !known {
        return error(StatusCode::BAD_REQUEST, format!("no region `{}`", f.region));
    }
    if !(0.0..=1.0).contains(&f.error_rate)
        || !f.latency_factor.is_finite()
        || f.latency_factor <= 0.0
        || f.latency_factor > MAX_SLOWDOWN
    {
        return error(
            StatusCode::BAD_REQUEST,
            format!("error_rate must be 0..1 and latency_factor above 0, at most {MAX_SLOWDOWN}"),
        );
    }
    let fault = Fault {
        region: f.region,
        starts_after: Span::zero(),
        ramp: Span::milliseconds((f.ramp_seconds.max(0.0) * 1000.0) as i64),
        error_rate: f.error_rate,
        latency_factor: f.latency_factor,
    };
    s.with(|sim, now| sim.fleet.inject(fault, now));
    StatusCode::NO_CONTENT.into_response()
}

async fn truth(State(s): State<Shared>) -> Json<Vec<WireTruth>> {
    let truth = s.with(|sim, now| sim.fleet.truth(now));
    Json(
        truth
            .iter()
            .map(|t| WireTruth {
                region: t.region.clone(),
                version: match t.version {
                    VersionRole::Stable => "stable",
                    VersionRole::Canary => "canary",
                }
                .to_string(),
                request_rate: t.rps,
                error_rate: t.error_rate,
                latency_p99: t.p99,
                success_rate: t.success_rate(),
                login_success: users::login_success(t),
                checkout_completion: users::checkout_completion(t),
            })
            .collect(),
    )
}

/// The simulator's routes, running `spec` from now on `clock`.
pub fn router(spec: FleetSpec, clock: Arc<dyn Clock>) -> Router {
    let now = clock.now();
    let plan = &spec.plan;
    let exposition = Exposition::new(
        plan.regions.clone(),
        &plan.stable_version,
        &plan.canary_version,
    );
    let shared = Shared {
        sim: Arc::new(Mutex::new(Sim {
            fleet: Fleet::new(spec, now),
            exposition,
            last: now,
        })),
        clock,
    };
    // Count traffic on a steady beat too, so counters move between scrapes.
    let ticker = shared.clone();
    tokio::spawn(async move {
        let mut beat = tokio::time::interval(Duration::from_millis(250));
        loop {
            beat.tick().await;
            ticker.with(|_, _| ());
        }
    });
    Router::new()
        .route("/metrics", get(metrics))
        .route("/api/v1/rollout", get(rollout))
        .route("/api/v1/rollout/{action}", post(act))
        .route("/sim/faults", post(fault))
        .route("/sim/truth", get(truth))
        .with_state(shared)
}

/// Serve the simulator on `listener` until the process ends.
pub async fn serve(
    listener: tokio::net::TcpListener,
    spec: FleetSpec,
    clock: Arc<dyn Clock>,
) -> std::io::Result<()> {
    axum::serve(listener, router(spec, clock)).await
}
