//! PagerDuty Events API v2: a breach triggers an alert and its recovery
//! resolves it (one dedup key for both); everything else — a wave begun,
//! an action taken — is a change event, which pages nobody.

use serde_json::{Value, json};

use crate::domain::notification::{Notification, NotifyEvent};

/// Where alert events go, under the Events API's base URL.
pub const ALERTS: &str = "/v2/enqueue";
/// Where change events go.
pub const CHANGES: &str = "/v2/change/enqueue";
/// The longest summary the API takes.
pub const SUMMARY_MAX: usize = 1024;

fn summary(n: &Notification) -> String {
    let text = n.headline();
    if text.chars().count() <= SUMMARY_MAX {
        return text;
    }
    let mut out: String = text.chars().take(SUMMARY_MAX - 1).collect();
    out.push('…');
    out
}

fn details(n: &Notification) -> Value {
    json!({
        "event": n.event.word(),
        "service": n.service,
        "region": n.region,
        "text": n.text,
        "drill": n.drill,
    })
}

fn source(n: &Notification) -> String {
    match &n.region {
        Some(r) => format!("{}/{r}", n.service),
        None => n.service.clone(),
    }
}

/// The path under the base URL and the JSON body for `n`, sent with `routing_key`.
pub fn event(n: &Notification, routing_key: &str) -> (&'static str, Value) {
    let time = n.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    match n.event {
        NotifyEvent::Breach => {
            let mut body = json!({
                "routing_key": routing_key,
                "event_action": "trigger",
                "payload": {
                    "summary": summary(n),
                    "source": source(n),
                    "severity": n.severity.word(),
                    "timestamp": time,
                    "component": n.region.clone().unwrap_or_else(|| "all regions".to_string()),
                    "group": n.service,
                    "class": "stop condition",
                    "custom_details": details(n),
                },
                "client": "warroom",
            });
            if let Some(key) = &n.dedup_key {
                body["dedup_key"] = json!(key);
            }
            (ALERTS, body)
        }
        NotifyEvent::Recovery => (
            ALERTS,
            json!({
                "routing_key": routing_key,
                "event_action": "resolve",
                "dedup_key": n.dedup_key,
            }),
        ),
        _ => (
            CHANGES,
            json!({
                "routing_key": routing_key,
                "payload": {
                    "summary": summary(n),
                    "timestamp": time,
                    "source": source(n),
                    "custom_details": details(n),
                },
            }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::notification::Severity;

    fn note(event: NotifyEvent) -> Notification {
        Notification {
            event,
            service: "checkout".into(),
            region: Some("eu-west-1".into()),
            text: "BREACH error rate".into(),
            at: "2026-11-25T09:00:00Z".parse().unwrap(),
            severity: Severity::Critical,
            drill: false,
            dedup_key: Some("warroom/checkout/k".into()),
        }
    }

    #[test]
    fn a_breach_triggers_and_its_recovery_resolves_with_one_key() {
        let (path, trigger) = event(&note(NotifyEvent::Breach), "R0UT1NG");
        assert_eq!(path, "/v2/enqueue");
        assert_eq!(trigger["routing_key"], "R0UT1NG");
        assert_eq!(trigger["event_action"], "trigger");
        assert_eq!(trigger["dedup_key"], "warroom/checkout/k");
        let p = &trigger["payload"];
        assert_eq!(p["summary"], "BREACH error rate");
        assert_eq!(p["source"], "checkout/eu-west-1");
        assert_eq!(p["severity"], "critical");
        assert_eq!(p["timestamp"], "2026-11-25T09:00:00Z");
        assert_eq!(p["custom_details"]["drill"], false);
        let (path, resolve) = event(&note(NotifyEvent::Recovery), "R0UT1NG");
        assert_eq!(path, "/v2/enqueue");
        assert_eq!(resolve["event_action"], "resolve");
        assert_eq!(resolve["dedup_key"], trigger["dedup_key"]);
        assert!(resolve.get("payload").is_none());
    }

    #[test]
    fn a_wave_or_an_action_is_a_change_event() {
        for e in [NotifyEvent::WaveEntered, NotifyEvent::ActionDone] {
            let (path, body) = event(&note(e), "R0UT1NG");
            assert_eq!(path, "/v2/change/enqueue");
            assert_eq!(body["routing_key"], "R0UT1NG");
            assert!(body.get("event_action").is_none());
            assert_eq!(body["payload"]["summary"], "BREACH error rate");
            assert_eq!(body["payload"]["timestamp"], "2026-11-25T09:00:00Z");
            assert!(body["payload"]["custom_details"].is_object());
        }
    }

    #[test]
    fn a_long_summary_is_cut_to_the_apis_limit() {
        let mut n = note(NotifyEvent::Breach);
        n.text = "x".repeat(2000);
        n.drill = true;
        let (_, body) = event(&n, "k");
        let s = body["payload"]["summary"].as_str().unwrap();
        assert!(s.chars().count() <= SUMMARY_MAX && s.starts_with("[DRILL] "));
    }
}
