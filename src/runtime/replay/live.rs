//! The replay on a terminal: the replay keys, playing at the recorded pace
//! times the speed, and drawing. No source, executor or notifier exists
//! here: nothing a replayed message asks for can be carried out.

use std::io;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind};
use ratatui::Terminal;
use ratatui::backend::Backend;

use super::keys::{self, Control};
use super::screen::{self, Bar};
use super::{MarkKind, Player};
use crate::domain::Timestamp;
use crate::ui::theme::Theme;

/// A replay and how it is being watched.
pub struct Controller {
    pub player: Player,
    pub bar: Bar,
    /// When the next message is due while playing.
    due: Option<Instant>,
}

/// What a key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Go,
    Quit,
}

impl Controller {
    pub fn new(player: Player) -> Controller {
        Controller {
            player,
            bar: Bar {
                speed: 1,
                ..Bar::default()
            },
            due: None,
        }
    }

    /// Handle one key: a replay control, the time being typed after `g`,
    /// or a refusal.
    pub fn key(&mut self, key: &KeyEvent) -> Outcome {
        if let Some(typed) = &mut self.bar.typing {
            match key.code {
                KeyCode::Enter => {
                    let typed = typed.clone();
                    self.bar.typing = None;
                    self.go_to(&typed);
                }
                KeyCode::Esc => self.bar.typing = None,
                KeyCode::Backspace => {
                    typed.pop();
                }
                KeyCode::Char(c) if typed.len() < 32 => typed.push(c),
                _ => {}
            }
            return Outcome::Go;
        }
        self.bar.says = None;
        let Some(control) = keys::control(key) else {
            self.bar.says = Some(keys::refusal(key));
            return Outcome::Go;
        };
        if self.bar.help && control != Control::Help && control != Control::Quit {
            self.bar.help = false;
        }
        match control {
            Control::Quit if self.bar.help => self.bar.help = false,
            Control::Quit => return Outcome::Quit,
            Control::Help => self.bar.help = !self.bar.help,
            Control::PlayPause => {
                self.bar.playing = !self.bar.playing;
                self.due = None;
            }
            Control::Faster => self.bar.speed = keys::next_speed(self.bar.speed, true),
            Control::Slower => self.bar.speed = keys::next_speed(self.bar.speed, false),
            Control::Step => {
                self.bar.playing = false;
                if !self.player.step() {
                    self.bar.says = Some("the end of the journal".to_string());
                }
            }
            Control::Seek => self.bar.typing = Some(String::new()),
            Control::PrevBreach => self.jump(MarkKind::Breach, false),
            Control::NextBreach => self.jump(MarkKind::Breach, true),
            Control::PrevAction => self.jump(MarkKind::Action, false),
            Control::NextAction => self.jump(MarkKind::Action, true),
            Control::PrevAnnotation => self.jump(MarkKind::Annotation, false),
            Control::NextAnnotation => self.jump(MarkKind::Annotation, true),
        }
        Outcome::Go
    }

    fn jump(&mut self, kind: MarkKind, forward: bool) {
        match self.player.mark(kind, forward) {
            Some(pos) => {
                self.player.seek(pos);
                self.due = None;
            }
            None => {
                let way = if forward { "after" } else { "before" };
                self.bar.says = Some(format!("no {} {way} this point", kind.word()));
            }
        }
    }

    /// Seek to what was typed after `g`.
    fn go_to(&mut self, typed: &str) {
        match target(typed, self.player.time(), self.player.header.started) {
            Ok(t) => {
                let pos = self.player.pos_at(t);
                self.player.seek(pos);
                self.due = None;
            }
            Err(why) => self.bar.says = Some(why),
        }
    }

    /// While playing, apply every message that is due; how long until the
    /// next one (`None`: nothing to wait for).
    pub fn play(&mut self, now: Instant) -> Option<Duration> {
        if !self.bar.playing {
            return None;
        }
        loop {
            let Some(next) = self.player.entries().get(self.player.pos()) else {
                self.bar.playing = false;
                self.bar.says = Some("the end of the journal".to_string());
                return None;
            };
            let gap = (next.t - self.player.time()).to_std().unwrap_or_default();
            let due = *self.due.get_or_insert(now + gap / self.bar.speed.max(1));
            if due > now {
                return Some(due - now);
            }
            self.player.step();
            self.due = None;
        }
    }
}

/// The time `typed` names: `HH:MM:SS` (UTC, on the session's first day, or
/// the next if that is before the start) or `+10m` / `-2m` from `here`.
pub fn target(typed: &str, here: Timestamp, started: Timestamp) -> Result<Timestamp, String> {
    let typed = typed.trim();
    let relative = |s: &str| {
        humantime::parse_duration(s)
            .ok()
            .and_then(|d| chrono::TimeDelta::from_std(d).ok())
            .ok_or_else(|| format!("`{typed}`: give HH:MM:SS, or +10m / -2m"))
    };
    if let Some(rest) = typed.strip_prefix('+') {
        return Ok(here + relative(rest)?);
    }
    if let Some(rest) = typed.strip_prefix('-') {
        return Ok(here - relative(rest)?);
    }
    let time = chrono::NaiveTime::parse_from_str(typed, "%H:%M:%S")
        .map_err(|_| format!("`{typed}`: give HH:MM:SS, or +10m / -2m"))?;
    let day = started.date_naive();
    let at = day.and_time(time).and_utc();
    Ok(if at < started {
        at + chrono::TimeDelta::days(1)
    } else {
        at
    })
}

/// Show the replay on `terminal` until `q`; `input` waits at most its
/// argument for the next terminal event.
pub fn run<B, I>(
    terminal: &mut Terminal<B>,
    controller: &mut Controller,
    theme: &Theme,
    mut input: I,
) -> io::Result<()>
where
    B: Backend,
    I: FnMut(Duration) -> io::Result<Option<Event>>,
{
    loop {
        terminal
            .draw(|f| {
                let area = f.area();
                screen::draw(
                    &controller.player,
                    theme,
                    &controller.bar,
                    area,
                    f.buffer_mut(),
                );
            })
            .map_err(|e| io::Error::other(e.to_string()))?;
        let wait = controller
            .play(Instant::now())
            .unwrap_or(Duration::from_millis(250))
            .min(Duration::from_millis(250));
        if let Some(Event::Key(k)) = input(wait)?
            && k.kind != KeyEventKind::Release
            && controller.key(&k) == Outcome::Quit
        {
            return Ok(());
        }
    }
}
