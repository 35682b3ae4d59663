//! warroom: a terminal war room for progressive rollouts.
//!
//! Layers, with arrows one way: `domain` ← `app` ← `ui` on one side;
//! `integrations`, `audit` and `sim` (adapters, which never name the app's
//! messages) on the other; `runtime` joins them and `cli` starts it. Sources
//! and input become [`app::Msg`]s, [`app::update`] is the only place state
//! changes, [`ui::draw`] is a pure function of state and theme, and actions
//! leave `update` as [`app::Effect`]s that the runtime's executor carries out
//! and reports back as messages.

#![forbid(unsafe_code)]

pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
pub mod domain;
pub mod integrations;
pub mod runtime;
pub mod sim;
pub mod ui;
