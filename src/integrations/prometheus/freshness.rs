//! The age of the raw samples behind each signal, from the answer to its
//! freshness query (`max by (region, version) (timestamp(…))`): by the
//! Prometheus clock, so that a skewed local clock cannot make old data look
//! new. A series missing from a whole answer has gone stale.

use std::collections::{BTreeMap, HashMap};

use super::response::InstantVector;
use crate::domain::Timestamp;
use crate::domain::health::{Basis, Signal, VersionRole};

/// Each distinct freshness query once, with the signals it speaks for: two
/// signals read from the same series cost one query.
pub fn grouped(queries: &[(Signal, String)]) -> Vec<(String, Vec<Signal>)> {
    let mut out: Vec<(String, Vec<Signal>)> = Vec::new();
    for (signal, query) in queries {
        match out.iter_mut().find(|(q, _)| q == query) {
            Some((_, signals)) => signals.push(signal.clone()),
            None => out.push((query.clone(), vec![signal.clone()])),
        }
    }
    out
}

/// What one freshness answer says, per region × version.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// The newest raw sample's age in seconds and its time (Unix seconds).
    ages: HashMap<(String, VersionRole), (f64, f64)>,
    /// The answer came with warnings: a missing series may be elsewhere.
    pub partial: bool,
    /// The answer had series but none named a region and version (the
    /// signal's own query rewrites its labels): it can say nothing.
    pub unplaced: bool,
}

impl View {
    /// Read an answer; `place` names the region and version of a series.
    pub fn of(
        vector: &InstantVector,
        place: impl Fn(&BTreeMap<String, String>) -> Option<(String, VersionRole)>,
    ) -> View {
        let mut ages: HashMap<(String, VersionRole), (f64, f64)> = HashMap::new();
        for p in &vector.points {
            let Some(key) = place(&p.labels) else {
                continue;
            };
            if !p.value.is_finite() {
                continue;
            }
            let age = (p.at - p.value).max(0.0);
            // Several series for one cell (a query not aggregated): the newest counts.
            let keep = ages.get(&key).is_none_or(|(a, _)| age < *a);
            if keep {
                ages.insert(key, (age, p.value));
            }
        }
        let unplaced =
            !vector.points.is_empty() && !vector.points.iter().any(|p| place(&p.labels).is_some());
        View {
            ages,
            partial: !vector.warnings.is_empty(),
            unplaced,
        }
    }

    /// The basis of a value for `region` × `version` whose own answer gave
    /// `answered` (current or partial).
    pub fn basis(
        &self,
        region: &str,
        version: VersionRole,
        answered: Basis,
        max_age: f64,
    ) -> Basis {
        match self.ages.get(&(region.to_string(), version)) {
            Some((age, _)) if *age <= max_age => answered,
            Some((_, newest)) => Basis::Stale {
                newest: unix_time(*newest),
            },
            // Series that cannot be placed say nothing of this cell.
            None if self.unplaced => answered,
            // Left out of a partial answer: unknown, not gone.
            None if self.partial => Basis::Partial,
            None => Basis::Stale { newest: None },
        }
    }
}

fn unix_time(seconds: f64) -> Option<Timestamp> {
    if !seconds.is_finite() {
        return None;
    }
    chrono::DateTime::from_timestamp_millis((seconds * 1000.0) as i64)
}

#[cfg(test)]
mod tests {
    use super::super::response::Point;
    use super::*;

    fn point(region: &str, at: f64, newest: f64) -> Point {
        Point {
            labels: BTreeMap::from([
                ("region".to_string(), region.to_string()),
                ("version".to_string(), "v2".to_string()),
            ]),
            value: newest,
            at,
        }
    }

    fn place(labels: &BTreeMap<String, String>) -> Option<(String, VersionRole)> {
        Some((labels.get("region")?.clone(), VersionRole::Canary))
    }

    #[test]
    fn series_that_name_no_region_say_nothing_of_freshness() {
        let mut unnamed = point("eu", 1000.0, 999.0);
        unnamed.labels.clear();
        let vector = InstantVector {
            points: vec![unnamed],
            warnings: vec![],
        };
        let view = View::of(&vector, place);
        assert_eq!(
            view.basis("eu", VersionRole::Canary, Basis::Current, 120.0),
            Basis::Current
        );
        // An empty answer is series gone: stale.
        let empty = InstantVector {
            points: vec![],
            warnings: vec![],
        };
        let view = View::of(&empty, place);
        assert_eq!(
            view.basis("eu", VersionRole::Canary, Basis::Current, 120.0),
            Basis::Stale { newest: None }
        );
    }

    #[test]
    fn old_or_gone_samples_are_stale_and_fresh_ones_keep_the_answer() {
        let vector = InstantVector {
            points: vec![point("eu", 1000.0, 999.0), point("us", 1000.0, 700.0)],
            warnings: vec![],
        };
        let view = View::of(&vector, place);
        let basis = |r| view.basis(r, VersionRole::Canary, Basis::Current, 120.0);
        assert_eq!(basis("eu"), Basis::Current);
        assert_eq!(
            basis("us"),
            Basis::Stale {
                newest: chrono::DateTime::from_timestamp(700, 0)
            }
        );
        assert_eq!(basis("ap"), Basis::Stale { newest: None });
        assert_eq!(
            view.basis("eu", VersionRole::Canary, Basis::Partial, 120.0),
            Basis::Partial,
            "fresh samples do not make a partial answer whole"
        );
    }

    #[test]
    fn a_partial_freshness_answer_does_not_call_the_missing_stale() {
        let vector = InstantVector {
            points: vec![point("eu", 1000.0, 999.0)],
            warnings: vec!["partial response: store eu-1 unreachable".into()],
        };
        let view = View::of(&vector, place);
        assert_eq!(
            view.basis("us", VersionRole::Canary, Basis::Current, 120.0),
            Basis::Partial
        );
    }

    #[test]
    fn one_query_for_signals_read_from_the_same_series() {
        let q = |s: &str| s.to_string();
        let grouped = grouped(&[
            (crate::domain::signal::standard("request_rate"), q("a")),
            (crate::domain::signal::standard("error_rate"), q("a")),
            (crate::domain::signal::standard("latency_p99"), q("b")),
        ]);
        assert_eq!(
            grouped,
            [
                (
                    q("a"),
                    vec![
                        crate::domain::signal::standard("request_rate"),
                        crate::domain::signal::standard("error_rate")
                    ]
                ),
                (q("b"), vec![crate::domain::signal::standard("latency_p99")])
            ]
        );
    }
}
