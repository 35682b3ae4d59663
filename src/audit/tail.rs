//! Follows the audit log while the dashboard runs, so that what another
//! process records there — `warroom scorecard set` from a colleague's
//! terminal, a second dashboard's rollback or annotation — reaches this screen too. Each
//! new record is verified against the one before it; a log that stops
//! checking out is reported once, and nothing more from it counts.

use std::time::Duration;

use tokio::sync::mpsc;

use super::entry::Mode;
use super::reader::{Follower, Look};
use super::recall::{Recalled, recall};

/// What the tail has to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followed {
    /// New settings, rehearsals and annotations of the service.
    Recalled(Recalled),
    /// The log no longer verifies: why.
    Broken(String),
}

/// Look at the log every `every`, on from where `follower` stands (the
/// start-up reading's end, so that nothing recorded since is missed), and
/// report what is new for `service` on `tx`, as a screen in `mode` counts
/// it (see `recall`).
pub fn spawn(
    mut follower: Follower,
    service: String,
    mode: Option<Mode>,
    every: Duration,
    tx: mpsc::Sender<Followed>,
) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            let looked = tokio::task::spawn_blocking(move || {
                let look = follower.look();
                (follower, look)
            })
            .await;
            let Ok((back, look)) = looked else {
                break;
            };
            follower = back;
            let news = match look {
                Look::Appended(entries) => {
                    let recalled = recall(&entries, &service, mode);
                    if recalled == Recalled::default() {
                        continue;
                    }
                    Followed::Recalled(recalled)
                }
                Look::Broken(why) => Followed::Broken(why),
            };
            if tx.send(news).await.is_err() {
                break;
            }
        }
    });
}
