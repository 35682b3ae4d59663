//! `[signals.freshness]`: how warroom tells that the samples behind a
//! signal are old even while Prometheus still answers for them. A `rate()`
//! over 30 s goes on answering for 30 s after its target died; the raw
//! series under it does not, since a failed scrape marks it stale at once.
//! So, beside each signal's query, warroom asks the newest raw sample's
//! own timestamp, by region and version.

use std::time::Duration;

use toml::Spanned;

use super::*;
use crate::config::promql::raw_series;
use crate::domain::signal::Per;

/// How old the newest raw sample behind a value may be when the plan does
/// not say: above the usual 1 minute scrape interval, with room for lag.
pub const DEFAULT_MAX_SAMPLE_AGE: Duration = Duration::from_secs(120);

/// The longest `max_age` a plan may give: past Prometheus's 5 minute
/// look-back the raw series is not answered anyway.
const MAX_SAMPLE_AGE: Duration = Duration::from_secs(3600);

/// The freshness queries of a plan, checked or derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFreshness {
    /// Per signal, PromQL giving by region and version the Unix time of the
    /// newest raw sample behind it. A signal without one is judged fresh
    /// whenever its own query answers.
    pub queries: Vec<(Signal, String)>,
    /// A newest sample older than this makes the value stale.
    pub max_age: Duration,
}

/// `[signals.freshness]` as written: `max_age`, and per signal a
/// freshness query of its own or `"off"`.
pub(super) struct RawFreshness {
    max_age: Option<Spanned<String>>,
    queries: Vec<(String, Spanned<String>)>,
}

impl<'de> Deserialize<'de> for RawFreshness {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = RawFreshness;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("max_age, and per signal a query or \"off\"")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawFreshness, A::Error> {
                let mut out = RawFreshness {
                    max_age: None,
                    queries: Vec::new(),
                };
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value()?;
                    if key == "max_age" {
                        out.max_age = Some(value);
                    } else {
                        out.queries.push((key, value));
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(Keys)
    }
}

/// The query asking the newest raw sample's time of `series`, by region and version.
pub fn newest_sample_query(series: &str, region_label: &str, version_label: &str) -> String {
    format!("max by ({region_label}, {version_label}) (timestamp({series}))")
}

impl Checker<'_> {
    pub(super) fn freshness(
        &self,
        raw: Option<&Spanned<RawFreshness>>,
        queries: &[(Signal, String)],
        region_label: &str,
        version_label: &str,
    ) -> Result<SampleFreshness, PlanError> {
        let f = raw.map(|r| r.get_ref());
        let max_age = match f.and_then(|f| f.max_age.as_ref()) {
            None => DEFAULT_MAX_SAMPLE_AGE,
            Some(v) => {
                let d = self.duration(v, "signals.freshness.max_age")?;
                if d > MAX_SAMPLE_AGE {
                    return self.err(v.span(), "signals.freshness.max_age", "must be at most 1h");
                }
                d
            }
        };
        let given = |name: &str| {
            f.and_then(|f| f.queries.iter().find(|(n, _)| n == name))
                .map(|(_, q)| q)
        };
        let mut out = Vec::new();
        for (signal, query) in queries {
            let name = signal.name();
            match given(name) {
                // Freshness answers are placed by region and version.
                Some(q) if signal.per() != Per::Version => {
                    return self.err(
                        q.span(),
                        format!("signals.freshness.{name}"),
                        format!(
                            "`{name}` is not measured per version, and freshness answers are told apart by region and version: remove it (such a signal is judged fresh while its query answers)"
                        ),
                    );
                }
                Some(q) => {
                    let q = self.text(q, &format!("signals.freshness.{name}"), QUERY)?;
                    if q != "off" {
                        out.push((signal.clone(), q));
                    }
                }
                // The raw series' age is asked by region and version: a
                // signal measured otherwise is fresh when it answers.
                None if signal.per() != Per::Version => {}
                None => {
                    if let Some(series) = raw_series(query) {
                        out.push((
                            signal.clone(),
                            newest_sample_query(&series, region_label, version_label),
                        ));
                    }
                }
            }
        }
        // A freshness query for a signal without a query says nothing.
        for (name, g) in f.iter().flat_map(|f| &f.queries) {
            if !queries.iter().any(|(s, _)| s.name() == name) {
                return self.err(
                    g.span(),
                    format!("signals.freshness.{}", shown(name)),
                    format!("`{}` has no query in [signals]", shown(name)),
                );
            }
        }
        Ok(SampleFreshness {
            queries: out,
            max_age,
        })
    }
}
