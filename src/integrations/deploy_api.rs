//! The HTTP deploy API (docs/deploy-api.md): a small JSON contract an in-house
//! deploy system can implement. warroom reads the rollout's state from it and
//! sends pause / resume / promote / rollback to it. `warroom sim` serves it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::secret::{Secret, SecretError, bearer_token};
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

/// A successful answer to an action.
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

impl WireRollout {
    pub fn into_status(self) -> RolloutStatus {
        RolloutStatus {
            phase: self.phase.into(),
            wave: self.wave,
            held: Span::milliseconds((self.held_seconds.max(0.0) * 1000.0) as i64),
            message: self.message,
            regions: self
                .regions
                .into_iter()
                .map(|r| RegionRollout {
                    region: r.region,
                    canary_weight: r.canary_weight.min(100),
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
    client: reqwest::Client,
    base: String,
    token: Option<Secret>,
    pub info: SourceInfo,
}

impl DeployApi {
    pub fn new(e: &Endpoint) -> Result<Self, SecretError> {
        let token = bearer_token(&e.auth)?;
        let client = reqwest::Client::builder()
            .timeout(e.timeout)
            .user_agent(concat!("warroom/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        let host = reqwest::Url::parse(&e.url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(0)))
            })
            .unwrap_or_else(|| e.url.clone());
        Ok(DeployApi {
            client,
            base: e.url.clone(),
            token,
            info: SourceInfo {
                name: format!("deploy {host}"),
                kind: SourceKind::Deployment,
                interval: e.interval,
                timeout: e.timeout,
            },
        })
    }

    fn authorised(&self, r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => r.bearer_auth(t.expose()),
            None => r,
        }
    }

    /// Read the rollout's state.
    pub async fn poll(&self) -> Result<RolloutStatus, SourceError> {
        let url = format!("{}/api/v1/rollout", self.base);
        let response = self
            .authorised(self.client.get(&url))
            .send()
            .await
            .map_err(|e| SourceError(transport(&e)))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| SourceError(transport(&e)))?;
        if !status.is_success() {
            return Err(SourceError(http_problem(status.as_u16(), &body)));
        }
        serde_json::from_slice::<WireRollout>(&body)
            .map(WireRollout::into_status)
            .map_err(|e| SourceError(format!("the answer is not a deploy API rollout: {e}")))
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
                .authorised(
                    self.client
                        .post(&url)
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(json.clone()),
                )
                .send()
                .await
                .map_err(|e| {
                    if e.is_timeout() {
                        ControlError::Timeout(self.info.timeout)
                    } else {
                        ControlError::Unreachable(transport(&e))
                    }
                })?;
            let status = response.status().as_u16();
            let bytes = response.bytes().await.unwrap_or_default();
            let said = || {
                serde_json::from_slice::<WireError>(&bytes)
                    .map(|e| e.error)
                    .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).chars().take(200).collect())
            };
            return match status {
                200..=299 => Ok(serde_json::from_slice::<WireDone>(&bytes)
                    .map(|d| d.result)
                    .unwrap_or_else(|_| format!("{} accepted", request.action))),
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
                _ => Err(ControlError::Unreachable(format!(
                    "server error ({status}): {}",
                    said()
                ))),
            };
        }
    }
}

impl DeploymentControl for DeployApi {
    fn apply<'a>(&'a self, request: &'a ActionRequest) -> ControlFuture<'a> {
        Box::pin(self.send(request))
    }
}

fn transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".to_string();
    }
    let mut detail = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        detail = c.to_string();
        cause = c.source();
    }
    if e.is_connect() {
        format!("cannot connect: {detail}")
    } else {
        detail
    }
}

fn http_problem(status: u16, body: &[u8]) -> String {
    let said = serde_json::from_slice::<WireError>(body)
        .map(|e| e.error)
        .unwrap_or_else(|_| String::from_utf8_lossy(body).chars().take(120).collect());
    match status {
        401 => format!("not authenticated (401): check the token; {said}"),
        403 => format!("permission denied (403): {said}"),
        _ => format!("HTTP {status}: {said}"),
    }
}
