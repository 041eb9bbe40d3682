//! The Oversight server: configuration, database, HTTP API, server-side rendering and the command line.
//!
//! A request flows route (`http::*`) -> handler -> domain logic (`domain` crate) -> query, with the
//! caller's scope (`scope`) applied to every query.

pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod display;
pub mod events;
pub mod forecast;
pub mod geography;
pub mod http;
pub mod ingest;
pub mod notices;
pub mod quality;
pub mod report;
pub mod rollup;
pub mod scope;
pub mod seed;
pub mod testing;
pub mod tls;
pub mod warning;
