//! Each draft from fixed states: a breach, a pause, a rollback, calm; and
//! what the customer draft never says, however hostile the inputs.

use super::*;
use crate::domain::rollout::Phase;

fn at(h: u32, m: u32) -> Timestamp {
    use chrono::TimeZone;
    chrono::Utc
        .with_ymd_and_hms(2026, 3, 14, h, m, 0)
        .single()
        .unwrap_or_default()
}

fn region(id: &str, word: &str, breached: bool, weight: u8) -> RegionLine {
    RegionLine {
        region: id.to_string(),
        word: word.to_string(),
        breached,
        canary_weight: Some(weight),
    }
}

fn comms() -> CommsPlan {
    CommsPlan {
        cadence: Span::minutes(20),
        public_names: vec![
            ("us-east-1".to_string(), "North America East".to_string()),
            ("eu-west-1".to_string(), "Europe".to_string()),
        ],
        product: Some("Checkout".to_string()),
    }
}

/// Calm: wave 2 going on, every region OK.
fn calm() -> Inputs {
    Inputs {
        service: "checkout-api".to_string(),
        from_version: "v2.3.1".to_string(),
        to_version: "v2.4.0".to_string(),
        call: "GO".to_string(),
        reasons: vec![],
        phase: Some(Phase::Progressing),
        wave: Some(WaveLine {
            number: 2,
            of: 4,
            name: "early".to_string(),
            weight: 25,
        }),
        traffic_share: Some(12.5),
        regions: vec![
            region("eu-west-1", "OK", false, 25),
            region("us-east-1", "OK", false, 25),
            region("ap-southeast-1", "OK", false, 0),
        ],
        breaches: vec![],
        actions: vec![],
        first_breach: None,
        rolled_back: false,
        dora: Some(DoraEffect {
            window_days: 30,
            deployments: 20,
            failed: 2,
            includes_this: false,
            counted_failed: false,
        }),
        comms: comms(),
        next_update: None,
        now: at(9, 10),
    }
}

/// us-east-1 in breach of its error rate; paused by warroom.
fn breach() -> Inputs {
    let mut i = calm();
    i.call = "NO-GO".to_string();
    i.reasons = vec!["breach in us-east-1: error rate".to_string()];
    i.phase = Some(Phase::Paused);
    i.regions[1] = region("us-east-1", "BREACH", true, 25);
    i.breaches = vec![
        BreachLine {
            condition: "error rate > 2% for 10s".to_string(),
            place: "in us-east-1".to_string(),
            value: "6.10%".to_string(),
            consequence: "pause".to_string(),
            symptom: Symptom::Errors,
        },
        BreachLine {
            condition: "latency p99 > 1.5× stable for 10s".to_string(),
            place: "in us-east-1".to_string(),
            value: "2.2×".to_string(),
            consequence: "alert".to_string(),
            symptom: Symptom::Slow,
        },
    ];
    i.actions = vec![
        ActionLine {
            at: at(9, 2),
            text: "warroom asked to pause (all regions): stop condition breached".to_string(),
        },
        ActionLine {
            at: at(9, 2),
            text: "pause done by warroom: rollout paused".to_string(),
        },
    ];
    i.first_breach = Some(at(9, 1));
    i.next_update = Some(at(9, 21));
    i
}

fn rolled_back() -> Inputs {
    let mut i = breach();
    i.call = "ROLLED BACK".to_string();
    i.reasons = vec![];
    i.phase = Some(Phase::RolledBack);
    i.rolled_back = true;
    i.traffic_share = Some(0.0);
    i.breaches.clear();
    for r in &mut i.regions {
        r.breached = false;
        r.word = "OK".to_string();
        r.canary_weight = Some(0);
    }
    i.actions.push(ActionLine {
        at: at(9, 5),
        text: "alice asked to roll back (all regions)".to_string(),
    });
    if let Some(d) = &mut i.dora {
        d.failed += 1;
        d.counted_failed = true;
    }
    i
}

/// Paused by a person, nothing in breach.
fn paused() -> Inputs {
    let mut i = calm();
    i.call = "NO-GO".to_string();
    i.phase = Some(Phase::Paused);
    i.actions = vec![ActionLine {
        at: at(9, 8),
        text: "bob asked to pause (all regions): checking a dashboard".to_string(),
    }];
    i
}

fn never_in_customer(text: &str, inputs: &Inputs) {
    for bad in [
        "v2.4.0",
        "2.4.0",
        "v2.3.1",
        "checkout-api",
        "us-east-1",
        "eu-west-1",
        "http",
        "ETA",
        "canary",
        "wave",
        "breach",
        "warroom",
    ] {
        assert!(!text.contains(bad), "customer draft says {bad}:\n{text}");
    }
    assert_eq!(
        leaks(text, &inputs.forbidden()),
        Vec::<String>::new(),
        "{text}"
    );
}

