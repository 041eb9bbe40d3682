//! One module per page.

pub mod account;
pub mod alerts;
pub mod analysis;
pub mod audit;
pub mod directives;
pub mod display;
pub mod displays;
pub mod login;
pub mod notices;
pub mod overview;
pub mod procedures;
pub mod programmes;
pub mod remote;
pub mod reports;
pub mod sources;
pub mod upload;
pub mod workload;
