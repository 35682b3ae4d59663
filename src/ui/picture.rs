//! The screen as a picture: the dashboard drawn into a buffer of a given
//! size, written out as SVG (colours and styles) and as plain text. The
//! `snapshot` command, the `S` key and the README's screenshots all come
//! from here, so a picture shows exactly what a terminal of that size would.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use super::Dashboard;
use super::theme::Theme;
use crate::app::state::AppState;

/// One drawing of the screen, in both forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub svg: String,
    pub text: String,
}

/// The dashboard of `state` as a `width` × `height` terminal shows it.
pub fn draw(state: &AppState, theme: &Theme, width: u16, height: u16) -> Buffer {
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    Dashboard { state, theme }.render(area, &mut buf);
    buf
}

/// The dashboard of `state` at `width` × `height`, as SVG and text.
pub fn picture(state: &AppState, theme: &Theme, width: u16, height: u16) -> Picture {
    let buf = draw(state, theme, width, height);
    Picture {
        svg: svg(&buf, theme),
        text: text(&buf),
    }
}

/// `buf` as SVG in `theme`'s colours; a monochrome theme is black on white.
pub fn svg(buf: &Buffer, theme: &Theme) -> String {
    let (fg, bg) = if theme.monochrome {
        ("#000000".to_string(), "#ffffff".to_string())
    } else {
        (
            super::svg::css(theme.colors.text),
            super::svg::css(theme.colors.background),
        )
    };
    super::svg::to_svg(buf, &fg, &bg)
}

/// `buf`'s characters, one line per row, trailing blanks cut.
pub fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let line: String = (area.left()..area.right())
            .map(|x| buf[(x, y)].symbol())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_show_the_same_screen() {
        let state = crate::runtime::demo::state_at(crate::sim::FleetSpec::demo(42), 85);
        let (themes, _) = crate::ui::theme::resolve(None, false).unwrap_or_default();
        let theme = themes.first().expect("built-in themes");
        let p = picture(&state, theme, 100, 30);
        assert_eq!(p.text.lines().count(), 30);
        assert!(p.text.contains("checkout-api"), "{}", p.text);
        assert!(p.svg.starts_with("<svg"));
        assert!(p.svg.contains("checkout-api"));
        assert!(p.text.lines().all(|l| l.chars().count() <= 100));
    }
}
