//! The embedded simulated fleet: regions serving a stable and a canary
//! version, a wave plan that advances on its own, scripted faults, and the
//! same actions a real deployment obeys. Deterministic for a seed and the
//! times it is advanced to.

mod fleet;
mod scenario;

pub use fleet::Fleet;
pub use scenario::{Fault, FleetSpec, RegionProfile};
