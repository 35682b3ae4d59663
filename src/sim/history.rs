//! A simulated service's delivery history for DORA: deployments on working
//! days, the commits they carry, and the occasional incident, rollback or
//! hotfix. Deterministic for a seed.

use crate::domain::dora::Event;
use crate::domain::{Span, Timestamp};

/// `days` of history ending at `end`, about `per_day` deployments a working day.
pub fn history(seed: u64, end: Timestamp, days: i64, per_day: f64) -> Vec<Event> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut events = Vec::new();
    let mut n = 0u64;
    let start = end - Span::days(days);
    for day in 0..days {
        let midnight = start + Span::days(day);
        // Mondays to Fridays only.
        let weekday = midnight.format("%u").to_string();
        if weekday == "6" || weekday == "7" {
            continue;
        }
        let count = (per_day * (0.5 + rng.f64())).round() as u64;
        for _ in 0..count {
            n += 1;
            let id = format!("deploy-{n}");
            let at = midnight + Span::minutes(rng.i64(9 * 60..18 * 60));
            let commits: Vec<String> = (0..rng.u64(1..5))
                .map(|c| format!("{n:x}{c:02x}{:06x}", rng.u32(..)))
                .collect();
            for c in &commits {
                // Lead times: mostly hours, sometimes days.
                let hours =
                    (rng.f64() * 2.5 + 0.5).exp2() * if rng.u8(..10) == 0 { 8.0 } else { 1.0 };
                events.push(Event::Change {
                    commit: c.clone(),
                    time: at - Span::minutes((hours * 60.0) as i64),
                });
            }
            let hotfix = rng.u8(..25) == 0;
            events.push(Event::Deployment {
                id: id.clone(),
                time: at,
                version: Some(format!("v2.{}.{}", n / 20, n % 20)),
                commits,
                hotfix,
            });
            match rng.u8(..100) {
                0..=4 => {
                    let opened = at + Span::minutes(rng.i64(3..30));
                    events.push(Event::Incident {
                        deployment: id,
                        opened,
                        resolved: Some(opened + Span::minutes(rng.i64(15..240))),
                    });
                }
                5..=7 => events.push(Event::Rollback {
                    deployment: Some(id),
                    version: None,
                    time: at + Span::minutes(rng.i64(5..45)),
                }),
                _ => {}
            }
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dora::{History, Measure};

    #[test]
    fn ninety_days_rate_as_a_plausible_service() {
        let end = crate::runtime::demo::epoch();
        let mut h = History::default();
        for e in history(7, end, 90, 2.0) {
            h.add(e).unwrap_or_default();
        }
        let s = h.summary(end, 30);
        assert!(s.deployments > 20, "{}", s.deployments);
        assert!(matches!(s.change_failure_rate, Measure::Value { value, .. } if value < 0.3));
        assert!(matches!(s.lead_time_median, Measure::Value { .. }));
    }
}
