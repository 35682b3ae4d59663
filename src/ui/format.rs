//! Small text helpers shared by the panels.

use crate::domain::{Span, Timestamp};

/// `45s`, `1m05s`, `2h03m`.
pub fn duration(span: Span) -> String {
    let s = span.num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// `14:02:11`, in UTC, as on an incident bridge.
pub fn clock(t: Timestamp) -> String {
    t.format("%H:%M:%S").to_string()
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last `width` values as bar glyphs scaled from 0 to `ceiling` (or the
/// largest value, if larger). A value that is not a number is a space.
pub fn sparkline(
    values: impl DoubleEndedIterator<Item = f64>,
    width: usize,
    ceiling: f64,
) -> String {
    let mut recent: Vec<f64> = values.rev().take(width).collect();
    recent.reverse();
    let top = recent
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(ceiling, f64::max);
    // Scaled by its own values alone, a flat series would be all full
    // bars: draw it flat in the middle instead.
    let finite = || recent.iter().copied().filter(|v| v.is_finite());
    let flat = ceiling <= 0.0 && finite().count() > 0 && finite().all(|v| v == top) && top > 0.0;
    let mut out = String::with_capacity(width * 3);
    for _ in recent.len()..width {
        out.push(' ');
    }
    for v in recent {
        if flat && v.is_finite() {
            out.push(BARS[BARS.len() / 2]);
            continue;
        }
        if !v.is_finite() || top <= 0.0 {
            out.push(' ');
            continue;
        }
        let level = ((v.max(0.0) / top) * (BARS.len() - 1) as f64).round() as usize;
        out.push(BARS[level.min(BARS.len() - 1)]);
    }
    out
}

/// The last `width` values as bar glyphs, scaled so `lo` is the lowest bar
/// and `hi` the highest. A value that is not a number is a space.
pub fn sparkline_between(
    values: impl DoubleEndedIterator<Item = f64>,
    width: usize,
    lo: f64,
    hi: f64,
) -> String {
    let mut recent: Vec<f64> = values.rev().take(width).collect();
    recent.reverse();
    let mut out = String::with_capacity(width * 3);
    for _ in recent.len()..width {
        out.push(' ');
    }
    let span = hi - lo;
    for v in recent {
        if !v.is_finite() || !span.is_finite() {
            out.push(' ');
            continue;
        }
        let level = if span <= 0.0 { 0.0 } else { (v - lo) / span };
        let level = (level.clamp(0.0, 1.0) * (BARS.len() - 1) as f64).round() as usize;
        out.push(BARS[level.min(BARS.len() - 1)]);
    }
    out
}

/// The range a trend between `lo` and `hi` is drawn over: at least
/// `floor` wide, centred on the values when they vary less than that, so
/// a flat series draws flat in the middle, not as a full-height bar.
pub fn trend_range(lo: f64, hi: f64, floor: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) || (hi > lo && hi - lo >= floor) {
        return (lo, hi);
    }
    let mid = (lo + hi) / 2.0;
    let half = (floor / 2.0).max(f64::EPSILON * mid.abs().max(1.0));
    (mid - half, mid + half)
}

/// The canary's error rate against stable's, in percentage points:
/// `+6.04pp`, `-0.16pp`. Rounded first, so a tiny negative difference is
/// not `-0.00pp`.
pub fn error_delta(canary: f64, stable: f64) -> String {
    crate::domain::signal::Unit::Ratio.delta(Some(canary), Some(stable))
}

/// The canary's latency against stable's, in percent: `+12%`, `-3%`.
pub fn latency_delta(canary: f64, stable: f64) -> String {
    crate::domain::signal::Unit::Seconds.delta(Some(canary), Some(stable))
}

/// A duration in seconds, as people say it: `45m`, `5.5h`, `3.2d`.
pub fn human_seconds(s: f64) -> String {
    match s {
        s if s < 3600.0 => format!("{:.0}m", s / 60.0),
        s if s < 86_400.0 => format!("{:.1}h", s / 3600.0),
        s => format!("{:.1}d", s / 86_400.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(Span::seconds(7)), "7s");
        assert_eq!(duration(Span::seconds(65)), "1m05s");
        assert_eq!(duration(Span::seconds(7384)), "2h03m");
        assert_eq!(duration(Span::seconds(-3)), "0s");
    }

    #[test]
    fn sparkline_scales_to_the_ceiling_and_pads() {
        assert_eq!(sparkline([0.0, 0.5, 1.0].into_iter(), 5, 1.0), "  ▁▅█");
        assert_eq!(sparkline([1.0, f64::NAN].into_iter(), 2, 1.0), "█ ");
        assert_eq!(sparkline([0.0, 2.0].into_iter(), 2, 1.0), "▁█");
        assert_eq!(sparkline((0..20).map(f64::from), 3, 1.0), "▇██");
    }

    #[test]
    fn ranged_sparkline_uses_the_whole_height() {
        assert_eq!(
            sparkline_between([0.98, 0.99, 1.0].into_iter(), 3, 0.98, 1.0),
            "▁▅█"
        );
        assert_eq!(
            sparkline_between([f64::NAN, 5.0].into_iter(), 3, 5.0, 5.0),
            "  ▁"
        );
    }

    #[test]
    fn a_flat_trend_draws_in_the_middle() {
        let (lo, hi) = trend_range(530.0, 530.0, 53.0);
        assert_eq!(sparkline_between([530.0; 3].into_iter(), 3, lo, hi), "▅▅▅");
        let (lo, hi) = trend_range(0.0, 0.0, 0.0);
        assert_eq!(sparkline_between([0.0; 2].into_iter(), 2, lo, hi), "▅▅");
        assert_eq!(trend_range(1.0, 3.0, 0.5), (1.0, 3.0));
    }

    #[test]
    fn a_flat_series_with_no_ceiling_is_not_a_wall() {
        assert_eq!(sparkline([7.0; 3].into_iter(), 3, 0.0), "▅▅▅");
        assert_eq!(sparkline([0.0, 7.0].into_iter(), 2, 0.0), "▁█");
    }
}
