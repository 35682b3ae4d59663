//! The drill's faults in the fleet: what each does to a region × version,
//! the requests it fails, and the faults that are not in the traffic (the
//! metrics source dark, the deploy API failing, an alert).

use super::Fleet;
use crate::domain::Timestamp;
use crate::domain::drill::scenario::{DeployFailure, FaultKind, Versions};
use crate::domain::health::VersionRole;
use crate::sim::drill::LiveFault;

/// What the faults in force do to one region × version.
pub(super) struct Effect {
    /// Extra share of failing requests.
    pub(super) errors: f64,
    /// Latency multiplier.
    pub(super) slowdown: f64,
    /// Share of the traffic that no longer arrives.
    pub(super) dropped: f64,
    /// Per fault: its index, the share of arriving requests it fails and
    /// the share of the traffic it drops.
    pub(super) by_fault: Vec<(usize, f64, f64)>,
}

fn hits(fault: &LiveFault, region: &str, version: VersionRole) -> bool {
    let on_version = match fault.injection.target.versions {
        Versions::Both => true,
        Versions::Canary => version == VersionRole::Canary,
        Versions::Stable => version == VersionRole::Stable,
    };
    on_version && fault.injection.target.region.as_deref() == Some(region)
}

/// What `live` faults do to `version` in `region`.
pub(super) fn effect(live: &[LiveFault], region: &str, version: VersionRole) -> Effect {
    let mut e = Effect {
        errors: 0.0,
        slowdown: 1.0,
        dropped: 0.0,
        by_fault: Vec::new(),
    };
    for f in live.iter().filter(|f| hits(f, region, version)) {
        let k = f.intensity();
        match &f.injection.fault {
            FaultKind::ErrorRate { rate, .. } => {
                e.errors += k * rate;
                e.by_fault.push((f.index, k * rate, 0.0));
            }
            FaultKind::Latency { factor, .. } => e.slowdown *= 1.0 + k * (factor - 1.0),
            FaultKind::TrafficDrop { share } => {
                // Drops compound: two of 50 % leave a quarter.
                let before = e.dropped;
                e.dropped = 1.0 - (1.0 - before) * (1.0 - share);
                e.by_fault.push((f.index, 0.0, e.dropped - before));
            }
            FaultKind::MetricsGap | FaultKind::DeployApi(_) | FaultKind::Alert { .. } => {}
        }
    }
    e
}

impl Fleet {
    /// The drill's faults in force at `now`; none outside a drill.
    pub(super) fn live(&self, now: Timestamp) -> Vec<LiveFault> {
        self.drill.as_ref().map_or_else(Vec::new, |d| d.live(now))
    }

    /// Count the requests each fault failed since the last count, at the
    /// rates `failing` says (per second).
    pub(super) fn count_failed(&mut self, now: Timestamp, failing: &[(usize, f64)]) {
        let dt = (now - self.counted).num_milliseconds().max(0) as f64 / 1000.0;
        self.counted = self.counted.max(now);
        if let Some(drill) = &self.drill {
            for (index, per_second) in failing {
                drill.count_failed(*index, per_second * dt);
            }
        }
    }

    /// Whether the metrics source is dark at `now`: it answers nothing.
    pub fn metrics_dark(&self, now: Timestamp) -> bool {
        self.live(now)
            .iter()
            .any(|f| f.injection.fault == FaultKind::MetricsGap)
    }

    /// How the deploy API fails actions at `now`, if it does.
    pub fn deploy_failure(&self, now: Timestamp) -> Option<DeployFailure> {
        self.live(now).iter().find_map(|f| match f.injection.fault {
            FaultKind::DeployApi(failure) => Some(failure),
            _ => None,
        })
    }

    /// The alerts firing at `now`, as the metrics source's notes say them.
    pub fn alerts(&self, now: Timestamp) -> Vec<String> {
        self.live(now)
            .iter()
            .filter_map(|f| match &f.injection.fault {
                FaultKind::Alert { name } => Some(format!(
                    "alert {name} firing for {}",
                    f.injection
                        .target
                        .region
                        .as_deref()
                        .unwrap_or("the service")
                )),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