#[test]
fn internal_says_conditions_values_actions_needs_and_next_update() {
    let i = breach();
    let text = draft(Audience::Internal, &i);
    for says in [
        "checkout-api v2.3.1 → v2.4.0",
        "Status: NO-GO · PAUSED · wave 2/4 early (25%)",
        "- us-east-1: BREACH (new version 25%)",
        "- eu-west-1: OK",
        "- error rate > 2% for 10s in us-east-1: 6.10% (on breach: pause)",
        "- 09:02:00 pause done by warroom: rollout paused",
        "First breach: 09:01 UTC (9m ago)",
        "a decision: roll back, or resume",
        "Next update: 09:21 UTC",
    ] {
        assert!(
            text.contains(says),
            "internal draft lacks `{says}`:\n{text}"
        );
    }
}

#[test]
fn customer_on_a_breach_names_the_public_region_and_the_symptoms_only() {
    let i = breach();
    let text = draft(Audience::Customer, &i);
    assert!(text.contains("in North America East"), "{text}");
    assert!(!text.contains("Europe"), "only affected regions: {text}");
    assert!(text.contains("errors and slower responses"), "{text}");
    assert!(text.contains("stopped a recent change"), "{text}");
    assert!(text.contains("next update by 09:21 UTC"), "{text}");
    assert!(!text.contains("rolled back"), "{text}");
    never_in_customer(&text, &i);
}

#[test]
fn customer_after_a_rollback_says_so_in_plain_words() {
    let i = rolled_back();
    let text = draft(Audience::Customer, &i);
    assert!(text.contains("We rolled back a recent change"), "{text}");
    assert!(text.contains("recovering"), "{text}");
    never_in_customer(&text, &i);
}

#[test]
fn customer_when_calm_or_paused_says_operating_normally() {
    for i in [calm(), paused()] {
        let text = draft(Audience::Customer, &i);
        assert!(text.contains("Checkout is operating normally"), "{text}");
        never_in_customer(&text, &i);
    }
}

#[test]
fn executive_says_impact_share_time_change_decision_and_dora() {
    let i = breach();
    let text = draft(Audience::Executive, &i);
    for says in [
        "Status: NO-GO · PAUSED",
        "Customer impact: errors and slower responses in 1 of 3 regions (us-east-1); the new version takes 12% of traffic",
        "Since the first breach: 9m (at 09:01 UTC)",
        "What changed: checkout-api v2.3.1 → v2.4.0, wave 2/4 early",
        "Decision needed: roll back, or hold and investigate",
        "DORA: change failure rate over 30 days 10% (2 of 20); 14% (3 of 21) once this change counts as failed",
        "Next update: 09:21 UTC",
    ] {
        assert!(
            text.contains(says),
            "executive draft lacks `{says}`:\n{text}"
        );
    }
}

#[test]
fn executive_after_a_rollback_and_when_calm() {
    let text = draft(Audience::Executive, &rolled_back());
    assert!(
        text.contains("none now: all traffic is back on v2.3.1"),
        "{text}"
    );
    assert!(
        text.contains("15% (3 of 20), this change counted as failed"),
        "{text}"
    );
    assert!(text.contains("(rolled back)"), "{text}");
    let text = draft(Audience::Executive, &calm());
    assert!(text.contains("Customer impact: none seen"), "{text}");
    assert!(text.contains("Since the first breach: no breach"), "{text}");
    assert!(
        text.contains("14% (3 of 21) if this change fails"),
        "{text}"
    );
    assert!(text.contains("Decision needed: none"), "{text}");
}

#[test]
fn a_breach_that_recovered_is_still_told_to_customers() {
    let mut i = calm();
    i.first_breach = Some(at(9, 2));
    i.phase = Some(Phase::Paused);
    let text = draft(Audience::Customer, &i);
    assert!(!text.contains("operating normally"), "{text}");
    assert!(text.contains("stopped a recent change"), "{text}");
}

#[test]
fn internal_without_a_breach_but_without_go_asks_for_a_watch_not_nothing() {
    let mut i = calm();
    i.call = "NO-GO".to_string();
    i.reasons = vec!["tripping in us-east-1: error rate".to_string()];
    let text = draft(Audience::Internal, &i);
    assert!(
        text.contains("a close watch: the next wave waits (tripping in us-east-1: error rate)"),
        "{text}"
    );
    assert!(!text.contains("proceeds as planned"), "{text}");
    i.call = "STALE".to_string();
    i.reasons.clear();
    let text = draft(Audience::Internal, &i);
    assert!(
        text.contains("a close watch: the next wave waits\n"),
        "{text}"
    );
}

