//! Themes: colours and symbols by role, loaded from TOML. Panels ask for a
//! role (`ok`, `breach`, `muted`, …), never for a colour.

use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use serde::Deserialize;
use toml::Spanned;

use crate::config::file::{THEME_MAX_BYTES, read_capped};
use crate::config::text::{self, shown};
use crate::config::toml_error::{line_of, locate};
use crate::domain::health::Verdict;

/// The themes built into the binary, in the order `t` cycles through them.
pub const BUILT_IN: [(&str, &str); 4] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
];

/// A theme file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeError {
    /// The file (or built-in theme) the error is in.
    pub origin: String,
    pub line: usize,
    /// The key at fault, e.g. `colors.ok`.
    pub key: String,
    pub problem: String,
}

impl std::fmt::Display for ThemeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The problem may repeat what the file said: shown escaped.
        let (origin, key, problem) = (shown(&self.origin), shown(&self.key), shown(&self.problem));
        match self.line {
            0 => write!(f, "{origin}: {key}: {problem}"),
            line => write!(f, "{origin}:{line}: {key}: {problem}"),
        }
    }
}

impl std::error::Error for ThemeError {}

/// What a colour or style is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Text,
    Muted,
    Accent,
    Border,
    Ok,
    Warn,
    Breach,
    Stale,
    NoData,
    Paused,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colors {
    pub background: Color,
    pub text: Color,
    pub muted: Color,
    pub accent: Color,
    pub border: Color,
    pub selection: Color,
    pub badge_text: Color,
    pub ok: Color,
    pub warn: Color,
    pub breach: Color,
    pub stale: Color,
    pub no_data: Color,
    pub paused: Color,
}

/// Glyphs that carry meaning without colour. Panels draw each in one cell,
/// beside a word or in a column of fixed width, so each is one visible
/// glyph exactly one column wide (as ratatui measures it) with no control,
/// bidi or invisible character: a terminal acts on an ESC or a TAB instead
/// of showing it, and the glyph beside it is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbols {
    pub ok: String,
    pub warn: String,
    pub breach: String,
    pub stale: String,
    pub no_data: String,
    pub done: String,
    pub current: String,
    pub pending: String,
    pub cancelled: String,
    pub paused: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub name: String,
    pub colors: Colors,
    pub symbols: Symbols,
    /// No colour at all (`NO_COLOR`): roles are told apart by glyphs, bold,
    /// dim and reverse video.
    pub monochrome: bool,
}

impl Theme {
    /// The colour of a role.
    pub fn color(&self, role: Role) -> Color {
        let c = &self.colors;
        match role {
            Role::Text => c.text,
            Role::Muted => c.muted,
            Role::Accent => c.accent,
            Role::Border => c.border,
            Role::Ok => c.ok,
            Role::Warn => c.warn,
            Role::Breach => c.breach,
            Role::Stale => c.stale,
            Role::NoData => c.no_data,
            Role::Paused => c.paused,
        }
    }

    /// The whole screen's base: text on background.
    pub fn base(&self) -> Style {
        if self.monochrome {
            return Style::default();
        }
        Style::default()
            .fg(self.colors.text)
            .bg(self.colors.background)
    }

    /// Text in a role.
    pub fn role(&self, role: Role) -> Style {
        if self.monochrome {
            let m = match role {
                Role::Text | Role::Ok | Role::Border => Modifier::empty(),
                Role::Muted | Role::NoData => Modifier::DIM,
                Role::Accent => Modifier::BOLD,
                Role::Warn => Modifier::BOLD | Modifier::UNDERLINED,
                Role::Breach => Modifier::BOLD | Modifier::REVERSED,
                Role::Stale => Modifier::DIM | Modifier::ITALIC,
                Role::Paused => Modifier::REVERSED,
            };
            return Style::default().add_modifier(m);
        }
        let style = Style::default().fg(self.color(role));
        match role {
            Role::Breach | Role::Warn | Role::Accent | Role::Paused => {
                style.add_modifier(Modifier::BOLD)
            }
            _ => style,
        }
    }

    /// A filled badge in a role's colour, e.g. the phase in the header.
    pub fn badge(&self, role: Role) -> Style {
        if self.monochrome {
            return Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED);
        }
        Style::default()
            .fg(self.colors.badge_text)
            .bg(self.color(role))
            .add_modifier(Modifier::BOLD)
    }

    /// The highlighted row.
    pub fn selection(&self) -> Style {
        if self.monochrome {
            return Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
        }
        Style::default().bg(self.colors.selection)
    }

    pub fn verdict_role(verdict: Verdict) -> Role {
        match verdict {
            Verdict::Healthy => Role::Ok,
            Verdict::Warning => Role::Warn,
            Verdict::NoData => Role::NoData,
            Verdict::Stale => Role::Stale,
            Verdict::Breach => Role::Breach,
        }
    }

    pub fn verdict(&self, verdict: Verdict) -> Style {
        self.role(Self::verdict_role(verdict))
    }

    pub fn verdict_symbol(&self, verdict: Verdict) -> &str {
        let s = &self.symbols;
        match verdict {
            Verdict::Healthy => &s.ok,
            Verdict::Warning => &s.warn,
            Verdict::NoData => &s.no_data,
            Verdict::Stale => &s.stale,
            Verdict::Breach => &s.breach,
        }
    }

    /// The same theme without colour, for `NO_COLOR`.
    pub fn without_color(mut self) -> Theme {
        self.monochrome = true;
        self
    }

    /// Parse a theme from TOML; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Theme, ThemeError> {
        let raw: RawTheme = toml::from_str(text).map_err(|e| {
            let (line, key, problem) = locate(text, &e);
            ThemeError {
                origin: origin.to_string(),
                line,
                key,
                problem,
            }
        })?;
        raw.into_theme(text, origin)
    }

    /// Load a theme file; one over 64 KiB is refused before it is read whole.
    pub fn load(path: &Path) -> Result<Theme, ThemeError> {
        let origin = path.display().to_string();
        let text = read_capped(path, THEME_MAX_BYTES, "a theme").map_err(|e| ThemeError {
            origin: origin.clone(),
            line: 0,
            key: "(file)".to_string(),
            problem: e.to_string(),
        })?;
        Theme::parse(&text, &origin)
    }
}

