//! `warroom audit verify`.

use anyhow::Result;

use super::args::AuditCommand;
use crate::audit::chain::{HeadState, Verdict, verdict};
use crate::audit::{head, reader};

pub fn run(command: AuditCommand) -> Result<i32> {
    let AuditCommand::Verify { file } = command;
    // A log that is gone while its head remains is a broken log, not a
    // mistyped path: the reader says what the head remembers.
    if !file.exists() && !head::path_of(&file).exists() {
        anyhow::bail!("cannot read {}: no such file", file.display());
    }
    let reading = reader::read(&file)?;
    match verdict(&reading.walked) {
        Verdict::Intact { records } => {
            // A log started anew over another keeps the old head beside it;
            // until someone moves it away, the replacement is not taken as
            // deliberate: emptying a log must not pass unremarked.
            let before = head::path_of(&file).with_extension("head.before");
            if before.exists() {
                println!(
                    "{}: BROKEN: it was started anew over a log whose head is kept in {}; once the replacement is known to be deliberate, move that file away",
                    file.display(),
                    before.display()
                );
                return Ok(2);
            }
            println!("{}: intact, {records} records", file.display());
            if reading.head == HeadState::Missing && records > 0 {
                println!(
                    "  no head beside it ({}): a log from before heads were kept, so whether records were cut off its end cannot be told; the next warroom to write it adds one",
                    head::path_of(&file).display()
                );
            }
            if let Some(torn) = &reading.walked.torn {
                println!(
                    "  line {}: a write that never finished (not a record; the next warroom to write keeps it aside and cuts it off)",
                    torn.line
                );
            }
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
