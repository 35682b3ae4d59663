//! warroom: a terminal war room for progressive rollouts.
//!
//! Data flows one way: sources and input produce [`app::Msg`]s, [`app::update`]
//! is the only place state changes, [`ui::draw`] is a pure function of state
//! and theme, and actions leave `update` as [`app::Effect`]s that the
//! [`control`] path carries out and reports back as messages.

#![forbid(unsafe_code)]

pub mod app;
pub mod clock;
pub mod config;
pub mod control;
pub mod demo;
pub mod domain;
pub mod report;
pub mod session;
pub mod sim;
pub mod sources;
pub mod theme;
pub mod ui;
