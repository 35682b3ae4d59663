//! The `warroom` command: arguments, default paths, and one file per command.

pub mod args;
mod audit;
mod dashboard;
mod debrief;
mod dora;
mod drill;
mod facilitate;
mod identity;
mod logging;
pub mod paths;
mod replay;
pub mod report;
mod scorecard;
mod sim;
mod snapshot;
mod status;
mod timeline;
mod watch;

use anyhow::Result;
use clap::Parser;

use args::{Cli, Command};

/// Parse the command line, run the command and exit with its code: 1 for
/// a usage or plan error, the command's own code otherwise.
pub fn main() -> ! {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => std::process::exit(usage(&e)),
    };
    match run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("warroom: {e:#}");
            std::process::exit(1);
        }
    }
}

/// Print what clap has to say and give the exit code: 0 for `--help` and
/// `--version` (on standard output), 1 for a mistyped or missing argument
/// (on standard error). Never clap's own 2, which here means a breach,
/// NO-GO or a broken audit log.
fn usage(e: &clap::Error) -> i32 {
    // Printing can only fail on a closed stream; the code still tells.
    let _ = e.print();
    if e.use_stderr() { 1 } else { 0 }
}

/// Run a command; the result is the exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        None => watch::demo(
            &cli.look,
            &cli.sim,
            cli.scale.regions,
            &cli.dashboard,
            &cli.record,
        ),
        Some(Command::Watch {
            plan,
            look,
            dashboard,
            record,
        }) => watch::plan(&plan, &look, &dashboard, &record),
        Some(Command::Replay(args)) => replay::run(&args),
        Some(Command::Status {
            plan,
            json,
            audit_log,
        }) => status::run(&plan, json, audit_log.as_deref()),
        Some(Command::Sim {
            write_history: Some(path),
            sim,
            ..
        }) => sim::write_history(&path, &sim),
        Some(Command::Sim {
            listen, sim, scale, ..
        }) => sim::serve(&listen, &sim, scale.regions),
        Some(Command::Dora(args)) => dora::run(&args),
        Some(Command::Audit { command }) => audit::run(command),
        Some(Command::Snapshot(args)) => snapshot::run(&args),
        Some(Command::Timeline(args)) => timeline::run(&args),
        Some(Command::Scorecard { command }) => scorecard::run(command),
        Some(Command::Drill(args)) => match &args.then {
            Some(args::DrillCommand::Facilitate(f)) => facilitate::run(f),
            None => drill::run(&args),
        },
    }
}
