use super::*;
use crate::domain::drill::observation::Level;
use crate::domain::drill::observation::Observed;
use crate::domain::drill::scenario::{
    CommsExpectation, Expectation, FleetChoice, Forbidden, Injection, Objective, Start, Versions,
};
use crate::domain::drill::scenario::{FaultKind, ObjectiveCheck, ScopeRule};

fn t(s: i64) -> Timestamp {
    Timestamp::default() + Span::seconds(s)
}

fn region(r: &str) -> ActionScope {
    ActionScope::Region(r.to_string())
}

fn at(s: i64, what: Observed) -> Observation {
    Observation { at: t(s), what }
}

fn shown(s: i64, r: &str, level: Level) -> Observation {
    at(
        s,
        Observed::Shown {
            region: Some(r.to_string()),
            level,
            what: "error rate".to_string(),
        },
    )
}

fn asked(s: i64, action: Action, scope: ActionScope) -> Observation {
    at(s, Observed::Asked { action, scope })
}

fn done(s: i64, action: Action, scope: ActionScope) -> Observation {
    at(s, Observed::Done { action, scope })
}

fn injection(id: &str, fault: FaultKind) -> Injection {
    Injection {
        id: id.to_string(),
        start: Start::At(Span::seconds(60)),
        target: Target {
            region: Some("us-east-1".to_string()),
            versions: Versions::Canary,
        },
        fault,
        duration: None,
    }
}

/// A canary regression in us-east-1 (pause or roll back it within 60 s of
/// the signal), and a red herring in ap-south-1 that must not be rolled back.
fn scenario() -> Scenario {
    Scenario {
        name: "canary-regression".to_string(),
        title: "the canary regresses".to_string(),
        briefing: String::new(),
        fleet: FleetChoice::Demo,
        seed: 1,
        pace: Span::seconds(30),
        injections: vec![
            injection(
                "regress",
                FaultKind::ErrorRate {
                    rate: 0.06,
                    ramp: Span::seconds(20),
                },
            ),
            injection(
                "herring",
                FaultKind::Alert {
                    name: "disk".to_string(),
                },
            ),
        ],
        expect: vec![Expectation {
            injection: "regress".to_string(),
            actions: vec![Action::Pause, Action::Rollback],
            scope: ScopeRule::Injected,
            within: Span::seconds(60),
        }],
        forbid: vec![Forbidden {
            injection: Some("herring".to_string()),
            action: Action::Rollback,
            scope: ScopeRule::Injected,
            why: "ap-south-1 is not under rollout".to_string(),
        }],
        objectives: vec![
            Objective {
                text: "pause or roll back the regression in time".to_string(),
                check: ObjectiveCheck::Expectations,
            },
            Objective {
                text: "put the decision on the timeline".to_string(),
                check: ObjectiveCheck::Annotated,
            },
            Objective {
                text: "first status update within 5 minutes".to_string(),
                check: ObjectiveCheck::Comms,
            },
        ],
        comms: Some(CommsExpectation {
            first_update_within: Span::minutes(5),
        }),
    }
}

fn ran() -> Vec<Ran> {
    vec![
        Ran {
            id: "regress".to_string(),
            summary: "error rate +6 % in us-east-1 (canary)".to_string(),
            region: Some("us-east-1".to_string()),
            started: Some(t(60)),
            ended: None,
            failed_requests: 412,
        },
        Ran {
            id: "herring".to_string(),
            summary: "alert disk in ap-south-1".to_string(),
            region: Some("ap-south-1".to_string()),
            started: Some(t(90)),
            ended: Some(t(400)),
            failed_requests: 0,
        },
    ]
}

/// The good response: seen at 75 s (breach at 81 s), looked at 84 s,
/// paused at 95 s, done at 97 s, annotated, an update sent, recovered at 130 s.
fn good() -> Vec<Observation> {
    vec![
        at(
            5,
            Observed::Selected {
                region: "eu-west-1".to_string(),
            },
        ),
        shown(75, "us-east-1", Level::Warn),
        shown(81, "us-east-1", Level::Breach),
        at(
            84,
            Observed::Selected {
                region: "us-east-1".to_string(),
            },
        ),
        at(
            86,
            Observed::Detail {
                region: "us-east-1".to_string(),
            },
        ),
        asked(95, Action::Pause, region("us-east-1")),
        done(97, Action::Pause, region("us-east-1")),
        at(
            110,
            Observed::Annotated {
                text: "paused us-east-1".to_string(),
            },
        ),
        at(125, Observed::UpdateSent),
        at(
            130,
            Observed::Cleared {
                region: Some("us-east-1".to_string()),
            },
        ),
    ]
}

