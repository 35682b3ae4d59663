//! Why a request to a cluster failed, in words an operator can act on: each
//! HTTP answer has its own, and none of them ever carries a credential.

use std::time::Duration;

use kube::client::AuthError;

use super::cap::TooLarge;
use crate::domain::action::ControlError;
use crate::domain::text;

/// One request, as messages name it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The RBAC verb: `get`, `list`, `watch`, `patch`.
    pub verb: &'static str,
    /// The RBAC resource: `rollouts`, `rollouts/status`, `replicasets`.
    pub resource: &'static str,
    pub namespace: &'a str,
    /// The object's name, if the request names one.
    pub name: Option<&'a str>,
    pub context: &'a str,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The API server answered with an error status.
    Status { code: u16, message: String },
    /// No answer within the source's timeout: the outcome is unknown.
    Timeout(Duration),
    /// The cluster could not be reached (connection, TLS, credentials).
    Unreachable(String),
    /// An answer that is not the object asked for: after a patch, the
    /// cluster may have applied it.
    Unreadable(String),
    /// The connection broke during the exchange, after the request may have
    /// gone out: after a patch, the cluster may have applied it.
    Broken(String),
    /// The answer (or one event of a watch) passed `max_answer`, in words
    /// (`16 MiB`); the rest was not read.
    TooLarge(String),
    /// Anything else.
    Other(String),
}

impl Problem {
    /// What `e` says, with `secrets` (the credentials the client sent)
    /// masked in any text the server wrote.
    pub fn from_kube(e: &kube::Error, secrets: &[&str]) -> Problem {
        if let Some(refused) = super::cap::refusal(e) {
            return Problem::TooLarge(refused.cap.clone());
        }
        match e {
            kube::Error::Api(status) => Problem::Status {
                code: status.code,
                message: text::message(&status.message, secrets),
            },
            kube::Error::Auth(a) => Problem::Unreachable(auth_problem(a, None)),
            kube::Error::Service(inner) => match inner.downcast_ref::<AuthError>() {
                Some(a) => Problem::Unreachable(auth_problem(a, None)),
                None => Problem::Unreachable(text::message(&innermost(inner.as_ref()), secrets)),
            },
            kube::Error::HyperError(h) => Problem::Broken(text::message(&innermost(h), secrets)),
            kube::Error::SerdeError(s) => Problem::Unreadable(text::message(
                &format!("the answer is not the object asked for: {s}"),
                secrets,
            )),
            other => Problem::Other(text::message(&innermost(other), secrets)),
        }
    }

    /// What the watcher's `e` says, with `secrets` masked as in
    /// [`Problem::from_kube`].
    pub fn from_watcher(e: &kube::runtime::watcher::Error, secrets: &[&str]) -> Problem {
        use kube::runtime::watcher::Error as W;
        match e {
            W::InitialListFailed(k) | W::WatchStartFailed(k) | W::WatchFailed(k) => {
                Problem::from_kube(k, secrets)
            }
            W::WatchError(status) => Problem::Status {
                code: status.code,
                message: text::message(&status.message, secrets),
            },
            W::NoResourceVersion => {
                Problem::Other("the watch has no resourceVersion to resume from".to_string())
            }
        }
    }

