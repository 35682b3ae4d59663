//! Each built-in scenario drilled headless by a scripted operator — one
//! who acts correctly, one who acts late, one who does harm — and graded
//! at its end the way the dashboard ends a drill: the debrief's verdicts
//! and its times, exact, from the simulated clock.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use warroom::app::state::Overlay;
use warroom::app::{Effect, Msg, update};
use warroom::config::scenario::built_in;
use warroom::domain::action::{ActionOutcome, ControlError};
use warroom::domain::drill::grade::{Grade, Verdict, said};
use warroom::domain::drill::markdown::markdown;
use warroom::domain::drill::observation::Observed;
use warroom::runtime::demo::epoch;
use warroom::runtime::rehearsal::Rehearsal;
use warroom::sim::{FleetSpec, place};

/// A built-in scenario on its demo fleet, as `warroom drill --scenario` runs it.
fn drill(name: &str) -> Rehearsal {
    let regions = FleetSpec::demo(0).plan.regions;
    let s = built_in(name, &regions).unwrap().unwrap();
    let spec = FleetSpec::drill_demo(s.seed, s.pace, None);
    let placed = place(&s, &spec.plan).unwrap();
    Rehearsal::new(spec, placed)
}

/// Seconds since the drill's start.
fn secs(r: &Rehearsal) -> i64 {
    (r.now - epoch()).num_seconds()
}

/// A key, and every action it asks for carried out by the simulated
/// deploy API (with the script's failures), its outcome given back.
fn press(r: &mut Rehearsal, code: KeyCode) {
    let effects = update(
        &mut r.state,
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
    );
    for effect in effects {
        let Effect::Execute(request) = effect else {
            continue;
        };
        let answer =
            warroom::sim::adapter::act(&mut r.fleet, request.action, &request.scope, r.now)
                .unwrap_or(Err(ControlError::Timeout(Duration::from_secs(10))));
        let outcome = ActionOutcome::of(&answer.map(|()| "simulator: applied".to_string()));
        update(
            &mut r.state,
            Msg::ActionDone {
                id: request.id,
                action: request.action,
                at: r.now,
                outcome,
            },
        );
    }
}

fn keys(r: &mut Rehearsal, typed: &str) {
    for c in typed.chars() {
        press(r, KeyCode::Char(c));
    }
}

/// Move the matrix cursor onto `region`.
fn look_at(r: &mut Rehearsal, region: &str) {
    press(r, KeyCode::Char('g'));
    for _ in 0..r.state.plan.regions.len() {
        if r.state.selected_region() == Some(region) {
            return;
        }
        press(r, KeyCode::Char('j'));
    }
    panic!("no region {region} in the matrix");
}

fn annotate(r: &mut Rehearsal, text: &str) {
    press(r, KeyCode::Char('a'));
    keys(r, text);
    press(r, KeyCode::Enter);
}

/// Step until the screen shows trouble (in `region`, or a stale source
/// for `None`); the second it did.
fn until_shown(r: &mut Rehearsal, region: Option<&str>, horizon: i64) -> i64 {
    while secs(r) < horizon {
        r.step();
        let shown = r.state.observed.seen.iter().any(|o| match &o.what {
            Observed::Shown { region: at, .. } => at.as_deref() == region,
            _ => false,
        });
        if shown {
            return secs(r);
        }
    }
    panic!("nothing shown for {region:?} by {horizon}s");
}

/// End the drill as the dashboard does: q, y, then the script from the
/// handle; the grade and its Markdown debrief.
fn end(r: &mut Rehearsal, at: i64) -> (Grade, String) {
    r.run_to(at);
    press(r, KeyCode::Char('q'));
    assert_eq!(r.state.overlay, Overlay::EndDrill);
    let effects = update(
        &mut r.state,
        Msg::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE)),
    );
    assert_eq!(effects, vec![Effect::EndDrill]);
    let script = warroom::runtime::debrief::script(Some(&r.drill), r.now);
    assert!(script.is_some());
    update(&mut r.state, Msg::DrillEnded(script));
    let grade = *r.state.observed.graded.clone().unwrap();
    let md = markdown(&grade, &r.state.plan.service, "drill");
    (grade, md)
}

