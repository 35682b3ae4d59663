//! Slack incoming webhooks: a message of Block Kit blocks — a header, the
//! text as a section, a context line — with the plain text beside them for
//! notifications and screen readers.

use serde_json::{Value, json};

use crate::domain::notification::{DRILL_PREFIX, Notification, NotifyEvent};

/// The longest header text Slack takes.
pub const HEADER_MAX: usize = 150;
/// The longest section text Slack takes.
pub const SECTION_MAX: usize = 3000;

/// The header's words for an event.
fn title(event: NotifyEvent) -> &'static str {
    match event {
        NotifyEvent::Breach => "Breach",
        NotifyEvent::Recovery => "Recovered",
        NotifyEvent::ActionAsked => "Action asked",
        NotifyEvent::ActionDone => "Action done",
        NotifyEvent::ActionFailed => "Action failed",
        NotifyEvent::WaveEntered => "Wave entered",
        NotifyEvent::NoGo => "NO-GO",
        NotifyEvent::Annotation => "Annotation",
    }
}

/// `text` cut to `max` characters, with an ellipsis when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Text as Slack's mrkdwn shows it literally: its three control characters escaped.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The JSON body posted for `n`.
pub fn message(n: &Notification) -> Value {
    let drill = if n.drill { DRILL_PREFIX } else { "" };
    let header = cut(
        &format!("{drill}{}: {}", title(n.event), n.service),
        HEADER_MAX,
    );
    let section = cut(&escape(&n.headline()), SECTION_MAX);
    let mut context = vec![format!("service *{}*", escape(&n.service))];
    if let Some(r) = &n.region {
        context.push(format!("region *{}*", escape(r)));
    }
    context.push(n.at.format("%Y-%m-%d %H:%M:%S UTC").to_string());
    if n.drill {
        context.push("*DRILL* — nothing real is affected".to_string());
    }
    json!({
        "text": cut(&n.headline(), SECTION_MAX),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": false}},
            {"type": "section", "text": {"type": "mrkdwn", "text": section}},
            {"type": "context", "elements": [
                {"type": "mrkdwn", "text": context.join(" · ")}
            ]},
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::notification::Severity;

    fn note(drill: bool) -> Notification {
        Notification {
            event: NotifyEvent::Breach,
            service: "checkout".into(),
            region: Some("eu-west-1".into()),
            text: "BREACH error rate > 2 % in eu-west-1 (5.1 %) → rollback <now> & then".into(),
            at: "2026-11-25T09:00:00Z".parse().unwrap(),
            severity: Severity::Critical,
            drill,
            dedup_key: None,
        }
    }

    #[test]
    fn blocks_are_a_header_a_section_and_a_context() {
        let v = message(&note(false));
        let blocks = v["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[0]["type"], "header");
        assert_eq!(blocks[0]["text"]["type"], "plain_text");
        assert_eq!(blocks[0]["text"]["text"], "Breach: checkout");
        assert_eq!(blocks[1]["type"], "section");
        assert_eq!(blocks[1]["text"]["type"], "mrkdwn");
        let section = blocks[1]["text"]["text"].as_str().unwrap();
        assert!(section.contains("&lt;now&gt; &amp; then"), "{section}");
        assert_eq!(blocks[2]["type"], "context");
        assert_eq!(blocks[2]["elements"][0]["type"], "mrkdwn");
        assert!(v["text"].as_str().unwrap().starts_with("BREACH"));
    }

    #[test]
    fn a_drill_says_so_everywhere_and_long_text_is_cut_to_slacks_limits() {
        let mut n = note(true);
        n.service = "s".repeat(400);
        n.text = "x".repeat(5000);
        let v = message(&n);
        let header = v["blocks"][0]["text"]["text"].as_str().unwrap();
        assert!(header.starts_with("[DRILL] "));
        assert!(header.chars().count() <= HEADER_MAX);
        let section = v["blocks"][1]["text"]["text"].as_str().unwrap();
        assert!(section.starts_with("[DRILL] ") && section.chars().count() <= SECTION_MAX);
        assert!(v["text"].as_str().unwrap().starts_with("[DRILL] "));
        let context = v["blocks"][2]["elements"][0]["text"].as_str().unwrap();
        assert!(context.contains("DRILL"));
    }
}
