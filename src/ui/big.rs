//! A word in big letters (the presenter's verdict): as large as the area
//! allows, whole or not at all — a word cut would say something else, so
//! when no big size fits it is drawn in ordinary letters.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};
use tui_big_text::{BigText, PixelSize};

/// The sizes tried, largest first: the pixel size, and the columns and
/// rows one letter takes.
const SIZES: [(PixelSize, u16, u16); 3] = [
    (PixelSize::Full, 8, 8),
    (PixelSize::HalfHeight, 8, 4),
    (PixelSize::Quadrant, 4, 4),
];

/// The largest size `word` fits in `width` × `height`, if any.
fn size(word: &str, width: u16, height: u16) -> Option<(PixelSize, u16, u16)> {
    let letters = u16::try_from(word.chars().count()).unwrap_or(u16::MAX);
    SIZES
        .into_iter()
        .find(|(_, w, h)| letters.saturating_mul(*w) <= width && *h <= height)
}

/// Rows `word` takes when drawn in `width` columns and at most `height` rows.
pub fn rows(word: &str, width: u16, height: u16) -> u16 {
    size(word, width, height)
        .map_or(1, |(_, _, h)| h)
        .min(height)
}

pub struct BigWord<'a> {
    pub word: &'a str,
    /// The letters' style; reverse video is taken off, as it would turn
    /// the blocks into holes.
    pub style: Style,
}

impl Widget for BigWord<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let style = self
            .style
            .remove_modifier(ratatui::style::Modifier::REVERSED);
        match size(self.word, area.width, area.height) {
            Some((pixel_size, _, _)) => BigText::builder()
                .pixel_size(pixel_size)
                .style(style)
                .alignment(Alignment::Center)
                .lines(vec![Line::raw(self.word.to_string())])
                .build()
                .render(area, buf),
            None => Paragraph::new(Line::styled(self.word.to_string(), self.style))
                .alignment(Alignment::Center)
                .render(area, buf),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(word: &str, width: u16, height: u16) -> Vec<String> {
        let area = Rect::new(0, 0, width, height);
        let mut buf = Buffer::empty(area);
        BigWord {
            word,
            style: Style::default(),
        }
        .render(area, &mut buf);
        (0..height)
            .map(|y| (0..width).map(|x| buf[(x, y)].symbol()).collect())
            .collect()
    }

    #[test]
    fn the_largest_size_that_fits_whole() {
        assert_eq!(rows("ROLLED BACK", 100, 20), 8);
        assert_eq!(rows("ROLLED BACK", 100, 6), 4);
        assert_eq!(rows("ROLLED BACK", 60, 20), 4);
        assert_eq!(rows("ROLLED BACK", 40, 20), 1);
        assert_eq!(rows("GO", 16, 8), 8);
        assert_eq!(rows("GO", 16, 0), 0);
    }

    #[test]
    fn a_word_too_long_for_big_letters_is_written_whole() {
        let lines = drawn("ROLLED BACK", 30, 8);
        assert!(lines[0].contains("ROLLED BACK"), "{lines:?}");
        let lines = drawn("NO-GO", 40, 8);
        assert!(lines.iter().all(|l| !l.contains("NO-GO")), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains('█')), "{lines:?}");
    }
}
