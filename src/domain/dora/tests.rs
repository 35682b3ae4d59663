use chrono::TimeZone;
use proptest::prelude::*;

use super::*;
use crate::domain::Span;

/// 2026-03-02 is a Monday; times are hours after it.
fn at(hours: f64) -> Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 3, 2, 0, 0, 0)
        .single()
        .unwrap_or_default()
        + Span::milliseconds((hours * 3_600_000.0) as i64)
}

fn deploy(id: &str, hours: f64, commits: &[&str]) -> Event {
    Event::Deployment {
        id: id.into(),
        time: at(hours),
        version: Some(format!("v-{id}")),
        commits: commits.iter().map(|c| c.to_string()).collect(),
        hotfix: false,
    }
}

fn change(commit: &str, hours: f64) -> Event {
    Event::Change {
        commit: commit.into(),
        time: at(hours),
    }
}

fn history(events: Vec<Event>) -> History {
    let mut h = History::default();
    for e in events {
        h.add(e).unwrap();
    }
    h
}

fn value(m: &Measure) -> f64 {
    match m {
        Measure::Value { value, .. } => *value,
        Measure::NotEnough { why } => panic!("no value: {why}"),
    }
}

fn tier(m: &Measure) -> Option<Tier> {
    match m {
        Measure::Value { tier, .. } => *tier,
        Measure::NotEnough { .. } => None,
    }
}

#[test]
fn lead_times_take_the_median_and_p90_and_drop_negative_ones() {
    let h = history(vec![
        change("a", 0.0),
        change("b", 1.0),
        change("c", 2.0),
        change("d", 3.0),
        change("future", 50.0),
        deploy("d1", 4.0, &["a", "b"]),            // 4 h, 3 h
        deploy("d2", 10.0, &["c", "d", "future"]), // 8 h, 7 h; "future" is −40 h: dropped
        deploy("d3", 12.0, &[]),
    ]);
    let s = h.summary(at(24.0), 7);
    // Lead times 3, 4, 7, 8 hours: median 5.5 h; p90 at rank 2.7 → 7 + 0.7 = 7.7 h.
    assert_eq!(value(&s.lead_time_median), 5.5 * 3600.0);
    assert!((value(&s.lead_time_p90) - 7.7 * 3600.0).abs() < 1.0);
    assert_eq!(tier(&s.lead_time_median), Some(Tier::Elite));
}

#[test]
fn a_change_counts_from_the_first_deployment_that_carried_it() {
    let h = history(vec![
        change("a", 0.0),
        deploy("later", 10.0, &["a"]),
        deploy("first", 2.0, &["a"]),
        deploy("x", 11.0, &[]),
    ]);
    let s = h.summary(at(24.0), 7);
    assert_eq!(value(&s.lead_time_median), 2.0 * 3600.0);
}

#[test]
fn rollback_and_hotfix_of_one_deployment_count_one_failure() {
    let h = history(vec![
        deploy("d1", 1.0, &[]),
        deploy("d2", 2.0, &[]),
        deploy("d3", 3.0, &[]),
        deploy("d4", 4.0, &[]),
        Event::Rollback {
            deployment: Some("d2".into()),
            version: None,
            time: at(2.5),
        },
        Event::Hotfix {
            deployment: "d2".into(),
            time: at(3.0),
            fix_deployment: Some("d3".into()),
        },
        Event::Incident {
            deployment: "d2".into(),
            opened: at(2.2),
            resolved: Some(at(4.0)),
        },
    ]);
    let s = h.summary(at(24.0), 7);
    assert_eq!(s.deployments, 4);
    assert_eq!(s.failed_deployments, 1);
    assert_eq!(value(&s.change_failure_rate), 0.25);
    // From the incident's opening (2.2 h) to the earliest restore, the rollback (2.5 h).
    assert!((value(&s.recovery_time_median) - 0.3 * 3600.0).abs() < 1.0);
    assert_eq!(tier(&s.recovery_time_median), Some(Tier::Elite));
    // d3 was the hotfix: one rework in four deployments.
    assert_eq!(value(&s.rework_rate), 0.25);
}

