//! Pure domain logic of Oversight, shared by the server (native) and the app (wasm32).
//!
//! Nothing here does I/O: these are plain types and functions, unit-tested natively.

pub mod access;
pub mod alerts;
pub mod anomaly;
pub mod api;
pub mod codes;
pub mod directives;
pub mod display;
pub mod facts;
pub mod forecast;
pub mod format;
pub mod geometry;
pub mod notices;
pub mod overview;
pub mod procedures;
pub mod programmes;
pub mod quality;
pub mod refusal;
pub mod remote;
pub mod report;
pub mod rules;
pub mod summary;
pub mod targets;
pub mod vocab;
pub mod workload;
pub mod xlsx;

pub use codes::{UnitCode, UnitCodeError};
pub use vocab::*;
