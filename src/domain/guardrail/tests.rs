use super::*;
use crate::domain::health::{Basis, HealthMatrix, Sample, VersionRole};

fn t(s: i64) -> Timestamp {
    Timestamp::default() + Span::seconds(s)
}

fn error_rate_over_2pct() -> StopCondition {
    StopCondition::absolute(
        crate::domain::signal::standard("error_rate"),
        Direction::Above,
        0.01,
        0.02,
        Span::seconds(10),
        Consequence::Alert,
    )
}

fn poll(m: &mut HealthMatrix, at: i64, eu: f64, us: f64) {
    let s = |region: &str, value| Sample {
        region: region.into(),
        version: VersionRole::Canary,
        signal: crate::domain::signal::standard("error_rate"),
        value,
        basis: Default::default(),
    };
    m.ingest_poll(t(at), &[s("eu", eu), s("us", us)]);
}

#[test]
fn judge_has_four_outcomes() {
    let c = error_rate_over_2pct();
    assert_eq!(c.judge(None), Verdict::NoData);
    assert_eq!(c.judge(Some(0.001)), Verdict::Healthy);
    assert_eq!(c.judge(Some(0.015)), Verdict::Warning);
    assert_eq!(c.judge(Some(0.05)), Verdict::Breach);
    assert_eq!(c.judge(Some(f64::INFINITY)), Verdict::Breach);
}

#[test]
fn breach_needs_the_hold_and_fires_once() {
    let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
    let mut m = HealthMatrix::default();
    let all = |_: &str| true;
    poll(&mut m, 0, 0.001, 0.05);
    assert!(g.evaluate(&m, &all, t(0)).is_empty());
    assert_eq!(
        g.status()[0].state,
        GuardrailState::Tripping { since: t(0) }
    );
    assert_eq!(g.status()[0].region.as_deref(), Some("us"));
    poll(&mut m, 10, 0.001, 0.06);
    let tripped = g.evaluate(&m, &all, t(10));
    assert_eq!(tripped.len(), 1);
    assert_eq!(tripped[0].region, "us");
    assert_eq!(g.status()[0].state, GuardrailState::Breach { since: t(0) });
    poll(&mut m, 11, 0.001, 0.06);
    assert!(
        g.evaluate(&m, &all, t(11)).is_empty(),
        "a breach is reported once"
    );
}

#[test]
fn recovery_resets_the_clock() {
    let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
    let mut m = HealthMatrix::default();
    let all = |_: &str| true;
    poll(&mut m, 0, 0.001, 0.05);
    g.evaluate(&m, &all, t(0));
    poll(&mut m, 5, 0.001, 0.001);
    g.evaluate(&m, &all, t(5));
    assert_eq!(g.status()[0].state, GuardrailState::Ok);
    poll(&mut m, 12, 0.001, 0.05);
    g.evaluate(&m, &all, t(12));
    assert_eq!(
        g.status()[0].state,
        GuardrailState::Tripping { since: t(12) }
    );
}

#[test]
fn unwatched_regions_do_not_count_and_nothing_watched_is_no_data() {
    let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
    let mut m = HealthMatrix::default();
    poll(&mut m, 0, 0.001, 0.05);
    g.evaluate(&m, &|r| r == "eu", t(0));
    assert_eq!(g.status()[0].state, GuardrailState::Ok);
    g.evaluate(&m, &|_| false, t(0));
    assert_eq!(g.status()[0].state, GuardrailState::NoData);
}