#[test]
fn a_rollback_by_version_marks_the_latest_deployment_of_that_version() {
    let mut events = vec![
        deploy("d1", 1.0, &[]),
        deploy("d2", 2.0, &[]),
        deploy("d3", 3.0, &[]),
    ];
    events.push(Event::Rollback {
        deployment: None,
        version: Some("v-d2".into()),
        time: at(5.0),
    });
    let s = history(events).summary(at(24.0), 7);
    assert_eq!(s.failed_deployments, 1);
    assert_eq!(value(&s.recovery_time_median), 3.0 * 3600.0);
}

#[test]
fn failures_may_arrive_before_their_deployment() {
    let h = history(vec![
        Event::Rollback {
            deployment: Some("d1".into()),
            version: None,
            time: at(2.0),
        },
        deploy("d1", 1.0, &[]),
        deploy("d2", 3.0, &[]),
        deploy("d3", 4.0, &[]),
    ]);
    assert_eq!(h.summary(at(24.0), 7).failed_deployments, 1);
}

#[test]
fn windows_include_their_end_and_exclude_their_start() {
    let now = at(24.0 * 7.0);
    let h = history(vec![
        deploy("at-start", 0.0, &[]),
        deploy("inside", 1.0, &[]),
        deploy("at-end", 24.0 * 7.0, &[]),
        deploy("after", 24.0 * 7.0 + 1.0, &[]),
    ]);
    let s = h.summary(now, 7);
    assert_eq!(s.deployments, 2);
    assert!((value(&s.deployment_frequency) - 2.0 / 7.0).abs() < 1e-12);
}

#[test]
fn too_little_history_says_so_instead_of_zeros() {
    let s = History::default().summary(at(0.0), 30);
    assert!(matches!(s.deployment_frequency, Measure::NotEnough { .. }));
    assert!(
        matches!(s.change_failure_rate, Measure::NotEnough { ref why } if why.contains("0 deployments"))
    );
    assert!(matches!(s.lead_time_median, Measure::NotEnough { .. }));
    assert!(
        matches!(s.recovery_time_median, Measure::NotEnough { ref why } if why.contains("no failed"))
    );
    let s = history(vec![deploy("d1", 1.0, &[]), deploy("d2", 2.0, &[])]).summary(at(24.0), 30);
    assert!(
        matches!(s.change_failure_rate, Measure::NotEnough { ref why } if why.contains("too few"))
    );
    // Two deployments still have a frequency, but no tier.
    assert_eq!(tier(&s.deployment_frequency), None);
}

#[test]
fn an_unrestored_failure_has_no_recovery_time() {
    let h = history(vec![
        deploy("d1", 1.0, &[]),
        deploy("d2", 2.0, &[]),
        deploy("d3", 3.0, &[]),
        Event::Incident {
            deployment: "d1".into(),
            opened: at(1.5),
            resolved: None,
        },
    ]);
    let s = h.summary(at(24.0), 7);
    assert!(
        matches!(s.recovery_time_median, Measure::NotEnough { ref why } if why.contains("none restored"))
    );
}

#[test]
fn a_commit_seen_twice_counts_once_from_its_earliest_time() {
    for events in [
        vec![
            change("a", 3.0),
            deploy("d1", 4.0, &["a"]),
            change("a", 1.0),
            deploy("d2", 5.0, &["a"]),
        ],
        vec![
            deploy("d2", 5.0, &["a"]),
            change("a", 1.0),
            deploy("d1", 4.0, &["a"]),
            change("a", 3.0),
            change("a", 1.0),
        ],
    ] {
        let mut h = history(events);
        h.add(deploy("x", 6.0, &[])).unwrap();
        let s = h.summary(at(24.0), 7);
        // One lead time: from 1 h to the first deployment at 4 h.
        assert_eq!(value(&s.lead_time_median), 3.0 * 3600.0);
        assert_eq!(value(&s.lead_time_p90), 3.0 * 3600.0);
    }
}

