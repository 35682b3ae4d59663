//! Free text in whole plans: every field that reaches the screen or the
//! audit log is refused with file:line:field when it holds a character
//! that may not be shown, or is too long.

use std::path::Path;

use crate::config::plan::{PlanError, PlanFile};

fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    std::fs::read_to_string(path).unwrap_or_default()
}

/// `example` with the first `from` replaced by `to`, parsed; the error and
/// the line `to` starts on.
fn edited(example_name: &str, from: &str, to: &str) -> (PlanError, usize) {
    let text = example(example_name);
    assert!(text.contains(from), "{example_name} has no `{from}`");
    let edited = text.replacen(from, to, 1);
    let line = edited
        .find(to)
        .map_or(0, |at| edited[..at].matches('\n').count() + 1);
    match PlanFile::parse(&edited, Path::new("bad.toml")) {
        Ok(_) => panic!("`{to}` was accepted in {example_name}"),
        Err(e) => (e, line),
    }
}

/// Characters of each refused class, as TOML escapes, and what the error says.
const BAD: [(&str, &str); 7] = [
    ("\\u001b]52;c;aGk=\\u0007", "U+001B"),
    ("\\t", "U+0009"),
    ("\\n", "U+000A"),
    ("\\u009b2J", "U+009B"),
    ("\\u202e", "U+202E"),
    ("\\u2067", "U+2067"),
    ("\\u200f", "U+200F"),
];

/// (example, the value as written, field) for every free-text field.
const FIELDS: [(&str, &str, &str); 17] = [
    ("simulator.toml", "\"checkout-api\"", "service"),
    ("simulator.toml", "\"v2.3.1\"", "versions.stable"),
    ("simulator.toml", "\"v2.4.0\"", "versions.canary"),
    ("simulator.toml", "region = \"region\"", "labels.region"),
    ("simulator.toml", "\"ap-southeast-1\"", "regions[2].name"),
    ("kubernetes.toml", "\"us-west-2\"", "regions[2].label"),
    ("simulator.toml", "\"early\"", "waves[1].name"),
    (
        "simulator.toml",
        "\"dana (SRE lead)\"",
        "scorecard.approved_by",
    ),
    ("simulator.toml", "\"kim\"", "scorecard.owners.pilot"),
    (
        "simulator.toml",
        "\"http://127.0.0.1:9090\"",
        "sources.metrics.url",
    ),
    (
        "simulator.toml",
        "\"http://127.0.0.1:9464\"",
        "sources.deploy.url",
    ),
    (
        "simulator.toml",
        "\"history.ndjson\"",
        "sources.history.events",
    ),
    (
        "kubernetes.toml",
        "\"/var/run/secrets/monitoring/token\"",
        "sources.metrics.auth.bearer_token_file",
    ),
    (
        "kubernetes.toml",
        "\"prod-eu\"",
        "sources.deploy.targets[0].context",
    ),
    (
        "kubernetes.toml",
        "rollout = \"payments\"",
        "sources.deploy.targets[0].rollout",
    ),
    (
        "kubernetes.toml",
        "namespace = \"payments-west\"",
        "sources.deploy.targets[2].namespace",
    ),
    (
        "simulator.toml",
        "'sum by (region, version) (rate(http_requests_total[30s]))'",
        "signals.request_rate",
    ),
];

/// `written` with `bad` put inside its quotes, in the middle.
fn spoiled(written: &str, bad: &str) -> String {
    let close = written.len() - 1;
    let inner = written.find(['"', '\'']).map_or(0, |q| q + 1);
    let middle = inner + (close - inner) / 2;
    format!("{}{bad}{}", &written[..middle], &written[middle..])
}

