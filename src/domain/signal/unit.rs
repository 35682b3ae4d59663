//! What a signal's numbers mean, and how they are written: always whole,
//! never `NaN` or `inf`, never wider than a column can hold.

/// The unit of a signal's values, which decides how they are written and
/// which values a level can take.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Unit {
    /// A share from 0 to 1, written as a percentage (`0.0123` → `1.23%`).
    Ratio,
    /// A percentage already, 0 to 100 (`73.4` → `73.40%`).
    Percent,
    /// A duration in seconds, written in ms or s (`0.47` → `470ms`).
    Seconds,
    /// A rate per second (`1234` → `1234/s`).
    PerSecond,
    /// A count, with thousands separators (`12345` → `12,345`).
    Count,
    /// A size in bytes (`1572864` → `1.5MiB`).
    Bytes,
    /// A count in the plan's own words (`12 tickets/h`).
    Other(String),
}

impl Unit {
    /// The unit named `name` in a plan: one of the known ones, or a free
    /// label for a count of something.
    pub fn named(name: &str) -> Unit {
        match name {
            "ratio" => Unit::Ratio,
            "percent" => Unit::Percent,
            "seconds" => Unit::Seconds,
            "per_second" => Unit::PerSecond,
            "count" => Unit::Count,
            "bytes" => Unit::Bytes,
            other => Unit::Other(other.to_string()),
        }
    }

    /// The unit's name as a plan writes it, and as `status --json` gives it.
    pub fn name(&self) -> &str {
        match self {
            Unit::Ratio => "ratio",
            Unit::Percent => "percent",
            Unit::Seconds => "seconds",
            Unit::PerSecond => "per_second",
            Unit::Count => "count",
            Unit::Bytes => "bytes",
            Unit::Other(label) => label,
        }
    }

    /// The values a level can take, in words, and their bounds.
    pub fn range(&self) -> (&'static str, f64, Option<f64>) {
        match self {
            Unit::Ratio => ("a share from 0 to 1 (0.02 is 2%)", 0.0, Some(1.0)),
            Unit::Percent => ("a percentage from 0 to 100", 0.0, Some(100.0)),
            Unit::Seconds => ("in seconds, 0 or more (0.4 is 400ms)", 0.0, None),
            Unit::PerSecond => ("a rate per second, 0 or more", 0.0, None),
            Unit::Count => ("a count, 0 or more", 0.0, None),
            Unit::Bytes => ("a number of bytes, 0 or more", 0.0, None),
            Unit::Other(_) => ("any number", f64::NEG_INFINITY, None),
        }
    }

    /// The largest value written out in full: past it a number says only
    /// that it is huge, so that a wild value cannot widen a column.
    fn largest_shown(&self) -> f64 {
        match self {
            Unit::Ratio => 9.99,
            Unit::Percent => 999.0,
            Unit::Seconds => 999_999.0,
            Unit::PerSecond | Unit::Count | Unit::Other(_) => 999_999_000.0,
            Unit::Bytes => 999.0 * (1u64 << 40) as f64,
        }
    }

    /// `value` in this unit, e.g. `0.0123` → `1.23%`. No number is `—`, an
    /// infinite one `+∞` / `-∞`, one too large to write out `>` the
    /// largest that is.
    pub fn format(&self, value: f64) -> String {
        if value.is_nan() {
            return "—".to_string();
        }
        if value.is_infinite() {
            return if value > 0.0 { "+∞" } else { "-∞" }.to_string();
        }
        let most = self.largest_shown();
        if value.abs() > most {
            let sign = if value > 0.0 { ">" } else { "<-" };
            return format!("{sign}{}", self.format(most));
        }
        match self {
            Unit::Ratio => format!("{:.2}%", value * 100.0),
            Unit::Percent => format!("{value:.2}%"),
            Unit::Seconds if value.abs() >= 10.0 => format!("{value:.0}s"),
            Unit::Seconds if value.abs() >= 1.0 => format!("{value:.2}s"),
            Unit::Seconds => format!("{:.0}ms", value * 1000.0),
            Unit::PerSecond if value.abs() >= 10_000.0 => format!("{:.0}k/s", value / 1000.0),
            // A whole rate (a floor in a plan) is written whole.
            Unit::PerSecond if value.abs() >= 10.0 || value.fract() == 0.0 => {
                format!("{value:.0}/s")
            }
            Unit::PerSecond if value.abs() >= 1.0 => format!("{value:.1}/s"),
            Unit::PerSecond => format!("{value:.2}/s"),
            Unit::Count => count(value),
            Unit::Bytes => bytes(value),
            Unit::Other(label) => format!("{} {label}", count(value)),
        }
    }

