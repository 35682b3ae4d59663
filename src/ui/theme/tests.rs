use super::*;

fn dark_text() -> &'static str {
    BUILT_IN[0].1
}

#[test]
fn every_built_in_theme_parses() {
    for (name, text) in BUILT_IN {
        let theme = Theme::parse(text, name);
        assert!(theme.is_ok(), "{name}: {theme:?}");
        assert_eq!(theme.map(|t| t.name).ok().as_deref(), Some(name));
    }
}

#[test]
fn a_bad_colour_names_the_file_line_and_key() {
    let text = dark_text().replace("ok = \"#3fb950\"", "ok = \"#zz0000\"");
    let err = Theme::parse(&text, "mine.toml").err();
    let line = text
        .lines()
        .position(|l| l.starts_with("ok = \"#zz"))
        .map(|i| i + 1);
    assert_eq!(err.as_ref().map(|e| e.key.as_str()), Some("colors.ok"));
    assert_eq!(err.as_ref().map(|e| e.line), line);
    let msg = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.starts_with("mine.toml:"), "{msg}");
    assert!(msg.contains("#zz0000"), "{msg}");
}

#[test]
fn an_unknown_key_is_named_with_its_table() {
    let text = dark_text().replace(
        "paused = \"#e3b341\"",
        "paused = \"#e3b341\"\nbreech = \"red\"",
    );
    let err = Theme::parse(&text, "mine.toml").err();
    assert_eq!(err.as_ref().map(|e| e.key.as_str()), Some("colors.breech"));
    let line = text
        .lines()
        .position(|l| l.starts_with("breech"))
        .map(|i| i + 1);
    assert_eq!(err.map(|e| e.line), line);
}

#[test]
fn a_wrong_type_names_the_key() {
    let text = dark_text().replace("warn = \"#d29922\"", "warn = 12");
    let err = Theme::parse(&text, "mine.toml").err();
    assert_eq!(err.as_ref().map(|e| e.key.as_str()), Some("colors.warn"));
}

#[test]
fn a_missing_key_is_reported() {
    let text = dark_text().replace("stale = \"#bc8cff\"\n", "");
    let msg = Theme::parse(&text, "mine.toml")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(msg.contains("stale"), "{msg}");
}

#[test]
fn a_wide_symbol_is_refused() {
    let text = dark_text().replace("ok = \"✓\"", "ok = \"OK\"");
    let err = Theme::parse(&text, "mine.toml").err();
    assert_eq!(err.as_ref().map(|e| e.key.as_str()), Some("symbols.ok"));
    let line = text.lines().position(|l| l == "ok = \"OK\"").map(|i| i + 1);
    assert_eq!(err.map(|e| e.line), line);
}

/// The dark theme with `symbols.ok` written as `written` (TOML source).
fn ok_symbol(written: &str) -> (String, Option<ThemeError>) {
    let text = dark_text().replace("ok = \"✓\"", &format!("ok = {written}"));
    assert_ne!(text, dark_text());
    let err = Theme::parse(&text, "mine.toml").err();
    (text, err)
}

#[test]
fn control_characters_are_refused_as_symbols() {
    // ESC and TAB measure one column, yet a terminal acts on them.
    for written in [
        "\"\\u001b\"",
        "\"\t\"",
        "'\t'",
        "\"\\u009b\"",
        "\"\\u0007\"",
        "\"✓\\n\"",
    ] {
        let (text, err) = ok_symbol(written);
        assert_eq!(
            err.as_ref().map(|e| e.key.as_str()),
            Some("symbols.ok"),
            "{written}"
        );
        let line = text
            .lines()
            .position(|l| l.starts_with(&format!("ok = {written}")))
            .map(|i| i + 1);
        assert_eq!(err.as_ref().map(|e| e.line), line, "{written}");
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("control character"), "{written}: {msg}");
        assert!(!msg.chars().any(char::is_control), "{written}: {msg:?}");
    }
}

#[test]
fn bidi_invisible_and_blank_symbols_are_refused() {
    for (written, says) in [
        ("\"\\u202e✓\"", "bidirectional"),
        ("\"✓\\u200b\"", "invisible"),
        ("\"\\u2066\"", "bidirectional"),
        ("\" \"", "blank"),
        ("\"\"", "blank"),
    ] {
        let (_, err) = ok_symbol(written);
        assert_eq!(
            err.as_ref().map(|e| e.key.as_str()),
            Some("symbols.ok"),
            "{written}"
        );
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains(says), "{written}: {msg}");
    }
}

