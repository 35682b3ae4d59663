//! `warroom audit verify`.

use anyhow::{Context, Result};

use super::args::AuditCommand;
use crate::audit::{Verdict, verify};

pub fn run(command: AuditCommand) -> Result<i32> {
    let AuditCommand::Verify { file } = command;
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    match verify(&text) {
        Verdict::Intact { records } => {
            println!("{}: intact, {records} records", file.display());
            Ok(0)
        }
        Verdict::Broken { line, problem } => {
            println!(
                "{}:{line}: BROKEN: record on line {line}: {problem}",
                file.display()
            );
            Ok(2)
        }
    }
}
