//! Logs go to a file, never to the screen the dashboard draws on. The file
//! and its folder are the operator's alone (0600, 0700), like the audit log.

use std::fs::OpenOptions;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub fn init(path: &Path, level: tracing::Level) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // Never through a link: the log is appended to, so a link would send
    // it into another file.
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .with_context(|| format!("cannot open log file {}", path.display()))?;
    // A log made before it was kept to its owner is kept so from now on.
    let private = std::fs::Permissions::from_mode(0o600);
    file.set_permissions(private)
        .with_context(|| format!("cannot make {} private", path.display()))?;
    // The libraries under the integrations log the servers' raw words at
    // debug level; only warroom's own, made safe, go to the file below warn.
    let filter = Targets::new()
        .with_default(level)
        .with_target("kube", level.min(tracing::Level::WARN))
        .with_target("kube_client", level.min(tracing::Level::WARN))
        .with_target("kube_runtime", level.min(tracing::Level::WARN))
        .with_target("hyper", level.min(tracing::Level::WARN))
        .with_target("hyper_util", level.min(tracing::Level::WARN))
        .with_target("reqwest", level.min(tracing::Level::WARN))
        .with_target("rustls", level.min(tracing::Level::WARN))
        .with_target("h2", level.min(tracing::Level::WARN));
    let writer = tracing_subscriber::fmt::layer()
        .with_writer(Mutex::new(file))
        .with_ansi(false);
    tracing_subscriber::registry()
        .with(writer)
        .with(filter)
        .init();
    Ok(())
}