    /// The HTTP status, if the server gave one.
    pub fn code(&self) -> Option<u16> {
        match self {
            Problem::Status { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The operator's words for this problem with `request`.
    pub fn words(&self, request: &Request) -> String {
        let said = |message: &str| {
            let m: String = message.trim().chars().take(300).collect();
            if m.is_empty() {
                String::new()
            } else {
                format!(": {m}")
            }
        };
        let object = match request.name {
            Some(name) => format!(
                "{} {}/{name}",
                singular(request.resource),
                request.namespace
            ),
            None => format!("{} in namespace {}", request.resource, request.namespace),
        };
        match self {
            Problem::Status { code: 401, message } => format!(
                "not authenticated (401): the cluster of context `{}` refused its credentials{}",
                request.context,
                said(message)
            ),
            Problem::Status { code: 403, message } => format!(
                "permission denied (403): may not {} {} in namespace {} (RBAC: grant {} on {}){}",
                request.verb,
                request.resource,
                request.namespace,
                request.verb,
                request.resource,
                said(message)
            ),
            Problem::Status { code: 404, .. } => format!(
                "not found (404): no {object} in context `{}`",
                request.context
            ),
            Problem::Status { code: 409, message } => {
                format!(
                    "conflict (409): the {object} changed meanwhile{}",
                    said(message)
                )
            }
            Problem::Status { code, message } if *code >= 500 => {
                format!("server error ({code}){}", said(message))
            }
            Problem::Status { code, message } => format!("refused ({code}){}", said(message)),
            Problem::Timeout(limit) => format!(
                "no answer within {limit:?}: the outcome is unknown, check the rollout before acting again"
            ),
            Problem::Unreachable(why) => {
                format!(
                    "cannot reach the cluster of context `{}`: {why}",
                    request.context
                )
            }
            Problem::Broken(why) => format!(
                "the connection to the cluster of context `{}` broke: {why}",
                request.context
            ),
            Problem::TooLarge(cap) => format!(
                "context `{}`: {} (to {} {object})",
                request.context,
                TooLarge { cap: cap.clone() },
                request.verb
            ),
            Problem::Unreadable(why) | Problem::Other(why) => why.clone(),
        }
    }

    /// The control path's error for this problem with `request`, for a
    /// region named up front.
    pub fn control_error(&self, request: &Request) -> ControlError {
        match self {
            Problem::Timeout(limit) => ControlError::Timeout(*limit),
            Problem::Unreachable(_) => ControlError::Unreachable(self.words(request)),
            Problem::Status { code, .. } if *code >= 500 => {
                ControlError::Unreachable(self.words(request))
            }
            // A patch was sent and the answer cannot say whether it took.
            Problem::Unreadable(_) | Problem::Broken(_) | Problem::TooLarge(_)
                if request.verb == "patch" =>
            {
                ControlError::Unknown(self.words(request))
            }
            Problem::Broken(_) => ControlError::Unreachable(self.words(request)),
            _ => ControlError::Refused(self.words(request)),
        }
    }
}

fn singular(resource: &str) -> &str {
    match resource {
        "rollouts" | "rollouts/status" => "rollout",
        "replicasets" => "replicaset",
        other => other,
    }
}

/// The last cause in an error's chain: the one that says what happened.
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut detail = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        detail = c.to_string();
        cause = c.source();
    }
    detail
}

/// A credential that could not be had, in words that quote neither the
/// plugin's output (it may hold a token) nor its command line.
pub fn auth_problem(e: &AuthError, plugin: Option<&str>) -> String {
    let plugin = plugin
        .map(|p| format!("the exec credential plugin `{p}`"))
        .unwrap_or_else(|| "the exec credential plugin".to_string());
    match e {
        AuthError::AuthExecStart(io) => format!("{plugin} cannot be started: {io}"),
        // Its complaint (the last line on stderr) is quoted, made safe; its
        // output (stdout, where a credential goes) never is.
        AuthError::AuthExecRun { out, .. } => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(|l| format!(": {}", text::outside(l, 200, &[])))
                .unwrap_or_default();
            format!("{plugin} failed ({}){last}", out.status)
        }
        AuthError::AuthExecParse(_) | AuthError::AuthExecSerialize(_) => {
            format!("{plugin} printed something that is not an ExecCredential")
        }
        AuthError::ExecPluginFailed => format!("{plugin} gave no credential (no status)"),
        AuthError::MalformedTokenExpirationDate(_) => {
            format!("{plugin} gave an unreadable expirationTimestamp")
        }
        AuthError::InvalidBearerToken(_) | AuthError::InvalidBasicAuth(_) => {
            "the credential cannot be sent as an HTTP header".to_string()
        }
        AuthError::ReadTokenFile(io, path) => {
            format!("cannot read the token file {}: {io}", path.display())
        }
        AuthError::MissingCommand => "an exec credential plugin without a command".to_string(),
        other => other.to_string(),
    }
}
