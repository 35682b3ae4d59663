//! The plan's `[[notify]]`: who outside hears of breaches, actions and
//! waves — a generic JSON webhook, a Slack incoming webhook, PagerDuty
//! Events v2 — and of which events. URLs and routing keys are secrets: they
//! are named (a file, a variable), never written in the plan.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::{Checker, PlanError};
use crate::config::text::{NAME, PATH, URL};
use crate::config::url::check_url;
use crate::domain::notification::NotifyEvent;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotify {
    name: Option<Spanned<String>>,
    kind: Spanned<String>,
    url_file: Option<Spanned<String>>,
    url_env: Option<Spanned<String>>,
    routing_key_file: Option<Spanned<String>>,
    routing_key_env: Option<Spanned<String>>,
    /// PagerDuty's Events API, when it is not the public one (not a secret).
    endpoint: Option<Spanned<String>>,
    events: Option<Spanned<Vec<Spanned<String>>>>,
    timeout: Option<Spanned<String>>,
    /// Refused: present only to say so clearly.
    url: Option<Spanned<toml::Value>>,
    /// Refused: present only to say so clearly.
    routing_key: Option<Spanned<toml::Value>>,
}

/// What a receiver speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyKind {
    Webhook,
    Slack,
    PagerDuty,
}

impl NotifyKind {
    pub fn word(self) -> &'static str {
        match self {
            NotifyKind::Webhook => "webhook",
            NotifyKind::Slack => "slack",
            NotifyKind::PagerDuty => "pagerduty",
        }
    }

    /// What a receiver of this kind hears of when the plan does not say.
    pub fn default_events(self) -> Vec<NotifyEvent> {
        use NotifyEvent::*;
        match self {
            NotifyKind::Webhook => NotifyEvent::ALL.to_vec(),
            NotifyKind::Slack => vec![
                Breach,
                Recovery,
                ActionDone,
                ActionFailed,
                WaveEntered,
                NoGo,
                Annotation,
            ],
            // An incident per breach, and the changes that explain it.
            NotifyKind::PagerDuty => vec![Breach, Recovery, ActionDone, ActionFailed, WaveEntered],
        }
    }
}

/// Where a secret is read from when the war room starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// A file (relative paths are the plan's), trailing newline trimmed.
    File(PathBuf),
    /// An environment variable.
    Env(String),
}

/// One receiver of notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyReceiver {
    /// How the screen, the timeline and the audit log name it.
    pub name: String,
    pub kind: NotifyKind,
    /// The webhook URL (webhook, slack) or the routing key (pagerduty).
    pub secret: SecretSource,
    /// The field the secret was named in, for messages (`notify[0].url_env`).
    pub secret_field: String,
    /// PagerDuty's Events API base URL.
    pub endpoint: Option<String>,
    pub events: Vec<NotifyEvent>,
    /// How long one attempt may take.
    pub timeout: Duration,
}

/// PagerDuty's public Events API.
pub const PAGERDUTY_EVENTS: &str = "https://events.pagerduty.com";

/// How long one delivery attempt may take when the plan does not say.
pub const DEFAULT_NOTIFY_TIMEOUT: Duration = Duration::from_secs(10);

