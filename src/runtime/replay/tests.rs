use super::*;
use crate::runtime::journal;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

fn screen(player: &Player) -> Buffer {
    let themes = crate::ui::theme::resolve(None, false).unwrap().0;
    let area = Rect::new(0, 0, 120, 40);
    let mut buf = Buffer::empty(area);
    let theme = themes.get(player.state().theme).unwrap_or(&themes[0]);
    screen::dashboard(player, theme, area, &mut buf);
    buf
}

#[test]
fn seeking_back_and_forth_gives_the_screens_of_playing_through() {
    let dir = std::env::temp_dir().join(format!("warroom-replay-unit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("demo.jsonl");
    // Long enough for two checkpoints, with the fault's breach in it.
    let last = sample::demo_journal(&path, 400, 42).unwrap();
    let mut player = Player::new(journal::read(&path).unwrap()).unwrap();
    assert_eq!(player.len(), 1200);
    let mut sequential = Vec::new();
    while player.step() {
        sequential.push(screen(&player));
    }
    assert_eq!(player.state().timeline.pushed(), last.timeline.pushed());
    for pos in [1199usize, 3, 700, 512, 511, 1024, 40] {
        player.seek(pos + 1);
        assert_eq!(screen(&player), sequential[pos], "at {pos}");
    }
    player.seek(0);
    let breach = player
        .mark(MarkKind::Breach, true)
        .expect("the demo breaches");
    player.seek(breach);
    assert!(
        player
            .state()
            .timeline
            .newest_first()
            .any(|e| e.kind == crate::domain::timeline::EventKind::Breach)
    );
    assert_eq!(player.mark(MarkKind::Breach, false), None);
    let t = player.time();
    assert_eq!(player.pos_at(t), breach);
}

#[test]
fn action_keys_are_refused_and_nothing_moves() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let dir = std::env::temp_dir().join(format!("warroom-replay-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("demo.jsonl");
    sample::demo_journal(&path, 30, 42).unwrap();
    let player = Player::new(journal::read(&path).unwrap()).unwrap();
    let mut c = live::Controller::new(player);
    c.player.seek(20);
    let before = screen(&c.player);
    for ch in ['p', 'P', 'r', 'R', 'y', 'a', 'S', 'n'] {
        let key = KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE);
        assert_eq!(c.key(&key), live::Outcome::Go);
        let says = c.bar.says.clone().unwrap_or_default();
        assert!(says.contains("replay"), "{ch}: {says}");
        assert_eq!(c.player.pos(), 20);
        assert_eq!(screen(&c.player), before, "{ch} changed the screen");
    }
    // `g` then a time seeks; `.` steps.
    for k in [
        KeyCode::Char('g'),
        KeyCode::Char('+'),
        KeyCode::Char('5'),
        KeyCode::Char('s'),
        KeyCode::Enter,
    ] {
        c.key(&KeyEvent::new(k, KeyModifiers::NONE));
    }
    assert_eq!(
        c.player.time(),
        c.player.header.started + chrono::TimeDelta::seconds(12)
    );
    c.key(&KeyEvent::new(KeyCode::Char('.'), KeyModifiers::NONE));
    assert_eq!(c.player.pos(), 37);
}

#[test]
fn a_time_typed_is_of_the_sessions_day_or_from_here() {
    let start = crate::runtime::demo::epoch();
    let here = start + chrono::TimeDelta::minutes(5);
    assert_eq!(
        live::target("09:02:00", here, start).unwrap(),
        start + chrono::TimeDelta::minutes(2)
    );
    assert_eq!(
        live::target("+10m", here, start).unwrap(),
        here + chrono::TimeDelta::minutes(10)
    );
    assert_eq!(
        live::target("-1m", here, start).unwrap(),
        here - chrono::TimeDelta::minutes(1)
    );
    assert_eq!(
        live::target("08:00:00", here, start).unwrap(),
        start + chrono::TimeDelta::hours(23)
    );
    assert!(
        live::target("soon", here, start)
            .unwrap_err()
            .contains("HH:MM:SS")
    );
}
