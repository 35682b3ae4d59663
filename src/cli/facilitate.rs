//! `warroom drill facilitate`: the facilitator's seat on a running drill.

use anyhow::Result;

use super::args::FacilitateArgs;

/// Connect to the running drill's control socket and show its script.
pub fn run(args: &FacilitateArgs) -> Result<i32> {
    let _ = args;
    anyhow::bail!("no drill to facilitate")
}