/// The themes to offer and which one to start with, from `--theme NAME|PATH`.
/// A path is loaded and offered first; built-ins follow.
pub fn resolve(choice: Option<&str>, no_color: bool) -> Result<(Vec<Theme>, usize), ThemeError> {
    let mut themes = BUILT_IN
        .iter()
        .map(|(name, text)| Theme::parse(text, &format!("built-in theme {name}")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut start = 0;
    if let Some(choice) = choice {
        if let Some(i) = themes.iter().position(|t| t.name == choice) {
            start = i;
        } else if choice.contains('/') || choice.ends_with(".toml") || Path::new(choice).exists() {
            themes.insert(0, Theme::load(Path::new(choice))?);
        } else {
            let names: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
            return Err(ThemeError {
                origin: "--theme".to_string(),
                line: 0,
                key: choice.to_string(),
                problem: format!(
                    "no such theme; use one of {} or a path to a .toml file",
                    names.join(", ")
                ),
            });
        }
    }
    if no_color {
        themes = themes.into_iter().map(Theme::without_color).collect();
    }
    Ok((themes, start))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    name: Spanned<String>,
    colors: RawColors,
    symbols: RawSymbols,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSymbols {
    ok: Spanned<String>,
    warn: Spanned<String>,
    breach: Spanned<String>,
    stale: Spanned<String>,
    no_data: Spanned<String>,
    done: Spanned<String>,
    current: Spanned<String>,
    pending: Spanned<String>,
    cancelled: Spanned<String>,
    paused: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColors {
    background: Spanned<String>,
    text: Spanned<String>,
    muted: Spanned<String>,
    accent: Spanned<String>,
    border: Spanned<String>,
    selection: Spanned<String>,
    badge_text: Spanned<String>,
    ok: Spanned<String>,
    warn: Spanned<String>,
    breach: Spanned<String>,
    stale: Spanned<String>,
    no_data: Spanned<String>,
    paused: Spanned<String>,
}

impl RawTheme {
    fn into_theme(self, text: &str, origin: &str) -> Result<Theme, ThemeError> {
        let color = |key: &str, value: &Spanned<String>| {
            Color::from_str(value.get_ref()).map_err(|_| ThemeError {
                origin: origin.to_string(),
                line: line_of(text, value.span().start),
                key: format!("colors.{key}"),
                problem: format!(
                    "`{}` is not a colour; use \"#rrggbb\", a name such as \"red\", or an index 0-255",
                    value.get_ref()
                ),
            })
        };
        let c = &self.colors;
        let colors = Colors {
            background: color("background", &c.background)?,
            text: color("text", &c.text)?,
            muted: color("muted", &c.muted)?,
            accent: color("accent", &c.accent)?,
            border: color("border", &c.border)?,
            selection: color("selection", &c.selection)?,
            badge_text: color("badge_text", &c.badge_text)?,
            ok: color("ok", &c.ok)?,
            warn: color("warn", &c.warn)?,
            breach: color("breach", &c.breach)?,
            stale: color("stale", &c.stale)?,
            no_data: color("no_data", &c.no_data)?,
            paused: color("paused", &c.paused)?,
        };
        let at = |value: &Spanned<String>, key: &str, problem: String| ThemeError {
            origin: origin.to_string(),
            line: line_of(text, value.span().start),
            key: key.to_string(),
            problem,
        };
        let name = self.name.get_ref().trim().to_string();
        if let Err(problem) = text::check(&name, text::NAME) {
            return Err(at(&self.name, "name", problem.to_string()));
        }
        let symbol = |key: &str, value: &Spanned<String>| match symbol_problem(value.get_ref()) {
            None => Ok(value.get_ref().clone()),
            Some(problem) => Err(at(value, &format!("symbols.{key}"), problem)),
        };
        let s = &self.symbols;
        let symbols = Symbols {
            ok: symbol("ok", &s.ok)?,
            warn: symbol("warn", &s.warn)?,
            breach: symbol("breach", &s.breach)?,
            stale: symbol("stale", &s.stale)?,
            no_data: symbol("no_data", &s.no_data)?,
            done: symbol("done", &s.done)?,
            current: symbol("current", &s.current)?,
            pending: symbol("pending", &s.pending)?,
            cancelled: symbol("cancelled", &s.cancelled)?,
            paused: symbol("paused", &s.paused)?,
        };
        Ok(Theme {
            name,
            colors,
            symbols,
            monochrome: false,
        })
    }
}

/// Why `glyph` cannot be a symbol (see [`Symbols`]), or `None`.
fn symbol_problem(glyph: &str) -> Option<String> {
    if let Err(problem) = text::check(glyph, text::NAME) {
        return Some(format!("{}; a symbol is one visible glyph", problem.what()));
    }
    if glyph.trim().is_empty() {
        return Some(
            "is blank; a symbol is one visible glyph that carries meaning without colour"
                .to_string(),
        );
    }
    let width = Span::raw(glyph).width();
    if width != 1 {
        return Some(format!(
            "`{glyph}` is {width} columns wide; a symbol must be exactly one column wide"
        ));
    }
    None
}

#[cfg(test)]
mod tests;
