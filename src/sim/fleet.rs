//! The simulated fleet's state machine and its signals.

use crate::domain::health::{Sample, Signal, VersionRole};
use crate::domain::rollout::{
    Action, ActionScope, Phase, Refusal, RegionRollout, RolloutStatus, check_action,
};
use crate::domain::{Span, Timestamp};

use super::scenario::FleetSpec;

/// What a region × version is really doing at a moment, without sampling
/// noise: what the counters and histograms of `warroom sim` are driven by.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    pub region: String,
    pub version: VersionRole,
    pub rps: f64,
    pub error_rate: f64,
    pub client_error_rate: f64,
    pub p99: f64,
}

impl Truth {
    pub fn success_rate(&self) -> f64 {
        (1.0 - self.error_rate - self.client_error_rate).clamp(0.0, 1.0)
    }
}

/// Share of requests that fail with a client error (4xx): not the service's fault.
const CLIENT_ERRORS: f64 = 0.004;

/// Requests are judged over a window this long: it sets how noisy a rate is at
/// low traffic, the way a `rate(...[15s])` would be.
const WINDOW_SECONDS: f64 = 15.0;

/// A region an operator paused or rolled back on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum RegionHold {
    /// Follows the rollout's waves.
    #[default]
    Following,
    /// Kept at the canary weight it had when paused.
    Paused(u8),
    /// All its traffic back on stable, for the rest of the rollout.
    RolledBack,
}

/// A running simulated rollout.
#[derive(Debug, Clone)]
pub struct Fleet {
    spec: FleetSpec,
    started: Timestamp,
    last: Timestamp,
    phase: Phase,
    wave: usize,
    held: Span,
    message: Option<String>,
    /// Slow multiplicative drift of each region's traffic, around 1.0.
    load: Vec<f64>,
    /// What an operator did to each region on its own, in profile order.
    held_regions: Vec<RegionHold>,
    /// The wave warroom holds at its gate: it does not give way when its
    /// hold passes, only on a promote.
    gate_held: Option<usize>,
    rng: fastrand::Rng,
}

impl Fleet {
    /// A rollout that starts its first wave at `now`.
    pub fn new(spec: FleetSpec, now: Timestamp) -> Fleet {
        let rng = fastrand::Rng::with_seed(spec.seed);
        let load = vec![1.0; spec.profiles.len()];
        let held_regions = vec![RegionHold::Following; spec.profiles.len()];
        Fleet {
            spec,
            started: now,
            last: now,
            phase: Phase::Progressing,
            wave: 0,
            held: Span::zero(),
            message: None,
            load,
            held_regions,
            gate_held: None,
            rng,
        }
    }

    pub fn spec(&self) -> &FleetSpec {
        &self.spec
    }

    /// Move the rollout's clock to `now`: holds run down while progressing and
    /// a wave whose hold has passed gives way to the next.
    pub fn advance(&mut self, now: Timestamp) {
        let dt = (now - self.last).max(Span::zero());
        self.last = self.last.max(now);
        if self.phase != Phase::Progressing {
            return;
        }
        self.held += dt;
        let waves = &self.spec.plan.waves.waves;
        while let Some(w) = waves.get(self.wave) {
            if self.held < w.hold {
                break;
            }
            if self.gate_held == Some(self.wave) {
                self.held = w.hold;
                break;
            }
            if self.wave + 1 == waves.len() {
                self.held = w.hold;
                // A region paused on its own keeps the rollout from completing.
                if self
                    .held_regions
                    .iter()
                    .any(|h| matches!(h, RegionHold::Paused(_)))
                {
                    break;
                }
                self.complete();
                break;
            }
            self.held -= w.hold;
            self.wave += 1;
        }
    }

    fn complete(&mut self) {
        self.phase = Phase::Complete;
        self.message = Some(format!(
            "{} serves all traffic",
            self.spec.plan.canary_version
        ));
    }

    /// Hold `wave` at its gate: when its hold passes it waits for a promote.
    /// Said of a wave already gone by, it is ignored.
    pub fn hold_at_gate(&mut self, wave: usize, hold: bool, now: Timestamp) {
        self.advance(now);
        if wave == self.wave {
            self.gate_held = hold.then_some(wave);
        }
    }

