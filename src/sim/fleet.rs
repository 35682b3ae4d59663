//! The simulated fleet's state machine and its signals.

use crate::domain::health::{Sample, VersionRole};
use crate::domain::rollout::{
    Action, ActionScope, Phase, Refusal, RegionRollout, RolloutStatus, check_action,
};
use crate::domain::signal::{ERROR_RATE, LATENCY_P99, REQUEST_RATE, SUCCESS_RATE};
use crate::domain::{Span, Timestamp};

use super::drill::DrillHandle;
use super::scenario::FleetSpec;
use super::users::Users;

mod inject;
mod truth;

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
    /// What the users go through, with noise of its own.
    users: Users,
    /// The drill's script when this is a drill: its faults, and its clock,
    /// which the rollout's holds follow.
    drill: Option<DrillHandle>,
    /// The drill clock when the rollout last moved.
    drill_clock: Span,
    /// Until when the failed requests of the drill's faults are counted.
    counted: Timestamp,
}

impl Fleet {
    /// A rollout that starts its first wave at `now`.
    pub fn new(spec: FleetSpec, now: Timestamp) -> Fleet {
        let rng = fastrand::Rng::with_seed(spec.seed);
        let users = Users::new(spec.seed);
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
            users,
            drill: None,
            drill_clock: Span::zero(),
            counted: now,
        }
    }

    /// The fleet running `drill`'s script: its faults come and go as the
    /// script says, and the rollout's holds wait while the drill clock is
    /// paused.
    pub fn with_drill(mut self, drill: DrillHandle) -> Fleet {
        self.drill_clock = drill.clock(self.last);
        self.drill = Some(drill);
        self
    }

    pub fn spec(&self) -> &FleetSpec {
        &self.spec
    }

    /// Move the rollout's clock to `now`: holds run down while progressing and
    /// a wave whose hold has passed gives way to the next.
    pub fn advance(&mut self, now: Timestamp) {
        let mut dt = (now - self.last).max(Span::zero());
        self.last = self.last.max(now);
        if let Some(drill) = &self.drill {
            let clock = drill.clock(now);
            dt = (clock - self.drill_clock).max(Span::zero());
            self.drill_clock = self.drill_clock.max(clock);
        }
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
        normal(&mut self.rng)
    }

    /// One poll of every signal for every region and version that takes
    /// traffic: the truth with sampling noise. A version with no traffic has
    /// no samples, as in Prometheus. The users' signals (see
    /// [`super::users`]) come after the request signals; a region's own
    /// and the service's have one sample each.
    pub fn sample(&mut self, now: Timestamp) -> Vec<Sample> {
        for i in 0..self.load.len() {
            let drift = 0.02 * self.normal();
            self.load[i] = (self.load[i] * (1.0 + drift)).clamp(0.85, 1.15);
        }
        let (truth, failing) = self.rows(now);
        self.count_failed(now, &failing);
        let mut out = Vec::with_capacity(truth.len() * 4);
        for t in &truth {
            let requests = (t.rps * WINDOW_SECONDS).max(1.0);
            let p = t.error_rate;
            // Binomial noise: small traffic gives jumpy ratios.
            let sd = (p * (1.0 - p) / requests).sqrt();
            let error_rate = (p + sd * self.normal()).clamp(0.0, 1.0);
            let client_errors = (t.client_error_rate * (1.0 + 0.2 * self.normal())).max(0.0);
            let success_rate = (1.0 - error_rate - client_errors).clamp(0.0, 1.0);
            let jitter = 0.05 + 2.0 / requests.sqrt();
            let p99 = (t.p99 * (1.0 + jitter * self.normal())).max(0.001);
            for (name, value) in [
                (REQUEST_RATE, t.rps),
                (ERROR_RATE, error_rate),
                (LATENCY_P99, p99),
                (SUCCESS_RATE, success_rate),
            ] {
                // The fleet serves the signals it knows; a plan's others
                // have no data here.
                let Some(signal) = self.spec.plan.signals.get(name) else {
                    continue;
                };
                out.push(Sample {
                    region: t.region.clone(),
                    version: t.version,
                    signal: signal.clone(),
                    value,
                    basis: Default::default(),
                });
            }
        }
        out.extend(self.users.sample(&truth, &self.spec.plan.signals));
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

/// A standard normal draw (Box–Muller); `1 - f64()` keeps the logarithm
/// finite.
pub(super) fn normal(rng: &mut fastrand::Rng) -> f64 {
    let u1 = 1.0 - rng.f64();
    let u2 = rng.f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests;
