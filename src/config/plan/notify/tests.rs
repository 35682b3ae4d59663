//! `[[notify]]` checked: each kind, its secret named never written, events,
//! and every mistake with its file, line and field.

use std::path::Path;

use super::super::{PlanError, PlanFile};
use super::*;

/// The simulator example with `notify` appended.
fn with_notify(notify: &str) -> (String, Result<PlanFile, PlanError>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml");
    let text = format!("{}\n{notify}", std::fs::read_to_string(path).unwrap());
    let parsed = PlanFile::parse(&text, Path::new("/plans/checkout.toml"));
    (text, parsed)
}

fn line_of(text: &str, needle: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    lines.iter().rposition(|l| l.contains(needle)).unwrap() + 1
}

fn expect_error(notify: &str, needle: &str, field: &str, says: &str) {
    let (text, parsed) = with_notify(notify);
    let e = parsed
        .err()
        .unwrap_or_else(|| panic!("accepted:\n{notify}"));
    assert_eq!(e.file, "/plans/checkout.toml");
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, needle), field),
        "{e}"
    );
    assert!(e.problem.contains(says), "{e}");
}

#[test]
fn each_kind_reads_with_its_secret_named_and_its_own_events() {
    let (_, plan) = with_notify(
        "[[notify]]\nname = \"ops\"\nkind = \"slack\"\nurl_env = \"SLACK_URL\"\n\n\
         [[notify]]\nkind = \"pagerduty\"\nrouting_key_file = \"pd.key\"\nevents = [\"breach\", \"recovery\", \"wave-entered\"]\n\n\
         [[notify]]\nkind = \"webhook\"\nurl_file = \"/etc/hook.url\"\ntimeout = \"3s\"\n",
    );
    let notify = plan.unwrap().notify;
    assert_eq!(notify.len(), 3);
    assert_eq!(
        (notify[0].name.as_str(), notify[0].kind),
        ("ops", NotifyKind::Slack)
    );
    assert_eq!(notify[0].secret, SecretSource::Env("SLACK_URL".into()));
    assert_eq!(notify[0].secret_field, "notify[0].url_env");
    assert_eq!(notify[0].events, NotifyKind::Slack.default_events());
    assert_eq!(notify[1].name, "pagerduty");
    assert_eq!(notify[1].secret, SecretSource::File("/plans/pd.key".into()));
    assert_eq!(
        notify[1].events,
        [
            NotifyEvent::Breach,
            NotifyEvent::Recovery,
            NotifyEvent::WaveEntered
        ]
    );
    assert_eq!(notify[1].endpoint, None);
    assert_eq!(notify[2].events, NotifyEvent::ALL.to_vec());
    assert_eq!(notify[2].timeout, Duration::from_secs(3));
    assert_eq!(notify[2].secret, SecretSource::File("/etc/hook.url".into()));
    let (_, none) = with_notify("");
    assert!(none.unwrap().notify.is_empty());
}

#[test]
fn a_secret_written_in_the_plan_is_refused_without_being_repeated() {
    let hook = "https://hooks.slack.com/services/T0/B0/s3cr3t";
    let (text, parsed) = with_notify(&format!("[[notify]]\nkind = \"slack\"\nurl = \"{hook}\"\n"));
    let e = parsed.unwrap_err();
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, "url ="), "notify[0].url")
    );
    assert!(e.problem.contains("url_file or url_env"), "{e}");
    assert!(!e.to_string().contains("s3cr3t"), "{e}");
    expect_error(
        "[[notify]]\nkind = \"pagerduty\"\nrouting_key = \"R0UT1NG\"\n",
        "routing_key =",
        "notify[0].routing_key",
        "routing_key_file or routing_key_env",
    );
}

#[test]
fn mistakes_name_the_line_and_the_field() {
    expect_error(
        "[[notify]]\nkind = \"teams\"\nurl_env = \"X\"\n",
        "\"teams\"",
        "notify[0].kind",
        "webhook, slack or pagerduty",
    );
    expect_error(
        "[[notify]]\nkind = \"slack\"\n",
        "\"slack\"",
        "notify[0].url_file",
        "missing",
    );
    expect_error(
        "[[notify]]\nkind = \"slack\"\nurl_env = \"A\"\nurl_file = \"b\"\n",
        "url_env",
        "notify[0].url_env",
        "not both",
    );
    expect_error(
        "[[notify]]\nkind = \"pagerduty\"\nurl_env = \"A\"\n",
        "url_env",
        "notify[0].url_env",
        "routing_key_file or routing_key_env",
    );
    expect_error(
        "[[notify]]\nkind = \"slack\"\nurl_env = \"A\"\nevents = [\"breach\", \"oops\"]\n",
        "events",
        "notify[0].events[1]",
        "`oops` is not an event",
    );
    expect_error(
        "[[notify]]\nkind = \"slack\"\nurl_env = \"A\"\nevents = []\n",
        "events",
        "notify[0].events",
        "is empty",
    );
    expect_error(
        "[[notify]]\nkind = \"webhook\"\nurl_env = \"A\"\nendpoint = \"https://x\"\n",
        "endpoint",
        "notify[0].endpoint",
        "only a pagerduty receiver",
    );
    expect_error(
        "[[notify]]\nkind = \"pagerduty\"\nrouting_key_env = \"K\"\nendpoint = \"http://pd.example\"\n",
        "endpoint",
        "notify[0].endpoint",
        "clear text",
    );
    expect_error(
        "[[notify]]\nkind = \"slack\"\nurl_env = \"A\"\n\n[[notify]]\nkind = \"slack\"\nurl_env = \"B\"\n",
        "\"slack\"",
        "notify[1].name",
        "names two receivers",
    );
    expect_error(
        "[[notify]]\nkind = \"slack\"\nurl_env = \"A\"\ntimeout = \"5m\"\n",
        "timeout",
        "notify[0].timeout",
        "at most 60s",
    );
    expect_error(
        "[[notify]]\nkind = \"slack\"\nurl_env = \"A\"\nchannel = \"#ops\"\n",
        "channel",
        "notify[0].channel",
        "unknown field",
    );
}
