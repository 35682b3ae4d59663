//! The simulated fleet as a Prometheus target: request counters by status code
//! and a latency histogram, both labelled by region and version, driven by the
//! fleet's truth so that `rate()` and `histogram_quantile()` recover it.

use std::fmt::Write;

use super::Truth;
use crate::domain::health::VersionRole;
use crate::domain::stats::phi;

/// Upper bounds of the latency histogram's buckets, in seconds: dense around
/// the p99s the simulator produces, so interpolation stays close.
pub const BUCKETS: [f64; 29] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.275, 0.3, 0.35,
    0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 2.0, 2.5, 5.0, 10.0,
];

/// Spread of log-latency; with it, a p99 sits 2.3 σ above the median.
const SIGMA: f64 = 0.35;
const Z99: f64 = 2.326_347_874;

/// Share of requests faster than `le` when the p99 is `p99` (log-normal).
fn below(le: f64, p99: f64) -> f64 {
    let median = p99 / (Z99 * SIGMA).exp();
    phi((le.ln() - median.ln()) / SIGMA)
}

#[derive(Debug, Clone, Default)]
struct Series {
    ok: f64,
    client_errors: f64,
    server_errors: f64,
    buckets: [f64; BUCKETS.len()],
    count: f64,
    sum: f64,
}

/// Counters for every region × version, growing as time passes.
#[derive(Debug, Clone)]
pub struct Exposition {
    regions: Vec<String>,
    versions: [String; 2],
    series: Vec<[Series; 2]>,
}

impl Exposition {
    /// Counters at zero for every region and both versions, so every series
    /// exists from the first scrape.
    pub fn new(regions: Vec<String>, stable: &str, canary: &str) -> Self {
        let series = vec![Default::default(); regions.len()];
        Exposition {
            regions,
            versions: [stable.to_string(), canary.to_string()],
            series,
        }
    }

    /// Count `dt` seconds of traffic as `truth` describes it.
    pub fn record(&mut self, truth: &[Truth], dt: f64) {
        for t in truth {
            let Some(r) = self.regions.iter().position(|r| *r == t.region) else {
                continue;
            };
            let v = match t.version {
                VersionRole::Stable => 0,
                VersionRole::Canary => 1,
            };
            let s = &mut self.series[r][v];
            let n = t.rps * dt;
            s.server_errors += n * t.error_rate;
            s.client_errors += n * t.client_error_rate;
            s.ok += n * t.success_rate();
            for (bucket, le) in s.buckets.iter_mut().zip(BUCKETS) {
                *bucket += n * below(le, t.p99);
            }
            s.count += n;
            let median = t.p99 / (Z99 * SIGMA).exp();
            s.sum += n * median * (SIGMA * SIGMA / 2.0).exp();
        }
    }

    /// The text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.regions.len() * 8 * 1024);
        out.push_str(
            "# HELP http_requests_total Requests served, by region, version and status code.\n",
        );
        out.push_str("# TYPE http_requests_total counter\n");
        for (region, row) in self.regions.iter().zip(&self.series) {
            for (version, s) in self.versions.iter().zip(row) {
                for (code, value) in [
                    ("200", s.ok),
                    ("404", s.client_errors),
                    ("500", s.server_errors),
                ] {
                    let _ = writeln!(
                        out,
                        "http_requests_total{{region=\"{region}\",version=\"{version}\",code=\"{code}\"}} {value}"
                    );
                }
            }
        }
        out.push_str(
            "# HELP http_request_duration_seconds Request latency, by region and version.\n",
        );
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        for (region, row) in self.regions.iter().zip(&self.series) {
            for (version, s) in self.versions.iter().zip(row) {
                let labels = format!("region=\"{region}\",version=\"{version}\"");
                for (le, value) in BUCKETS.iter().zip(&s.buckets) {
                    let _ = writeln!(
                        out,
                        "http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {value}"
                    );
                }
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    s.count
                );
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_sum{{{labels}}} {}",
                    s.sum
                );
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_count{{{labels}}} {}",
                    s.count
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_p99_bucket_holds_99_percent() {
        assert!((below(0.3, 0.3) - 0.99).abs() < 1e-4);
    }

    fn truth(rps: f64, p99: f64) -> Truth {
        Truth {
            region: "eu".into(),
            version: VersionRole::Canary,
            rps,
            error_rate: 0.05,
            client_error_rate: 0.004,
            p99,
        }
    }

    #[test]
    fn counters_grow_with_traffic_and_split_by_code() {
        let mut e = Exposition::new(vec!["eu".into(), "us".into()], "v1", "v2");
        e.record(&[truth(100.0, 0.2)], 2.0);
        let text = e.render();
        assert!(
            text.contains("http_requests_total{region=\"eu\",version=\"v2\",code=\"500\"} 10\n"),
            "{text}"
        );
        assert!(
            text.contains("http_requests_total{region=\"us\",version=\"v1\",code=\"200\"} 0\n")
        );
        assert!(text.contains(
            "http_request_duration_seconds_bucket{region=\"eu\",version=\"v2\",le=\"+Inf\"} 200\n"
        ));
        assert!(text.contains("# TYPE http_request_duration_seconds histogram"));
    }

    #[test]
    fn bucket_counts_never_decrease_with_le() {
        let mut e = Exposition::new(vec!["eu".into()], "v1", "v2");
        e.record(&[truth(1000.0, 0.45)], 1.0);
        let b = &e.series[0][1].buckets;
        assert!(b.windows(2).all(|w| w[0] <= w[1]));
        assert!(b[BUCKETS.len() - 1] <= e.series[0][1].count);
    }
}
