//! `warroom drill facilitate`: the facilitator's seat on a running drill, in
//! a second terminal. It speaks to the drill's control socket only (JSON
//! lines, docs/drills.md "Facilitating"), asks for the script every second,
//! and sends what the facilitator's keys ask for.

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};

use super::args::FacilitateArgs;
use super::paths;
use crate::domain::drill::control::{self, ANSWER_LIMIT, Answer, Request};
use crate::ui::facilitator::{self, FacilitatorScreen, Note, Press, SeatCommand, seat_command};

/// How often the seat asks for the script.
const REFRESH: Duration = Duration::from_secs(1);
/// The longest the seat waits on one answer before calling the drill gone.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(2);

/// Connect to the running drill's control socket and show its script.
pub fn run(args: &FacilitateArgs) -> Result<i32> {
    let path = paths::drill_socket(args.socket.as_deref())?;
    let mut link = Link::new(path.clone());
    let first = link.ask(&Request::View).map_err(|e| {
        anyhow::anyhow!(
            "no drill answers on {} ({e}): start one with `warroom drill` in another terminal first, or pass --socket PATH",
            path.display()
        )
    })?;
    if !std::io::stdout().is_terminal() {
        bail!("the facilitator's seat needs a terminal");
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (themes, start) = crate::ui::theme::resolve(None, no_color)?;
    let theme = themes
        .into_iter()
        .nth(start)
        .context("no theme to draw the seat with")?;
    let mut screen = FacilitatorScreen {
        socket: path.display().to_string(),
        script: None,
        selected: 0,
        ended: false,
        note: None,
    };
    heard(&mut screen, Ok(first), None);

    let mut terminal = ratatui::try_init().context("cannot set up the terminal")?;
    let result = seat(&mut terminal, &mut screen, &mut link, &theme);
    let _ = terminal.clear();
    ratatui::try_restore().context("cannot restore the terminal")?;
    result?;
    Ok(0)
}

/// The seat's loop: draw, wait for a key or the next refresh, act.
fn seat(
    terminal: &mut ratatui::DefaultTerminal,
    screen: &mut FacilitatorScreen,
    link: &mut Link,
    theme: &crate::ui::theme::Theme,
) -> Result<()> {
    let mut next = Instant::now() + REFRESH;
    loop {
        terminal.draw(|f| facilitator::draw(f, screen, theme))?;
        let wait = next.saturating_duration_since(Instant::now());
        if event::poll(wait)? {
            let Event::Key(key) = event::read()? else {
                continue;
            };
            if key.kind != KeyEventKind::Press {
                continue;
            }
            if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
                return Ok(());
            }
            let press = match key.code {
                KeyCode::Up => Press::Up,
                KeyCode::Down => Press::Down,
                KeyCode::Char(c) => Press::Char(c),
                _ => continue,
            };
            match seat_command(press) {
                Some(SeatCommand::Quit) => return Ok(()),
                Some(command) => act(screen, link, command),
                None => {}
            }
        } else {
            let answer = link.ask(&Request::View);
            heard(screen, answer, None);
            next = Instant::now() + REFRESH;
        }
    }
}

/// Carry out one of the facilitator's commands.
fn act(screen: &mut FacilitatorScreen, link: &mut Link, command: SeatCommand) {
    let count = screen.script.as_ref().map_or(0, |s| s.injections.len());
    let selected = screen
        .script
        .as_ref()
        .and_then(|s| s.injections.get(screen.selected))
        .map(|i| i.id.clone());
    let paused = screen.script.as_ref().is_some_and(|s| s.paused);
    let (request, done) = match (command, selected) {
        (SeatCommand::Up, _) => {
            screen.selected = screen.selected.saturating_sub(1);
            return;
        }
        (SeatCommand::Down, _) => {
            screen.selected = (screen.selected + 1).min(count.saturating_sub(1));
            return;
        }
        (SeatCommand::Quit, _) => return,
        (SeatCommand::Inject, Some(id)) => {
            (Request::Inject { id: id.clone() }, format!("injected {id}"))
        }
        (SeatCommand::Clear, Some(id)) => {
            (Request::Clear { id: id.clone() }, format!("cleared {id}"))
        }
        (SeatCommand::Inject | SeatCommand::Clear, None) => {
            screen.note = Some(Note::Refused("no injection selected".into()));
            return;
        }
        (SeatCommand::PauseClock, _) if paused => (Request::Resume, "drill clock running".into()),
        (SeatCommand::PauseClock, _) => (Request::Pause, "drill clock paused".into()),
    };
    let answer = link.ask(&request);
    heard(screen, answer, Some(done));
}

