//! Tables whose columns are as wide as their widest value: a column that
//! does not fit is dropped whole, least important first, rather than
//! squeezed until its numbers lose digits. Names, prose and trends give
//! way first; values never do.

use ratatui::layout::Constraint;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::fit;

/// What may give when a column is narrower than its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Give {
    /// Values: the column is as wide as its widest, or dropped.
    Never,
    /// Names: cut with `…`, down to `min` columns.
    Name,
    /// Prose: cut between words, down to `min` columns.
    Words,
    /// A trend of one-column glyphs: its newest glyphs, `min` to `max`.
    Bars,
}

/// One column: its heading, its cells (one per row) and how it gives way.
pub struct Column {
    pub header: String,
    /// A shorter heading for when `header` does not fit.
    pub short: Option<String>,
    pub right: bool,
    /// How much the column matters: higher stays longer.
    pub keep: u8,
    pub give: Give,
    pub min: u16,
    pub max: u16,
    pub cells: Vec<Vec<Span<'static>>>,
}

impl Column {
    /// A column of values, right-aligned.
    pub fn values(header: &str, keep: u8) -> Column {
        Column {
            header: header.to_string(),
            short: None,
            right: true,
            keep,
            give: Give::Never,
            min: 0,
            max: u16::MAX,
            cells: Vec::new(),
        }
    }

    /// A column of left-aligned text that may give way as `give` says.
    pub fn text(header: &str, keep: u8, give: Give, min: u16) -> Column {
        Column {
            right: false,
            give,
            min,
            ..Column::values(header, keep)
        }
    }

    /// At most `max` columns wide (trends).
    pub fn up_to(mut self, max: u16) -> Column {
        self.max = max;
        self
    }

    /// A shorter heading for narrow columns.
    pub fn or_short(mut self, short: &str) -> Column {
        self.short = Some(short.to_string());
        self
    }

    /// Add one row's cell.
    pub fn push(&mut self, spans: Vec<Span<'static>>) {
        self.cells.push(spans);
    }

    /// Add one row's cell of one styled text.
    pub fn push_text(&mut self, text: String, style: Style) {
        self.cells.push(vec![Span::styled(text, style)]);
    }

    fn widest(&self) -> u16 {
        let cells = self.cells.iter().map(|c| fit::spans_width(c));
        // The heading may shrink to its short form; it never widens a column past that.
        let header = self.short.as_deref().unwrap_or(&self.header);
        let w = cells.chain([fit::width(header)]).max().unwrap_or(0);
        u16::try_from(w).unwrap_or(u16::MAX).min(self.max)
    }

    fn least(&self) -> u16 {
        match self.give {
            Give::Never => self.widest(),
            _ => self.min.min(self.widest()),
        }
    }
}

/// The width of each column in `room` columns with `spacing` between
/// them; `None` for a column left out. In order of importance each column
/// takes its widest when that fits, else the least it may give way to;
/// what is left then widens the columns that gave way.
pub fn widths(columns: &[Column], room: u16, spacing: u16) -> Vec<Option<u16>> {
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(columns[i].keep), i));
    let mut out: Vec<Option<u16>> = vec![None; columns.len()];
    let mut used: u16 = 0;
    for &i in &order {
        let gap = if used == 0 { 0 } else { spacing };
        let fits = |w: u16| u32::from(used) + u32::from(gap) + u32::from(w) <= u32::from(room);
        let (widest, least) = (columns[i].widest(), columns[i].least());
        let take = [widest, least].into_iter().find(|&w| fits(w));
        if let Some(w) = take {
            used = used.saturating_add(gap).saturating_add(w);
            out[i] = Some(w);
        }
    }
    for &i in &order {
        if let Some(w) = out[i] {
            let more = (columns[i].widest().saturating_sub(w)).min(room.saturating_sub(used));
            out[i] = Some(w.saturating_add(more));
            used = used.saturating_add(more);
        }
    }
    out
}

