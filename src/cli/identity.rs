//! Who is at the keys: the name recorded in the audit log.

use anyhow::{Result, bail};

/// `given`, else the login name from the environment, else the account that
/// owns this process; checked to be a plain short name.
pub fn operator(given: Option<&str>) -> Result<String> {
    let env = |name| std::env::var(name).ok().filter(|s: &String| !s.is_empty());
    let name = given
        .map(str::to_string)
        .or_else(|| env("USER"))
        .or_else(|| env("LOGNAME"))
        .or_else(account_name)
        .unwrap_or_else(|| "unknown".to_string());
    check_operator(&name)?;
    Ok(name)
}

/// An operator's name goes to the screen and the audit log: plain and short.
fn check_operator(name: &str) -> Result<()> {
    if name.chars().any(char::is_control) || name.chars().count() > 100 {
        bail!("--operator must be a plain name of at most 100 characters");
    }
    Ok(())
}

/// The name of this process's user from /proc and /etc/passwd, without libc.
fn account_name() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid).then(|| name.to_string())
    })
}
