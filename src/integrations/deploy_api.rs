//! The HTTP deploy API (docs/deploy-api.md): a small JSON contract an in-house
//! deploy system can implement. warroom reads the rollout's state from it and
//! sends pause / resume / promote / rollback to it. `warroom sim` serves it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use super::http::SetupError;
use super::http::{Http, HttpError, origin_and_path};
use super::secret::bearer_token;
use crate::config::plan::Endpoint;
use crate::domain::action::{ActionRequest, ControlError, ControlFuture, DeploymentControl};
use crate::domain::rollout::{Action, Phase, RegionRollout, RolloutStatus};
use crate::domain::source::{SourceError, SourceInfo, SourceKind};
use crate::domain::{Span, Timestamp};

/// `GET /api/v1/rollout`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireRollout {
    pub service: String,
    pub stable_version: String,
    pub canary_version: String,
    pub phase: WirePhase,
    /// 0-based index of the current wave.
    pub wave: usize,
    pub held_seconds: f64,
    #[serde(default)]
    pub message: Option<String>,
    pub regions: Vec<WireRegion>,
    pub observed_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WirePhase {
    Progressing,
    Paused,
    Aborted,
    RolledBack,
    Complete,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRegion {
    pub region: String,
    pub canary_weight: u8,
    /// The region's own phase, when it differs from the rollout's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<WirePhase>,
}

/// Body of `POST /api/v1/rollout/{action}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireAction {
    pub operator: String,
    #[serde(default)]
    pub reason: Option<String>,
    /// `all` for the whole rollout, or one region's name.
    #[serde(default = "all")]
    pub scope: String,
}

fn all() -> String {
    "all".to_string()
}

/// A successful answer to an action: the only answer that says it was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireDone {
    pub result: String,
}

/// An error answer, for any status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireError {
    pub error: String,
}

impl From<Phase> for WirePhase {
    fn from(p: Phase) -> Self {
        match p {
            Phase::Progressing => WirePhase::Progressing,
            Phase::Paused => WirePhase::Paused,
            Phase::Aborted => WirePhase::Aborted,
            Phase::RolledBack => WirePhase::RolledBack,
            Phase::Complete => WirePhase::Complete,
        }
    }
}

impl From<WirePhase> for Phase {
    fn from(p: WirePhase) -> Self {
        match p {
            WirePhase::Progressing => Phase::Progressing,
            WirePhase::Paused => Phase::Paused,
            WirePhase::Aborted => Phase::Aborted,
            WirePhase::RolledBack => Phase::RolledBack,
            WirePhase::Complete => Phase::Complete,
        }
    }
}

/// The longest hold taken from an answer: as long as a plan's longest.
const MAX_HELD_SECONDS: f64 = 30.0 * 86_400.0;

impl WireRollout {
    pub fn into_status(self) -> RolloutStatus {
        RolloutStatus {
            phase: self.phase.into(),
            wave: self.wave,
            // Bounded: an absurd hold must not overflow the time sums it enters.
            held: Span::milliseconds(
                (self.held_seconds.clamp(0.0, MAX_HELD_SECONDS) * 1000.0) as i64,
            ),
            message: self.message,
            regions: self
                .regions
                .into_iter()
                .map(|r| RegionRollout {
                    region: r.region,
                    canary_weight: r.canary_weight.min(100),
                    weight_known: crate::domain::rollout::WeightKnown::Reported,
                    phase: r.phase.map(Into::into),
                    target: None,
                })
                .collect(),
            observed_at: self.observed_at,
        }
    }
}

/// The path segment of an action.
pub fn action_path(action: Action) -> &'static str {
    match action {
        Action::Pause => "pause",
        Action::Resume => "resume",
        Action::Promote => "promote",
        Action::Rollback => "rollback",
        Action::Retry => "retry",
    }
}

/// A deploy API endpoint: read state, send actions.
#[derive(Debug, Clone)]
pub struct DeployApi {
    http: Http,
    base: String,
    pub info: SourceInfo,
}

