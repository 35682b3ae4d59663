//! `warroom sim --listen` on an address other machines can reach warns that
//! the simulator's control endpoints have no authentication; on loopback it
//! says nothing of the kind.

#![allow(clippy::expect_used)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

/// Start the simulator on `addr`, wait for its banner, stop it, and return
/// what it wrote on stderr.
fn stderr_of_sim(addr: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["sim", "--listen", addr])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("warroom sim starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut banner = String::new();
    BufReader::new(stdout)
        .read_line(&mut banner)
        .expect("the banner is read");
    assert!(banner.contains("warroom sim:"), "{banner}");
    child.kill().expect("the simulator stops");
    let _ = child.wait();
    let mut err = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        stderr.read_to_string(&mut err).expect("stderr is read");
    }
    err
}

#[test]
fn a_reachable_address_is_warned_of_and_loopback_is_not() {
    let open = stderr_of_sim("0.0.0.0:0");
    assert!(
        open.contains("no authentication") && open.contains("reachable from other machines"),
        "{open}"
    );
    let local = stderr_of_sim("127.0.0.1:0");
    assert!(!local.contains("no authentication"), "{local}");
}