    /// Obey an operator's action on `scope`, or say why it cannot be done.
    pub fn apply(
        &mut self,
        action: Action,
        scope: &ActionScope,
        now: Timestamp,
    ) -> Result<(), Refusal> {
        self.advance(now);
        check_action(action, scope, &self.status())?;
        if let ActionScope::Region(name) = scope {
            return self.apply_to_region(action, name);
        }
        match action {
            Action::Pause => self.phase = Phase::Paused,
            Action::Resume => {
                // Resuming the rollout resumes the regions paused on their own too.
                for hold in &mut self.held_regions {
                    if matches!(hold, RegionHold::Paused(_)) {
                        *hold = RegionHold::Following;
                    }
                }
                self.phase = Phase::Progressing;
            }
            // Promoting the last wave completes the rollout.
            Action::Promote if self.wave + 1 >= self.spec.plan.waves.len() => {
                self.gate_held = None;
                self.complete();
            }
            Action::Promote => {
                self.gate_held = None;
                self.wave += 1;
                self.held = Span::zero();
                self.phase = Phase::Progressing;
            }
            Action::Rollback => {
                self.phase = Phase::RolledBack;
                self.message = Some(format!(
                    "all traffic back on {}",
                    self.spec.plan.stable_version
                ));
            }
            // The simulator never aborts, so `check_action` refuses a retry first.
            Action::Retry => return Err(Refusal::NotAborted(scope.label())),
        }
        Ok(())
    }