impl DeployApi {
    pub fn new(e: &Endpoint) -> Result<Self, SetupError> {
        let token = bearer_token(&e.auth)?;
        let host = reqwest::Url::parse(&e.url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(0)))
            })
            .unwrap_or_else(|| e.url.clone());
        let name = format!("deploy {host}");
        Ok(DeployApi {
            http: Http::new(&name, e.timeout, e.max_answer, token)?,
            base: e.url.clone(),
            info: SourceInfo {
                name,
                kind: SourceKind::Deployment,
                interval: e.interval,
                timeout: e.timeout,
            },
        })
    }

    /// Read the rollout's state.
    pub async fn poll(&self) -> Result<RolloutStatus, SourceError> {
        let url = format!("{}/api/v1/rollout", self.base);
        let response = self
            .http
            .read(reqwest::Method::GET, &url)
            .send()
            .await
            .map_err(|e| SourceError(self.http.transport(&e)))?;
        let status = response.status();
        let body = self
            .http
            .body(response)
            .await
            .map_err(|e| SourceError(e.to_string()))?;
        if !status.is_success() {
            return Err(SourceError(self.problem(status.as_u16(), &body)));
        }
        let rollout = serde_json::from_slice::<WireRollout>(&body).map_err(|e| {
            SourceError(
                self.http
                    .message(&format!("the answer is not a deploy API rollout: {e}")),
            )
        })?;
        Ok(self.safe(rollout).into_status())
    }

    /// The rollout with every word the server wrote made safe: the message
    /// and the region names (names the plan does not know are shown too).
    fn safe(&self, mut rollout: WireRollout) -> WireRollout {
        rollout.message = rollout.message.as_deref().map(|m| self.http.message(m));
        for r in &mut rollout.regions {
            r.region = self.http.clean(&r.region, 100);
        }
        rollout
    }

    /// What the server said in an error body: its `error`, else an excerpt.
    fn said(&self, body: &[u8]) -> String {
        match serde_json::from_slice::<WireError>(body) {
            Ok(e) => self.http.message(&e.error),
            Err(_) => self.http.excerpt(body),
        }
    }

    async fn send(&self, request: &ActionRequest) -> Result<String, ControlError> {
        let url = format!(
            "{}/api/v1/rollout/{}",
            self.base,
            action_path(request.action)
        );
        let body = WireAction {
            operator: request.operator.clone(),
            reason: request.reason.clone(),
            scope: request.scope.wire().to_string(),
        };
        let json = serde_json::to_vec(&body).map_err(|e| ControlError::Refused(e.to_string()))?;
        // A conflict means the rollout moved under us: look again, a few times.
        let mut conflicts = 0;
        loop {
            let response = self
                .http
                .act(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(json.clone())
                .send()
                .await
                .map_err(|e| {
                    if e.is_timeout() {
                        ControlError::Timeout(self.info.timeout)
                    } else if e.is_connect() || e.is_builder() {
                        ControlError::Unreachable(self.http.transport(&e))
                    } else {
                        // Past the connection, the request may have been
                        // carried out before the exchange broke.
                        ControlError::Unknown(format!(
                            "{} after the request was sent; the target may have acted",
                            self.http.transport(&e)
                        ))
                    }
                })?;
            let status = response.status().as_u16();
            let location = response.headers().get(reqwest::header::LOCATION).map(|l| {
                self.http.clean(
                    &origin_and_path(&String::from_utf8_lossy(l.as_bytes())),
                    120,
                )
            });
            let bytes = self.http.body(response).await;
            if (200..300).contains(&status) {
                return self.done(status, bytes);
            }
            let said = || match &bytes {
                Ok(b) => self.said(b),
                Err(e) => e.to_string(),
            };
            return match status {
                // A redirect is not the target saying it acted; it is not
                // followed (a POST would come back as a GET elsewhere).
                300..=399 => Err(ControlError::Unknown(format!(
                    "the target answered {status} (a redirect{}), not followed; it did not say the action was carried out",
                    location.map(|l| format!(" to {l}")).unwrap_or_default()
                ))),
                // Only actions that mean the same on a second send are retried:
                // a promote resent after the rollout moved would skip a wave.
                409 if conflicts < 2
                    && matches!(request.action, Action::Pause | Action::Rollback) =>
                {
                    conflicts += 1;
                    tokio::time::sleep(Duration::from_millis(200 * conflicts)).await;
                    continue;
                }
                409 => Err(ControlError::Refused(format!("conflict (409): {}", said()))),
                401 => Err(ControlError::Refused(format!(
                    "not authenticated (401): check the token; {}",
                    said()
                ))),
                403 => Err(ControlError::Refused(format!(
                    "permission denied (403): this token may not {}; {}",
                    request.action,
                    said()
                ))),
                404 => Err(ControlError::Refused(format!(
                    "not found (404): {}",
                    said()
                ))),
                400..=499 => Err(ControlError::Refused(format!(
                    "refused ({status}): {}",
                    said()
                ))),
                500..=599 => Err(ControlError::Unreachable(format!(
                    "server error ({status}): {}",
                    said()
                ))),
                _ => Err(ControlError::Unknown(format!(
                    "the target answered {status}, which the deploy API does not use: {}",
                    said()
                ))),
            };
        }
    }

    /// A 2xx is done only with the documented `{"result": "…"}`; any other
    /// body leaves the outcome unknown, with what came back.
    fn done(&self, status: u16, bytes: Result<Vec<u8>, HttpError>) -> Result<String, ControlError> {
        let bytes = bytes
            .map_err(|e| ControlError::Unknown(format!("the target answered {status} but {e}")))?;
        match serde_json::from_slice::<WireDone>(&bytes) {
            Ok(d) if !d.result.trim().is_empty() => Ok(self.http.message(&d.result)),
            _ => Err(ControlError::Unknown(format!(
                "the target answered {status} without the documented {{\"result\": …}}: {}",
                self.http.excerpt(&bytes)
            ))),
        }
    }

    /// A failed read in words.
    fn problem(&self, status: u16, body: &[u8]) -> String {
        let said = self.said(body);
        match status {
            401 => format!("not authenticated (401): check the token; {said}"),
            403 => format!("permission denied (403): {said}"),
            _ => format!("HTTP {status}: {said}"),
        }
    }
}

impl DeploymentControl for DeployApi {
    fn apply<'a>(&'a self, request: &'a ActionRequest) -> ControlFuture<'a> {
        Box::pin(self.send(request))
    }
}