impl Checker<'_> {
    /// Every `[[notify]]`, checked; relative secret files are `plan`'s.
    pub(super) fn notify(
        &self,
        raw: &[Spanned<RawNotify>],
        plan: &Path,
    ) -> Result<Vec<NotifyReceiver>, PlanError> {
        let mut out: Vec<NotifyReceiver> = Vec::new();
        for (i, r) in raw.iter().enumerate() {
            let receiver = self.receiver(i, r, plan)?;
            if out.iter().any(|o| o.name == receiver.name) {
                let raw = r.get_ref();
                let span = raw.name.as_ref().map_or(raw.kind.span(), |n| n.span());
                return self.err(
                    span,
                    format!("notify[{i}].name"),
                    format!(
                        "`{}` names two receivers; give each its own name = \"…\"",
                        receiver.name
                    ),
                );
            }
            out.push(receiver);
        }
        Ok(out)
    }

    fn receiver(
        &self,
        i: usize,
        raw: &Spanned<RawNotify>,
        plan: &Path,
    ) -> Result<NotifyReceiver, PlanError> {
        let r = raw.get_ref();
        let field = |f: &str| format!("notify[{i}].{f}");
        let kind = match r.kind.get_ref().trim() {
            "webhook" => NotifyKind::Webhook,
            "slack" => NotifyKind::Slack,
            "pagerduty" => NotifyKind::PagerDuty,
            other => {
                return self.err(
                    r.kind.span(),
                    field("kind"),
                    format!("`{other}` is not a receiver kind; use webhook, slack or pagerduty"),
                );
            }
        };
        for (literal, name, instead) in [
            (&r.url, "url", "url_file or url_env"),
            (
                &r.routing_key,
                "routing_key",
                "routing_key_file or routing_key_env",
            ),
        ] {
            if let Some(v) = literal {
                return self.err(
                    v.span(),
                    field(name),
                    format!(
                        "a secret is never written in the plan (it would be shown and shared); name where it is kept with {instead}"
                    ),
                );
            }
        }
        let (file, env, stem) = match kind {
            NotifyKind::PagerDuty => (&r.routing_key_file, &r.routing_key_env, "routing_key"),
            _ => (&r.url_file, &r.url_env, "url"),
        };
        // The other kind's secret fields mean a mix-up: say which to use.
        let (wrong_file, wrong_env, wrong) = match kind {
            NotifyKind::PagerDuty => (&r.url_file, &r.url_env, "url"),
            _ => (&r.routing_key_file, &r.routing_key_env, "routing_key"),
        };
        if let Some(v) = wrong_file.as_ref().or(wrong_env.as_ref()) {
            let used = if wrong_file.is_some() { "file" } else { "env" };
            return self.err(
                v.span(),
                field(&format!("{wrong}_{used}")),
                format!("a {} receiver takes {stem}_file or {stem}_env", kind.word()),
            );
        }
        let (secret, secret_field) = match (file, env) {
            (Some(f), None) => {
                let name = field(&format!("{stem}_file"));
                let text = self.text(f, &name, PATH)?;
                let dir = plan.parent().unwrap_or(Path::new("."));
                (SecretSource::File(dir.join(text)), name)
            }
            (None, Some(e)) => {
                let name = field(&format!("{stem}_env"));
                (SecretSource::Env(self.text(e, &name, NAME)?), name)
            }
            (Some(_), Some(e)) => {
                return self.err(
                    e.span(),
                    field(&format!("{stem}_env")),
                    format!("give {stem}_file or {stem}_env, not both"),
                );
            }
            (None, None) => {
                return self.err(
                    r.kind.span(),
                    field(&format!("{stem}_file")),
                    format!("missing: where the {stem} is kept, {stem}_file = \"…\" or {stem}_env = \"…\""),
                );
            }
        };
        let endpoint = match (&r.endpoint, kind) {
            (Some(e), NotifyKind::PagerDuty) => {
                let url = self.text(e, &field("endpoint"), URL)?;
                // The routing key travels in the body: never over plain http
                // beyond this machine.
                if let Err(p) = check_url(&url, true) {
                    return self.err(e.span(), field("endpoint"), p.to_string());
                }
                Some(url.trim_end_matches('/').to_string())
            }
            (Some(e), _) => {
                return self.err(
                    e.span(),
                    field("endpoint"),
                    "only a pagerduty receiver takes an endpoint; a webhook's URL is a secret (url_file, url_env)",
                );
            }
            (None, _) => None,
        };
        let events = match &r.events {
            None => kind.default_events(),
            Some(list) => {
                let mut events = Vec::new();
                for (j, e) in list.get_ref().iter().enumerate() {
                    let Some(event) = NotifyEvent::from_word(e.get_ref().trim()) else {
                        let words: Vec<&str> = NotifyEvent::ALL.iter().map(|e| e.word()).collect();
                        return self.err(
                            e.span(),
                            field(&format!("events[{j}]")),
                            format!(
                                "`{}` is not an event; use {}",
                                e.get_ref(),
                                words.join(", ")
                            ),
                        );
                    };
                    if !events.contains(&event) {
                        events.push(event);
                    }
                }
                if events.is_empty() {
                    return self.err(
                        list.span(),
                        field("events"),
                        "is empty: name at least one event, or leave events out for the kind's own set",
                    );
                }
                events
            }
        };
        let timeout = match &r.timeout {
            Some(t) => {
                let d = self.duration(t, &field("timeout"))?;
                if d > Duration::from_secs(60) {
                    return self.err(t.span(), field("timeout"), "must be at most 60s");
                }
                d
            }
            None => DEFAULT_NOTIFY_TIMEOUT,
        };
        let name = match &r.name {
            Some(n) => self.text(n, &field("name"), NAME)?,
            None => kind.word().to_string(),
        };
        Ok(NotifyReceiver {
            name,
            kind,
            secret,
            secret_field,
            endpoint,
            events,
            timeout,
        })
    }
}

#[cfg(test)]
mod tests;
