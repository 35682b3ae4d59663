//! Where the pure core meets the world: the event loop, the sessions that
//! start a war room's sources, the source registry that names them for the
//! app, the executor that carries out actions, and the demo's replay. With
//! `app`, the only module that names `Msg`.

pub mod baselines;
pub mod debrief;
pub mod demo;
pub mod drafts;
pub mod event_loop;
pub mod executor;
pub mod facilitate;
pub mod journal;
pub mod notify;
pub mod rehearsal;
pub mod replay;
pub mod session;
pub mod snapshots;
pub mod sources;
