//! `warroom snapshot`: the dashboard drawn without a terminal, as SVG or
//! plain text: the demo at a moment of its run, or a real rollout after
//! one poll of its plan's sources.

use anyhow::{Context, Result};

use super::args::{Format, SnapshotArgs};
use super::dashboard::themes;
use super::status;
use crate::app::state::AppState;
use crate::ui::picture;

pub fn run(args: &SnapshotArgs) -> Result<i32> {
    let (themes, start) = themes(&args.look)?;
    let theme = themes.get(start).context("no theme loaded")?;
    let mut state = match &args.plan {
        Some(plan) => polled(plan, args)?,
        None => crate::runtime::demo::state_at(args.sim.spec(args.regions), args.at),
    };
    state.theme = start;
    if args.presenter {
        state.showing.view = crate::app::view::View::Presenter;
    }
    state.showing.share = args.share;
    let buf = picture::draw(&state, theme, args.width, args.height);
    let text = match args.format {
        Format::Svg => picture::svg(&buf, theme),
        Format::Text => picture::text(&buf),
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

/// The war room of `plan` after one poll of every source, as `status` sees it.
fn polled(plan: &std::path::Path, args: &SnapshotArgs) -> Result<AppState> {
    let plan = crate::config::plan::PlanFile::load(plan)?;
    let audit = super::paths::audit_log(args.audit_log.as_deref()).ok();
    let session =
        super::dashboard::runtime()?.block_on(status::poll_once(&plan, audit.as_deref()))?;
    Ok(session.state)
}