#[test]
fn a_gap_stops_the_hold_clock_without_resetting_it() {
    let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
    let mut m = HealthMatrix::default();
    let all = |_: &str| true;
    for (at, us) in [(0, 0.05), (5, 0.05), (10, f64::NAN)] {
        poll(&mut m, at, 0.001, us);
        assert!(g.evaluate(&m, &all, t(at)).is_empty());
    }
    assert_eq!(g.status()[0].state, GuardrailState::NoData);
    assert_eq!(g.gap(0), Some(Gap::NoData));
    poll(&mut m, 15, 0.001, 0.05);
    assert!(
        g.evaluate(&m, &all, t(15)).is_empty(),
        "10 s past the limit were not seen: no breach yet"
    );
    // 5 s counted before the gap, none through it.
    assert_eq!(
        g.status()[0].state,
        GuardrailState::Tripping { since: t(10) }
    );
    assert_eq!(g.past(0), Some(Span::seconds(5)));
    poll(&mut m, 20, 0.001, 0.05);
    let tripped = g.evaluate(&m, &all, t(20));
    assert_eq!(tripped.len(), 1, "10 s seen past the limit");
}

#[test]
fn an_outage_of_the_metrics_is_not_counted_towards_the_hold() {
    let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
    let mut m = HealthMatrix::default();
    let all = |_: &str| true;
    for at in 0..4 {
        poll(&mut m, at, 0.001, 0.05);
        assert!(g.evaluate(&m, &all, t(at)).is_empty());
    }
    // No poll answered for a minute; then the value is still past.
    poll(&mut m, 63, 0.001, 0.05);
    assert!(
        g.evaluate(&m, &all, t(63)).is_empty(),
        "a breach is never declared the moment data returns"
    );
    assert_eq!(g.past(0), Some(Span::seconds(3)));
    let mut at = 63;
    let tripped = loop {
        at += 1;
        poll(&mut m, at, 0.001, 0.05);
        let tripped = g.evaluate(&m, &all, t(at));
        if !tripped.is_empty() || at > 80 {
            break at;
        }
    };
    assert_eq!(tripped, 70, "the hold resumes where it stopped: 3 s + 7 s");
}

fn poll_on(m: &mut HealthMatrix, at: i64, value: f64, basis: Basis) {
    m.ingest_poll(
        t(at),
        &[Sample {
            region: "us".into(),
            version: VersionRole::Canary,
            signal: crate::domain::signal::standard("error_rate"),
            value,
            basis,
        }],
    );
}

#[test]
fn stale_or_partial_values_stop_the_clock_and_never_breach() {
    let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
    let mut m = HealthMatrix::default();
    let all = |_: &str| true;
    poll_on(&mut m, 0, 0.05, Basis::Current);
    g.evaluate(&m, &all, t(0));
    let stale = Basis::Stale { newest: Some(t(0)) };
    for at in 1..30 {
        let basis = if at % 2 == 0 { stale } else { Basis::Partial };
        poll_on(&mut m, at, 0.05, basis);
        assert!(g.evaluate(&m, &all, t(at)).is_empty(), "breach at {at}");
        assert_eq!(g.status()[0].state, GuardrailState::NoData);
    }
    assert_eq!(g.gap(0), Some(Gap::Partial));
    assert_eq!(g.status()[0].value, None);
    poll_on(&mut m, 30, 0.05, stale);
    g.evaluate(&m, &all, t(30));
    assert_eq!(g.gap(0).map(Gap::word), Some("STALE"));
    let cell = m.cell_by_name("us", VersionRole::Canary);
    let conditions = [error_rate_over_2pct()];
    assert_eq!(
        cell_state(cell, None, &conditions, false),
        (Verdict::Stale, Some(Gap::Stale))
    );
    poll_on(&mut m, 31, 0.05, Basis::Partial);
    let cell = m.cell_by_name("us", VersionRole::Canary);
    assert_eq!(
        cell_state(cell, None, &conditions, false),
        (Verdict::NoData, Some(Gap::Partial))
    );
}

