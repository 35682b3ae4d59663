//! Notification receivers: each builds its wire format from one
//! `Notification` (pure functions, one file per protocol) and posts it
//! through the one HTTP client. The URL of a webhook and a routing key are
//! secrets: read once at start, sent, masked in every text that comes back,
//! and never named in a message.

pub mod pagerduty;
pub mod slack;
pub mod webhook;

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;

use super::http::{Http, SetupError};
use super::secret::{Secret, SecretError, named_secret};
use crate::config::plan::{NotifyKind, NotifyReceiver, PAGERDUTY_EVENTS};
use crate::config::url::{UrlProblem, check_url};
use crate::domain::notification::{Notification, NotifyEvent};

/// The most of a receiver's answer that is read: they answer in a word.
const ANSWER_CAP: u64 = 64 << 10;

/// A receiver ready to send to: its name and kind for people, its secret
/// for the wire.
#[derive(Debug, Clone)]
pub struct Receiver {
    pub name: String,
    pub kind: NotifyKind,
    pub events: Vec<NotifyEvent>,
    /// The webhook URL, or PagerDuty's routing key.
    secret: Secret,
    /// PagerDuty's Events API base URL.
    endpoint: String,
    http: Http,
}

/// Why one attempt failed, safe to show, and whether another may succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub why: String,
    pub retry: bool,
}

impl Receiver {
    /// Read the receiver's secret and make its client.
    pub fn open(config: &NotifyReceiver) -> Result<Receiver, SetupError> {
        let secret = named_secret(&config.secret, &config.secret_field)?;
        if config.kind != NotifyKind::PagerDuty {
            usable_url(secret.expose(), &config.secret_field)?;
        }
        let label = format!("{} {}", config.kind.word(), config.name);
        let http = Http::new(&label, config.timeout, ANSWER_CAP, None)?.masking(secret.clone());
        Ok(Receiver {
            name: config.name.clone(),
            kind: config.kind,
            events: config.events.clone(),
            secret,
            endpoint: config
                .endpoint
                .clone()
                .unwrap_or_else(|| PAGERDUTY_EVENTS.to_string()),
            http,
        })
    }

    /// Whether the plan asked this receiver to hear of `event`.
    pub fn wants(&self, event: NotifyEvent) -> bool {
        self.events.contains(&event)
    }

    /// Where `n` goes and what is posted: the one place a secret is used.
    fn request(&self, n: &Notification) -> (String, Value) {
        match self.kind {
            NotifyKind::Webhook => (self.secret.expose().to_string(), webhook::envelope(n)),
            NotifyKind::Slack => (self.secret.expose().to_string(), slack::message(n)),
            NotifyKind::PagerDuty => {
                let (path, body) = pagerduty::event(n, self.secret.expose());
                (format!("{}{path}", self.endpoint), body)
            }
        }
    }

    /// Text from outside or about this receiver, with its secret masked.
    pub fn clean(&self, text: &str) -> String {
        self.http.message(text)
    }

    /// One attempt to deliver `n`. An answer in 2xx is delivered; a 429, a
    /// 408, a 5xx or no answer may go better later; any other answer will not.
    pub async fn deliver(&self, n: &Notification) -> Result<(), Failure> {
        let (url, body) = self.request(n);
        let bytes = serde_json::to_vec(&body).map_err(|e| Failure {
            why: format!("cannot encode the message: {e}"),
            retry: false,
        })?;
        // A post whose redirects are never followed: a redirected webhook
        // would otherwise carry the message somewhere not configured.
        let sent = self
            .http
            .act(&url)
            .header(CONTENT_TYPE, "application/json")
            .body(bytes)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                return Err(Failure {
                    why: self.http.transport(&e),
                    retry: true,
                });
            }
        };
        let status = response.status();
        let answer = self.http.body(response).await.unwrap_or_default();
        if status.is_success() {
            return Ok(());
        }
        let retry = status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::REQUEST_TIMEOUT
            || status.is_server_error();
        let why = if status.is_redirection() {
            format!("answered {} (a redirect, not followed)", status.as_u16())
        } else {
            format!(
                "answered {}: {}",
                status.as_u16(),
                self.http.excerpt(&answer)
            )
        };
        Err(Failure { why, retry })
    }
}

/// A webhook URL checked as a source's is, its problems said without it:
/// the URL is the secret.
fn usable_url(url: &str, field: &str) -> Result<(), SecretError> {
    let why = match check_url(url, true) {
        Ok(_) => return Ok(()),
        Err(UrlProblem::ClearTextToken) => {
            "is plain http to another machine: the secret in it would cross the network in clear text; use https"
        }
        Err(UrlProblem::Credentials) => "holds a user name or password",
        Err(_) => "is not an http:// or https:// URL",
    };
    Err(SecretError::NamedUrl(field.to_string(), why))
}

/// How deliveries are retried: `tries` attempts in all, the pause doubling
/// from `first` up to `cap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub tries: u32,
    pub first: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    /// Five tries over about fifteen seconds: 1 s, 2 s, 4 s, 8 s between.
    fn default() -> Self {
        Backoff {
            tries: 5,
            first: Duration::from_secs(1),
            cap: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The pause after failed attempt `tried` (1-based).
    pub fn pause(&self, tried: u32) -> Duration {
        let doubled = self.first.saturating_mul(
            1u32.checked_shl(tried.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        doubled.min(self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_url_is_checked_without_being_repeated() {
        assert_eq!(usable_url("https://hooks.example/s3cr3t", "f"), Ok(()));
        assert_eq!(usable_url("http://127.0.0.1:9/s3cr3t", "f"), Ok(()));
        for bad in [
            "http://hooks.example/s3cr3t",
            "ftp://hooks.example/s3cr3t",
            "https://u:p@hooks.example/s3cr3t",
            "s3cr3t",
        ] {
            let e = usable_url(bad, "notify[0].url_file")
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("the URL named by notify[0].url_file "), "{e}");
            assert!(!e.contains("s3cr3t") && !e.contains("hooks.example"), "{e}");
        }
    }

    #[test]
    fn pauses_double_up_to_the_cap() {
        let b = Backoff::default();
        let pauses: Vec<u64> = (1..=7).map(|t| b.pause(t).as_secs()).collect();
        assert_eq!(pauses, [1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(b.pause(40), b.cap);
    }
}
