//! The generic webhook: one JSON envelope per message (docs/notifications.md).

use serde_json::{Value, json};

use crate::domain::notification::Notification;

/// The envelope's version: a field added keeps it, a field changed or
/// removed raises it.
pub const ENVELOPE_VERSION: u64 = 1;

/// The JSON body posted for `n`.
pub fn envelope(n: &Notification) -> Value {
    json!({
        "version": ENVELOPE_VERSION,
        "source": "warroom",
        "event": n.event.word(),
        "service": n.service,
        "region": n.region,
        "text": n.headline(),
        "severity": n.severity.word(),
        "time": n.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "drill": n.drill,
        "dedup_key": n.dedup_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::notification::{NotifyEvent, Severity};

    #[test]
    fn the_envelope_has_every_documented_field_with_its_type() {
        let n = Notification {
            event: NotifyEvent::Breach,
            service: "checkout".into(),
            region: Some("eu-west-1".into()),
            text: "BREACH error rate".into(),
            at: "2026-11-25T09:00:00Z".parse().unwrap(),
            severity: Severity::Critical,
            drill: true,
            dedup_key: Some("drill/k".into()),
        };
        let v = envelope(&n);
        assert_eq!(v["version"], 1);
        assert_eq!(v["source"], "warroom");
        assert_eq!(v["event"], "breach");
        assert_eq!(v["service"], "checkout");
        assert_eq!(v["region"], "eu-west-1");
        assert_eq!(v["text"], "[DRILL] BREACH error rate");
        assert_eq!(v["severity"], "critical");
        assert_eq!(v["time"], "2026-11-25T09:00:00Z");
        assert_eq!(v["drill"], true);
        assert_eq!(v["dedup_key"], "drill/k");
        assert_eq!(v.as_object().map(|o| o.len()), Some(10));
        let calm = Notification {
            region: None,
            dedup_key: None,
            drill: false,
            ..n
        };
        let v = envelope(&calm);
        assert!(v["region"].is_null() && v["dedup_key"].is_null());
        assert_eq!(v["text"], "BREACH error rate");
    }
}
