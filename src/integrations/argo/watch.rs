//! The source's tasks: one per region watches its Rollout (a list, then a
//! watch that resumes from the last resourceVersion and lists again when
//! that has expired) and reads it again in full every `interval`; one more
//! joins the regions into one report per change.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use k8s_openapi::api::apps::v1::ReplicaSet;
use kube::Api;
use kube::api::ListParams;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use tokio::sync::mpsc;

use super::ArgoRollouts;
use super::cluster::Connection;
use super::problem::{Problem, Request};
use super::status::{aggregate, region_view};
use super::wire::{self, Rollout};
use crate::config::plan::ArgoTarget;
use crate::domain::Timestamp;
use crate::domain::clock::Clock;
use crate::domain::source::{Polled, Report, SourceError, backoff};

/// One region's Rollout as last read, with its stable ReplicaSet's images.
struct Reading {
    rollout: Rollout,
    stable_images: Vec<String>,
    /// Why the stable images are not this reading's own, if they are not.
    note: Option<String>,
    /// The client's known credentials, masked in what the Rollout says.
    secrets: Arc<[String]>,
}

/// What a region's task sends to the joining task.
struct Update {
    region: usize,
    result: Result<Reading, String>,
    took: Duration,
}

/// Start the regions' tasks and the task that joins them.
pub fn spawn(source: Arc<ArgoRollouts>, clock: Arc<dyn Clock>, sink: mpsc::Sender<Polled>) {
    tokio::spawn(async move {
        let (updates_tx, mut updates) = mpsc::channel::<Update>(64);
        let mut tasks = tokio::task::JoinSet::new();
        for region in 0..source.targets.len() {
            tasks.spawn(region_task(source.clone(), region, updates_tx.clone()));
        }
        drop(updates_tx);
        let mut latest: Vec<Option<Result<Reading, String>>> =
            source.targets.iter().map(|_| None).collect();
        // The first report waits for every region, but not for ever.
        let first = tokio::time::sleep(source.timeout + Duration::from_secs(1));
        tokio::pin!(first);
        let mut waiting = true;
        loop {
            let took = tokio::select! {
                update = updates.recv() => match update {
                    Some(u) => {
                        let took = u.took;
                        if let Some(slot) = latest.get_mut(u.region) {
                            *slot = Some(u.result);
                        }
                        took
                    }
                    None => break,
                },
                () = &mut first, if waiting => {
                    waiting = false;
                    Duration::ZERO
                }
            };
            // A burst of changes becomes one report.
            while let Ok(u) = updates.try_recv() {
                if let Some(slot) = latest.get_mut(u.region) {
                    *slot = Some(u.result);
                }
            }
            if waiting && latest.iter().any(Option::is_none) {
                continue;
            }
            waiting = false;
            let at = clock.now();
            let notes = latest
                .iter()
                .flatten()
                .filter_map(|r| r.as_ref().ok()?.note.clone())
                .collect();
            let polled = Polled {
                at,
                took,
                result: report(&source, &latest, at),
                notes,
            };
            if sink.send(polled).await.is_err() {
                break;
            }
        }
        // Dropping the set ends the regions' tasks.
        drop(tasks);
    });
}

/// The whole rollout from the regions' latest readings, or every region
/// that has none to give.
fn report(
    source: &ArgoRollouts,
    latest: &[Option<Result<Reading, String>>],
    now: Timestamp,
) -> Result<Report, SourceError> {
    // Regions failing for the same reason are named together.
    let mut failures: Vec<(Vec<&ArgoTarget>, String)> = Vec::new();
    let mut views = Vec::new();
    for (target, reading) in source.targets.iter().zip(latest) {
        let why = match reading {
            Some(Ok(r)) => {
                let secrets: Vec<&str> = r.secrets.iter().map(String::as_str).collect();
                views.push(region_view(
                    &target.region,
                    target.label(),
                    &r.rollout,
                    &r.stable_images,
                    source.versions(),
                    &secrets,
                ));
                continue;
            }
            Some(Err(why)) => why.clone(),
            None => "no answer yet".to_string(),
        };
        match failures.iter_mut().find(|(_, w)| *w == why) {
            Some((targets, _)) => targets.push(target),
            None => failures.push((vec![target], why)),
        }
    }
    if !failures.is_empty() {
        let said: Vec<String> = failures
            .iter()
            .map(|(targets, why)| match targets.as_slice() {
                [one] => format!("{} ({}): {why}", one.region, one.label()),
                many => {
                    let regions: Vec<&str> = many.iter().map(|t| t.region.as_str()).collect();
                    format!("{}: {why}", regions.join(", "))
                }
            })
            .collect();
        return Err(SourceError(said.join("; ")));
    }
    Ok(Report::Rollout(aggregate(&views, &source.waves, now)))
}

