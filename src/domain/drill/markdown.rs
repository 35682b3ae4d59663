//! The written debrief (placeholder, filled below).
