//! The application: its state, the messages that change it, `update` (the only
//! place state changes), the key map and the admission rule for actions.

pub mod admit;
pub mod comms;
pub mod footprint;
pub mod keymap;
pub mod msg;
pub mod observe;
pub mod receivers;
pub mod state;
pub mod typing;
pub mod update;
pub mod verdict;
pub mod view;

pub use msg::{Effect, Msg};
pub use state::AppState;
pub use update::update;