#[test]
fn one_glyph_with_a_combining_mark_is_one_column() {
    let (_, err) = ok_symbol("\"e\\u0301\"");
    assert_eq!(err, None);
}

#[test]
fn a_missing_symbol_is_named_in_its_own_table() {
    let text = dark_text().replace("ok = \"✓\"\n", "");
    let err = Theme::parse(&text, "mine.toml").err();
    assert_eq!(err.as_ref().map(|e| e.key.as_str()), Some("symbols.ok"));
    let line = text.lines().position(|l| l == "[symbols]").map(|i| i + 1);
    assert_eq!(err.as_ref().map(|e| e.line), line);
    let msg = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.starts_with("mine.toml:"), "{msg}");
    assert!(!msg.contains("colors.ok"), "{msg}");
    // A missing colour is still named as one.
    let text = dark_text().replace("ok = \"#3fb950\"\n", "");
    let err = Theme::parse(&text, "mine.toml").err();
    assert_eq!(err.map(|e| e.key), Some("colors.ok".to_string()));
}

#[test]
fn a_theme_name_is_plain_text_and_errors_never_echo_controls() {
    let text = dark_text().replace("name = \"dark\"", "name = \"dark\\u001b]0;pwned\\u0007\"");
    let err = Theme::parse(&text, "mine.toml").err();
    assert_eq!(err.as_ref().map(|e| e.key.as_str()), Some("name"));
    let text = dark_text().replace("ok = \"#3fb950\"", "ok = \"\\u001b[2J\"");
    let msg = Theme::parse(&text, "mine.toml")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        msg.contains("colors.ok") && msg.contains("\\u{1b}[2J"),
        "{msg}"
    );
    assert!(!msg.contains('\u{1b}'), "{msg:?}");
}

#[test]
fn a_huge_theme_file_is_refused_before_it_is_read() {
    let path = std::env::temp_dir().join(format!("warroom-huge-theme-{}.toml", std::process::id()));
    let written = std::fs::write(&path, format!("{}\n#{}", dark_text(), "x".repeat(70 << 10)));
    assert!(written.is_ok());
    let err = Theme::load(&path)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    assert!(err.contains("(file)") && err.contains("64 KiB"), "{err}");
}

#[test]
fn resolve_by_name_path_and_unknown() {
    let (themes, start) = resolve(Some("light"), false).unwrap_or_default();
    assert_eq!(themes.get(start).map(|t| t.name.as_str()), Some("light"));
    let err = resolve(Some("sepia"), false)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("sepia") && err.contains("high-contrast"),
        "{err}"
    );
    let path = std::env::temp_dir().join(format!("warroom-theme-{}.toml", std::process::id()));
    let written = std::fs::write(
        &path,
        dark_text().replace("name = \"dark\"", "name = \"mine\""),
    );
    assert!(written.is_ok());
    let (themes, start) = resolve(path.to_str(), false).unwrap_or_default();
    assert_eq!(themes.get(start).map(|t| t.name.as_str()), Some("mine"));
    let _ = std::fs::remove_file(&path);
    let missing = resolve(Some("/nonexistent/theme.toml"), false).err();
    assert!(missing.is_some_and(|e| e.origin == "/nonexistent/theme.toml"));
}

#[test]
fn no_color_drops_every_colour_but_keeps_meaning() {
    let (themes, _) = resolve(None, true).unwrap_or_default();
    for theme in &themes {
        for role in [Role::Ok, Role::Breach, Role::Warn, Role::Stale] {
            let style = theme.role(role);
            assert_eq!(style.fg, None);
            assert_eq!(style.bg, None);
        }
        assert_ne!(theme.role(Role::Breach), theme.role(Role::Ok));
        assert_ne!(theme.role(Role::Warn), theme.role(Role::Ok));
        assert_ne!(theme.role(Role::Stale), theme.role(Role::Ok));
    }
}

#[test]
fn colorblind_theme_does_not_pair_red_with_green() {
    let theme = Theme::parse(BUILT_IN[3].1, "colorblind").ok();
    let hue = |c: Color| match c {
        Color::Rgb(r, g, b) => Some((r, g, b)),
        _ => None,
    };
    let ok = theme.as_ref().and_then(|t| hue(t.colors.ok));
    let breach = theme.as_ref().and_then(|t| hue(t.colors.breach));
    // Healthy must be blue-dominant, not green; breach orange-red.
    assert!(ok.is_some_and(|(r, g, b)| b > r && b > g), "{ok:?}");
    assert!(breach.is_some_and(|(r, _, b)| r > b), "{breach:?}");
}