#[test]
fn infinities_that_mean_nothing_are_not_finite_never_healthy() {
    let success = StopCondition::absolute(
        crate::domain::signal::standard("success_rate"),
        Direction::Below,
        0.99,
        0.98,
        Span::zero(),
        Consequence::Alert,
    );
    let conditions = [error_rate_over_2pct(), success];
    let mut m = HealthMatrix::default();
    let s = |signal, value| Sample {
        region: "eu".into(),
        version: VersionRole::Canary,
        signal,
        value,
        basis: Basis::Current,
    };
    m.ingest_poll(
        t(0),
        &[
            s(crate::domain::signal::standard("error_rate"), f64::INFINITY),
            s(
                crate::domain::signal::standard("success_rate"),
                f64::INFINITY,
            ),
        ],
    );
    let cell = m.cell(0, VersionRole::Canary);
    assert_eq!(
        cell_state(cell, None, &conditions, false),
        (Verdict::NoData, Some(Gap::NotFinite))
    );
    let mut g = Guardrails::new(conditions.to_vec());
    g.evaluate(&m, &|_| true, t(0));
    assert!(g.status().iter().all(|c| c.state == GuardrailState::NoData));
    assert_eq!(g.gap(1).map(Gap::word), Some("NOT FINITE"));
    assert_eq!(g.blind(), [(0, Gap::NotFinite), (1, Gap::NotFinite)]);
}

#[test]
fn shown_values_never_read_nan_or_inf() {
    let relative = StopCondition {
        baseline: Baseline::Stable,
        ..error_rate_over_2pct()
    };
    for v in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        -1e300,
        0.5,
    ] {
        for c in [&relative, &error_rate_over_2pct()] {
            let shown = c.show(v).to_lowercase();
            assert!(
                !shown.contains("nan") && !shown.contains("inf") && shown.len() < 24,
                "{v} → {shown}"
            );
        }
    }
}

#[test]
fn among_equals_the_worst_value_is_shown() {
    let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
    let mut m = HealthMatrix::default();
    poll(&mut m, 0, 0.001, 0.004);
    g.evaluate(&m, &|_| true, t(0));
    assert_eq!(g.status()[0].region.as_deref(), Some("us"));
    assert_eq!(g.status()[0].value, Some(0.004));
}

#[test]
fn a_watched_region_without_numbers_is_no_data_not_ok() {
    let mut g = Guardrails::new(vec![error_rate_over_2pct()]);
    let mut m = HealthMatrix::default();
    poll(&mut m, 0, 0.001, f64::NAN);
    g.evaluate(&m, &|_| true, t(0));
    assert_eq!(g.status()[0].state, GuardrailState::NoData);
    assert_eq!(g.status()[0].region.as_deref(), Some("us"));
}

#[test]
fn a_cell_is_judged_on_its_worst_signal_and_never_healthy_blind() {
    let conditions = vec![error_rate_over_2pct()];
    let mut m = HealthMatrix::default();
    assert_eq!(judge_cell(None, None, &conditions, false), Verdict::NoData);
    poll(&mut m, 0, 0.001, 0.05);
    let eu = m.cell_by_name("eu", VersionRole::Canary);
    let us = m.cell_by_name("us", VersionRole::Canary);
    assert_eq!(judge_cell(eu, None, &conditions, false), Verdict::Healthy);
    assert_eq!(judge_cell(us, None, &conditions, false), Verdict::Breach);
    assert_eq!(judge_cell(eu, None, &conditions, true), Verdict::Stale);
    poll(&mut m, 1, f64::NAN, 0.001);
    let eu = m.cell_by_name("eu", VersionRole::Canary);
    assert_eq!(judge_cell(eu, None, &conditions, false), Verdict::NoData);
    m.ingest_poll(t(2), &[]);
    let us = m.cell_by_name("us", VersionRole::Canary);
    assert_eq!(judge_cell(us, None, &conditions, false), Verdict::NoData);
}

