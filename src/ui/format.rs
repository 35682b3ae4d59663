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
    let mut out = String::with_capacity(width * 3);
    for _ in recent.len()..width {
        out.push(' ');
    }
    for v in recent {
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

/// `s` cut to `width` columns, with `…` when cut.
pub fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
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
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("us-east-1", 20), "us-east-1");
        assert_eq!(fit("ap-southeast-1", 6), "ap-so…");
    }
}
