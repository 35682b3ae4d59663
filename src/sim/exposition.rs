//! The simulated fleet as a Prometheus target: request counters by status code
//! and a latency histogram, both labelled by region and version, driven by the
//! fleet's truth so that `rate()` and `histogram_quantile()` recover it; and
//! what its users go through (sign-ins by result, checkouts by outcome, each
//! region's queue, support tickets), so that a plan can watch them too.

use std::fmt::Write;

use super::Truth;
use super::users;
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
pub(super) fn below(le: f64, p99: f64) -> f64 {
    let median = p99 / (Z99 * SIGMA).exp();
    phi((le.ln() - median.ln()) / SIGMA)
}

/// The mean latency when the p99 is `p99` (log-normal).
pub(super) fn mean_latency(p99: f64) -> f64 {
    let median = p99 / (Z99 * SIGMA).exp();
    median * (SIGMA * SIGMA / 2.0).exp()
}

#[derive(Debug, Clone, Default)]
struct Series {
    ok: f64,
    client_errors: f64,
    server_errors: f64,
    buckets: [f64; BUCKETS.len()],
    count: f64,
    sum: f64,
    logins_ok: f64,
    logins_failed: f64,
    checkouts_completed: f64,
    checkouts_abandoned: f64,
}

/// Counters for every region × version, growing as time passes.
#[derive(Debug, Clone)]
pub struct Exposition {
    regions: Vec<String>,
    versions: [String; 2],
    series: Vec<[Series; 2]>,
    /// Each region's queue as last seen: a gauge.
    queues: Vec<f64>,
    /// Support tickets opened since the start.
    tickets: f64,
}

impl Exposition {
    /// Counters at zero for every region and both versions, so every series
    /// exists from the first scrape.
    pub fn new(regions: Vec<String>, stable: &str, canary: &str) -> Self {
        let series = vec![Default::default(); regions.len()];
        let queues = vec![0.0; regions.len()];
        Exposition {
            regions,
            versions: [stable.to_string(), canary.to_string()],
            series,
            queues,
            tickets: 0.0,
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
            s.sum += n * mean_latency(t.p99);
            let logins = n * users::LOGIN_SHARE;
            let login = users::login_success(t);
            s.logins_ok += logins * login;
            s.logins_failed += logins * (1.0 - login);
            let checkouts = n * users::CHECKOUT_SHARE;
            let completed = users::checkout_completion(t);
            s.checkouts_completed += checkouts * completed;
            s.checkouts_abandoned += checkouts * (1.0 - completed);
        }
        for (region, queue) in self.regions.iter().zip(&mut self.queues) {
            if truth.iter().any(|t| t.region == *region) {
                *queue = users::queue_depth(truth, region);
            }
        }
        if dt > 0.0 {
            self.tickets += users::support_tickets(truth) * dt / 3600.0;
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
        self.render_users(&mut out);
        out
    }

    /// Sign-ins, checkouts, queues and tickets.
    fn render_users(&self, out: &mut String) {
        out.push_str(
            "# HELP login_attempts_total Sign-in attempts, by region, version and result.\n",
        );
        out.push_str("# TYPE login_attempts_total counter\n");
        for (region, row) in self.regions.iter().zip(&self.series) {
            for (version, s) in self.versions.iter().zip(row) {
                for (result, value) in [("success", s.logins_ok), ("failure", s.logins_failed)] {
                    let _ = writeln!(
                        out,
                        "login_attempts_total{{region=\"{region}\",version=\"{version}\",result=\"{result}\"}} {value}"
                    );
                }
            }
        }
        out.push_str(
            "# HELP checkout_sessions_total Checkouts started, by region, version and outcome.\n",
        );
        out.push_str("# TYPE checkout_sessions_total counter\n");
        for (region, row) in self.regions.iter().zip(&self.series) {
            for (version, s) in self.versions.iter().zip(row) {
                for (outcome, value) in [
                    ("completed", s.checkouts_completed),
                    ("abandoned", s.checkouts_abandoned),
                ] {
                    let _ = writeln!(
                        out,
                        "checkout_sessions_total{{region=\"{region}\",version=\"{version}\",outcome=\"{outcome}\"}} {value}"
                    );
                }
            }
        }
        out.push_str("# HELP work_queue_depth Requests waiting or in service, by region.\n");
        out.push_str("# TYPE work_queue_depth gauge\n");
        for (region, depth) in self.regions.iter().zip(&self.queues) {
            let _ = writeln!(out, "work_queue_depth{{region=\"{region}\"}} {depth}");
        }
        out.push_str("# HELP support_tickets_total Support tickets opened.\n");
        out.push_str("# TYPE support_tickets_total counter\n");
        let _ = writeln!(out, "support_tickets_total {}", self.tickets);
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

    /// The value of the series `name{labels}` in `text`.
    fn value_of(text: &str, series: &str) -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {series} in\n{text}"))
    }

    #[test]
    fn every_user_series_exists_at_zero_from_the_first_scrape() {
        let text = Exposition::new(vec!["eu".into()], "v1", "v2").render();
        for series in [
            "login_attempts_total{region=\"eu\",version=\"v1\",result=\"success\"}",
            "login_attempts_total{region=\"eu\",version=\"v2\",result=\"failure\"}",
            "checkout_sessions_total{region=\"eu\",version=\"v2\",outcome=\"completed\"}",
            "checkout_sessions_total{region=\"eu\",version=\"v1\",outcome=\"abandoned\"}",
            "work_queue_depth{region=\"eu\"}",
            "support_tickets_total",
        ] {
            assert_eq!(value_of(&text, series), 0.0, "{series}");
        }
        assert!(text.contains("# TYPE work_queue_depth gauge\n"));
        assert!(text.contains("# TYPE support_tickets_total counter\n"));
    }

    #[test]
    fn user_counters_recover_the_users_truth() {
        let mut e = Exposition::new(vec!["eu".into(), "us".into()], "v1", "v2");
        let t = truth(100.0, 0.2);
        e.record(std::slice::from_ref(&t), 10.0);
        let text = e.render();
        let series = |name: &str, key: &str, value: &str| {
            value_of(
                &text,
                &format!("{name}{{region=\"eu\",version=\"v2\",{key}=\"{value}\"}}"),
            )
        };
        let ok = series("login_attempts_total", "result", "success");
        let failed = series("login_attempts_total", "result", "failure");
        assert!((ok + failed - 1000.0 * users::LOGIN_SHARE).abs() < 1e-9);
        assert!((ok / (ok + failed) - users::login_success(&t)).abs() < 1e-12);
        let done = series("checkout_sessions_total", "outcome", "completed");
        let left = series("checkout_sessions_total", "outcome", "abandoned");
        assert!((done / (done + left) - users::checkout_completion(&t)).abs() < 1e-12);
        let depth = value_of(&text, "work_queue_depth{region=\"eu\"}");
        assert!((depth - users::queue_depth(std::slice::from_ref(&t), "eu")).abs() < 1e-9);
        assert_eq!(value_of(&text, "work_queue_depth{region=\"us\"}"), 0.0);
        // Ten seconds of an hourly rate.
        let tickets = value_of(&text, "support_tickets_total");
        assert!((tickets - users::support_tickets(&[t]) / 360.0).abs() < 1e-9);
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