#[test]
fn a_good_response_is_graded_correct_with_exact_times() {
    let g = grade(&scenario(), &ran(), &good(), t(0), t(300));
    let i = &g.injections[0];
    assert_eq!(i.time_to_signal(), Some(Span::seconds(15)));
    assert_eq!(i.time_to_acknowledge(), Some(Span::seconds(24)));
    assert_eq!(i.time_to_mitigate(), Some(Span::seconds(37)));
    assert_eq!(i.time_to_recover(), Some(Span::seconds(70)));
    assert_eq!(i.failed_requests, 412);
    assert_eq!(g.actions.len(), 1);
    assert_eq!(g.actions[0].verdict, Verdict::Correct);
    assert_eq!(g.expectations[0].met, Some(t(95)));
    assert_eq!(g.expectations[0].deadline, Some(t(135)));
    assert!(g.objectives.iter().all(|o| o.met), "{:?}", g.objectives);
    assert!(g.comms.as_ref().is_some_and(CommsGrade::met));
    assert_eq!(
        g.length(),
        Span::seconds(300),
        "the whole drill, not since the fault"
    );
    // The herring's alert was never shown, nothing was missed.
    assert!(g.missed.is_empty(), "{:?}", g.missed);
    assert!(g.passed());
    assert_eq!(g.verdict_word(), "PASSED");
}

#[test]
fn a_pause_after_the_window_is_late_and_fails_the_drill() {
    let mut seen = good();
    seen[5] = asked(140, Action::Pause, ActionScope::Rollout);
    seen[6] = done(142, Action::Pause, ActionScope::Rollout);
    let g = grade(&scenario(), &ran(), &seen, t(0), t(300));
    assert_eq!(g.actions[0].verdict, Verdict::Late);
    assert!(g.actions[0].why.contains("5s late"), "{}", g.actions[0].why);
    assert!(!g.expectations[0].in_time());
    assert_eq!(
        g.injections[0].time_to_mitigate(),
        Some(Span::seconds(82)),
        "the whole rollout's pause covers the region"
    );
    assert!(!g.objectives[0].met);
    assert!(!g.passed());
    assert_eq!(g.verdict_word(), "NOT PASSED");
}

#[test]
fn an_action_nothing_called_for_is_unnecessary_and_a_forbidden_one_harmful() {
    let mut seen = good();
    // Promote before anything began: nothing called for it.
    seen.insert(1, asked(30, Action::Promote, ActionScope::Rollout));
    // Rolling back the red herring's region while it is active.
    seen.push(asked(200, Action::Rollback, region("ap-south-1")));
    let g = grade(&scenario(), &ran(), &seen, t(0), t(300));
    let verdicts: Vec<Verdict> = g.actions.iter().map(|a| a.verdict).collect();
    assert_eq!(
        verdicts,
        [Verdict::Unnecessary, Verdict::Correct, Verdict::Harmful]
    );
    assert_eq!(g.actions[2].why, "ap-south-1 is not under rollout");
    assert!(
        !g.passed(),
        "harm fails the drill though every objective was met"
    );
    // After the herring ended, the same rollback is no longer harmful.
    let mut later = good();
    later.push(asked(450, Action::Rollback, region("ap-south-1")));
    let g = grade(&scenario(), &ran(), &later, t(0), t(500));
    assert_eq!(g.actions[1].verdict, Verdict::Unnecessary);
}

#[test]
fn a_signal_nobody_looked_at_is_missed() {
    let seen = vec![
        shown(75, "us-east-1", Level::Breach),
        shown(95, "ap-south-1", Level::Warn),
        at(
            100,
            Observed::Selected {
                region: "us-east-1".to_string(),
            },
        ),
        at(
            101,
            Observed::Shown {
                region: None,
                level: Level::Stale,
                what: "simulator".to_string(),
            },
        ),
    ];
    let g = grade(&scenario(), &ran(), &seen, t(0), t(300));
    let lines: Vec<&str> = g.missed.iter().map(|m| m.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "screen showed a warning in ap-south-1: error rate",
            "screen showed a stale source: simulator"
        ]
    );
    assert_eq!(g.missed[0].at, t(95));
    assert_eq!(
        g.injections[0].time_to_acknowledge(),
        Some(Span::seconds(40))
    );
    assert_eq!(g.injections[0].mitigated, None);
    assert_eq!(
        g.injections[0].recovered, None,
        "never ended, never mitigated"
    );
    assert!(!g.passed(), "the expectation was never met");
}

