//! `warroom dora`: DORA's keys for a service, without the screen.

use anyhow::{Result, bail};

use super::args::DoraArgs;
use super::dashboard::runtime;
use super::report;
use crate::config::plan::Auth;
use crate::config::url::{UrlProblem, check_url};
use crate::domain::dora::History;
use crate::integrations::{events, github, secret};

pub fn run(args: &DoraArgs) -> Result<i32> {
    runtime()?.block_on(summarize(args))
}

async fn summarize(args: &DoraArgs) -> Result<i32> {
    let auth = match (&args.github_token_file, &args.github_token_env) {
        (Some(f), _) => Auth::BearerFile(f.clone()),
        (None, Some(v)) => Auth::BearerEnv(v.clone()),
        (None, None) => Auth::None,
    };
    github_api(&args.github_api, &auth)?;
    if args.events.is_none() && args.audit_log.is_none() && args.github.is_none() {
        bail!("give a history source: --events FILE, --audit-log FILE or --github OWNER/REPO");
    }
    let now = args.at.unwrap_or_else(chrono::Utc::now);
    let mut h = History::default();
    if let Some(path) = &args.events {
        events::read_events(path, &mut h)?;
    }
    if let Some(repo) = &args.github {
        if let Some(warning) = secret::exposure(&auth) {
            eprintln!("warroom: warning: {warning}");
        }
        let github = github::GitHub::new(&args.github_api, repo, &args.environment, &auth)?;
        // The trend reaches back up to 13 weeks, whatever the window.
        let since = now - chrono::TimeDelta::days(args.window.max(91));
        for event in github.events(since).await? {
            h.add(event)?;
        }
    }
    // Last, so its rollbacks find the deployments the other sources gave.
    if let Some(path) = &args.audit_log {
        crate::audit::history::read_audit_rollbacks(path, args.service.as_deref(), &mut h)?;
    }
    let summary = h.summary(now, args.window);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", report::dora_text(&summary));
    }
    Ok(0)
}

/// `--github-api` passes the same check as a plan's sources: http or https,
/// no credentials in it, and a token over plain http only to this machine.
fn github_api(url: &str, auth: &Auth) -> Result<()> {
    let Err(problem) = check_url(url, *auth != Auth::None) else {
        return Ok(());
    };
    let hint = match problem {
        UrlProblem::Credentials => {
            "; give the token with --github-token-file or --github-token-env"
        }
        UrlProblem::ClearTextToken => ", or give no token",
        _ => "",
    };
    bail!("--github-api: {problem}{hint}")
}