#[test]
fn every_free_text_field_refuses_every_class_with_file_line_field() {
    for (file, written, field) in FIELDS {
        for (bad, code) in BAD {
            // Multi-line PromQL may keep its tabs and newlines.
            if field.starts_with("signals.") && matches!(bad, "\\t" | "\\n") {
                continue;
            }
            let to = if field.starts_with("signals.") {
                format!("\"rate(x[30s]){bad}\"")
            } else {
                spoiled(written, bad)
            };
            let (e, line) = edited(file, written, &to);
            assert_eq!(e.field, field, "{to}: {e}");
            assert_eq!(e.line, line, "{to}: {e}");
            let shown = e.to_string();
            assert!(
                shown.starts_with(&format!("bad.toml:{line}: {field}: ")),
                "{shown}"
            );
            assert!(shown.contains(code), "{field} {code}: {shown}");
            assert!(!shown.chars().any(char::is_control), "{shown:?}");
            assert!(!shown.contains('\u{202e}') && !shown.contains('\u{2067}'));
        }
    }
}

#[test]
fn queries_may_span_lines() {
    let text = example("simulator.toml").replacen(
        "'sum by (region, version) (rate(http_requests_total[30s]))'",
        "'''\nsum by (region, version) (\n\trate(http_requests_total[30s])\n)\n'''",
        1,
    );
    let plan = PlanFile::parse(&text, Path::new("plan.toml"));
    assert!(plan.is_ok(), "{plan:?}");
}

#[test]
fn names_are_at_most_100_characters_and_labels_200() {
    let long = |n: usize| format!("\"{}\"", "s".repeat(n));
    let (e, line) = edited("simulator.toml", "\"checkout-api\"", &long(101));
    assert_eq!(
        e.to_string(),
        format!("bad.toml:{line}: service: is 101 characters long; names are at most 100")
    );
    let (e, _) = edited("simulator.toml", "\"kim\"", &long(101));
    assert_eq!(e.field, "scorecard.owners.pilot");
    let (e, _) = edited("simulator.toml", "\"canary\"", &long(101));
    assert_eq!(e.field, "waves[0].name");
    let (e, _) = edited("kubernetes.toml", "\"us-west-2\"", &long(201));
    assert!(e.problem.contains("labels are at most 200"), "{e}");
    let fits = example("simulator.toml").replacen("\"checkout-api\"", &long(100), 1);
    assert!(PlanFile::parse(&fits, Path::new("plan.toml")).is_ok());
}

#[test]
fn a_plan_over_one_mebibyte_is_refused_before_parsing() {
    // A 50 MB service name makes the file itself too large.
    let text = example("simulator.toml").replacen(
        "\"checkout-api\"",
        &format!("\"{}\"", "x".repeat(50 << 20)),
        1,
    );
    let e = PlanFile::parse(&text, Path::new("big.toml")).err();
    let shown = e.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        shown.starts_with("big.toml: (file): is larger than 1 MiB"),
        "{shown}"
    );

    let path = std::env::temp_dir().join(format!("warroom-big-plan-{}.toml", std::process::id()));
    let padded = format!("{}\n#{}\n", example("simulator.toml"), "x".repeat(1 << 20));
    assert!(std::fs::write(&path, padded).is_ok());
    let e = PlanFile::load(&path)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    assert!(e.contains("(file): is larger than 1 MiB"), "{e}");
}

#[test]
fn an_endless_file_is_refused_after_one_mebibyte() {
    let zero = Path::new("/dev/zero");
    if !zero.exists() {
        eprintln!("SKIPPED an_endless_file_is_refused_after_one_mebibyte: no /dev/zero here");
        return;
    }
    let e = PlanFile::load(zero)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert_eq!(
        e,
        "/dev/zero: (file): is larger than 1 MiB; a plan is a short text file: is this the right file?"
    );
}

#[test]
fn errors_that_repeat_a_value_escape_it() {
    let (e, _) = edited(
        "simulator.toml",
        "on_breach = \"alert\"",
        "on_breach = \"\\u001b[2J\\u001b]0;owned\\u0007\"",
    );
    assert_eq!(e.field, "stop_conditions[0].on_breach");
    let shown = e.to_string();
    assert!(shown.contains("\\u{1b}[2J"), "{shown}");
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    let e = PlanError {
        file: "pl\u{202e}an.toml".into(),
        line: 3,
        field: "a\nb".into(),
        problem: "x".repeat(5000),
    };
    let shown = e.to_string();
    assert!(
        shown.starts_with("pl\\u{202e}an.toml:3: a\\u{a}b: "),
        "{shown}"
    );
    assert!(shown.len() < 1100, "{}", shown.len());
}
