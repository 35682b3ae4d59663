//! A demo session recorded headless (scripted keys, a test terminal) and
//! replayed: every screen the session drew is drawn again, cell for cell.

// Test support: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Rect, Size};
use tokio::sync::mpsc;
use warroom::app::state::Seat;
use warroom::domain::clock::{Clock, SystemClock};
use warroom::runtime::journal::{self, Header, Journal, Kind, Origin, Recording};
use warroom::runtime::replay::Player;
use warroom::runtime::session::Session;
use warroom::sim::FleetSpec;

type Frames = Arc<Mutex<Vec<(usize, Buffer)>>>;

/// A test terminal that keeps every frame it was shown, with how many
/// messages the journal held when it was drawn.
struct Filming {
    inner: TestBackend,
    frames: Frames,
    journaled: Arc<AtomicUsize>,
}

impl Backend for Filming {
    type Error = <TestBackend as Backend>::Error;
    fn draw<'a, I: Iterator<Item = (u16, u16, &'a Cell)>>(
        &mut self,
        c: I,
    ) -> Result<(), Self::Error> {
        self.inner.draw(c)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, p: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(p)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }
    fn clear_region(&mut self, t: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(t)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()?;
        let n = self.journaled.load(Ordering::SeqCst);
        self.frames
            .lock()
            .unwrap()
            .push((n, self.inner.buffer().clone()));
        Ok(())
    }
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_demo_replays_to_the_same_screens() {
    let dir = common::temp_dir("replay-demo");
    let path = dir.join("demo.jsonl");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let themes = warroom::ui::theme::resolve(None, false).unwrap().0;
    let names = themes.iter().map(|t| t.name.clone()).collect();
    let session = Session::demo(FleetSpec::demo(42), clock.clone(), Seat::new("ana", names));
    let recording = Recording {
        path: path.clone(),
        kind: Kind::Demo,
        origin: Origin::Sim {
            scenario: "fault".into(),
            seed: 42,
            regions: None,
        },
    };
    let header = Header::new(&recording, &session.opening, (120, 40), "dark");
    let journal = Journal::create(&path, &header, &session.opening.msgs).unwrap();
    let journaled = journal.counter();
    let audit = Arc::new(warroom::audit::AuditLog::open(&dir.join("audit.jsonl")).unwrap());
    let executor = warroom::runtime::executor::Executor::new(
        session.control.clone().unwrap(),
        audit,
        clock.clone(),
        session.tx.clone(),
        Duration::from_secs(5),
    )
    .marked(Some("demo"));
    let (key_tx, keys) = mpsc::unbounded_channel::<std::io::Result<Event>>();
    let input = Box::pin(futures_util::stream::unfold(keys, |mut rx| async move {
        rx.recv().await.map(|e| (e, rx))
    }));
    let wiring = warroom::runtime::event_loop::Wiring {
        input,
        messages: session.messages,
        executor,
        clock,
        themes: themes.clone(),
        baselines: session.baselines,
        notifier: None,
        reopen_input: None,
        drafts_dir: None,
        journal: Some(journal),
        drill: None,
        snapshots: warroom::runtime::snapshots::Snapshots::new(dir.join("snaps")),
    };
    let frames: Frames = Arc::default();
    let backend = Filming {
        inner: TestBackend::new(120, 40),
        frames: frames.clone(),
        journaled,
    };
    let looping = tokio::spawn(async move {
        let mut terminal = ratatui::Terminal::new(backend).unwrap();
        warroom::runtime::event_loop::run(&mut terminal, session.state, wiring)
            .await
            .map(|s| s.timeline.pushed())
    });
    // Keys a person would press: a theme, a region, pause and its confirm.
    let script = [
        key(KeyCode::Char('t')),
        key(KeyCode::Down),
        key(KeyCode::Char('p')),
        key(KeyCode::Char('p')),
        key(KeyCode::Tab),
        key(KeyCode::Char('t')),
    ];
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for event in script {
        key_tx.send(Ok(event)).unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    key_tx.send(Ok(key(KeyCode::Char('q')))).unwrap();
    drop(key_tx);
    let pushed = tokio::time::timeout(Duration::from_secs(10), looping)
        .await
        .unwrap()
        .unwrap()
        .unwrap();

    let read = journal::read(&path).unwrap();
    assert!(!read.torn);
    let mut player = Player::new(read).unwrap();
    player.seek(player.len());
    assert_eq!(
        player.state().timeline.pushed(),
        pushed,
        "the same timeline at the end"
    );
    let frames = frames.lock().unwrap();
    assert!(frames.len() > 5, "{} frames", frames.len());
    let area = Rect::new(0, 0, 120, 40);
    let mut compared = 0;
    for (n, seen) in frames.iter() {
        player.seek(*n);
        let theme = themes.get(player.state().theme).unwrap_or(&themes[0]);
        let mut again = Buffer::empty(area);
        warroom::runtime::replay::screen::dashboard(&player, theme, area, &mut again);
        assert_eq!(&again, seen, "the screen after {n} messages");
        compared += 1;
    }
    // The keys reached `update` and show in the replay: the pause asked,
    // the theme changed twice.
    let asked = player
        .state()
        .timeline
        .newest_first()
        .any(|e| e.kind == warroom::domain::timeline::EventKind::ActionAttempt);
    assert!(asked, "the pause was asked");
    assert_eq!(player.state().theme, 2 % themes.len());
    // Every recorded message, not only those a frame followed: played
    // through, each screen is what seeking to it draws.
    let mut through = Player::new(journal::read(&path).unwrap()).unwrap();
    for n in 0..=through.len() {
        player.seek(n);
        assert_eq!(through.pos(), n);
        let theme = themes.get(through.state().theme).unwrap_or(&themes[0]);
        let (mut a, mut b) = (Buffer::empty(area), Buffer::empty(area));
        warroom::runtime::replay::screen::dashboard(&through, theme, area, &mut a);
        warroom::runtime::replay::screen::dashboard(&player, theme, area, &mut b);
        assert_eq!(a, b, "message {n}");
        through.step();
    }
    eprintln!("{compared} frames and {} messages compared", player.len());
}
