//! The 2024 State of DevOps report's performance clusters. They are clusters
//! of survey answers, not thresholds, so each key takes the tier its value
//! falls in, as the report describes the clusters:
//!
//! | tier | deployment frequency | lead time | change failure rate | recovery time |
//! | --- | --- | --- | --- | --- |
//! | elite | on demand, several a day | < 1 day | 5% | < 1 hour |
//! | high | daily to weekly | 1 day – 1 week | 20% | < 1 day |
//! | medium | weekly to monthly | 1 week – 1 month | 10% | < 1 day |
//! | low | monthly to every six months | 1 – 6 months | 40% | 1 week – 1 month |
//!
//! The change failure rates are not in tier order (medium's is lower than
//! high's), so a rate takes the tier whose typical rate is nearest. High and
//! medium share "< 1 day" for recovery; under a day is reported as high.
//! Rework rate, new in 2024, has no clusters and gets no tier.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Elite,
    High,
    Medium,
    Low,
}

const HOUR: f64 = 3600.0;
const DAY: f64 = 24.0 * HOUR;

impl Tier {
    pub fn label(self) -> &'static str {
        match self {
            Tier::Elite => "elite",
            Tier::High => "high",
            Tier::Medium => "medium",
            Tier::Low => "low",
        }
    }

    /// From deployments per day.
    pub fn for_frequency(per_day: f64) -> Tier {
        if per_day >= 1.0 {
            Tier::Elite
        } else if per_day >= 1.0 / 7.0 {
            Tier::High
        } else if per_day >= 1.0 / 30.0 {
            Tier::Medium
        } else {
            Tier::Low
        }
    }

    /// From the median lead time, in seconds.
    pub fn for_lead_time(seconds: f64) -> Tier {
        if seconds < DAY {
            Tier::Elite
        } else if seconds < 7.0 * DAY {
            Tier::High
        } else if seconds < 30.0 * DAY {
            Tier::Medium
        } else {
            Tier::Low
        }
    }

    /// From the change failure rate, 0..=1: the nearest typical rate.
    pub fn for_failure_rate(rate: f64) -> Tier {
        let typical = [
            (Tier::Elite, 0.05),
            (Tier::Medium, 0.10),
            (Tier::High, 0.20),
            (Tier::Low, 0.40),
        ];
        typical
            .iter()
            .min_by(|a, b| (rate - a.1).abs().total_cmp(&(rate - b.1).abs()))
            .map_or(Tier::Low, |t| t.0)
    }

    /// From the median recovery time, in seconds.
    pub fn for_recovery(seconds: f64) -> Tier {
        if seconds < HOUR {
            Tier::Elite
        } else if seconds < DAY {
            Tier::High
        } else {
            Tier::Low
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_at_their_edges() {
        assert_eq!(Tier::for_frequency(3.0), Tier::Elite);
        assert_eq!(Tier::for_frequency(1.0), Tier::Elite);
        assert_eq!(Tier::for_frequency(0.5), Tier::High);
        assert_eq!(Tier::for_frequency(1.0 / 7.0), Tier::High);
        assert_eq!(Tier::for_frequency(0.1), Tier::Medium);
        assert_eq!(Tier::for_frequency(0.01), Tier::Low);
        assert_eq!(Tier::for_lead_time(3.0 * HOUR), Tier::Elite);
        assert_eq!(Tier::for_lead_time(DAY), Tier::High);
        assert_eq!(Tier::for_lead_time(10.0 * DAY), Tier::Medium);
        assert_eq!(Tier::for_lead_time(90.0 * DAY), Tier::Low);
        assert_eq!(Tier::for_failure_rate(0.0), Tier::Elite);
        assert_eq!(Tier::for_failure_rate(0.09), Tier::Medium);
        assert_eq!(Tier::for_failure_rate(0.18), Tier::High);
        assert_eq!(Tier::for_failure_rate(0.5), Tier::Low);
        assert_eq!(Tier::for_recovery(30.0 * 60.0), Tier::Elite);
        assert_eq!(Tier::for_recovery(5.0 * HOUR), Tier::High);
        assert_eq!(Tier::for_recovery(3.0 * DAY), Tier::Low);
    }
}