/// How a watch ended.
enum Ended {
    /// The app is gone.
    Gone,
    /// The client must be built again (credentials refused, stream closed).
    Reconnect,
}

async fn region_task(source: Arc<ArgoRollouts>, region: usize, out: mpsc::Sender<Update>) {
    let Some(target) = source.targets.get(region).cloned() else {
        return;
    };
    let mut failures: u32 = 0;
    let mut images = StableImages::default();
    loop {
        let started = Instant::now();
        let connected =
            tokio::time::timeout(source.timeout, source.clusters.connect(&target)).await;
        let why = match connected {
            Ok(Ok(conn)) => {
                let watch = RegionWatch {
                    source: &source,
                    target: &target,
                    conn,
                    region,
                    out: &out,
                };
                match watch.run(&mut images, &mut failures).await {
                    Ended::Gone => return,
                    Ended::Reconnect => {
                        source.clusters.forget(&target).await;
                        failures += 1;
                        tokio::time::sleep(backoff(Duration::from_secs(1), failures)).await;
                        continue;
                    }
                }
            }
            Ok(Err(why)) => why,
            Err(_) => format!(
                "no answer within {:?} while setting up the client",
                source.timeout
            ),
        };
        let update = Update {
            region,
            result: Err(why),
            took: started.elapsed(),
        };
        if out.send(update).await.is_err() {
            return;
        }
        failures += 1;
        tokio::time::sleep(backoff(Duration::from_secs(2), failures)).await;
    }
}

/// One region's watch over one client.
struct RegionWatch<'a> {
    source: &'a ArgoRollouts,
    target: &'a ArgoTarget,
    conn: Connection,
    region: usize,
    out: &'a mpsc::Sender<Update>,
}

