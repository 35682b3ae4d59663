//! `warroom scorecard show | set`.

use anyhow::{Result, bail};

use super::args::ScorecardCommand;
use super::{identity, paths, report};
use crate::audit::recall::recall_file;
use crate::audit::{AuditLog, AuditRecord};
use crate::config::plan::{DeploySource, PlanFile};
use crate::domain::scorecard::{self, Evidence, Item, Setting, Status};

/// `warroom scorecard show | set`.
pub fn run(command: ScorecardCommand) -> Result<i32> {
    match command {
        ScorecardCommand::Show { plan, audit_log } => {
            let file = PlanFile::load(&plan)?;
            let plan = &file.plan;
            let path = paths::audit_log(audit_log.as_deref())?;
            // A log that does not verify counts for nothing: its items are
            // unknown, and the card says why.
            let (recalled, audit_readable) = match recall_file(&path, &plan.service) {
                Ok(r) => (r, true),
                Err(e) => {
                    println!("{e}");
                    (Default::default(), false)
                }
            };
            let evidence = Evidence {
                stop_conditions: plan.stop_conditions.len(),
                feeds: vec![],
                last_rollback: recalled.last_rollback,
                audit_readable,
                now: chrono::Utc::now(),
            };
            let sources = sources(&file);
            let card = scorecard::evaluate(&plan.scorecard, &evidence, &recalled.settings)
                .unpolled(&sources);
            print!("{}", report::scorecard_text(&plan.service, &card));
            Ok(if card.is_no_go() { 2 } else { 0 })
        }
        ScorecardCommand::Set {
            plan,
            item,
            status,
            note,
            operator: who,
            audit_log,
        } => {
            let plan = PlanFile::load(&plan)?.plan;
            let keys: Vec<&str> = Item::ALL
                .iter()
                .filter(|i| !i.is_judged())
                .map(|i| i.key())
                .collect();
            let item = match Item::from_key(&item) {
                Some(i) if i.is_judged() => bail!(
                    "`{item}` is judged from data and cannot be set; set one of {}",
                    keys.join(", ")
                ),
                Some(i) => i,
                None => bail!(
                    "`{item}` is not a scorecard item; set one of {}",
                    keys.join(", ")
                ),
            };
            let Some(status) = Status::from_word(&status) else {
                bail!("`{status}` is not a status; use green, amber, red or unknown");
            };
            let note = match scorecard::check_note(&note) {
                Ok(n) => n,
                Err(problem) => bail!("--note: {problem}"),
            };
            let operator = identity::operator(who.as_deref())?;
            let setting = Setting {
                item,
                status,
                note,
                operator,
                at: chrono::Utc::now(),
            };
            let path = paths::audit_log(audit_log.as_deref())?;
            let audit = AuditLog::open(&path)?;
            if let Some(aside) = &audit.opening().torn_aside {
                println!(
                    "{}: its last record never finished; kept in {} and cut off",
                    path.display(),
                    aside.display()
                );
            }
            audit.append(&AuditRecord::scorecard(&setting, &plan))?;
            println!(
                "{}: {} ({}) set to {} in {}",
                plan.service,
                item,
                item.key(),
                status,
                path.display()
            );
            Ok(0)
        }
    }
}

/// The plan's sources, by what they are: the scorecard here polls none.
fn sources(file: &PlanFile) -> Vec<&'static str> {
    let deploy = file.deploy.as_ref().map(|d| match d {
        DeploySource::Http { .. } => "deploy API",
        DeploySource::Argo(_) => "Argo Rollouts",
    });
    std::iter::once("metrics").chain(deploy).collect()
}