#[test]
fn internal_when_paused_asks_for_a_decision_and_when_calm_for_nothing() {
    let text = draft(Audience::Internal, &paused());
    assert!(text.contains("bob asked to pause"), "{text}");
    assert!(
        text.contains("resume the paused change, or roll it back"),
        "{text}"
    );
    assert!(text.contains("- no stop condition in breach"), "{text}");
    let text = draft(Audience::Internal, &calm());
    assert!(
        text.contains("nothing: the change proceeds as planned"),
        "{text}"
    );
    assert!(text.contains("- none taken"), "{text}");
    assert!(text.contains("when there is something to tell"), "{text}");
}

#[test]
fn hostile_plan_names_never_reach_customers() {
    let mut i = breach();
    // A product and a public name that give the game away, a timeline that
    // names hosts and URLs: the customer draft drops what would leak.
    i.comms.product = Some("checkout-api v2.4.0".to_string());
    i.comms.public_names[0].1 = "api.us-east-1.example.com".to_string();
    i.actions.push(ActionLine {
        at: at(9, 3),
        text: "deployed v2.4.0 to https://checkout.internal:8443/admin".to_string(),
    });
    let text = draft(Audience::Customer, &i);
    never_in_customer(&text, &i);
    assert!(!text.contains("example.com"), "{text}");
    assert!(text.contains("next update by 09:21 UTC"), "{text}");
}

#[test]
fn the_check_finds_versions_hosts_urls_etas_and_internal_names() {
    let f = Forbidden {
        versions: vec!["v2.4.0".to_string()],
        words: vec!["checkout-api".to_string(), "us-east-1".to_string()],
    };
    for (text, says) in [
        ("now on v2.4.0", "version"),
        ("release 2.4.0 is out", "version"),
        ("build 3.1.7-rc1 failed", "version"),
        ("see https://status.example.com", "URL"),
        ("see www.example.com", "URL"),
        ("served from api.prod.example.com.", "host"),
        ("db-1.internal:5432 is slow", "host"),
        ("ETA: 30 minutes", "ETA"),
        ("we expect it resolved by noon", "ETA"),
        ("the canary is unwell", "internal word"),
        ("Checkout-API errors", "internal name"),
        ("traffic in us-east-1", "internal name"),
        ("address 10.0.0.12 down", "version"),
    ] {
        let found = leaks(text, &f);
        assert!(
            found.iter().any(|l| l.starts_with(says)),
            "`{text}`: expected {says}, found {found:?}"
        );
    }
    for clean in [
        "We will post the next update by 09:21 UTC.",
        "Some customers in North America East may have experienced errors.",
        "We rolled back a recent change, e.g. yesterday's.",
    ] {
        assert_eq!(leaks(clean, &f), Vec::<String>::new(), "{clean}");
    }
    // A short version is found as a word, never inside a time or a number.
    let short = Forbidden {
        versions: vec!["v12".to_string()],
        words: vec![],
    };
    assert_eq!(
        leaks("We will post the next update by 12:40 UTC.", &short),
        Vec::<String>::new()
    );
    assert_eq!(leaks("Over 120 customers.", &short), Vec::<String>::new());
    assert!(!leaks("Version 12 had a fault.", &short).is_empty());
    assert!(!leaks("Now on v12.", &short).is_empty());
    let guarded = guard(
        "Checkout: degraded\nsee https://x.io/status\nnext update by 09:21 UTC\n",
        &f,
    );
    assert_eq!(guarded, "Checkout: degraded\nnext update by 09:21 UTC\n");
}

#[test]
fn a_leaking_product_or_public_name_gives_way_to_plain_words() {
    let mut i = breach();
    i.comms.product = Some("v2.4.0".to_string());
    i.comms.public_names[0].1 = "US East (checkout-api)".to_string();
    let text = draft(Audience::Customer, &i);
    assert!(
        text.starts_with("our service: degraded service\n"),
        "{text}"
    );
    assert!(
        text.contains("Some customers may have experienced errors"),
        "{text}"
    );
    never_in_customer(&text, &i);
}

#[test]
fn audiences_step_round() {
    assert_eq!(Audience::Internal.step(1), Audience::Customer);
    assert_eq!(Audience::Internal.step(-1), Audience::Executive);
    assert_eq!(Audience::Executive.step(1), Audience::Internal);
}
