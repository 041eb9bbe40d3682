//! Pieces shared by pages: the app shell, KPI tiles, the language switch.

pub mod kpi;
pub mod quality;
pub mod shell;
