//! Render a drawn buffer as SVG: the screenshots in the README come from the
//! UI's own cells, so they show exactly what a terminal would.

use std::fmt::Write;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// Cell size in SVG units, for a 14px monospace font.
const CELL_W: f64 = 8.4;
const CELL_H: f64 = 17.0;

/// A colour as CSS, with black standing in for the terminal's default.
pub fn css(color: Color) -> String {
    hex(color, "#000000")
}

fn hex(color: Color, default: &str) -> String {
    match color {
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Reset => default.to_string(),
        Color::Black => "#000000".into(),
        Color::Red => "#cd3131".into(),
        Color::Green => "#0dbc79".into(),
        Color::Yellow => "#e5e510".into(),
        Color::Blue => "#2472c8".into(),
        Color::Magenta => "#bc3fbc".into(),
        Color::Cyan => "#11a8cd".into(),
        Color::Gray => "#e5e5e5".into(),
        Color::DarkGray => "#666666".into(),
        Color::LightRed => "#f14c4c".into(),
        Color::LightGreen => "#23d18b".into(),
        Color::LightYellow => "#f5f543".into(),
        Color::LightBlue => "#3b8eea".into(),
        Color::LightMagenta => "#d670d6".into(),
        Color::LightCyan => "#29b8db".into(),
        Color::White => "#ffffff".into(),
        Color::Indexed(i) => format!("#{0:02x}{0:02x}{0:02x}", i),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The buffer as an SVG document. `Color::Reset` takes `fg` / `bg`.
pub fn to_svg(buf: &Buffer, fg: &str, bg: &str) -> String {
    let area = buf.area;
    let (w, h) = (
        f64::from(area.width) * CELL_W,
        f64::from(area.height) * CELL_H,
    );
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.1} {h:.1}" font-family="DejaVu Sans Mono, monospace" font-size="14">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="{bg}"/>"#);
    for y in 0..area.height {
        let top = f64::from(y) * CELL_H;
        let mut x = 0;
        while x < area.width {
            let cell = &buf[(area.x + x, area.y + y)];
            let reversed = cell.modifier.contains(Modifier::REVERSED);
            let (mut cfg, mut cbg) = (hex(cell.fg, fg), hex(cell.bg, bg));
            if reversed {
                std::mem::swap(&mut cfg, &mut cbg);
            }
            // A run of cells with the same style becomes one <text>.
            let start = x;
            let mut text = String::new();
            while x < area.width {
                let c = &buf[(area.x + x, area.y + y)];
                if c.fg != cell.fg || c.bg != cell.bg || c.modifier != cell.modifier {
                    break;
                }
                text.push_str(c.symbol());
                x += 1;
            }
            let left = f64::from(start) * CELL_W;
            let width = f64::from(x - start) * CELL_W;
            if cbg != bg {
                let _ = writeln!(
                    out,
                    r#"<rect x="{left:.1}" y="{top:.1}" width="{width:.1}" height="{CELL_H}" fill="{cbg}"/>"#
                );
            }
            if text.trim().is_empty() {
                continue;
            }
            let mut attrs = String::new();
            if cell.modifier.contains(Modifier::BOLD) {
                attrs.push_str(r#" font-weight="bold""#);
            }
            if cell.modifier.contains(Modifier::ITALIC) {
                attrs.push_str(r#" font-style="italic""#);
            }
            if cell.modifier.contains(Modifier::UNDERLINED) {
                attrs.push_str(r#" text-decoration="underline""#);
            }
            if cell.modifier.contains(Modifier::DIM) {
                attrs.push_str(r#" opacity="0.6""#);
            }
            let _ = writeln!(
                out,
                r#"<text x="{left:.1}" y="{:.1}" fill="{cfg}"{attrs} xml:space="preserve" textLength="{width:.1}" lengthAdjust="spacingAndGlyphs">{}</text>"#,
                top + CELL_H * 0.78,
                escape(&text)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn cells_become_positioned_coloured_text() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 2));
        buf.set_string(0, 0, "ok", Style::default().fg(Color::Rgb(0, 255, 0)));
        buf.set_string(3, 1, "<b&>", Style::default().bg(Color::Rgb(255, 0, 0)));
        let svg = to_svg(&buf, "#ffffff", "#000000");
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(r##"fill="#00ff00""##));
        assert!(svg.contains(">ok"));
        assert!(svg.contains("&lt;b&amp;&gt;"));
        assert!(svg.contains(r##"fill="#ff0000""##));
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}
