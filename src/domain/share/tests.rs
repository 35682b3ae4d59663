use super::*;

fn plain(text: &str) -> String {
    redact(text, &SharePolicy::default())
}

fn private(words: &[&str]) -> SharePolicy {
    SharePolicy {
        private: words.iter().map(|w| w.to_string()).collect(),
    }
}

#[test]
fn urls_are_hidden_whole_with_the_punctuation_around_them_kept() {
    assert_eq!(
        plain("GET https://prom.internal:9090/api/v1/query?query=up failed"),
        "GET ‹url› failed"
    );
    assert_eq!(
        plain("hook (http://hooks.slack.com/services/T000/B000/XXXX), retrying"),
        "hook (‹url›), retrying"
    );
    assert_eq!(plain("see <https://example.com/x>."), "see <‹url›>.");
}

#[test]
fn hosts_with_ports_and_addresses_are_hidden() {
    assert_eq!(
        plain("connection refused: prometheus.monitoring.svc:9090"),
        "connection refused: ‹host›"
    );
    assert_eq!(
        plain("dial localhost:9090: timeout"),
        "dial ‹host›: timeout"
    );
    assert_eq!(
        plain("from 10.0.0.7 and 10.1.2.3:443"),
        "from ‹host› and ‹host›"
    );
    assert_eq!(plain("at [::1]:8080"), "at ‹host›");
    assert_eq!(plain("db-1:5432 is down"), "‹host› is down");
    assert_eq!(
        plain("api.us-east-1.example.com answered 503"),
        "‹host› answered 503"
    );
    assert_eq!(plain("status of grafana.net"), "status of ‹host›");
    assert_eq!(plain("mail ops@corp.example.com"), "mail ops@‹host›");
}

#[test]
fn bearer_and_other_tokens_are_hidden() {
    assert_eq!(
        plain("Authorization: Bearer abc.def.ghi rejected"),
        "Authorization: Bearer ‹token› rejected"
    );
    assert_eq!(plain("bearer s3cr3t"), "bearer ‹token›");
    assert_eq!(plain("Basic dXNlcjpwYXNz"), "Basic ‹token›");
    assert_eq!(plain("?api_key=abc123&x"), "?api_key=‹token›");
    assert_eq!(plain("token=hunter2"), "token=‹token›");
    assert_eq!(
        plain("using ghp_16C7e42F292c6912E7710c838347Ae178B4a now"),
        "using ‹token› now"
    );
    assert_eq!(
        plain("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp"),
        "‹token›"
    );
}

#[test]
fn private_words_are_hidden_whatever_their_case() {
    let policy = private(&["Acme Corp", "payments-db"]);
    assert_eq!(
        redact("breach for acme corp on PAYMENTS-DB", &policy),
        "breach for ‹private› on ‹private›"
    );
    assert_eq!(
        redact("payments-db-replica lagging", &policy),
        "‹private›-replica lagging"
    );
    // A blank private word hides nothing.
    assert_eq!(redact("all calm", &private(&["", "  "])), "all calm");
    // Not ASCII: matched by characters, not bytes.
    assert_eq!(
        redact("Zürich-Ost überlastet", &private(&["zürich-ost"])),
        "‹private› überlastet"
    );
}

#[test]
fn what_a_bridge_needs_to_read_stays() {
    for text in [
        "✖ BREACH error rate > 2.00% for 15s in us-east-1 (6.50%) → alert",
        "wave 2/4 early: 25% in eu-west-1, us-east-1",
        "09:01:22 paused by dana: latency p99 411ms",
        "v2.3.1 → v2.4.0",
        "checkout-api rolled back; plan.toml line 3",
        "e.g. pause, i.e. stop",
        "delivery history read: 469 events",
        "internationalization is not a token",
        "actions are recorded in /var/lib/warroom2/audit-2026.jsonl",
        "image checkout:v2.4.0 · ratio 3:1 · p99:411ms",
        "",
    ] {
        assert_eq!(plain(text), text);
    }
}

#[test]
fn spaces_and_line_shape_are_kept() {
    assert_eq!(plain("  a  localhost:1  b "), "  a  ‹host›  b ");
}

#[test]
fn a_plain_word_after_basic_is_not_a_credential() {
    assert_eq!(plain("Basic auth failed"), "Basic auth failed");
    assert_eq!(plain("token expired"), "token expired");
}
