//! How the screen is shown: the dashboard or the presenter view, which
//! panel has the focus, which one is zoomed, and whether it is shared.

/// The screen's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Every panel, dense: for the on-call engineer.
    #[default]
    Dashboard,
    /// Fewer, larger things, for a room (`b`): always safe to share.
    Presenter,
}

/// A panel of the dashboard, in the order Tab moves the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Panel {
    #[default]
    Health,
    Waves,
    StopConditions,
    Scorecard,
    Dora,
    Sources,
    Detail,
    Timeline,
}

impl Panel {
    /// Every panel, in focus order.
    pub const ALL: [Panel; 8] = [
        Panel::Health,
        Panel::Waves,
        Panel::StopConditions,
        Panel::Scorecard,
        Panel::Dora,
        Panel::Sources,
        Panel::Detail,
        Panel::Timeline,
    ];

    /// The panel's name in the footer (`z zoom timeline`).
    pub fn name(self) -> &'static str {
        match self {
            Panel::Health => "matrix",
            Panel::Waves => "waves",
            Panel::StopConditions => "conditions",
            Panel::Scorecard => "scorecard",
            Panel::Dora => "DORA",
            Panel::Sources => "sources",
            Panel::Detail => "detail",
            Panel::Timeline => "timeline",
        }
    }

    /// The panel `step` places on in focus order, around the ends.
    pub fn step(self, step: isize) -> Panel {
        let n = Panel::ALL.len() as isize;
        let at = Panel::ALL.iter().position(|p| *p == self).unwrap_or(0) as isize;
        Panel::ALL[(at + step).rem_euclid(n) as usize]
    }
}

/// How this screen is shown, changed only by `update`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Showing {
    pub view: View,
    pub focus: Panel,
    /// The focus is marked on screen: from the first Tab (or zoom) on, so
    /// that a screen nobody moved around stays quiet.
    pub focus_shown: bool,
    /// The panel drawn over the whole body, if any.
    pub zoom: Option<Panel>,
    /// `--share`: hide hosts, URLs, tokens and private words everywhere.
    pub share: bool,
    /// The local time's offset from UTC in seconds, read once at start,
    /// so that drawing needs no clock or time zone of its own.
    pub utc_offset: i32,
}

impl Showing {
    /// Whether what is drawn must be safe to share: with `--share`, and
    /// always in the presenter view.
    pub fn sharing(&self) -> bool {
        self.share || self.view == View::Presenter
    }

    /// The local offset as chrono takes it; UTC when out of range.
    pub fn local_offset(&self) -> chrono::FixedOffset {
        use chrono::Offset;
        chrono::FixedOffset::east_opt(self.utc_offset).unwrap_or_else(|| chrono::Utc.fix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn focus_goes_round_both_ways() {
        assert_eq!(Panel::Health.step(1), Panel::Waves);
        assert_eq!(Panel::Health.step(-1), Panel::Timeline);
        assert_eq!(Panel::Timeline.step(1), Panel::Health);
        let mut p = Panel::Health;
        for _ in 0..Panel::ALL.len() {
            p = p.step(1);
        }
        assert_eq!(p, Panel::Health);
    }

    #[test]
    fn the_presenter_view_always_shares() {
        let mut s = Showing::default();
        assert!(!s.sharing());
        s.view = View::Presenter;
        assert!(s.sharing());
        s.view = View::Dashboard;
        s.share = true;
        assert!(s.sharing());
    }
}