/// Seconds of `t` since the drill's start, as the summary says them.
fn at(t: Option<warroom::domain::Timestamp>) -> String {
    t.map_or("—".to_string(), |t| {
        format!("{}s", (t - epoch()).num_seconds())
    })
}

fn span(d: Option<warroom::domain::Span>) -> String {
    d.map_or("—".to_string(), |d| format!("{}s", d.num_seconds()))
}

/// The grade in lines: verdict, each injection's times (from its start),
/// each action's verdict, each expectation, each objective, the comms.
fn summary(g: &Grade) -> String {
    let mut out = vec![g.verdict_word().to_string()];
    for i in &g.injections {
        out.push(format!(
            "{} in {} from {}: signal {}, acknowledge {}, mitigate {}, recover {}, {} failed",
            i.id,
            i.region.as_deref().unwrap_or("—"),
            at(i.started),
            span(i.time_to_signal()),
            span(i.time_to_acknowledge()),
            span(i.time_to_mitigate()),
            span(i.time_to_recover()),
            i.failed_requests
        ));
    }
    for a in &g.actions {
        out.push(format!(
            "{} ({}) at {}: {}: {}",
            a.action,
            a.scope.label(),
            at(Some(a.at)),
            a.verdict.word(),
            a.why
        ));
    }
    for e in &g.expectations {
        out.push(format!(
            "expect {} of {} by {}: {}",
            e.wanted,
            e.injection,
            at(e.deadline),
            match e.met {
                Some(_) if e.in_time() => format!("met at {}", at(e.met)),
                Some(_) => format!("met late at {}", at(e.met)),
                None => "missed".to_string(),
            }
        ));
    }
    for o in &g.objectives {
        let word = if o.met { "met" } else { "NOT MET" };
        out.push(format!("objective {word}: {}", o.text));
    }
    if let Some(c) = &g.comms {
        out.push(format!(
            "comms due {}, sent {}: {}",
            at(c.due),
            at(c.first_sent),
            if c.met() { "met" } else { "NOT MET" }
        ));
    }
    out.join("\n")
}

/// The Markdown debrief says the verdict and every graded word.
fn says_the_grade(g: &Grade, md: &str) {
    assert!(
        md.contains(&format!("Result: **{}**", g.verdict_word())),
        "{md}"
    );
    for a in &g.actions {
        let word = a.verdict.word().to_lowercase();
        assert!(
            md.contains(&format!("{word}: {}", a.action)),
            "{word}: {md}"
        );
    }
    for i in &g.injections {
        let line = format!(
            "time to signal {}, to acknowledge {}, to mitigate {}",
            said(i.time_to_signal()),
            said(i.time_to_acknowledge()),
            said(i.time_to_mitigate())
        );
        assert!(md.contains(&line), "{line}: {md}");
    }
}

/// The horizon every drill here ends at: past each scenario's injections
/// and past the latest late action.
const END: i64 = 320;

/// The drill's signal: run until the screen shows trouble where the
/// operator is to look, then the operator's script, then the end.
fn drilled(
    name: &str,
    shown: Option<&str>,
    script: impl FnOnce(&mut Rehearsal, i64),
) -> (i64, Grade, String) {
    let mut r = drill(name);
    let signal = until_shown(&mut r, shown, 200);
    script(&mut r, signal);
    let (g, md) = end(&mut r, END);
    says_the_grade(&g, &md);
    (signal, g, md)
}

/// Look at `region` 3 s after the signal, press `act` 8 s after it.
fn prompt(r: &mut Rehearsal, signal: i64, region: &str, act: &str) {
    r.run_to(signal + 3);
    look_at(r, region);
    r.run_to(signal + 8);
    keys(r, act);
}

/// Look and press `act` `late` seconds after the signal.
fn tardy(r: &mut Rehearsal, signal: i64, region: &str, act: &str, late: i64) {
    r.run_to(signal + late);
    look_at(r, region);
    keys(r, act);
}