fn latency_cell(m: &mut HealthMatrix, at: i64, stable: f64, canary: f64, canary_rps: f64) {
    let s = |version, signal, value| Sample {
        region: "eu".into(),
        version,
        signal,
        value,
        basis: Default::default(),
    };
    m.ingest_poll(
        t(at),
        &[
            s(
                VersionRole::Stable,
                crate::domain::signal::standard("latency_p99"),
                stable,
            ),
            s(
                VersionRole::Stable,
                crate::domain::signal::standard("request_rate"),
                100.0,
            ),
            s(
                VersionRole::Canary,
                crate::domain::signal::standard("latency_p99"),
                canary,
            ),
            s(
                VersionRole::Canary,
                crate::domain::signal::standard("request_rate"),
                canary_rps,
            ),
        ],
    );
}

#[test]
fn relative_conditions_compare_with_stable_in_the_same_region() {
    let cond = StopCondition {
        baseline: Baseline::Stable,
        ..StopCondition::absolute(
            crate::domain::signal::standard("latency_p99"),
            Direction::Above,
            1.2,
            1.5,
            Span::zero(),
            Consequence::Alert,
        )
    };
    let mut g = Guardrails::new(vec![cond.clone()]);
    let mut m = HealthMatrix::default();
    // 0.5 s is slow in absolute terms, but so is stable: 1.25× is a warning.
    latency_cell(&mut m, 0, 0.4, 0.5, 50.0);
    g.evaluate(&m, &|_| true, t(0));
    assert_eq!(g.status()[0].state, GuardrailState::Warning);
    assert_eq!(g.status()[0].value, Some(1.25));
    latency_cell(&mut m, 1, 0.2, 0.5, 50.0);
    g.evaluate(&m, &|_| true, t(1));
    assert!(matches!(g.status()[0].state, GuardrailState::Breach { .. }));
    assert_eq!(cond.show(2.5), "2.50× stable");
    // Judging the canary cell needs its baseline; the stable cell has none.
    let canary = m.cell_by_name("eu", VersionRole::Canary);
    let stable = m.cell_by_name("eu", VersionRole::Stable);
    assert_eq!(
        judge_cell(canary, stable, std::slice::from_ref(&cond), false),
        Verdict::Breach
    );
    assert_eq!(judge_cell(stable, None, &[cond], false), Verdict::NoData);
}

#[test]
fn below_the_traffic_floor_is_no_data() {
    let cond = StopCondition {
        min_request_rate: Some((crate::domain::signal::standard("request_rate"), 10.0)),
        ..StopCondition::absolute(
            crate::domain::signal::standard("latency_p99"),
            Direction::Above,
            0.3,
            0.4,
            Span::zero(),
            Consequence::Alert,
        )
    };
    let mut g = Guardrails::new(vec![cond]);
    let mut m = HealthMatrix::default();
    latency_cell(&mut m, 0, 0.2, 0.9, 2.0);
    g.evaluate(&m, &|_| true, t(0));
    assert_eq!(
        g.status()[0].state,
        GuardrailState::NoData,
        "2 requests/s are too few to judge"
    );
    latency_cell(&mut m, 1, 0.2, 0.9, 20.0);
    g.evaluate(&m, &|_| true, t(1));
    assert!(matches!(g.status()[0].state, GuardrailState::Breach { .. }));
}

#[test]
fn describes_itself_in_display_units() {
    assert_eq!(
        error_rate_over_2pct().to_string(),
        "error rate > 2.00% for 10s"
    );
}

#[test]
fn a_multiple_of_nothing_before_is_nothing() {
    let mut c = error_rate_over_2pct();
    c.baseline = Baseline::Before {
        window: Span::hours(24),
        end: None,
    };
    let mut m = HealthMatrix::new(["eu".to_string(), "us".to_string()]);
    poll(&mut m, 0, 0.01, 0.01);
    let cell = m.cell_by_name("eu", VersionRole::Canary);
    // Nothing before (no tickets yesterday): any value is infinitely more.
    assert_eq!(
        c.reading_before(cell, Some(0.0)),
        Reading::Number(f64::INFINITY)
    );
    assert_eq!(c.reading_before(cell, Some(0.005)), Reading::Number(2.0));
    assert_eq!(c.reading_before(cell, None), Reading::Gap(Gap::NoData));
}
