//! The running drill's control socket: the facilitator's seat, in another
//! terminal, reads the script and injects, clears and pauses through it.
//! A Unix socket only its owner may open (mode 0600), JSON lines, one
//! request, one answer (`domain::drill::control`). Nothing of it reaches
//! the participants' screen: it speaks to the drill's script, never to the
//! app.

use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use crate::domain::Timestamp;
use crate::domain::clock::Clock;
use crate::domain::drill::control::{
    self, Answer, REQUEST_LIMIT, Request, Script, Scripted, Stage,
};
use crate::sim::drill::{DrillHandle, InjectionState, ScriptView};

/// A seat that asks nothing for this long is let go.
const IDLE: Duration = Duration::from_secs(60);
/// The longest an answer may wait on a seat that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// What the facilitator may do to a running drill: what `DrillHandle` does.
pub trait Controls: Clone + Send + Sync + 'static {
    fn view(&self, now: Timestamp) -> ScriptView;
    fn inject_now(&self, id: &str, now: Timestamp) -> Result<(), String>;
    fn clear(&self, id: &str, now: Timestamp) -> Result<(), String>;
    fn pause_clock(&self, paused: bool, now: Timestamp);
}

impl Controls for DrillHandle {
    fn view(&self, now: Timestamp) -> ScriptView {
        DrillHandle::view(self, now)
    }
    fn inject_now(&self, id: &str, now: Timestamp) -> Result<(), String> {
        DrillHandle::inject_now(self, id, now)
    }
    fn clear(&self, id: &str, now: Timestamp) -> Result<(), String> {
        DrillHandle::clear(self, id, now)
    }
    fn pause_clock(&self, paused: bool, now: Timestamp) {
        DrillHandle::pause_clock(self, paused, now)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "another drill is running: its control socket {0} answers; end that drill first, or facilitate it with `warroom drill facilitate`"
    )]
    Running(PathBuf),
    #[error("{0} exists and is not a socket: move it away or remove it")]
    NotSocket(PathBuf),
    #[error("cannot open the drill's control socket {0}")]
    Bind(PathBuf, #[source] std::io::Error),
}

/// The control socket while it is open; closed and removed when dropped.
#[derive(Debug)]
pub struct Facilitator {
    path: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Facilitator {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Facilitator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Open the control socket of `drill` at `path` and answer on it until the
/// returned guard is dropped. A stale socket (a drill that died) is
/// replaced; a live one is refused. It answers from a thread of its own,
/// so a dashboard busy drawing or starting never keeps the seat waiting.
pub fn serve<D: Controls>(
    drill: D,
    clock: Arc<dyn Clock>,
    path: PathBuf,
) -> Result<Facilitator, ServeError> {
    make_room(&path)?;
    let bind = |e| ServeError::Bind(path.clone(), e);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(bind)?;
    let std_listener = std::os::unix::net::UnixListener::bind(&path).map_err(bind)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(bind)?;
    std_listener.set_nonblocking(true).map_err(bind)?;
    let listener = {
        let _inside = runtime.enter();
        UnixListener::from_std(std_listener).map_err(bind)?
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("drill-control".into())
        .spawn(move || {
            runtime.block_on(async move {
                tokio::select! {
                    () = accept(listener, drill, clock) => {}
                    _ = stopped => {}
                }
            });
        })
        .map_err(bind)?;
    tracing::info!(socket = %path.display(), "drill control socket open");
    Ok(Facilitator {
        path,
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// Clear the way for a socket at `path`: its folder made (owner only), a
/// stale socket removed, a live one or anything else refused.
fn make_room(path: &Path) -> Result<(), ServeError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| ServeError::Bind(path.to_path_buf(), e))?;
    }
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(ServeError::Bind(path.to_path_buf(), e)),
    };
    if !meta.file_type().is_socket() {
        return Err(ServeError::NotSocket(path.to_path_buf()));
    }
    if std::os::unix::net::UnixStream::connect(path).is_ok() {
        return Err(ServeError::Running(path.to_path_buf()));
    }
    tracing::info!(socket = %path.display(), "replacing a stale drill control socket");
    std::fs::remove_file(path).map_err(|e| ServeError::Bind(path.to_path_buf(), e))
}

async fn accept<D: Controls>(listener: UnixListener, drill: D, clock: Arc<dyn Clock>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(converse(stream, drill.clone(), clock.clone()));
            }
            Err(e) => {
                tracing::warn!(error = %e, "drill control socket: accept failed");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// Answer one seat's requests, a line each, until it hangs up, idles, or
/// sends a line past the cap (answered, then let go: the rest of that line
/// cannot be told from the next request).
async fn converse<D: Controls>(stream: UnixStream, drill: D, clock: Arc<dyn Clock>) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut line = Vec::new();
    loop {
        line.clear();
        let cap = (REQUEST_LIMIT + 1) as u64;
        let mut capped = (&mut read).take(cap);
        match tokio::time::timeout(IDLE, capped.read_until(b'\n', &mut line)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
            Ok(Ok(_)) => {}
        }
        let answer = respond(&drill, clock.now(), &line);
        let over = line.len() > REQUEST_LIMIT;
        let text = control::answer_line(&answer);
        let sent = tokio::time::timeout(WRITE_TIMEOUT, write.write_all(text.as_bytes())).await;
        if !matches!(sent, Ok(Ok(()))) || over {
            return;
        }
    }
}

/// The answer to one request `line` at `now`.
pub fn respond<D: Controls>(drill: &D, now: Timestamp, line: &[u8]) -> Answer {
    let request = match control::parse_request(line) {
        Ok(r) => r,
        Err(why) => return Answer::Refused(why),
    };
    let done = match &request {
        Request::View => Ok(()),
        Request::Inject { id } => drill.inject_now(id, now),
        Request::Clear { id } => drill.clear(id, now),
        Request::Pause => {
            drill.pause_clock(true, now);
            Ok(())
        }
        Request::Resume => {
            drill.pause_clock(false, now);
            Ok(())
        }
    };
    if request != Request::View {
        tracing::info!(?request, outcome = ?done, "facilitator");
    }
    match done {
        Ok(()) => Answer::Done(script(&drill.view(now), now)),
        Err(why) => Answer::Refused(why),
    }
}

/// The script as it travels to the seat.
pub fn script(view: &ScriptView, now: Timestamp) -> Script {
    Script {
        scenario: view.scenario.clone(),
        clock: view.clock.num_seconds(),
        paused: view.paused,
        now,
        injections: view
            .injections
            .iter()
            .map(|i| {
                let (stage, due) = match i.state {
                    InjectionState::Pending { due } => {
                        (Stage::Pending, due.map(|d| d.num_seconds()))
                    }
                    InjectionState::Active => (Stage::Active, None),
                    InjectionState::Ended => (Stage::Ended, None),
                };
                Scripted {
                    id: i.id.clone(),
                    summary: i.summary.clone(),
                    stage,
                    due,
                    started: i.started,
                    ended: i.ended,
                    failed_requests: i.failed_requests,
                }
            })
            .collect(),
    }
}

#[cfg(test)]
#[path = "facilitate_tests.rs"]
mod tests;
