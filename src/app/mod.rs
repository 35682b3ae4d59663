//! The application: its state, the messages that change it, `update` (the only
//! place state changes) and the event loop that feeds it.

pub mod msg;
pub mod state;
pub mod update;

pub use msg::{Effect, Msg};
pub use state::AppState;
pub use update::update;
