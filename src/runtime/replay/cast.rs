//! A replay as an asciicast v2 file (asciinema's format): a JSON header,
//! then one `[time, "o", data]` line per change of the screen, the data
//! the escape sequences that draw it. The format is three lines of JSON
//! shape; no crate is needed to write it.

use std::io::{self, Write};

use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

use super::Player;
use crate::ui::theme::Theme;

/// Write the whole journal of `player` as an asciicast to `out`, at the
/// terminal size of the recording's start. Times are seconds from the
/// start, never going back.
pub fn export(player: &mut Player, theme: &Theme, out: &mut dyn Write) -> io::Result<()> {
    let (width, height) = player.header.size;
    let (width, height) = (width.max(1), height.max(1));
    let header = serde_json::json!({
        "version": 2,
        "width": width,
        "height": height,
        "timestamp": player.header.started.timestamp(),
        "title": format!("warroom {:?} of {}", player.header.kind, player.state().plan.service),
        "env": { "TERM": "xterm-256color" },
    });
    writeln!(out, "{header}")?;
    let area = Rect::new(0, 0, width, height);
    let mut before = Buffer::empty(area);
    let mut last = 0.0_f64;
    player.seek(0);
    loop {
        let mut now = Buffer::empty(area);
        super::screen::dashboard(player, theme, area, &mut now);
        let first = player.pos() == 0;
        let data = ansi(&before, &now, first);
        if !data.is_empty() {
            let since = player.time() - player.header.started;
            let t = (since.num_milliseconds() as f64 / 1000.0).max(last);
            last = t;
            let event = serde_json::json!([(t * 1000.0).round() / 1000.0, "o", data]);
            writeln!(out, "{event}")?;
        }
        before = now;
        if !player.step() {
            break;
        }
    }
    out.flush()
}

/// What turns the screen `before` into `now`: every cell that changed, with
/// cursor moves between runs and colours as SGR. `clear`: first clear the
/// screen and draw every cell.
pub fn ansi(before: &Buffer, now: &Buffer, clear: bool) -> String {
    let mut out = String::new();
    let blank = Buffer::empty(now.area);
    let changes = if clear {
        out.push_str("\x1b[?25l\x1b[0m\x1b[2J");
        full(now)
    } else if before.area != now.area {
        out.push_str("\x1b[0m\x1b[2J");
        blank.diff(now)
    } else {
        before.diff(now)
    };
    let mut cursor: Option<(u16, u16)> = None;
    let mut style: Option<(Color, Color, Modifier)> = None;
    for (x, y, cell) in changes {
        if cursor != Some((x, y)) {
            out.push_str(&format!("\x1b[{};{}H", y + 1, x + 1));
        }
        let s = (cell.fg, cell.bg, cell.modifier);
        if style != Some(s) {
            out.push_str(&sgr(s.0, s.1, s.2));
            style = Some(s);
        }
        let symbol = cell.symbol();
        out.push_str(symbol);
        let w = if symbol.chars().count() > 0 && !symbol.is_ascii() {
            wide(symbol)
        } else {
            1
        };
        cursor = Some((x + w, y));
    }
    if !out.is_empty() {
        out.push_str("\x1b[0m");
    }
    out
}

/// Every cell of `buf` to draw, the ones hidden behind a wide glyph left out.
fn full(buf: &Buffer) -> Vec<(u16, u16, &Cell)> {
    let mut cells = Vec::new();
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut skip = 0;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let cell = &buf[(x, y)];
            let symbol = cell.symbol();
            if !symbol.is_ascii() {
                skip = wide(symbol).saturating_sub(1);
            }
            cells.push((x, y, cell));
        }
    }
    cells
}

/// The columns a symbol takes: 2 for East Asian wide and emoji, else 1.
fn wide(symbol: &str) -> u16 {
    let Some(c) = symbol.chars().next() else {
        return 1;
    };
    let u = c as u32;
    let wide = matches!(u,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

/// One SGR sequence setting exactly this style.
fn sgr(fg: Color, bg: Color, modifier: Modifier) -> String {
    let mut codes = vec!["0".to_string()];
    for (m, code) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::SLOW_BLINK, "5"),
        (Modifier::REVERSED, "7"),
        (Modifier::HIDDEN, "8"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if modifier.contains(m) {
            codes.push(code.to_string());
        }
    }
    codes.extend(color(fg, false));
    codes.extend(color(bg, true));
    format!("\x1b[{}m", codes.join(";"))
}

fn color(c: Color, bg: bool) -> Option<String> {
    let base = if bg { 40 } else { 30 };
    let bright = if bg { 100 } else { 90 };
    let named = |i: u8| Some((base + i).to_string());
    let light = |i: u8| Some((bright + i).to_string());
    match c {
        Color::Reset => None,
        Color::Black => named(0),
        Color::Red => named(1),
        Color::Green => named(2),
        Color::Yellow => named(3),
        Color::Blue => named(4),
        Color::Magenta => named(5),
        Color::Cyan => named(6),
        Color::Gray => named(7),
        Color::DarkGray => light(0),
        Color::LightRed => light(1),
        Color::LightGreen => light(2),
        Color::LightYellow => light(3),
        Color::LightBlue => light(4),
        Color::LightMagenta => light(5),
        Color::LightCyan => light(6),
        Color::White => light(7),
        Color::Indexed(i) => Some(format!("{};5;{i}", base + 8)),
        Color::Rgb(r, g, b) => Some(format!("{};2;{r};{g};{b}", base + 8)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    #[test]
    fn a_change_is_a_move_a_colour_and_the_text() {
        let area = Rect::new(0, 0, 10, 2);
        let before = Buffer::empty(area);
        let mut now = Buffer::empty(area);
        now.set_string(3, 1, "ok", Style::default().fg(Color::Rgb(1, 2, 3)));
        let data = ansi(&before, &now, false);
        assert_eq!(data, "\x1b[2;4H\x1b[0;38;2;1;2;3mok\x1b[0m");
        assert_eq!(ansi(&now, &now, false), "");
        let first = ansi(&before, &now, true);
        assert!(
            first.starts_with("\x1b[?25l\x1b[0m\x1b[2J\x1b[1;1H"),
            "{first:?}"
        );
        assert!(first.contains("ok"));
    }
}