    /// Pause, resume or roll back one region; the waves move on elsewhere.
    fn apply_to_region(&mut self, action: Action, name: &str) -> Result<(), Refusal> {
        let i = self
            .spec
            .profiles
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| Refusal::UnknownRegion(name.to_string()))?;
        let weight = self.canary_weight(name);
        let hold = match action {
            Action::Pause => RegionHold::Paused(weight),
            Action::Resume => RegionHold::Following,
            Action::Rollback => RegionHold::RolledBack,
            Action::Promote => return Err(Refusal::WholeRolloutOnly(action)),
            Action::Retry => return Err(Refusal::NotAborted(name.to_string())),
        };
        if let Some(h) = self.held_regions.get_mut(i) {
            *h = hold;
        }
        Ok(())
    }

    fn hold_of(&self, region: &str) -> RegionHold {
        self.spec
            .profiles
            .iter()
            .zip(&self.held_regions)
            .find(|(p, _)| p.name == region)
            .map(|(_, h)| *h)
            .unwrap_or_default()
    }

    /// The canary's share of traffic in `region`, in percent.
    fn canary_weight(&self, region: &str) -> u8 {
        match (self.phase, self.hold_of(region)) {
            (Phase::RolledBack | Phase::Aborted, _) | (_, RegionHold::RolledBack) => 0,
            (_, RegionHold::Paused(w)) => w,
            (_, RegionHold::Following) => self.spec.plan.waves.weight_in(self.wave, region),
        }
    }

    /// What a deployment source would report now.
    pub fn status(&self) -> RolloutStatus {
        RolloutStatus {
            phase: self.phase,
            wave: self.wave,
            held: self.held,
            message: self.message.clone(),
            regions: self
                .spec
                .profiles
                .iter()
                .zip(&self.held_regions)
                .map(|(p, hold)| RegionRollout {
                    region: p.name.clone(),
                    canary_weight: self.canary_weight(&p.name),
                    weight_known: crate::domain::rollout::WeightKnown::Reported,
                    phase: match hold {
                        RegionHold::Following => None,
                        RegionHold::Paused(_) => Some(Phase::Paused),
                        RegionHold::RolledBack => Some(Phase::RolledBack),
                    },
                    target: None,
                })
                .collect(),
            observed_at: self.last,
        }
    }

    fn normal(&mut self) -> f64 {
        // Box–Muller; 1 - f64() keeps the logarithm finite.
        let u1 = 1.0 - self.rng.f64();
        let u2 = self.rng.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// One poll of every signal for every region and version that takes
    /// traffic: the truth with sampling noise. A version with no traffic has
    /// no samples, as in Prometheus.
    pub fn sample(&mut self, now: Timestamp) -> Vec<Sample> {
        for i in 0..self.load.len() {
            let drift = 0.02 * self.normal();
            self.load[i] = (self.load[i] * (1.0 + drift)).clamp(0.85, 1.15);
        }
        let truth = self.truth(now);
        let mut out = Vec::with_capacity(truth.len() * 4);
        for t in truth {
            let requests = (t.rps * WINDOW_SECONDS).max(1.0);
            let p = t.error_rate;
            // Binomial noise: small traffic gives jumpy ratios.
            let sd = (p * (1.0 - p) / requests).sqrt();
            let error_rate = (p + sd * self.normal()).clamp(0.0, 1.0);
            let client_errors = (t.client_error_rate * (1.0 + 0.2 * self.normal())).max(0.0);
            let success_rate = (1.0 - error_rate - client_errors).clamp(0.0, 1.0);
            let jitter = 0.05 + 2.0 / requests.sqrt();
            let p99 = (t.p99 * (1.0 + jitter * self.normal())).max(0.001);
            for (signal, value) in [
                (Signal::RequestRate, t.rps),
                (Signal::ErrorRate, error_rate),
                (Signal::LatencyP99, p99),
                (Signal::SuccessRate, success_rate),
            ] {
                out.push(Sample {
                    region: t.region.clone(),
                    version: t.version,
                    signal,
                    value,
                    basis: Default::default(),
                });
            }
        }
        out
    }

    /// Every region × version taking traffic, as it really is at `now`.
    pub fn truth(&mut self, now: Timestamp) -> Vec<Truth> {
        self.advance(now);
        let elapsed = now - self.started;
        let mut out = Vec::with_capacity(self.spec.profiles.len() * 2);
        for (i, profile) in self.spec.profiles.iter().enumerate() {
            let weight = f64::from(self.canary_weight(&profile.name)) / 100.0;
            for version in VersionRole::ALL {
                let share = match version {
                    VersionRole::Stable => 1.0 - weight,
                    VersionRole::Canary => weight,
                };
                let rps = profile.rps * self.load[i] * share;
                if rps <= 0.0 {
                    continue;
                }
                let (extra, slowdown) = match version {
                    VersionRole::Canary => self.fault_effect(&profile.name, elapsed),
                    VersionRole::Stable => (0.0, 1.0),
                };
                out.push(Truth {
                    region: profile.name.clone(),
                    version,
                    rps,
                    error_rate: (profile.error_rate + extra).min(1.0 - CLIENT_ERRORS),
                    client_error_rate: CLIENT_ERRORS,
                    p99: profile.p99 * slowdown,
                });
            }
        }
        out
    }

    /// Start a fault in the canary of `region` now, as a drill would.
    pub fn inject(&mut self, mut fault: super::Fault, now: Timestamp) {
        self.advance(now);
        fault.starts_after = now - self.started;
        self.spec.faults.push(fault);
    }

    /// Extra error rate and latency factor the scripted faults add to the
    /// canary in `region` at `elapsed`.
    fn fault_effect(&self, region: &str, elapsed: Span) -> (f64, f64) {
        self.spec
            .faults
            .iter()
            .filter(|f| f.region == region)
            .fold((0.0, 1.0), |(err, lat), f| {
                let k = f.intensity(elapsed);
                (
                    err + k * f.error_rate,
                    lat * (1.0 + k * (f.latency_factor - 1.0)),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::FleetSpec;

    fn t0() -> Timestamp {
        Timestamp::default()
    }

    fn at(s: i64) -> Timestamp {
        t0() + Span::seconds(s)
    }

    fn mean(samples: &[Sample], region: &str, version: VersionRole, signal: Signal) -> Option<f64> {
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
            Signal::ErrorRate,
        );
        let base = mean(
            &samples,
            "us-east-1",
            VersionRole::Stable,
            Signal::ErrorRate,
        );
        let other = mean(
            &samples,
            "eu-west-1",
            VersionRole::Canary,
            Signal::ErrorRate,
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
            Signal::LatencyP99,
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
            Signal::ErrorRate,
        );
        let p99 = mean(
            &samples,
            "eu-west-1",
            VersionRole::Stable,
            Signal::LatencyP99,
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
}