/// `P`: promote, confirmed with y, or past a NO-GO with a typed reason.
fn promote(r: &mut Rehearsal) {
    press(r, KeyCode::Char('P'));
    match r.state.overlay {
        Overlay::Confirm(_) => press(r, KeyCode::Char('y')),
        Overlay::Override { .. } => {
            keys(r, "it looks fine to me");
            press(r, KeyCode::Enter);
        }
        ref other => panic!("promote asked nothing: {other:?}"),
    }
    assert_eq!(r.state.overlay, Overlay::None);
}

/// Drafts, mark the first status update sent, close.
fn send_update(r: &mut Rehearsal) {
    keys(r, "cm");
    press(r, KeyCode::Esc);
}

type Script = fn(&mut Rehearsal, i64);

const EAST: &str = "us-east-1";

fn operators() -> Vec<(&'static str, &'static str, Option<&'static str>, Script)> {
    vec![
        (
            "canary_regression_correct",
            "canary-regression",
            Some(EAST),
            |r, s| prompt(r, s, EAST, "ry"),
        ),
        (
            "canary_regression_late",
            "canary-regression",
            Some(EAST),
            |r, s| tardy(r, s, EAST, "pp", 130),
        ),
        (
            "canary_regression_harmful",
            "canary-regression",
            Some(EAST),
            |r, s| {
                prompt(r, s, EAST, "");
                promote(r);
            },
        ),
        (
            "latency_creep_correct",
            "latency-creep",
            Some(EAST),
            |r, s| {
                prompt(r, s, EAST, "pp");
                annotate(r, "paused on the p99 warning: the canary gets slower");
            },
        ),
        ("latency_creep_late", "latency-creep", Some(EAST), |r, s| {
            tardy(r, s, EAST, "pp", 190);
            annotate(r, "paused at last");
        }),
        (
            "latency_creep_harmful",
            "latency-creep",
            Some(EAST),
            |r, s| {
                prompt(r, s, EAST, "");
                promote(r);
            },
        ),
        (
            "dependency_failure_correct",
            "dependency-failure",
            Some(EAST),
            |r, s| {
                prompt(r, s, EAST, "pp");
                annotate(
                    r,
                    "stable fails as much as the canary: the payments gateway, not the release",
                );
            },
        ),
        (
            "dependency_failure_late",
            "dependency-failure",
            Some(EAST),
            |r, s| {
                tardy(r, s, EAST, "pp", 130);
                annotate(r, "the payments gateway, not the release");
            },
        ),
        (
            "dependency_failure_harmful",
            "dependency-failure",
            Some(EAST),
            |r, s| {
                prompt(r, s, EAST, "ry");
                annotate(r, "rolled back the canary");
            },
        ),
        ("metrics_dark_correct", "metrics-dark", None, |r, s| {
            prompt(r, s, EAST, "pp")
        }),
        ("metrics_dark_late", "metrics-dark", None, |r, s| {
            tardy(r, s, EAST, "pp", 100)
        }),
        ("metrics_dark_harmful", "metrics-dark", None, |r, s| {
            prompt(r, s, EAST, "");
            promote(r);
        }),
        (
            "deploy_api_403_correct",
            "deploy-api-403",
            Some(EAST),
            |r, s| {
                prompt(r, s, EAST, "pp");
                annotate(
                    r,
                    "the deploy API refuses with 403: asked the platform on-call to pause",
                );
                send_update(r);
            },
        ),
        (
            "deploy_api_403_late",
            "deploy-api-403",
            Some(EAST),
            |r, s| {
                tardy(r, s, EAST, "pp", 130);
                annotate(
                    r,
                    "the deploy API refuses with 403: asked the platform on-call to pause",
                );
                send_update(r);
            },
        ),
        (
            "deploy_api_403_harmful",
            "deploy-api-403",
            Some(EAST),
            |r, s| {
                prompt(r, s, EAST, "");
                promote(r);
            },
        ),
        ("red_herring_correct", "red-herring", Some(EAST), |r, s| {
            prompt(r, s, EAST, "pp")
        }),
        ("red_herring_late", "red-herring", Some(EAST), |r, s| {
            tardy(r, s, EAST, "pp", 130)
        }),
        ("red_herring_harmful", "red-herring", Some(EAST), |r, s| {
            r.run_to(s + 3);
            look_at(r, "sa-east-1");
            r.run_to(s + 8);
            press(r, KeyCode::Char('r'));
            press(r, KeyCode::Tab);
            press(r, KeyCode::Char('y'));
        }),
    ]
}