#[test]
fn objectives_and_comms_are_judged_from_the_first_signal() {
    // No annotation, the update 6 minutes after the signal.
    let seen: Vec<Observation> = good()
        .into_iter()
        .filter(|o| !matches!(o.what, Observed::Annotated { .. } | Observed::UpdateSent))
        .chain([at(75 + 361, Observed::UpdateSent)])
        .collect();
    let g = grade(&scenario(), &ran(), &seen, t(0), t(600));
    let met: Vec<bool> = g.objectives.iter().map(|o| o.met).collect();
    assert_eq!(met, [true, false, false]);
    let comms = g.comms.clone().unwrap();
    assert_eq!(comms.due, Some(t(375)));
    assert_eq!(comms.first_sent, Some(t(436)));
    assert!(!comms.met());
    assert!(!g.passed());
}

#[test]
fn a_failing_deploy_api_signals_with_the_first_failed_action() {
    let mut s = scenario();
    s.injections[0].fault =
        FaultKind::DeployApi(crate::domain::drill::scenario::DeployFailure::Forbidden);
    let seen = vec![
        asked(70, Action::Pause, region("us-east-1")),
        at(
            71,
            Observed::Failed {
                action: Action::Pause,
                scope: region("us-east-1"),
                why: "403".to_string(),
            },
        ),
    ];
    let g = grade(&s, &ran(), &seen, t(0), t(300));
    assert_eq!(g.injections[0].signal, Some(t(71)));
    // Asked before the failure showed: met, and in time.
    assert!(g.expectations[0].in_time());
    assert_eq!(g.injections[0].mitigated, None, "nothing was done");
}

#[test]
fn an_injection_that_ended_recovers_when_the_screen_is_healthy() {
    let mut r = ran();
    r[0].ended = Some(t(200));
    let seen = vec![
        shown(75, "us-east-1", Level::Breach),
        at(
            220,
            Observed::Cleared {
                region: Some("us-east-1".to_string()),
            },
        ),
    ];
    let g = grade(&scenario(), &r, &seen, t(0), t(300));
    assert_eq!(g.injections[0].recovered, Some(t(220)));
    let quiet = grade(&scenario(), &r, &[], t(0), t(300));
    assert_eq!(
        quiet.injections[0].recovered,
        Some(t(200)),
        "nothing shown: ended is recovered"
    );
}

#[test]
fn the_region_an_unnamed_target_lands_on_is_the_one_the_second_wave_adds() {
    let plan = crate::sim::FleetSpec::demo(1).plan;
    let target = Target {
        region: None,
        versions: Versions::Canary,
    };
    assert_eq!(resolve_region(&target, &plan).as_deref(), Some("us-east-1"));
    let named = Target {
        region: Some("x".to_string()),
        versions: Versions::Both,
    };
    assert_eq!(resolve_region(&named, &plan).as_deref(), Some("x"));
}

#[test]
fn a_classic_drill_passes_when_shown_and_mitigated() {
    let d = Debrief {
        fault_at: t(50),
        detected: Some(t(71)),
        mitigated: Some((t(84), "roll back done: simulator".to_string())),
        actions: vec![(t(80), "dana asked to roll back (us-east-1)".to_string())],
        ended: t(100),
    };
    let g = Grade::classic(&d, t(0));
    assert!(g.passed());
    assert_eq!(g.length(), Span::seconds(100));
    assert_eq!(g.injections[0].time_to_signal(), Some(Span::seconds(21)));
    let none = Debrief {
        mitigated: None,
        ..d
    };
    assert!(!Grade::classic(&none, t(0)).passed());
}

#[test]
fn an_update_not_yet_due_when_the_drill_ended_was_not_missed() {
    let seen: Vec<Observation> = good()
        .into_iter()
        .filter(|o| o.what != Observed::UpdateSent)
        .collect();
    // The first signal at 75 s: the update is due by 375 s.
    let early = grade(&scenario(), &ran(), &seen, t(0), t(300));
    assert!(early.comms.as_ref().is_some_and(CommsGrade::met));
    let late = grade(&scenario(), &ran(), &seen, t(0), t(400));
    assert!(!late.comms.as_ref().is_some_and(CommsGrade::met));
    assert!(!late.objectives[2].met);
}
