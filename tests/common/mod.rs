//! Helpers shared by the tests that drive real programs.

#![allow(dead_code)]
// Test support: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Whether `program` can run. When it cannot: under `CI=true` the test fails,
/// elsewhere it says clearly that it was skipped and why.
pub fn require(program: &str, version_flag: &str, test: &str) -> bool {
    let found = Command::new(program)
        .arg(version_flag)
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return true;
    }
    let why = format!("{program} is not on PATH (install it: apt-get install {program})");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: {why}; CI=true, so this is a failure, not a skip");
    }
    eprintln!("SKIPPED {test}: {why}");
    false
}

/// The warroom binary run with `args`, with no audit key from the
/// environment unless `key` names one: its exit code and all it printed.
pub fn warroom_run(args: &[&str], key: Option<&std::path::Path>) -> (Option<i32>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_warroom"));
    command.args(args).env_remove("WARROOM_AUDIT_KEY_FILE");
    if let Some(key) = key {
        command.env("WARROOM_AUDIT_KEY_FILE", key);
    }
    let out = command.output().unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code(), text)
}

/// The simulator's plan, as the examples ship it.
pub fn simulator_plan() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml")
}

/// `warroom scorecard set` of `item` to `status` for the simulator's plan,
/// into `log`, by operator pat.
pub fn scorecard_set(
    log: &std::path::Path,
    item: &str,
    status: &str,
    key: Option<&std::path::Path>,
) -> (Option<i32>, String) {
    let plan = simulator_plan();
    let args = [
        "scorecard",
        "set",
        "--plan",
        plan.to_str().unwrap(),
        "--audit-log",
        log.to_str().unwrap(),
        "--operator",
        "pat",
        item,
        status,
        "--note",
        "on record",
    ];
    warroom_run(&args, key)
}

/// `warroom scorecard show` for the simulator's plan from `log`: what it printed.
pub fn scorecard_show(log: &std::path::Path) -> String {
    let plan = simulator_plan();
    let args = [
        "scorecard",
        "show",
        "--plan",
        plan.to_str().unwrap(),
        "--audit-log",
        log.to_str().unwrap(),
    ];
    warroom_run(&args, None).1
}

/// A fresh, empty directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("warroom-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A tmux server of our own (its own socket) running one shell in a pane.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn start(name: &str, width: u16, height: u16) -> Tmux {
        let tmux = Tmux {
            socket: format!("warroom-{name}-{}", std::process::id()),
        };
        let _ = tmux.run(&["kill-server"]);
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "env -i PATH=/usr/bin:/bin HOME=/tmp TERM=xterm-256color bash --norc --noprofile",
        ]);
        assert!(
            out.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap()
    }

    /// Any tmux command on this server; its standard output.
    pub fn command(&self, args: &[&str]) -> String {
        String::from_utf8_lossy(&self.run(args).stdout).into_owned()
    }

    /// Type `text` and press Enter.
    pub fn type_line(&self, text: &str) {
        self.run(&["send-keys", "-t", "t", "-l", text]);
        self.run(&["send-keys", "-t", "t", "Enter"]);
    }

    /// Press keys by tmux name (`p`, `Escape`, `C-c`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Paste `text` as a terminal does: wrapped in bracketed-paste markers
    /// when the program in the pane asked for them, as raw keys otherwise.
    pub fn paste(&self, text: &str) {
        self.run(&["set-buffer", "--", text]);
        self.run(&["paste-buffer", "-p", "-d", "-t", "t"]);
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    /// A tmux format value for the pane, e.g. `#{alternate_on}`.
    pub fn pane(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", "t", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn resize(&self, width: u16, height: u16) {
        self.run(&[
            "resize-window",
            "-t",
            "t",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
    }

    /// Poll the screen until `ready` holds or `limit` passes; the last screen
    /// either way.
    pub fn wait_for(
        &self,
        limit: Duration,
        ready: impl Fn(&str) -> bool,
    ) -> Result<String, String> {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return Ok(screen);
            }
            if Instant::now() > deadline {
                return Err(screen);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Like `wait_for`, failing the test with the screen when it times out.
    pub fn expect(&self, what: &str, limit: Duration, ready: impl Fn(&str) -> bool) -> String {
        match self.wait_for(limit, ready) {
            Ok(screen) => screen,
            Err(screen) => panic!("timed out waiting for {what}; the screen was:\n{screen}"),
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// A free TCP port on loopback (free when asked; good enough for tests).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `warroom sim` on a free port, killed when dropped.
pub struct SimProcess {
    child: std::process::Child,
    pub addr: String,
}

impl SimProcess {
    pub fn start(bin: &str, scenario: &str) -> SimProcess {
        use std::io::BufRead;
        let mut child = Command::new(bin)
            .args(["sim", "--listen", "127.0.0.1:0", "--scenario", scenario])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in `{line}`"))
            .to_string();
        SimProcess { child, addr }
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real Prometheus on a free loopback port, scraping `target` every second,
/// with its data in a temporary directory. Killed when dropped.
pub struct Prometheus {
    child: Option<std::process::Child>,
    pub port: u16,
    dir: PathBuf,
}

impl Prometheus {
    pub fn start(name: &str, target: &str) -> Prometheus {
        let dir = temp_dir(&format!("prom-{name}"));
        let config = format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: sim\n    static_configs:\n      - targets: [\"{target}\"]\n"
        );
        std::fs::write(dir.join("prometheus.yml"), config).unwrap();
        let mut p = Prometheus {
            child: None,
            port: free_port(),
            dir,
        };
        p.launch();
        p
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn launch(&mut self) {
        let log = std::fs::File::create(self.dir.join("prometheus.log")).unwrap();
        let child = Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                self.dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                self.dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{}", self.port))
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start again on the same port and data.
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("prometheus.log")).unwrap_or_default()
    }

    /// How many scrapes of the simulator it holds from the last minute.
    pub async fn scrapes(&self) -> usize {
        let url = format!("{}/api/v1/query", self.url());
        let answer = async {
            let body = reqwest::Client::new()
                .post(&url)
                .form(&[("query", "count_over_time(up[1m])")])
                .send()
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            let v: serde_json::Value = serde_json::from_str(&body).ok()?;
            v["data"]["result"][0]["value"][1].as_str()?.parse().ok()
        };
        answer.await.unwrap_or(0)
    }
}

/// The simulator example pointed at this test's Prometheus and simulator,
/// with 10 s windows, 1 s polls and 2 s holds, so that a test runs in
/// seconds.
pub fn fast_simulator_plan(prometheus: &str, sim: &str) -> String {
    std::fs::read_to_string(simulator_plan())
        .unwrap()
        .replace("http://127.0.0.1:9090", prometheus)
        .replace("http://127.0.0.1:9464", &format!("http://{sim}"))
        .replace("[30s]", "[10s]")
        .replace("for = \"15s\"", "for = \"2s\"")
        .replace("interval = \"2s\"", "interval = \"1s\"")
        .replace("timeout = \"1500ms\"", "timeout = \"900ms\"")
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The dashboard drawn from `state` at `width` × `height` in the first
/// built-in theme, as lines of text.
pub fn screen(state: &warroom::app::state::AppState, width: u16, height: u16) -> String {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let themes = warroom::ui::theme::resolve(None, false)
        .map(|(t, _)| t)
        .unwrap();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| warroom::ui::draw(f, state, &themes[0]))
        .unwrap();
    let buf = terminal.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