/// Drill the operator named `test`, print its grade (to read when an
/// assertion fails), check what its kind of operator must get, and give
/// the signal's second and the grade in lines.
fn graded(test: &str) -> (i64, Grade, String) {
    let (_, name, shown, script) = operators().into_iter().find(|(t, ..)| *t == test).unwrap();
    let (signal, g, _) = drilled(name, shown, script);
    let lines = summary(&g);
    eprintln!("{test}: signal at {signal}s\n{lines}");
    if test.ends_with("_correct") {
        assert!(g.passed(), "{lines}");
        assert!(!g.actions.is_empty());
        assert!(
            g.actions.iter().all(|a| a.verdict == Verdict::Correct),
            "{lines}"
        );
        assert!(
            g.injections
                .iter()
                .all(|i| i.signal.is_some() || i.ended.is_some())
        );
    } else if test.ends_with("_late") {
        assert!(!g.passed(), "{lines}");
        assert!(
            g.actions.iter().any(|a| a.verdict == Verdict::Late),
            "{lines}"
        );
        assert!(
            g.expectations
                .iter()
                .all(|e| e.met.is_some() && !e.in_time())
        );
    } else {
        assert!(!g.passed(), "{lines}");
        assert!(
            g.actions
                .iter()
                .any(|a| matches!(a.verdict, Verdict::Harmful | Verdict::Unnecessary)),
            "{lines}"
        );
    }
    (signal, g, lines)
}

/// canary-regression: the operator acts on the signal within seconds: passed, every action correct.
#[test]
fn canary_regression_correct() {
    let (signal, _, lines) = graded("canary_regression_correct");
    assert_eq!(signal, 52);
    assert_eq!(
        lines,
        "\
PASSED
regression in us-east-1 from 50s: signal 2s, acknowledge 5s, mitigate 10s, recover —, 83 failed
slowdown in us-east-1 from 50s: signal 2s, acknowledge 5s, mitigate —, recover —, 0 failed
roll back (all regions) at 60s: CORRECT: answers error rate +6 % over 20s in us-east-1 (canary)
expect pause or roll back of regression by 172s: met at 60s
objective met: Stop the harm within two minutes of the breach
objective met: Do nothing that makes it worse
comms due 652s, sent —: met"
    );
}

/// canary-regression: the operator takes the same action after the expectation's `within`: late, not passed.
#[test]
fn canary_regression_late() {
    let (signal, _, lines) = graded("canary_regression_late");
    assert_eq!(signal, 52);
    assert_eq!(
        lines,
        "\
NOT PASSED
regression in us-east-1 from 50s: signal 2s, acknowledge 132s, mitigate 132s, recover —, 6907 failed
slowdown in us-east-1 from 50s: signal 2s, acknowledge 132s, mitigate —, recover —, 0 failed
pause (all regions) at 182s: LATE: answers error rate +6 % over 20s in us-east-1 (canary), 10s late
expect pause or roll back of regression by 172s: met late at 182s
objective NOT MET: Stop the harm within two minutes of the breach
objective met: Do nothing that makes it worse
comms due 652s, sent —: met"
    );
}