/// Take in what the drill answered (or that it did not): the script, the
/// note on the request, or that the drill ended.
fn heard(screen: &mut FacilitatorScreen, answer: Result<Answer, String>, done: Option<String>) {
    match answer {
        Ok(Answer::Done(script)) => {
            screen.ended = false;
            screen.selected = screen
                .selected
                .min(script.injections.len().saturating_sub(1));
            screen.script = Some(script);
            if let Some(done) = done {
                screen.note = Some(Note::Done(done));
            }
        }
        Ok(Answer::Refused(why)) => screen.note = Some(Note::Refused(why)),
        Err(_) => {
            screen.ended = true;
            screen.note = None;
        }
    }
}

/// The seat's connection to the drill, made again when it breaks (a
/// drill that ended and another that started on the same socket).
struct Link {
    path: PathBuf,
    stream: Option<BufReader<UnixStream>>,
}

impl Link {
    fn new(path: PathBuf) -> Link {
        Link { path, stream: None }
    }

    /// One request, one answer; any failure drops the connection.
    fn ask(&mut self, request: &Request) -> Result<Answer, String> {
        let result = self.try_ask(request);
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    fn try_ask(&mut self, request: &Request) -> Result<Answer, String> {
        if self.stream.is_none() {
            self.stream = Some(BufReader::new(connect(&self.path)?));
        }
        let Some(stream) = self.stream.as_mut() else {
            return Err("not connected".into());
        };
        stream
            .get_mut()
            .write_all(control::request_line(request).as_bytes())
            .map_err(|e| e.to_string())?;
        let mut line = Vec::new();
        let limit = (ANSWER_LIMIT + 1) as u64;
        let read = stream
            .by_ref()
            .take(limit)
            .read_until(b'\n', &mut line)
            .map_err(|e| e.to_string())?;
        if read == 0 {
            return Err("the drill hung up".into());
        }
        control::parse_answer(&line)
    }
}

fn connect(path: &Path) -> Result<UnixStream, String> {
    let stream = UnixStream::connect(path).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(ANSWER_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(ANSWER_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    Ok(stream)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::domain::Span;
    use crate::domain::clock::{Clock, ManualClock};
    use crate::domain::drill::scenario::{FleetChoice, Scenario};
    use crate::runtime::facilitate::serve;
    use crate::sim::drill::DrillHandle;

    fn handle() -> DrillHandle {
        let scenario = Scenario {
            name: "dead-metrics".into(),
            title: String::new(),
            briefing: String::new(),
            fleet: FleetChoice::Demo,
            seed: 7,
            pace: Span::seconds(30),
            injections: Vec::new(),
            expect: Vec::new(),
            forbid: Vec::new(),
            objectives: Vec::new(),
            comms: None,
        };
        DrillHandle::new(scenario, chrono::Utc::now())
    }

    #[test]
    fn the_seat_hears_the_drill_says_when_it_ends_and_finds_the_next() {
        let dir = std::env::temp_dir().join(format!("wr-seat-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("drill.sock");
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(chrono::Utc::now()));
        let drill = serve(handle(), clock.clone(), path.clone()).unwrap();
        let mut link = Link::new(path.clone());
        let mut screen = FacilitatorScreen {
            socket: path.display().to_string(),
            script: None,
            selected: 3,
            ended: false,
            note: None,
        };
        let answer = link.ask(&Request::View);
        heard(&mut screen, answer, None);
        assert_eq!(screen.script.as_ref().unwrap().scenario, "dead-metrics");
        assert_eq!(screen.selected, 0, "the cursor stays on the script");
        assert!(!screen.ended);

        act(&mut screen, &mut link, SeatCommand::Inject);
        assert_eq!(
            screen.note,
            Some(Note::Refused("no injection selected".into()))
        );

        drop(drill);
        let answer = link.ask(&Request::View);
        heard(&mut screen, answer, None);
        assert!(screen.ended, "the drill is gone");

        let _next = serve(handle(), clock, path).unwrap();
        let answer = link.ask(&Request::View);
        heard(&mut screen, answer, None);
        assert!(!screen.ended, "the seat found the next drill");
    }
}