    /// A canary's difference from stable in this unit's terms: points for
    /// shares (`+0.16pp`), percent for the rest (`+12%`), `—` when there is
    /// no finite difference (either side missing or infinite, or a
    /// relative change from zero).
    pub fn delta(&self, canary: Option<f64>, stable: Option<f64>) -> String {
        let (Some(c), Some(s)) = (canary, stable) else {
            return "—".to_string();
        };
        if !c.is_finite() || !s.is_finite() {
            return "—".to_string();
        }
        // Rounded first, so a tiny negative difference is not "-0.00"; the
        // `+ 0.0` turns a negative zero into a zero.
        let shown = |v: f64, unit: &str, digits: usize| {
            if !v.is_finite() || v.abs() >= 1e6 {
                return "—".to_string();
            }
            format!("{:+.*}{unit}", digits, v + 0.0)
        };
        match self {
            Unit::Ratio => shown(((c - s) * 10_000.0).round() / 100.0, "pp", 2),
            Unit::Percent => shown(((c - s) * 100.0).round() / 100.0, "pp", 2),
            _ if s > 0.0 => shown(((c / s - 1.0) * 100.0).round(), "%", 0),
            _ => "—".to_string(),
        }
    }

    /// Whether the difference between canary and stable is in points
    /// rather than percent.
    pub fn in_points(&self) -> bool {
        matches!(self, Unit::Ratio | Unit::Percent)
    }
}

/// A count: whole with thousands separators from 100 up, one decimal
/// below it (a gauge averaged over a window is not whole).
fn count(value: f64) -> String {
    if value.abs() < 100.0 {
        // `+ 0.0` turns a negative zero into a zero.
        let rounded = (value * 10.0).round() / 10.0 + 0.0;
        return if rounded.fract() == 0.0 {
            format!("{rounded:.0}")
        } else {
            format!("{rounded:.1}")
        };
    }
    let whole = format!("{:.0}", value.abs());
    let mut out = String::with_capacity(whole.len() + whole.len() / 3 + 1);
    if value < 0.0 {
        out.push('-');
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A size in binary units, one decimal past bytes.
fn bytes(value: f64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if value.abs() < 1024.0 {
        return format!("{value:.0}B");
    }
    let mut v = value / 1024.0;
    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if v.abs() < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = next;
    }
    format!("{v:.1}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_unit_is_written_in_its_own_terms() {
        assert_eq!(Unit::Ratio.format(0.0123), "1.23%");
        assert_eq!(Unit::Percent.format(73.4), "73.40%");
        assert_eq!(Unit::Seconds.format(0.47), "470ms");
        assert_eq!(Unit::Seconds.format(2.5), "2.50s");
        assert_eq!(Unit::Seconds.format(42.0), "42s");
        assert_eq!(Unit::PerSecond.format(1234.0), "1234/s");
        assert_eq!(Unit::PerSecond.format(25_000.0), "25k/s");
        assert_eq!(Unit::PerSecond.format(3.25), "3.2/s");
        assert_eq!(Unit::PerSecond.format(0.25), "0.25/s");
        assert_eq!(Unit::Count.format(1_234_567.0), "1,234,567");
        assert_eq!(Unit::Count.format(999.4), "999");
        assert_eq!(Unit::Count.format(12.0), "12");
        assert_eq!(Unit::Count.format(2.5), "2.5");
        assert_eq!(Unit::Count.format(-4_500.0), "-4,500");
        assert_eq!(Unit::Bytes.format(512.0), "512B");
        assert_eq!(Unit::Bytes.format(1_572_864.0), "1.5MiB");
        assert_eq!(Unit::named("tickets/h").format(12.0), "12 tickets/h");
    }

    #[test]
    fn no_number_is_ever_nan_inf_or_too_wide() {
        for unit in [
            Unit::Ratio,
            Unit::Percent,
            Unit::Seconds,
            Unit::PerSecond,
            Unit::Count,
            Unit::Bytes,
            Unit::named("jobs"),
        ] {
            for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300] {
                let text = unit.format(v);
                assert!(
                    !text.contains("NaN") && !text.contains("inf"),
                    "{unit:?} {text}"
                );
                assert!(text.chars().count() <= 20, "{unit:?} {text}");
            }
        }
        assert_eq!(Unit::Ratio.format(f64::NAN), "—");
        assert_eq!(Unit::Seconds.format(f64::INFINITY), "+∞");
        assert!(Unit::Ratio.format(1e9).starts_with('>'));
    }

    #[test]
    fn deltas_are_points_for_shares_and_percent_for_the_rest() {
        assert_eq!(Unit::Ratio.delta(Some(0.0216), Some(0.02)), "+0.16pp");
        assert_eq!(Unit::Percent.delta(Some(71.0), Some(73.5)), "-2.50pp");
        assert_eq!(Unit::Seconds.delta(Some(0.56), Some(0.5)), "+12%");
        assert_eq!(Unit::Count.delta(Some(10.0), Some(0.0)), "—");
        assert_eq!(Unit::Ratio.delta(Some(0.02), Some(0.020_000_01)), "+0.00pp");
        assert_eq!(Unit::Ratio.delta(None, Some(0.02)), "—");
        assert_eq!(Unit::Seconds.delta(Some(f64::INFINITY), Some(0.2)), "—");
    }

    #[test]
    fn a_plan_names_units_by_their_names() {
        for name in [
            "ratio",
            "percent",
            "seconds",
            "per_second",
            "count",
            "bytes",
        ] {
            assert_eq!(Unit::named(name).name(), name);
        }
        assert_eq!(Unit::named("orders"), Unit::Other("orders".into()));
    }
}
