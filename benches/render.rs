//! Time to draw one frame of the dashboard.
//!
//! `cargo bench --bench render`. `build` lays out and renders every panel into
//! a fresh buffer (the whole cost of a frame before terminal I/O); `draw` goes
//! through ratatui's `Terminal` with alternating states, so each draw diffs a
//! changed screen, as the live loop does once a second. `poll` is the cost of
//! taking in one second of the simulator's reports through `update`.
//! `presenter` is `build` for the presenter view (big letters, shared).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use divan::Bencher;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use warroom::app::state::AppState;
use warroom::runtime::demo::{Replay, built_in_theme_names, state_at};
use warroom::sim::FleetSpec;
use warroom::ui;
use warroom::ui::theme::{self, Theme};

fn main() {
    divan::main();
}

/// (width, height, regions): the smallest screen, where most columns and
/// phrases are dropped, the common ones, and a large fleet.
const SCREENS: [(u16, u16, usize); 4] = [(60, 16, 4), (80, 24, 4), (120, 40, 4), (240, 70, 50)];

fn fixture(regions: usize, at: i64) -> AppState {
    let spec = if regions == 4 {
        FleetSpec::demo(42)
    } else {
        FleetSpec::large(regions, 42)
    };
    state_at(spec, at)
}

fn dark() -> Theme {
    theme::resolve(None, false).unwrap().0.remove(0)
}

#[divan::bench(args = SCREENS)]
fn build(bencher: Bencher, (width, height, regions): (u16, u16, usize)) {
    let state = fixture(regions, 85);
    let theme = dark();
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    bencher.bench_local(|| {
        buf.reset();
        ui::Dashboard {
            state: &state,
            theme: &theme,
        }
        .render(area, &mut buf);
        divan::black_box(&buf);
    });
}

#[divan::bench(args = SCREENS)]
fn draw(bencher: Bencher, (width, height, regions): (u16, u16, usize)) {
    let states = [fixture(regions, 84), fixture(regions, 85)];
    let theme = dark();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut i = 0;
    bencher.bench_local(|| {
        i ^= 1;
        terminal.draw(|f| ui::draw(f, &states[i], &theme)).unwrap();
    });
}

#[divan::bench(args = [4, 50, 500])]
fn poll(bencher: Bencher, regions: usize) {
    let spec = if regions == 4 {
        FleetSpec::demo(42)
    } else {
        FleetSpec::large(regions, 42)
    };
    let mut replay = Replay::new(spec, built_in_theme_names());
    replay.run_to(80);
    bencher.bench_local(|| replay.step());
}

/// The presenter view's sizes: the smallest it is made for, a projector's,
/// and a large fleet on a big screen.
const PRESENTER: [(u16, u16, usize); 3] = [(100, 30, 4), (160, 48, 4), (240, 70, 50)];

#[divan::bench(args = PRESENTER)]
fn presenter(bencher: Bencher, (width, height, regions): (u16, u16, usize)) {
    let mut state = fixture(regions, 85);
    state.showing.view = warroom::app::view::View::Presenter;
    let theme = dark();
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    bencher.bench_local(|| {
        buf.reset();
        ui::Dashboard {
            state: &state,
            theme: &theme,
        }
        .render(area, &mut buf);
        divan::black_box(&buf);
    });
}
