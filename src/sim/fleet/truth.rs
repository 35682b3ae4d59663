//! What the fleet is really doing at a moment: each region × version's
//! traffic, errors and latency, the scripted faults applied.

use super::{Fleet, Truth, inject};
use crate::domain::Timestamp;
use crate::domain::health::VersionRole;

impl Fleet {
    /// Every region × version taking traffic, as it really is at `now`.
    pub fn truth(&mut self, now: Timestamp) -> Vec<Truth> {
        self.rows(now).0
    }

    /// The truth at `now`, and the requests per second each of the drill's
    /// faults is failing (by its index in the script).
    pub(super) fn rows(&mut self, now: Timestamp) -> (Vec<Truth>, Vec<(usize, f64)>) {
        self.advance(now);
        let elapsed = now - self.started;
        let live = self.live(now);
        let mut out = Vec::with_capacity(self.spec.profiles.len() * 2);
        let mut failing = Vec::new();
        for (i, profile) in self.spec.profiles.iter().enumerate() {
            let weight = f64::from(self.canary_weight(&profile.name)) / 100.0;
            for version in VersionRole::ALL {
                let share = match version {
                    VersionRole::Stable => 1.0 - weight,
                    VersionRole::Canary => weight,
                };
                let served = profile.rps * self.load[i] * share;
                if served <= 0.0 {
                    continue;
                }
                let (mut extra, mut slowdown) = match version {
                    VersionRole::Canary => self.fault_effect(&profile.name, elapsed),
                    VersionRole::Stable => (0.0, 1.0),
                };
                let effect = inject::effect(&live, &profile.name, version);
                let rps = served * (1.0 - effect.dropped);
                extra += effect.errors;
                slowdown *= effect.slowdown;
                for (index, rate, dropped) in effect.by_fault {
                    failing.push((index, rate * rps + dropped * served));
                }
                let client = profile.client_errors;
                out.push(Truth {
                    region: profile.name.clone(),
                    version,
                    rps,
                    error_rate: (profile.error_rate + extra).min(1.0 - client),
                    client_error_rate: client,
                    p99: profile.p99 * slowdown,
                });
            }
        }
        (out, failing)
    }
}