/// canary-regression: the operator promotes over the breach (forbidden): harmful.
#[test]
fn canary_regression_harmful() {
    let (signal, _, lines) = graded("canary_regression_harmful");
    assert_eq!(signal, 52);
    assert_eq!(
        lines,
        "\
NOT PASSED
regression in us-east-1 from 50s: signal 2s, acknowledge 5s, mitigate —, recover —, 13355 failed
slowdown in us-east-1 from 50s: signal 2s, acknowledge 5s, mitigate —, recover —, 0 failed
promote (all regions) at 60s: HARMFUL: promoting spreads the failing canary to more users
expect pause or roll back of regression by 172s: missed
objective NOT MET: Stop the harm within two minutes of the breach
objective NOT MET: Do nothing that makes it worse
comms due 652s, sent —: met"
    );
}

/// latency-creep: the operator acts on the signal within seconds: passed, every action correct.
#[test]
fn latency_creep_correct() {
    let (signal, _, lines) = graded("latency_creep_correct");
    assert_eq!(signal, 104);
    assert_eq!(
        lines,
        "\
PASSED
creep in us-east-1 from 70s: signal 34s, acknowledge 37s, mitigate 42s, recover 42s, 0 failed
pause (all regions) at 112s: CORRECT: answers latency ×2.4 over 180s in us-east-1 (canary)
expect pause or roll back of creep by 284s: met at 112s
objective met: Act on the warning before the stop condition trips
objective met: Put the decision on the timeline"
    );
}

/// latency-creep: the operator takes the same action after the expectation's `within`: late, not passed.
#[test]
fn latency_creep_late() {
    let (signal, _, lines) = graded("latency_creep_late");
    assert_eq!(signal, 104);
    assert_eq!(
        lines,
        "\
NOT PASSED
creep in us-east-1 from 70s: signal 34s, acknowledge 224s, mitigate 224s, recover —, 0 failed
pause (all regions) at 294s: LATE: answers latency ×2.4 over 180s in us-east-1 (canary), 10s late
expect pause or roll back of creep by 284s: met late at 294s
objective NOT MET: Act on the warning before the stop condition trips
objective met: Put the decision on the timeline"
    );
}

/// latency-creep: the operator promotes on the warning (forbidden): harmful.
#[test]
fn latency_creep_harmful() {
    let (signal, _, lines) = graded("latency_creep_harmful");
    assert_eq!(signal, 104);
    assert_eq!(
        lines,
        "\
NOT PASSED
creep in us-east-1 from 70s: signal 34s, acknowledge 37s, mitigate —, recover —, 0 failed
promote (all regions) at 112s: HARMFUL: the canary is getting slower: promoting on a warning spreads it
expect pause or roll back of creep by 284s: missed
objective NOT MET: Act on the warning before the stop condition trips
objective NOT MET: Put the decision on the timeline"
    );
}

/// dependency-failure: the operator acts on the signal within seconds: passed, every action correct.
#[test]
fn dependency_failure_correct() {
    let (signal, _, lines) = graded("dependency_failure_correct");
    assert_eq!(signal, 56);
    assert_eq!(
        lines,
        "\
PASSED
gateway in us-east-1 from 55s: signal 1s, acknowledge 4s, mitigate 9s, recover 240s, 20993 failed
pause (all regions) at 64s: CORRECT: answers error rate +5 % over 10s in us-east-1 (stable and canary), for 240s
expect pause of gateway by 176s: met at 64s
objective met: Annotate the cause: the dependency, not the release
objective met: Do not roll back a release that is not at fault"
    );
}

/// dependency-failure: the operator takes the same action after the expectation's `within`: late, not passed.
#[test]
fn dependency_failure_late() {
    let (signal, _, lines) = graded("dependency_failure_late");
    assert_eq!(signal, 56);
    assert_eq!(
        lines,
        "\
NOT PASSED
gateway in us-east-1 from 55s: signal 1s, acknowledge 131s, mitigate 131s, recover 240s, 20993 failed
pause (all regions) at 186s: LATE: answers error rate +5 % over 10s in us-east-1 (stable and canary), for 240s, 10s late
expect pause of gateway by 176s: met late at 186s
objective met: Annotate the cause: the dependency, not the release
objective met: Do not roll back a release that is not at fault"
    );
}

