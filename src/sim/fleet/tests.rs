use super::*;
use crate::sim::FleetSpec;

fn t0() -> Timestamp {
    Timestamp::default()
}

fn at(s: i64) -> Timestamp {
    t0() + Span::seconds(s)
}

fn mean(
    samples: &[Sample],
    region: &str,
    version: VersionRole,
    signal: crate::domain::signal::Signal,
) -> Option<f64> {
    let v: Vec<f64> = samples
        .iter()
        .filter(|s| s.region == region && s.version == version && s.signal == signal)
        .map(|s| s.value)
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

#[test]
fn waves_advance_on_their_own_and_complete() {
    let mut f = Fleet::new(FleetSpec::calm(1), t0());
    f.advance(at(29));
    assert_eq!(f.status().wave, 0);
    f.advance(at(31));
    assert_eq!(f.status().wave, 1);
    assert_eq!(f.status().held, Span::seconds(1));
    f.advance(at(1000));
    assert_eq!(f.status().phase, Phase::Complete);
    assert_eq!(f.status().wave, 3);
}

#[test]
fn a_wave_held_at_its_gate_waits_for_a_promote() {
    let mut f = Fleet::new(FleetSpec::demo(1), t0());
    f.hold_at_gate(0, true, at(20));
    f.advance(at(500));
    assert_eq!((f.status().wave, f.status().phase), (0, Phase::Progressing));
    assert_eq!(
        f.status().held,
        Span::seconds(30),
        "the hold shows as passed"
    );
    // Said too late, of a wave gone by: ignored.
    f.hold_at_gate(3, true, at(501));
    f.apply(Action::Promote, &ActionScope::Rollout, at(502))
        .unwrap();
    assert_eq!(f.status().wave, 1);
    f.advance(at(502 + 46));
    assert_eq!(f.status().wave, 2, "the next wave is not held");
    // The last wave held at its gate does not complete.
    let mut f = Fleet::new(FleetSpec::demo(1), t0());
    f.advance(at(30 + 45 + 45 + 1));
    assert_eq!(f.status().wave, 3);
    f.hold_at_gate(3, true, at(30 + 45 + 45 + 2));
    f.advance(at(10_000));
    assert_eq!(f.status().phase, Phase::Progressing);
}

#[test]
fn pause_freezes_the_hold_and_resume_continues_it() {
    let mut f = Fleet::new(FleetSpec::calm(1), t0());
    f.apply(Action::Pause, &ActionScope::Rollout, at(10)).ok();
    f.advance(at(100));
    assert_eq!(f.status().phase, Phase::Paused);
    assert_eq!(f.status().held, Span::seconds(10));
    assert_eq!(
        f.apply(Action::Pause, &ActionScope::Rollout, at(101)),
        Err(Refusal::AlreadyPaused)
    );
    f.apply(Action::Resume, &ActionScope::Rollout, at(110)).ok();
    f.advance(at(115));
    assert_eq!(f.status().held, Span::seconds(15));
}

#[test]
fn promote_moves_to_the_next_wave_and_completes_from_the_last() {
    let mut f = Fleet::new(FleetSpec::calm(1), t0());
    for expected in 1..4 {
        assert_eq!(
            f.apply(Action::Promote, &ActionScope::Rollout, at(1)),
            Ok(())
        );
        assert_eq!(f.status().wave, expected);
    }
    assert_eq!(
        f.apply(Action::Promote, &ActionScope::Rollout, at(2)),
        Ok(())
    );
    assert_eq!(f.status().phase, Phase::Complete);
    assert!(matches!(
        f.apply(Action::Promote, &ActionScope::Rollout, at(3)),
        Err(Refusal::Finished(..))
    ));
}

#[test]
fn rollback_sends_all_traffic_to_stable() {
    let mut f = Fleet::new(FleetSpec::demo(1), t0());
    f.advance(at(40));
    f.apply(Action::Rollback, &ActionScope::Rollout, at(40))
        .ok();
    assert!(f.status().regions.iter().all(|r| r.canary_weight == 0));
    let samples = f.sample(at(41));
    assert!(samples.iter().all(|s| s.version == VersionRole::Stable));
    assert!(matches!(
        f.apply(Action::Pause, &ActionScope::Rollout, at(42)),
        Err(Refusal::Finished(..))
    ));
}

#[test]
fn a_completed_rollout_can_still_be_rolled_back() {
    let mut f = Fleet::new(FleetSpec::calm(1), t0());
    f.advance(at(1000));
    assert_eq!(f.status().phase, Phase::Complete);
    let all = ActionScope::Rollout;
    assert_eq!(f.apply(Action::Rollback, &all, at(1001)), Ok(()));
    assert_eq!(f.status().phase, Phase::RolledBack);
    assert!(
        f.sample(at(1002))
            .iter()
            .all(|s| s.version == VersionRole::Stable)
    );
    assert_eq!(
        f.apply(Action::Retry, &all, at(1003)),
        Err(Refusal::NotAborted("all regions".into()))
    );
}

#[test]
fn only_regions_in_scope_have_canary_samples() {
    let mut f = Fleet::new(FleetSpec::demo(1), t0());
    let samples = f.sample(at(1));
    let canary_regions: Vec<&str> = samples
        .iter()
        .filter(|s| s.version == VersionRole::Canary)
        .map(|s| s.region.as_str())
        .collect();
    assert!(!canary_regions.is_empty());
    assert!(canary_regions.iter().all(|r| *r == "eu-west-1"));
}

#[test]
fn same_seed_same_signals() {
    let mut a = Fleet::new(FleetSpec::demo(9), t0());
    let mut b = Fleet::new(FleetSpec::demo(9), t0());
    assert_eq!(a.sample(at(5)), b.sample(at(5)));
}

#[test]
fn the_scripted_fault_raises_only_the_faulty_canary() {
    let mut f = Fleet::new(FleetSpec::demo(3), t0());
    let mut samples = Vec::new();
    for s in 75..=85 {
        samples.extend(f.sample(at(s)));
    }
    let bad = mean(
        &samples,
        "us-east-1",
        VersionRole::Canary,
        crate::domain::signal::standard("error_rate"),
    );
    let base = mean(
        &samples,
        "us-east-1",
        VersionRole::Stable,
        crate::domain::signal::standard("error_rate"),
    );
    let other = mean(
        &samples,
        "eu-west-1",
        VersionRole::Canary,
        crate::domain::signal::standard("error_rate"),
    );
    assert!(
        bad.is_some_and(|v| v > 0.05),
        "faulty canary error rate {bad:?}"
    );
    assert!(base.is_some_and(|v| v < 0.01), "stable error rate {base:?}");
    assert!(
        other.is_some_and(|v| v < 0.01),
        "healthy canary error rate {other:?}"
    );
    let slow = mean(
        &samples,
        "us-east-1",
        VersionRole::Canary,
        crate::domain::signal::standard("latency_p99"),
    );
    assert!(slow.is_some_and(|v| v > 0.40), "faulty canary p99 {slow:?}");
}

#[test]
fn truth_follows_weights_and_faults() {
    let mut f = Fleet::new(FleetSpec::demo(3), t0());
    let truth = f.truth(at(1));
    assert!(
        truth
            .iter()
            .all(|t| t.version == VersionRole::Stable || t.region == "eu-west-1")
    );
    let truth = f.truth(at(80));
    let bad = truth
        .iter()
        .find(|t| t.region == "us-east-1" && t.version == VersionRole::Canary)
        .map(|t| (t.error_rate, t.p99));
    assert!(bad.is_some_and(|(e, p)| e > 0.06 && p > 0.45), "{bad:?}");
}

#[test]
fn an_injected_fault_starts_when_injected() {
    let mut f = Fleet::new(FleetSpec::calm(3), t0());
    let fault = crate::sim::Fault {
        region: "eu-west-1".into(),
        starts_after: Span::zero(),
        ramp: Span::seconds(10),
        error_rate: 0.1,
        latency_factor: 1.0,
    };
    f.inject(fault, at(20));
    let err = |f: &mut Fleet, s| {
        f.truth(at(s))
            .iter()
            .find(|t| t.region == "eu-west-1" && t.version == VersionRole::Canary)
            .map(|t| t.error_rate)
    };
    assert!(err(&mut f, 20).is_some_and(|e| e < 0.01));
    assert!(err(&mut f, 30).is_some_and(|e| e > 0.1));
}

#[test]
fn noise_stays_near_the_profile() {
    let mut f = Fleet::new(FleetSpec::calm(5), t0());
    let mut samples = Vec::new();
    for s in 0..20 {
        samples.extend(f.sample(at(s)));
    }
    let err = mean(
        &samples,
        "eu-west-1",
        VersionRole::Stable,
        crate::domain::signal::standard("error_rate"),
    );
    let p99 = mean(
        &samples,
        "eu-west-1",
        VersionRole::Stable,
        crate::domain::signal::standard("latency_p99"),
    );
    assert!(err.is_some_and(|v| (v - 0.003).abs() < 0.001), "{err:?}");
    assert!(p99.is_some_and(|v| (v - 0.190).abs() < 0.02), "{p99:?}");
}

fn region(f: &Fleet, name: &str) -> RegionRollout {
    f.status()
        .regions
        .into_iter()
        .find(|r| r.region == name)
        .unwrap_or_default()
}

fn eu() -> ActionScope {
    ActionScope::Region("eu-west-1".into())
}

#[test]
fn a_region_paused_on_its_own_keeps_its_weight_while_the_waves_go_on() {
    let mut f = Fleet::new(FleetSpec::calm(1), t0());
    assert_eq!(f.apply(Action::Pause, &eu(), at(5)), Ok(()));
    f.advance(at(100));
    let status = f.status();
    assert_eq!(status.phase, Phase::Progressing);
    assert!(status.wave >= 2, "the other regions go on: {status:?}");
    let eu = region(&f, "eu-west-1");
    assert_eq!((eu.canary_weight, eu.phase), (5, Some(Phase::Paused)));
    assert_eq!(region(&f, "us-east-1").phase, None);
    assert_eq!(
        f.apply(Action::Pause, &self::eu(), at(101)),
        Err(Refusal::RegionAlreadyPaused("eu-west-1".into()))
    );
    // The rollout cannot complete while a region holds back.
    f.advance(at(10_000));
    assert_eq!(f.status().phase, Phase::Progressing);
    assert_eq!(f.apply(Action::Resume, &self::eu(), at(10_001)), Ok(()));
    f.advance(at(10_002));
    assert_eq!(f.status().phase, Phase::Complete);
    assert_eq!(region(&f, "eu-west-1").canary_weight, 100);
}

#[test]
fn a_region_rolled_back_on_its_own_sends_no_canary_traffic_there_only() {
    let mut f = Fleet::new(FleetSpec::demo(1), t0());
    f.advance(at(40));
    assert_eq!(f.apply(Action::Rollback, &eu(), at(40)), Ok(()));
    let samples = f.sample(at(41));
    let canary_in = |region: &str| {
        samples
            .iter()
            .any(|s| s.region == region && s.version == VersionRole::Canary)
    };
    assert!(!canary_in("eu-west-1"));
    assert!(canary_in("us-east-1"));
    assert_eq!(region(&f, "eu-west-1").phase, Some(Phase::RolledBack));
    assert!(matches!(
        f.apply(Action::Resume, &eu(), at(42)),
        Err(Refusal::RegionFinished(..))
    ));
    // Later waves do not bring the canary back to a rolled-back region.
    f.advance(at(1000));
    assert_eq!(region(&f, "eu-west-1").canary_weight, 0);
}

#[test]
fn promote_takes_the_whole_rollout_and_resume_frees_every_region() {
    let mut f = Fleet::new(FleetSpec::calm(1), t0());
    assert_eq!(
        f.apply(Action::Promote, &eu(), at(1)),
        Err(Refusal::WholeRolloutOnly(Action::Promote))
    );
    assert_eq!(
        f.apply(Action::Pause, &ActionScope::Region("mars-1".into()), at(1)),
        Err(Refusal::UnknownRegion("mars-1".into()))
    );
    f.apply(Action::Pause, &eu(), at(2)).ok();
    // The rollout is progressing, yet resume means something: a region waits.
    assert_eq!(
        f.apply(Action::Resume, &ActionScope::Rollout, at(3)),
        Ok(())
    );
    assert_eq!(region(&f, "eu-west-1").phase, None);
    assert_eq!(
        f.apply(Action::Resume, &ActionScope::Rollout, at(4)),
        Err(Refusal::NotPaused)
    );
}

/// The mean of `signal` over `samples` where `keep` holds.
fn mean_of(samples: &[Sample], signal: &str, keep: impl Fn(&Sample) -> bool) -> Option<f64> {
    let v: Vec<f64> = samples
        .iter()
        .filter(|s| s.signal.is(signal) && keep(s))
        .map(|s| s.value)
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

#[test]
fn the_users_signals_are_served_where_they_are_measured() {
    let mut f = Fleet::new(FleetSpec::demo(2), t0());
    let samples = f.sample(at(1));
    let of = |name: &str| samples.iter().filter(|s| s.signal.is(name)).count();
    // Four stable regions and the first wave's canary.
    assert_eq!(of("checkout_completion"), 5);
    assert_eq!(of("login_success"), 5);
    assert_eq!(of("queue_depth"), 4);
    assert_eq!(of("support_tickets"), 1);
    assert!(samples.iter().all(|s| s.value.is_finite()));
    // A plan without them has none.
    let mut spec = FleetSpec::demo(2);
    spec.plan.signals = crate::domain::signal::Signals::standard();
    let samples = Fleet::new(spec, t0()).sample(at(1));
    assert_eq!(samples.len(), 5 * 4);
}

#[test]
fn serving_the_users_signals_leaves_the_request_signals_as_they_were() {
    let mut spec = FleetSpec::demo(4);
    spec.plan.signals = crate::domain::signal::Signals::standard();
    let mut plain = Fleet::new(spec, t0());
    let mut full = Fleet::new(FleetSpec::demo(4), t0());
    for s in 0..5 {
        let values = |samples: Vec<Sample>| -> Vec<(String, f64)> {
            samples
                .into_iter()
                .filter(|s| crate::domain::signal::STANDARD.contains(&s.signal.name()))
                .map(|s| {
                    (
                        format!("{} {:?} {}", s.region, s.version, s.signal.name()),
                        s.value,
                    )
                })
                .collect()
        };
        assert_eq!(values(plain.sample(at(s))), values(full.sample(at(s))));
    }
}

#[test]
fn the_scripted_fault_costs_the_users_of_its_region() {
    let mut f = Fleet::new(FleetSpec::demo(3), t0());
    let (mut before, mut during) = (Vec::new(), Vec::new());
    for s in 35..=45 {
        before.extend(f.sample(at(s)));
    }
    for s in 75..=85 {
        during.extend(f.sample(at(s)));
    }
    let canary = |region: &'static str| {
        move |s: &Sample| s.region == region && s.version == VersionRole::Canary
    };
    let us = canary("us-east-1");
    let checkout = mean_of(&during, "checkout_completion", us);
    assert!(
        checkout.is_some_and(|v| v < 0.6),
        "faulty canary checkout {checkout:?}"
    );
    let calm = mean_of(&during, "checkout_completion", canary("eu-west-1"));
    assert!(
        calm.is_some_and(|v| (0.7..0.77).contains(&v)),
        "healthy canary checkout {calm:?}"
    );
    let login = mean_of(&during, "login_success", us).unwrap();
    let calm_login = mean_of(&before, "login_success", us).unwrap();
    assert!(login < calm_login - 0.05, "{login} {calm_login}");
    let queue =
        |samples: &[Sample]| mean_of(samples, "queue_depth", |s| s.region == "us-east-1").unwrap();
    let (calm_queue, queue) = (queue(&before), queue(&during));
    assert!(queue > calm_queue * 1.15, "{queue} {calm_queue}");
    let tickets = |samples: &[Sample]| mean_of(samples, "support_tickets", |_| true).unwrap();
    let (calm_tickets, tickets) = (tickets(&before), tickets(&during));
    assert!(tickets > calm_tickets * 1.5, "{tickets} {calm_tickets}");
}
