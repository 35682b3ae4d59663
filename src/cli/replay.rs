//! `warroom replay FILE`: a journaled session shown again screen by screen,
//! or exported (an asciicast, its timeline). And where a drill's journal
//! goes when none is named.

use std::io::Write;

use anyhow::{Context, Result, bail};

use super::args::{DrillArgs, ReplayArgs, ReplayExport};
use super::paths;
use crate::runtime::journal::{self, Kind, Origin, Recording};
use crate::runtime::replay::live::{self, Controller};
use crate::runtime::replay::{Player, cast, markdown};

/// `warroom replay`.
pub fn run(args: &ReplayArgs) -> Result<i32> {
    let read = journal::read(&args.file)?;
    let torn = read.torn;
    let mut player = Player::new(read).map_err(anyhow::Error::msg)?;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let choice = args.theme.as_deref().unwrap_or(&player.header.theme);
    let (themes, start) = crate::ui::theme::resolve(Some(choice), no_color)
        .or_else(|_| crate::ui::theme::resolve(None, no_color))?;
    let Some(theme) = themes.get(start).or(themes.first()) else {
        bail!("no theme loaded");
    };
    if torn {
        eprintln!(
            "warroom: {}: its last line was cut short (the session ended while writing it); replaying up to the line before",
            args.file.display()
        );
    }
    match args.export {
        Some(format) => {
            let mut out: Box<dyn Write> = match &args.out {
                Some(path) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("cannot write {}", path.display()))?,
                )),
                None => Box::new(std::io::stdout().lock()),
            };
            match format {
                ReplayExport::Cast => cast::export(&mut player, theme, &mut out)?,
                ReplayExport::Md => {
                    let shown = args.file.display().to_string();
                    out.write_all(markdown::export(&player, &shown).as_bytes())?;
                    out.flush()?;
                }
            }
            Ok(0)
        }
        None => show(player, theme),
    }
}

fn show(player: Player, theme: &crate::ui::theme::Theme) -> Result<i32> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        bail!("the replay needs a terminal; for a file use --export cast or --export md");
    }
    let mut controller = Controller::new(player);
    let mut terminal = ratatui::try_init().context("cannot set up the terminal")?;
    let result = live::run(&mut terminal, &mut controller, theme, |wait| {
        if crossterm::event::poll(wait)? {
            crossterm::event::read().map(Some)
        } else {
            Ok(None)
        }
    });
    ratatui::try_restore().context("cannot restore the terminal")?;
    result?;
    Ok(0)
}

/// Where a drill is recorded: `--record FILE`, or a new file in the state
/// dir's `journals/`; and what rebuilds its rollout.
pub fn drill_recording(
    drill: &DrillArgs,
    scenario: &crate::domain::drill::scenario::Scenario,
    seed: u64,
    service: &str,
) -> Result<Recording> {
    let path = match &drill.record {
        Some(path) => path.clone(),
        None => journal::default_path(&paths::state_dir()?, service, chrono::Utc::now()),
    };
    let plan = match &drill.plan {
        Some(plan) => Some((
            plan.display().to_string(),
            crate::config::file::read_capped(plan, crate::config::file::PLAN_MAX_BYTES, "a plan")?,
        )),
        None => None,
    };
    let origin = Origin::Drill {
        scenario: scenario.name.clone(),
        seed,
        pace_ms: scenario.pace.num_milliseconds(),
        regions: drill.regions.map(usize::from),
        plan,
    };
    Ok(Recording {
        path,
        kind: Kind::Drill,
        origin,
    })
}
