//! `warroom snapshot`: the demo dashboard at a moment of its run, drawn
//! without a terminal as SVG or plain text.

use anyhow::{Context, Result};

use super::args::{Format, SnapshotArgs};
use super::dashboard::themes;
use crate::ui;

pub fn run(args: &SnapshotArgs) -> Result<i32> {
    let (themes, start) = themes(&args.look)?;
    let theme = themes.get(start).context("no theme loaded")?;
    let mut state = crate::runtime::demo::state_at(args.sim.spec(args.regions), args.at);
    state.theme = start;
    let area = ratatui::layout::Rect::new(0, 0, args.width, args.height);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    ratatui::widgets::Widget::render(
        ui::Dashboard {
            state: &state,
            theme,
        },
        area,
        &mut buf,
    );
    let text = match args.format {
        Format::Svg => {
            let (fg, bg) = if theme.monochrome {
                ("#000000".to_string(), "#ffffff".to_string())
            } else {
                (
                    ui::svg::css(theme.colors.text),
                    ui::svg::css(theme.colors.background),
                )
            };
            ui::svg::to_svg(&buf, &fg, &bg)
        }
        Format::Text => buffer_text(&buf),
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => print!("{text}"),
    }
    Ok(0)
}

fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let line: String = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