#[test]
fn a_rollback_by_version_before_its_deployment_and_a_fix_named_early_still_count() {
    let h = history(vec![
        Event::Rollback {
            deployment: None,
            version: Some("v-d1".into()),
            time: at(2.0),
        },
        Event::Hotfix {
            deployment: "d1".into(),
            time: at(3.0),
            fix_deployment: Some("d2".into()),
        },
        deploy("d1", 1.0, &[]),
        deploy("d2", 3.0, &[]),
        deploy("d3", 4.0, &[]),
    ]);
    let s = h.summary(at(24.0), 7);
    assert_eq!(s.failed_deployments, 1);
    assert!((value(&s.rework_rate) - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn a_duplicate_deployment_is_refused() {
    let mut h = history(vec![deploy("d1", 1.0, &[])]);
    assert_eq!(
        h.add(deploy("d1", 2.0, &[])),
        Err(HistoryError::DuplicateDeployment("d1".into()))
    );
}

#[test]
fn the_trend_has_a_point_per_week() {
    let h = history(vec![
        deploy("a", 1.0, &[]),
        deploy("b", 2.0, &[]),
        deploy("c", 24.0 * 8.0, &[]),
    ]);
    let s = h.summary(at(24.0 * 9.0), 30);
    assert_eq!(s.weekly.len(), 12);
    let counts: Vec<usize> = s.weekly.iter().skip(8).map(|w| w.deployments).collect();
    assert_eq!(counts, [0, 0, 2, 1]);
    assert_eq!(h.summary(at(24.0 * 9.0), 90).weekly.len(), 13);
    let first = &s.weekly[10];
    assert_eq!(first.change_failure_rate, Some(0.0));
    assert_eq!(
        s.weekly[0].change_failure_rate, None,
        "an empty week has no rate, not 0%"
    );
}

fn arbitrary_history() -> impl Strategy<Value = Vec<Event>> {
    let deployments = proptest::collection::vec(
        (0.0f64..400.0, proptest::collection::vec(0usize..30, 0..4)),
        1..25,
    );
    let changes = proptest::collection::vec((0usize..30, 0.0f64..400.0), 0..30);
    let failures = proptest::collection::vec((0usize..25, 0.0f64..400.0, 0u8..4), 0..10);
    (deployments, changes, failures).prop_map(|(ds, cs, fs)| {
        let n = ds.len();
        let mut events: Vec<Event> = ds
            .iter()
            .enumerate()
            .map(|(i, (t, commits))| {
                let commits: Vec<String> = commits.iter().map(|c| format!("c{c}")).collect();
                let refs: Vec<&str> = commits.iter().map(String::as_str).collect();
                deploy(&format!("d{i}"), *t, &refs)
            })
            .collect();
        events.extend(cs.iter().map(|(c, t)| change(&format!("c{c}"), *t)));
        events.extend(fs.iter().map(|(d, t, kind)| {
            let deployment = format!("d{}", d % n);
            match kind {
                0 => Event::Rollback {
                    deployment: Some(deployment),
                    version: None,
                    time: at(*t),
                },
                1 => Event::Hotfix {
                    deployment,
                    time: at(*t),
                    fix_deployment: Some(format!("d{}", (d + 1) % n)),
                },
                3 => Event::Rollback {
                    deployment: None,
                    // Versions are unique per deployment here, so the target is unambiguous.
                    version: Some(format!("v-{deployment}")),
                    time: at(*t + 400.0),
                },
                _ => Event::Incident {
                    deployment,
                    opened: at(*t),
                    resolved: Some(at(*t + 1.0)),
                },
            }
        }));
        events
    })
}

proptest! {
    /// Events in any order give the same answer: each one updates only its
    /// part of the history, never depending on what came before.
    #[test]
    fn order_does_not_matter(events in arbitrary_history(), seed in any::<u64>()) {
        // Repeated changes, rollbacks by version and fixes named before they
        // arrive are all in the mix.
        let mut shuffled = events.clone();
        fastrand::Rng::with_seed(seed).shuffle(&mut shuffled);
        let a = history(events).summary(at(420.0), 30);
        let b = history(shuffled).summary(at(420.0), 30);
        prop_assert_eq!(a.deployments, b.deployments);
        prop_assert_eq!(a.failed_deployments, b.failed_deployments);
        prop_assert_eq!(a.lead_time_median, b.lead_time_median);
        prop_assert_eq!(a.recovery_time_median, b.recovery_time_median);
        prop_assert_eq!(a.rework_rate, b.rework_rate);
    }

    #[test]
    fn rates_stay_between_zero_and_one(events in arbitrary_history()) {
        let s = history(events).summary(at(420.0), 30);
        for m in [&s.change_failure_rate, &s.rework_rate] {
            if let Measure::Value { value, .. } = m {
                prop_assert!((0.0..=1.0).contains(value));
            }
        }
        prop_assert!(s.failed_deployments <= s.deployments);
    }
}