impl RegionWatch<'_> {
    fn request(&self, verb: &'static str, name: bool) -> Request<'_> {
        Request {
            verb,
            resource: "rollouts",
            namespace: &self.conn.namespace,
            name: name.then_some(self.target.rollout.as_str()),
            context: &self.conn.context,
        }
    }

    /// Watch until the app is gone or the client must be built again;
    /// `failures` starts again from zero once the Rollout is read.
    async fn run(&self, images: &mut StableImages, failures: &mut u32) -> Ended {
        let api: Api<Rollout> = Api::namespaced_with(
            self.conn.client.clone(),
            &self.conn.namespace,
            &wire::resource(),
        );
        let config =
            watcher::Config::default().fields(&format!("metadata.name={}", self.target.rollout));
        let mut events = watcher::watcher(api.clone(), config)
            .default_backoff()
            .boxed();
        let interval = self.source.interval;
        let mut resync = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        resync.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut listed = false;
        loop {
            // How long the answer took: a resync's GET, a watch event's
            // handling; never the quiet time waiting for an event.
            let mut started = None;
            let (result, reconnect) = tokio::select! {
                event = events.next() => match event {
                    None => return Ended::Reconnect,
                    Some(Ok(Event::Init)) => {
                        listed = false;
                        continue;
                    }
                    Some(Ok(Event::InitApply(ro))) => {
                        listed = true;
                        (Ok(ro), false)
                    }
                    Some(Ok(Event::Apply(ro))) => (Ok(ro), false),
                    Some(Ok(Event::InitDone)) if listed => continue,
                    Some(Ok(Event::InitDone)) => {
                        let missing = Problem::Status { code: 404, message: String::new() };
                        (Err(missing.words(&self.request("get", true))), false)
                    }
                    Some(Ok(Event::Delete(_))) => {
                        (Err(format!("the Rollout {} was deleted", self.target.rollout)), false)
                    }
                    Some(Err(e)) => {
                        let verb = match e {
                            watcher::Error::InitialListFailed(_) => "list",
                            _ => "watch",
                        };
                        let problem = Problem::from_watcher(&e, &self.conn.secrets());
                        let refused = problem.code() == Some(401);
                        (Err(problem.words(&self.request(verb, false))), refused)
                    }
                },
                _ = resync.tick() => {
                    started = Some(Instant::now());
                    let got = tokio::time::timeout(self.source.timeout, api.get(&self.target.rollout)).await;
                    let fetched = match got {
                        Ok(Ok(ro)) => Ok(ro),
                        Ok(Err(e)) => Err(Problem::from_kube(&e, &self.conn.secrets())),
                        Err(_) => Err(Problem::Timeout(self.source.timeout)),
                    };
                    match fetched {
                        Ok(ro) => (Ok(ro), false),
                        Err(p) => {
                            let refused = p.code() == Some(401);
                            (Err(p.words(&self.request("get", true))), refused)
                        }
                    }
                }
            };
            let started = started.unwrap_or_else(Instant::now);
            let result = match result {
                Ok(ro) => {
                    *failures = 0;
                    Ok(self.reading(ro, images).await)
                }
                Err(why) => Err(why),
            };
            let update = Update {
                region: self.region,
                result,
                took: started.elapsed(),
            };
            if self.out.send(update).await.is_err() {
                return Ended::Gone;
            }
            if reconnect {
                return Ended::Reconnect;
            }
        }
    }

    /// The Rollout with its stable ReplicaSet's images, read once per
    /// stable ReplicaSet. When they cannot be listed (no `list replicasets`
    /// right, say) the region is still shown, with the last stable images
    /// known and a note saying why they are not read.
    async fn reading(&self, rollout: Rollout, known: &mut StableImages) -> Reading {
        let status = rollout.status.clone().unwrap_or_default();
        let stable = status.stable_rs;
        let secrets = self.conn.secrets.clone();
        let plain = |rollout, stable_images| Reading {
            rollout,
            stable_images,
            note: None,
            secrets: secrets.clone(),
        };
        if stable.is_empty() {
            return plain(rollout, Vec::new());
        }
        if stable == status.current_pod_hash {
            // Nothing in flight: the template is the stable ReplicaSet's.
            let template = wire::images(rollout.spec.template.as_ref());
            if !template.is_empty() {
                known.learn(&stable, template);
            }
            return plain(rollout, Vec::new());
        }
        if let Some(images) = known.by_hash.get(&stable) {
            let images = images.clone();
            return plain(rollout, images);
        }
        let why = match known.failed.as_ref() {
            // Asked lately and refused: not asked again before the next resync.
            Some((hash, at, why)) if *hash == stable && at.elapsed() < self.source.interval => {
                why.clone()
            }
            _ => match self.list_stable(&stable).await {
                Ok(found) => {
                    known.learn(&stable, found.clone());
                    known.failed = None;
                    return plain(rollout, found);
                }
                Err(why) => {
                    known.failed = Some((stable.clone(), Instant::now(), why.clone()));
                    why
                }
            },
        };
        let kept = if known.last.is_empty() {
            "its image is not known"
        } else {
            "the last stable image known is shown"
        };
        Reading {
            stable_images: known.last.clone(),
            note: Some(format!(
                "{}: stable ReplicaSet {stable} not listed ({why}); {kept}",
                self.target.region
            )),
            rollout,
            secrets,
        }
    }

    /// The images of the ReplicaSet whose pod template hash is `stable`.
    async fn list_stable(&self, stable: &str) -> Result<Vec<String>, String> {
        let api: Api<ReplicaSet> = Api::namespaced(self.conn.client.clone(), &self.conn.namespace);
        let params = ListParams::default().labels(&format!("{}={stable}", wire::POD_TEMPLATE_HASH));
        let request = Request {
            name: None,
            resource: "replicasets",
            ..self.request("list", false)
        };
        match tokio::time::timeout(self.source.timeout, api.list(&params)).await {
            Ok(Ok(list)) => Ok(list
                .items
                .first()
                .map(|rs| wire::images(rs.spec.template.as_ref()))
                .unwrap_or_default()),
            // The server's words, made safe: they reach the screen.
            Ok(Err(e)) => Err(Problem::from_kube(&e, &self.conn.secrets()).words(&request)),
            Err(_) => Err(Problem::Timeout(self.source.timeout).words(&request)),
        }
    }
}

/// What one region knows of its stable ReplicaSets' images.
#[derive(Default)]
struct StableImages {
    by_hash: HashMap<String, Vec<String>>,
    /// The images of the latest stable ReplicaSet read, whichever it was.
    last: Vec<String>,
    /// The last listing that failed: for which hash, when, and why.
    failed: Option<(String, Instant, String)>,
}

impl StableImages {
    /// `images` are those of the ReplicaSet `hash`; an empty list (none
    /// found) is kept too, so it is not asked again, but is no stable image.
    fn learn(&mut self, hash: &str, images: Vec<String>) {
        if !images.is_empty() {
            self.last.clone_from(&images);
        }
        self.by_hash.insert(hash.to_string(), images);
    }
}