/// `spans` fitted to `width` as the column gives way.
fn fitted(spans: &[Span<'static>], give: Give, width: usize) -> Vec<Span<'static>> {
    if fit::spans_width(spans) <= width {
        return spans.to_vec();
    }
    let Some((first, rest)) = spans.split_first() else {
        return Vec::new();
    };
    let after = fit::spans_width(rest);
    let room = width.saturating_sub(after);
    let (text, tail) = match give {
        Give::Never => return vec![Span::styled(fit::value(&first.content, width), first.style)],
        Give::Name => (fit::name(&first.content, room), rest.to_vec()),
        Give::Words => (fit::words(&first.content, room), rest.to_vec()),
        Give::Bars => {
            let chars: Vec<char> = first.content.chars().collect();
            let from = chars.len().saturating_sub(width);
            (chars[from..].iter().collect(), Vec::new())
        }
    };
    let mut out = vec![Span::styled(text, first.style)];
    if room > 0 || give == Give::Bars {
        out.extend(tail);
    }
    out
}

/// The columns laid out in `room`: the constraints, the header row and one
/// row of cells per row, with every cell fitted to its column.
pub fn layout(
    columns: Vec<Column>,
    room: u16,
    spacing: u16,
) -> (Vec<Constraint>, Row<'static>, Vec<Vec<Cell<'static>>>) {
    let widths = widths(&columns, room, spacing);
    let rows = columns.iter().map(|c| c.cells.len()).max().unwrap_or(0);
    let mut constraints = Vec::new();
    let mut header = Vec::new();
    let mut cells: Vec<Vec<Cell>> = (0..rows).map(|_| Vec::new()).collect();
    for (column, width) in columns.into_iter().zip(widths) {
        let Some(width) = width else { continue };
        constraints.push(Constraint::Length(width));
        let w = usize::from(width);
        let line = |spans: Vec<Span<'static>>| {
            let line = Line::from(spans);
            if column.right {
                line.right_aligned()
            } else {
                line
            }
        };
        let head = match &column.short {
            Some(short) if fit::width(&column.header) > w => fit::words(short, w),
            _ => fit::words(&column.header, w),
        };
        let head = vec![Span::raw(head)];
        header.push(Cell::from(line(head)));
        for (row, spans) in cells.iter_mut().zip(&column.cells) {
            row.push(Cell::from(line(fitted(spans, column.give, w))));
        }
    }
    (constraints, Row::new(header), cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(header: &str, keep: u8, give: Give, cells: &[&str]) -> Column {
        let mut c = match give {
            Give::Never => Column::values(header, keep),
            _ => Column::text(header, keep, give, 4),
        };
        for text in cells {
            c.push(vec![Span::raw(text.to_string())]);
        }
        c
    }

    #[test]
    fn columns_are_as_wide_as_their_widest_value() {
        let cols = [
            column("Region", 9, Give::Name, &["ap-southeast-1"]),
            column("Δerr", 5, Give::Never, &["-10.16pp", "+0.00pp"]),
        ];
        assert_eq!(widths(&cols, 40, 1), [Some(14), Some(8)]);
    }

    #[test]
    fn the_least_important_column_goes_first_and_names_give_way() {
        let cols = [
            column("Region", 9, Give::Name, &["ap-southeast-1"]),
            column("err", 5, Give::Never, &["6.26%"]),
            column("p99", 3, Give::Never, &["494ms"]),
        ];
        assert_eq!(widths(&cols, 16, 1), [Some(14), None, None]);
        assert_eq!(widths(&cols, 11, 1), [Some(5), Some(5), None]);
        assert_eq!(widths(&cols, 8, 1), [Some(8), None, None]);
    }

    #[test]
    fn a_cell_is_never_cut() {
        let spans = [Span::raw("494ms")];
        let text = |s: Vec<Span>| s.iter().map(|s| s.content.to_string()).collect::<String>();
        assert_eq!(text(fitted(&spans, Give::Never, 4)), "…");
        assert_eq!(text(fitted(&spans, Give::Name, 4)), "494…");
        assert_eq!(text(fitted(&[Span::raw("▁▂▃▄")], Give::Bars, 2)), "▃▄");
    }
}
