//! Each built-in scenario drilled headless by a scripted operator — one
//! who acts correctly, one who acts late, one who does harm — and graded
//! at its end the way the dashboard ends a drill: the debrief's verdicts
//! and its times, exact, from the simulated clock.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "graded_drills/drive.rs"]
mod drive;
#[path = "graded_drills/operators.rs"]
mod operators;
#[path = "graded_drills/summary.rs"]
mod summary;

use warroom::domain::drill::grade::{Grade, Verdict};

use drive::drilled;
use operators::operators;
use summary::summary;

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
regression in us-east-1 from 50s: signal 2s, acknowledge 5s, mitigate 10s, recover 11s, 83 failed
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
gateway in us-east-1 from 55s: signal 1s, acknowledge 4s, mitigate —, recover 240s, 22472 failed
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
