//! The embedded simulated fleet: regions serving a stable and a canary
//! version, a wave plan that advances on its own, scripted faults, and the
//! same actions a real deployment obeys. Deterministic for a seed and the
//! times it is advanced to.

pub mod adapter;
pub mod drill;
pub mod exposition;
mod fleet;
pub mod history;
pub mod http;
mod scenario;
pub mod users;

pub use fleet::{Fleet, Truth};
pub use scenario::{Fault, FleetSpec, RegionProfile, later_region, place, second_wave_region};