/// dependency-failure: the operator rolls back a release that is not at fault (forbidden): harmful.
#[test]
fn dependency_failure_harmful() {
    let (signal, _, lines) = graded("dependency_failure_harmful");
    assert_eq!(signal, 56);
    assert_eq!(
        lines,
        "\
NOT PASSED
gateway in us-east-1 from 55s: signal 1s, acknowledge 4s, mitigate —, recover —, 22472 failed
roll back (all regions) at 64s: HARMFUL: stable fails as much as the canary: rolling back would not help
expect pause of gateway by 176s: missed
objective met: Annotate the cause: the dependency, not the release
objective NOT MET: Do not roll back a release that is not at fault"
    );
}

/// metrics-dark: the operator acts on the signal within seconds: passed, every action correct.
#[test]
fn metrics_dark_correct() {
    let (signal, _, lines) = graded("metrics_dark_correct");
    assert_eq!(signal, 60);
    assert_eq!(
        lines,
        "\
PASSED
dark in us-east-1 from 60s: signal 0s, acknowledge 3s, mitigate 8s, recover 180s, 0 failed
pause (all regions) at 68s: CORRECT: answers the metrics source goes dark, for 180s
expect pause of dark by 150s: met at 68s
objective met: Hold the rollout while it is blind
objective met: Do not promote on no data"
    );
}

/// metrics-dark: the operator takes the same action after the expectation's `within`: late, not passed.
#[test]
fn metrics_dark_late() {
    let (signal, _, lines) = graded("metrics_dark_late");
    assert_eq!(signal, 60);
    assert_eq!(
        lines,
        "\
NOT PASSED
dark in us-east-1 from 60s: signal 0s, acknowledge 100s, mitigate 100s, recover 180s, 0 failed
pause (all regions) at 160s: LATE: answers the metrics source goes dark, for 180s, 10s late
expect pause of dark by 150s: met late at 160s
objective NOT MET: Hold the rollout while it is blind
objective met: Do not promote on no data"
    );
}

/// metrics-dark: the operator promotes on no data (forbidden): harmful.
#[test]
fn metrics_dark_harmful() {
    let (signal, _, lines) = graded("metrics_dark_harmful");
    assert_eq!(signal, 60);
    assert_eq!(
        lines,
        "\
NOT PASSED
dark in us-east-1 from 60s: signal 0s, acknowledge 3s, mitigate —, recover 180s, 0 failed
promote (all regions) at 68s: HARMFUL: nothing can be judged without metrics: promoting on no data is a guess
expect pause of dark by 150s: missed
objective NOT MET: Hold the rollout while it is blind
objective NOT MET: Do not promote on no data"
    );
}

/// deploy-api-403: the operator acts on the signal within seconds: passed, every action correct.
#[test]
fn deploy_api_403_correct() {
    let (signal, _, lines) = graded("deploy_api_403_correct");
    assert_eq!(signal, 52);
    assert_eq!(
        lines,
        "\
PASSED
forbidden in us-east-1 from 40s: signal 12s, acknowledge 15s, mitigate —, recover —, 0 failed
regression in us-east-1 from 50s: signal 2s, acknowledge 5s, mitigate —, recover —, 7243 failed
pause (all regions) at 60s: CORRECT: answers error rate +6 % over 20s in us-east-1 (canary)
expect pause or roll back of regression by 172s: met at 60s
objective met: Annotate the escalation: who was asked to act, and when
objective met: Send the first status update in time
comms due 352s, sent 60s: met"
    );
}

/// deploy-api-403: the operator takes the same action after the expectation's `within`: late, not passed.
#[test]
fn deploy_api_403_late() {
    let (signal, _, lines) = graded("deploy_api_403_late");
    assert_eq!(signal, 52);
    assert_eq!(
        lines,
        "\
NOT PASSED
forbidden in us-east-1 from 40s: signal 12s, acknowledge 142s, mitigate —, recover —, 0 failed
regression in us-east-1 from 50s: signal 2s, acknowledge 132s, mitigate —, recover —, 7243 failed
pause (all regions) at 182s: LATE: answers error rate +6 % over 20s in us-east-1 (canary), 10s late
expect pause or roll back of regression by 172s: met late at 182s
objective met: Annotate the escalation: who was asked to act, and when
objective met: Send the first status update in time
comms due 352s, sent 182s: met"
    );
}

/// deploy-api-403: the operator (the scenario forbids nothing) promotes, unnecessary, and never pauses nor annotates: the expectation missed.
#[test]
fn deploy_api_403_harmful() {
    let (signal, _, lines) = graded("deploy_api_403_harmful");
    assert_eq!(signal, 52);
    assert_eq!(
        lines,
        "\
NOT PASSED
forbidden in us-east-1 from 40s: signal 12s, acknowledge 15s, mitigate —, recover —, 0 failed
regression in us-east-1 from 50s: signal 2s, acknowledge 5s, mitigate —, recover —, 7243 failed
promote (all regions) at 60s: UNNECESSARY: no injection called for it
expect pause or roll back of regression by 172s: missed
objective NOT MET: Annotate the escalation: who was asked to act, and when
objective met: Send the first status update in time
comms due 352s, sent —: met"
    );
}

/// red-herring: the operator acts on the signal within seconds: passed, every action correct.
#[test]
fn red_herring_correct() {
    let (signal, _, lines) = graded("red_herring_correct");
    assert_eq!(signal, 53);
    assert_eq!(
        lines,
        "\
PASSED
noise in sa-east-1 from 48s: signal —, acknowledge 13s, mitigate —, recover 180s, 2002 failed
noise-alert in sa-east-1 from 50s: signal —, acknowledge 11s, mitigate —, recover 180s, 0 failed
regression in us-east-1 from 52s: signal 1s, acknowledge 4s, mitigate 9s, recover —, 7047 failed
pause (all regions) at 61s: CORRECT: answers error rate +6 % over 20s in us-east-1 (canary)
expect pause or roll back of regression by 173s: met at 61s
objective met: Mitigate the real regression
objective met: Do not roll back on the red herring"
    );
}

/// red-herring: the operator takes the same action after the expectation's `within`: late, not passed.
#[test]
fn red_herring_late() {
    let (signal, _, lines) = graded("red_herring_late");
    assert_eq!(signal, 53);
    assert_eq!(
        lines,
        "\
NOT PASSED
noise in sa-east-1 from 48s: signal —, acknowledge 135s, mitigate —, recover 180s, 2002 failed
noise-alert in sa-east-1 from 50s: signal —, acknowledge 133s, mitigate —, recover 180s, 0 failed
regression in us-east-1 from 52s: signal 1s, acknowledge 131s, mitigate 131s, recover —, 7047 failed
pause (all regions) at 183s: LATE: answers error rate +6 % over 20s in us-east-1 (canary), 10s late
expect pause or roll back of regression by 173s: met late at 183s
objective NOT MET: Mitigate the real regression
objective met: Do not roll back on the red herring"
    );
}

/// red-herring: the operator rolls back the red herring's region alone (forbidden): harmful, and the real regression is left alone.
#[test]
fn red_herring_harmful() {
    let (signal, _, lines) = graded("red_herring_harmful");
    assert_eq!(signal, 53);
    assert_eq!(
        lines,
        "\
NOT PASSED
noise in sa-east-1 from 48s: signal —, acknowledge 8s, mitigate —, recover 180s, 2002 failed
noise-alert in sa-east-1 from 50s: signal —, acknowledge 6s, mitigate —, recover 180s, 0 failed
regression in us-east-1 from 52s: signal 1s, acknowledge 4s, mitigate —, recover —, 7047 failed
roll back (sa-east-1) at 61s: HARMFUL: the new version does not run there yet: rolling it back changes nothing
expect pause or roll back of regression by 173s: missed
objective NOT MET: Mitigate the real regression
objective NOT MET: Do not roll back on the red herring"
    );
}
